"""Push: token tracking (``notification_state``), delivered and clicked pushes.

Android research §3.3 (``notification_state``: exactly token, platform, valid, description,
application_id, device_id, no defaults), §8 (when ``trackToken`` sends: cancelled, never tracked,
permission required and denied, application id changed, then the frequency), §3.4 (delivered:
``campaign`` with status/platform/state/notification_importance, the payload's attributes on top,
a custom ``event_type`` renames it and routes it as TRACK_EVENT), §3.5 (clicked: url/cta,
``tracking_forced`` when the action URL has ``xnpe_force_track``, the campaign stored for the next
session), §1.4 (``url_params`` → utm_*).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.errors import SpecError
from harness.sdks.exponea.spec.profiles.android.sessions import SessionMixin
from harness.spec.trace import Stimulus

__all__ = ["PushMixin", "campaign_tracking", "forces_tracking", "has_consent"]

_CAMPAIGN_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "xnpe_cmp")
_CAMPAIGN_FIELDS = {
    "source": "utm_source",
    "medium": "utm_medium",
    "campaign": "utm_campaign",
    "content": "utm_content",
    "term": "utm_term",
    "payload": "xnpe_cmp",
}


def has_consent(value: Any) -> bool:
    """``has_tracking_consent`` as GdprTracking reads it: missing means consent (android §3.4)."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value).strip().lower() in ("true", "1")


def forces_tracking(url: Any) -> bool:
    """``xnpe_force_track`` set to true, 1 or empty in the action URL (android §1.4)."""
    if not isinstance(url, str) or "xnpe_force_track" not in url:
        return False
    values = parse_qs(urlsplit(url).query, keep_blank_values=True).get("xnpe_force_track", [])
    return any(v.lower() in ("true", "1", "") for v in values)


def campaign_tracking(params: Mapping[str, Any] | None, url: str | None = None) -> dict[str, Any]:
    """``CampaignData.getTrackingData()``: url/location for deep links, utm_* and xnpe_cmp, no nulls."""
    out: dict[str, Any] = {}
    if url:
        out["url"] = url
        out["location"] = url
    for key in _CAMPAIGN_KEYS:
        if params and params.get(key) is not None:
            out[key] = params[key]
    return out


