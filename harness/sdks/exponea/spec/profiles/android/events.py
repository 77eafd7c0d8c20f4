"""Custom events, payments and deep-link campaign clicks (android research §3.6, §3.7, §1.2)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.errors import SpecError
from harness.sdks.exponea.spec.profiles.android.identity import IdentityMixin
from harness.sdks.exponea.spec.profiles.android.push import campaign_tracking
from harness.spec.trace import Stimulus

__all__ = ["EventsMixin"]


class EventsMixin(IdentityMixin):
    def on_call_trackEvent(self, s: Stimulus) -> None:
        if not self.gate(s):
            return
        ts = self.timestamp_arg(s)
        props = dict(s.args.get("properties") or {})
        rules: tuple[str, ...] = ("android#5",)
        if ts is None:
            rules = (*rules, "android#6")
        if s.args.get("eventType") is None:
            rules = (*rules, "android#7")
        if self.config["defaultProperties"]:
            rules = (*rules, "android#9")
        if any(isinstance(v, int) and not isinstance(v, bool) for v in props.values()):
            rules = (*rules, "android#8")
        if any(isinstance(v, str) and any(c in v for c in "<>&'") for v in props.values()):
            rules = (*rules, "android#78")
        if "device_id" in props or "application_id" in props:
            rules = (*rules, "android#10")
        if s.index in self.deferred:
            rules = (*rules, "android#77")
        self.track("TRACK_EVENT", s.args.get("eventType"), props, ts, rules, str(s.args.get("eventType")))

    def on_call_trackPaymentEvent(self, s: Stimulus) -> None:
        if s.error:
            # PurchasedItem's fields but receipt are non-null Kotlin (exponea-android-sdk
            # models/PurchasedItem.kt:3-10 @348cfd0594d7): an item without them throws in the app before
            # the SDK sees it, so nothing is tracked. Found by harness explore
            # (scenarios/exponea/explore-payment-incomplete-item.yaml).
            self.out.notes.append(f"{s.label()}: the call threw in the app ({s.error}); nothing tracked")
            return
        if not self.gate(s):
            return
        item = s.args.get("purchasedItem")
        if not isinstance(item, dict):
            raise SpecError(f"{s.label()}: purchasedItem must be an object")
        props: dict[str, Any] = {
            "brutto": item.get("value"),
            "currency": item.get("currency"),
            "payment_system": item.get("paymentSystem"),
            "item_id": item.get("productId"),
            "product_title": item.get("productTitle"),
        }
        if item.get("receipt") is not None:
            props["receipt"] = item["receipt"]
        props.update(self.device_properties())
        self.track("PAYMENT", "payment", props, self.timestamp_arg(s), ("android#46",), "payment")

    def on_call_handleCampaignIntent(self, s: Stimulus) -> None:
        """A VIEW intent: the campaign is stored; a click is tracked only with ``xnpe_cmp`` (§3.7)."""
        url = str(s.args.get("url") or "")
        parts = urlsplit(url)
        if not parts.scheme.strip():
            self.out.notes.append(f"{s.label()}: not a campaign intent (no scheme)")
            return
        if not self.can_run_sdkless():
            return
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        data = campaign_tracking(query, url)
        self.p.campaign = (data, s.device_time, "android#48")
        if not query.get("xnpe_cmp"):
            self.out.notes.append(f"{s.label()}: no xnpe_cmp, no campaign click (android#48)")
            return
        props = {"platform": "Android", "timestamp": s.device_time, **data}
        self.track("CAMPAIGN_CLICK", "campaign", props, self.at(s.device_time), ("android#47",), "campaign click")

    def on_call_setDefaultProperties(self, s: Stimulus) -> None:
        self.config["defaultProperties"] = dict(s.args.get("properties") or {})
