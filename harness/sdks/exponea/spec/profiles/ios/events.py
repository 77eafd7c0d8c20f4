"""Custom events, payments and campaign clicks (iOS research §3.1-§3.3, ios#7-#13, #22-#24)."""

from __future__ import annotations

from harness.sdks.exponea.spec.profiles.ios import push_payload
from harness.sdks.exponea.spec.profiles.ios.identity import IdentityMixin
from harness.sdks.exponea.spec.profiles.ios.state import clean, is_number, strict
from harness.spec.matchers import Approx
from harness.spec.trace import Stimulus

__all__ = ["EventsMixin"]


class EventsMixin(IdentityMixin):
    def on_call_trackEvent(self, s: Stimulus) -> None:
        props = self.event_properties(strict(clean(s.args.get("properties") or {})))
        given = s.args.get("timestamp")
        ts = Approx(float(given), 0.001) if is_number(given) else self.at(self.now)
        rules = ["ios#7", "ios#10", "ios#11", "ios#12", "ios#13", "ios#19", "ios#20"]
        if is_number(given):
            rules.append("ios#8")
        if s.args.get("eventType") is None:
            rules.append("ios#9")
        self.track_event("TRACK_EVENT", s.args.get("eventType"), props, ts, tuple(rules))

    def on_call_trackPaymentEvent(self, s: Stimulus) -> None:
        item = dict(s.args.get("purchasedItem") or {})
        names = {
            "value": "brutto",
            "currency": "currency",
            "paymentSystem": "payment_system",
            "productId": "item_id",
            "productTitle": "product_title",
            "receipt": "receipt",
        }
        own = {names[k]: v for k, v in item.items() if k in names}
        given = s.args.get("timestamp")
        ts = Approx(float(given), 0.001) if is_number(given) else self.at(self.now)
        self.track_event("PAYMENT", "payment", self.event_properties(strict(clean(own))), ts, ("ios#22",))

    def on_call_handleCampaignIntent(self, s: Stimulus) -> None:
        url = str(s.args.get("url") or "")
        data = push_payload.campaign_data(url)
        if self.cfg().automatic_sessions and url:
            self.campaign(url, data)
        if url and data.get("xnpe_cmp"):
            self.store(
                "CAMPAIGN_CLICK",
                "campaign_clicks",
                "campaign_click",
                {},
                self.at(self.now),
                ("ios#24",),
                "campaign_click",
                url=url,
            )