def _json_field(payload: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    raw = payload.get(key)
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(str(raw))
    except ValueError as exc:
        raise SpecError(f"{where}: {key} is not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise SpecError(f"{where}: {key} must be a JSON object")
    return value


def _day(t: float) -> datetime.date:
    return datetime.datetime.fromtimestamp(t).date()  # DateUtils.isToday: the device's local day


class PushMixin(SessionMixin):
    def __init__(self) -> None:
        super().__init__()
        self.delivered_at: dict[Any, float] = {}
        self.last_push_id: int | None = None  # FcmManagerImpl.lastPushNotificationId: process state

    # -- tokens (android §8) ------------------------------------------------------------------

    def track_token(
        self, token: str | None, frequency: str, token_type: str, rules: tuple[str, ...], canceled: bool = False
    ) -> None:
        store = self.p.token
        granted = self.permission
        require = bool(self.config.get("requirePushAuthorization"))
        app_id = self.config["applicationId"]
        today = _day(self.now).toordinal()
        forced = canceled or store.tracked_day is None or (require and not granted) or app_id != store.application_id
        if forced or frequency == "EVERY_LAUNCH":
            send = True
        elif frequency == "DAILY":
            send = store.tracked_day != today
        else:  # ON_TOKEN_CHANGE
            send = token != store.token or store.permission != granted
        if not send:
            return
        if app_id != store.application_id and store.tracked_day is not None:
            rules = (*rules, "android#30")
        store.application_id = app_id
        if token is None:
            return
        store.token, store.tracked_day, store.token_type, store.permission = token, today, token_type, granted
        if canceled:
            valid, description = False, "Invalidated"
        elif require and not granted:
            valid, description = False, "Permission denied"
            rules = (*rules, "android#31")
        else:
            valid, description = True, "Permission granted"
        props = {
            "push_notification_token": token,
            "platform": "huawei" if token_type == "HMS" else "android",
            "valid": valid,
            "description": description,
        }
        self.track("PUSH_TOKEN", "notification_state", props, self.at(self.now), (*rules, "android#26"), "token")

    def track_saved_token(self, rules: tuple[str, ...], frequency: str | None = None) -> None:
        freq = frequency or str(self.config.get("tokenTrackFrequency") or "ON_TOKEN_CHANGE")
        self.track_token(self.p.token.token, freq, self.p.token.token_type, rules)

    def new_token(self, token: str, token_type: str) -> None:
        """``handleNewToken``: invalidate a different old token, then track with the configured frequency."""
        if self.stopped:
            return
        store = self.p.token
        if not self.initialized and self.p.config is None:
            store.token, store.tracked_day, store.token_type = token, None, token_type  # sent at init (android#33)
            return
        old = store.token
        if old is not None and old != token:
            self.track_token(old, "EVERY_LAUNCH", store.token_type, ("android#32",), canceled=True)
        freq = str(self.config.get("tokenTrackFrequency") or "ON_TOKEN_CHANGE")
        rules = ("android#32", "android#29") + (("android#34",) if freq == "DAILY" else ())
        self.track_token(token, freq, token_type, rules)

    def on_call_trackPushToken(self, s: Stimulus) -> None:
        if self.gate(s):
            self.track_token(str(s.args["token"]), "EVERY_LAUNCH", "FCM", ("android#28",))

    def on_call_trackHmsPushToken(self, s: Stimulus) -> None:
        if self.gate(s):
            self.track_token(str(s.args["token"]), "EVERY_LAUNCH", "HMS", ("android#27",))

    def on_call_handleNewToken(self, s: Stimulus) -> None:
        self.new_token(str(s.args["token"]), "FCM")

    def on_call_handleNewHmsToken(self, s: Stimulus) -> None:
        self.new_token(str(s.args["token"]), "HMS")

    def on_env_new_push_token(self, s: Stimulus) -> None:
        self.new_token(str(s.args["token"]), "FCM")

    def on_env_set_push_permission(self, s: Stimulus) -> None:
        self.permission = bool(s.args.get("granted"))

    # -- delivered and clicked (android §3.4, §3.5) ---------------------------------------------

    def importance(self) -> str:
        """The channel's importance: IMPORTANCE_DEFAULT once the SDK created it, else unknown (§3.4)."""
        return "importance_default" if self.p.channel_created else "importance_unknown"

    def push_event(
        self,
        base: dict[str, Any],
        attributes: Mapping[str, Any],
        campaign: Mapping[str, Any],
        consent_category: Any,
        timestamp: Any,
        internal: str,
        rules: tuple[str, ...],
        allowed: bool,
    ) -> None:
        custom = attributes.get("event_type")
        is_custom = isinstance(custom, str) and custom.strip() != ""
        props = dict(base)
        props.update({k: v for k, v in attributes.items() if k != "event_type"})  # payload overrides (android#37)
        props.update(campaign)
        if consent_category is not None:
            props["consent_category_tracking"] = consent_category
        name = str(custom) if is_custom else "campaign"
        sdk_type = "TRACK_EVENT" if is_custom else internal  # android#36, android#51
        if is_custom:
            rules = (*rules, "android#36", "android#51")
        self.track(sdk_type, name, props, timestamp, rules, f"{name} {base['status']}", allowed=allowed)

    def delivered_call(self, s: Stimulus, without_consent: bool) -> None:
        if not self.gate(s):
            return
        data = dict(s.args.get("data") or {})
        attributes = dict(data.get("attributes") or {})
        consent = bool(data.get("hasTrackingConsent", True))
        base = {
            "status": "delivered",
            "platform": "android",
            "state": "shown",
            "notification_importance": self.importance(),
        }
        rules = ("android#35",) + (("android#38",) if not consent else ())
        self.push_event(
            base,
            attributes,
            _campaign_data(data.get("campaignData")),
            data.get("consentCategoryTracking"),
            self.timestamp_arg(s),
            "PUSH_DELIVERED",
            rules,
            consent or without_consent,
        )

    def on_call_trackDeliveredPush(self, s: Stimulus) -> None:
        self.delivered_call(s, False)

    def on_call_trackDeliveredPushWithoutTrackingConsent(self, s: Stimulus) -> None:
        self.delivered_call(s, True)

    def clicked(
        self,
        attributes: Mapping[str, Any],
        campaign: Mapping[str, Any],
        consent: bool,
        consent_category: Any,
        action: Mapping[str, Any],
        timestamp: Any,
        rules: tuple[str, ...],
        without_consent: bool = False,
        has_data: bool = True,
    ) -> None:
        url = action.get("url")
        if isinstance(url, str) and url and "://" not in url and action.get("index") is not None:
            url = "http://" + url  # adjustUrl for button actions
        forced = forces_tracking(url)
        base: dict[str, Any] = {
            "status": "clicked",
            "platform": "android",
            "url": url or "app",
            "cta": action.get("actionName") or "notification",
        }
        allowed = consent or forced or without_consent
        if forced:
            rules = (*rules, "android#40")
        if not consent and not without_consent:
            rules = (*rules, "android#38")
        if has_data:
            # Any non-null NotificationData replaces the stored campaign, consent or not, even with no
            # campaign values (TrackingConsentManagerImpl.kt:63-67@4.10.0): a deep link's campaign is
            # then gone from the next session_start (found by harness explore: handleCampaignIntent,
            # click_push {}, init).
            self.p.campaign = (dict(campaign), self.now, "android#42")
        extra = dict(attributes)
        if forced:
            extra["tracking_forced"] = True  # keys never collide with the consent category
        self.push_event(base, extra, campaign, consent_category, timestamp, "PUSH_OPENED", rules, allowed)

    def clicked_call(self, s: Stimulus, without_consent: bool) -> None:
        """``trackClickedPush[WithoutTrackingConsent]``: before init, with a configuration stored by an
        earlier run, it tracks at once through an SDK-less TrackingConsentManager (Exponea.kt:684-727,
        778-795@4.10.0; TrackingConsentManagerImpl.kt:337-339 throws without one, and only then is the
        call queued for init). Found by harness explore: ``init``, ``kill``, ``launch``, a click."""
        if not (not self.initialized and self.can_run_sdkless()) and not self.gate(s):
            return
        data = dict(s.args.get("data") or {})
        self.clicked(
            dict(data.get("attributes") or {}),
            _campaign_data(data.get("campaignData")),
            bool(data.get("hasTrackingConsent", True)),
            data.get("consentCategoryTracking"),
            dict(s.args.get("actionData") or {}),
            self.timestamp_arg(s),
            ("android#39",),
            without_consent,
            s.args.get("data") is not None,
        )

    def on_call_trackClickedPush(self, s: Stimulus) -> None:
        self.clicked_call(s, False)

    def on_call_trackClickedPushWithoutTrackingConsent(self, s: Stimulus) -> None:
        self.clicked_call(s, True)

    # -- the OS hands over a push, the user taps it ---------------------------------------------

    def can_run_sdkless(self) -> bool:
        """Initialized, or a stored configuration for the SDK-less path (android §9.2)."""
        return not self.stopped and (self.initialized or self.p.config is not None)

    def remote_message(self, s: Stimulus, payload: Mapping[str, Any], show: bool) -> None:
        rules: tuple[str, ...] = ("android#35",)
        if payload.get("source") != "xnpe_platform":
            self.out.notes.append(f"{s.label()}: not an Exponea push, ignored (android#43)")
            return
        if not self.can_run_sdkless():
            return
        if not self.config.get("automaticPushNotification", True):
            self.out.notes.append(f"{s.label()}: automaticPushNotification is off (android#44)")
            return
        self.p.channel_created = True  # ensureNotificationChannelExistence, before anything else
        nid = payload.get("notification_id")
        try:
            number = 0 if nid is None else int(str(nid))  # NotificationPayload.kt:11: a missing id is 0
        except ValueError:
            self.out.notes.append(f"{s.label()}: notification_id {nid!r} is no Int: the SDK throws, nothing tracked")
            return
        if payload.get("action") == "self-check":
            return
        # A push delivered again with the id of the last one is ignored (FcmManagerImpl.kt:197-201@4.10.0),
        # unless the app's notifications are blocked (tracked not_shown before that check, :183-195).
        # The last id is a field of the FcmManagerImpl instance: a new process, a new component (init
        # after a stop) or an SDK-less instance (one per call) starts without one; anonymize keeps it
        # (found by harness explore: deliver_push, anonymize, the same push again).
        if self.permission and self.initialized:
            if number == self.last_push_id:
                return
            self.last_push_id = number
        attributes = _json_field(payload, "attributes", s.label())
        campaign = campaign_tracking(_json_field(payload, "url_params", s.label()))
        silent = str(payload.get("silent", "")).lower() == "true"
        blank = not str(payload.get("title") or "").strip() and not str(payload.get("message") or "").strip()
        state = "not_shown" if silent or not show or blank or not self.permission else "shown"
        if silent:
            rules = (*rules, "android#45")
        received = s.device_time
        sent = attributes.get("sent_timestamp")
        ts = received
        stamp = self.at(received)
        if isinstance(sent, int | float | str) and not isinstance(sent, bool):
            try:
                sent_f = float(sent)
            except ValueError:
                sent_f = None
            if sent_f is not None and received <= sent_f:
                ts = sent_f + 1  # android#41
                stamp = self.given(ts)
                rules = (*rules, "android#41")
        self.delivered_at[nid] = ts
        consent = has_consent(payload.get("has_tracking_consent"))
        base = {
            "status": "delivered",
            "platform": "android",
            "state": state,
            "notification_importance": self.importance(),
        }
        if campaign:
            rules = (*rules, "android#42")
        self.push_event(
            base,
            attributes,
            campaign,
            payload.get("consent_category_tracking"),
            stamp,
            "PUSH_DELIVERED",
            rules,
            consent,
        )

    def on_call_handleRemoteMessage(self, s: Stimulus) -> None:
        payload = dict(s.args.get("messageData") or {})
        self.remote_message(s, payload, bool(s.args.get("showNotification", True)))

    def on_env_deliver_push(self, s: Stimulus) -> None:
        self.remote_message(s, dict(s.args.get("payload") or {}), True)

    def on_env_click_push(self, s: Stimulus) -> None:
        if not self.can_run_sdkless():
            return
        payload = dict(s.args.get("payload") or {})
        action = dict(s.args.get("action") or {})
        attributes = _json_field(payload, "attributes", s.label())
        campaign = campaign_tracking(_json_field(payload, "url_params", s.label()))
        delivered = self.delivered_at.get(payload.get("notification_id"))
        ts = s.device_time
        stamp = self.at(ts)
        rules: tuple[str, ...] = ("android#39",)
        if delivered is not None and ts <= delivered:
            stamp = self.derived(delivered + 1)  # the click is stamped after the delivery (android#41)
            rules = (*rules, "android#41")
        if campaign:
            rules = (*rules, "android#42")
        self.clicked(
            attributes,
            campaign,
            has_consent(payload.get("has_tracking_consent")),
            payload.get("consent_category_tracking"),
            action,
            stamp,
            rules,
        )


def _campaign_data(raw: Any) -> dict[str, Any]:
    """``NotificationData.campaignData`` given by Kotlin field names or by utm_* names."""
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"campaignData must be an object, got {raw!r}")
    params = {_CAMPAIGN_FIELDS.get(str(k), str(k)): v for k, v in raw.items()}
    return campaign_tracking(params, raw.get("completeUrl"))
