"""Push (iOS research §8, §3.6, §3.7): the token as ``notification_state`` with its companion empty
customer update, the token frequencies, and delivered/clicked pushes. What the payload turns into
is in :mod:`push_payload`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.sdks.exponea.spec.profiles.ios import push_payload
from harness.sdks.exponea.spec.profiles.ios.sessions import SessionMixin
from harness.sdks.exponea.spec.profiles.ios.state import DAY, is_number
from harness.spec.matchers import Approx
from harness.spec.trace import Stimulus

__all__ = ["PushMixin"]


class PushMixin(SessionMixin):
    def notification_state(self, token: str, valid: bool, description: str, rules: tuple[str, ...]) -> None:
        customer = self.customer()
        props = self.event_properties(
            {"platform": "ios", "description": description, "push_notification_token": token, "valid": valid},
            defaults=False,
        )
        self.track_event("NOTIFICATION_STATE", "notification_state", props, self.at(self.now), (*rules, "ios#10"))
        self.store("NOTIFICATION_STATE", "customers", None, {}, self.at(self.now), ("ios#28",), "customer update")
        customer.push_token, customer.last_token_track, customer.last_valid = token, self.now, valid
        self.p.state_application_id = self.cfg().application_id

    def token_state(self) -> tuple[bool, str]:
        valid = self.permission or not self.cfg().require_push_authorization
        return valid, "Permission granted" if self.permission else "Permission denied"

    def verify_token(self, forced: bool, registration: bool) -> None:
        """verifyPushStatusAndTrackPushToken and the frequency rules (ios#33-36)."""
        customer = self.customer()
        token = customer.push_token
        if token is None:
            return
        valid, description = self.token_state()
        cfg = self.cfg()
        frequency = cfg.token_frequency
        rules: tuple[str, ...] = ()
        if forced:
            rules = ("ios#36",)
        elif customer.last_valid is not None and customer.last_valid != valid and not registration:
            rules = ("ios#31",)
        elif frequency == "EVERY_LAUNCH":
            rules = ("ios#34",)
        elif frequency == "DAILY" and self.now - (customer.last_token_track or 0.0) >= DAY:
            rules = ("ios#35",)
        if rules:
            self.notification_state(token, valid, description, rules)

    def register_token(self, token: str) -> None:
        """handlePushNotificationToken: invalidate the old token, or apply the frequency rules."""
        customer = self.customer()
        valid, description = self.token_state()
        known = customer.push_token
        if known is None:
            self.notification_state(token, valid, description, ("ios#27", "ios#31", "ios#32"))
        elif known != token:
            self.notification_state(known, False, "Invalidated", ("ios#30",))
            self.notification_state(token, valid, description, ("ios#30",))
        else:
            self.verify_token(False, registration=True)

    def on_call_trackPushToken(self, s: Stimulus) -> None:
        token = s.args.get("token")
        if token is None:
            return  # nothing (ios#38)
        description = "Permission granted" if self.permission else "Permission denied"
        self.notification_state(str(token), self.permission, description, ("ios#37",))

    def on_call_handleNewToken(self, s: Stimulus) -> None:
        if self.ready(s):
            self.register_token(str(s.args["token"]))

    def delivered(self, info: Mapping[str, Any], consider_consent: bool) -> None:
        if consider_consent and not push_payload.consent(info):
            return  # ios#42
        props = self.event_properties(push_payload.delivered(info))
        event_type = push_payload.event_type_of(info)
        attributes = info.get("attributes")
        sent = attributes.get("sent_timestamp") if isinstance(attributes, Mapping) else None
        # now, or sent_timestamp + 1 when that is later: then exact, it comes from the payload (ios#40)
        ts: Any = Approx(float(sent) + 1, 0.25) if is_number(sent) and self.now <= float(sent) else self.at(self.now)
        key = "TRACK_EVENT" if event_type != "campaign" else "PUSH_DELIVERED"
        rules = ("ios#40", "ios#41") + (("ios#42",) if not consider_consent else ())
        self.track_event(key, event_type, props, ts, rules)

    def clicked(self, info: Mapping[str, Any], action: Mapping[str, Any] | None, consider_consent: bool) -> None:
        own, forced = push_payload.clicked(info, action)
        if consider_consent and not forced and not push_payload.consent(info):
            return
        delivered_at = info.get("delivered_timestamp")
        ts: Any = self.at(self.now)
        if is_number(delivered_at) and self.now <= float(delivered_at):
            ts = Approx(float(delivered_at) + 1, 0.25)  # from the payload: exact (ios#47)
        rules = ("ios#43", "ios#44", "ios#45", "ios#46", "ios#47")
        self.track_event("PUSH_OPENED", push_payload.event_type_of(info), self.event_properties(own), ts, rules)

    def on_call_trackDeliveredPush(self, s: Stimulus) -> None:
        self.delivered(_info_from_data(s.args.get("data")), consider_consent=True)

    def on_call_trackDeliveredPushWithoutTrackingConsent(self, s: Stimulus) -> None:
        if self.ready(s):
            self.delivered(_info_from_data(s.args.get("data")), consider_consent=False)

    def on_call_trackClickedPush(self, s: Stimulus) -> None:
        self.clicked(_info_from_data(s.args.get("data")), s.args.get("actionData"), consider_consent=True)

    def on_call_trackClickedPushWithoutTrackingConsent(self, s: Stimulus) -> None:
        if self.ready(s):
            self.clicked(_info_from_data(s.args.get("data")), s.args.get("actionData"), consider_consent=False)

    def on_env_new_push_token(self, s: Stimulus) -> None:
        if self.configured:  # before configure there is no PushNotificationManager to take it
            self.register_token(str(s.args["token"]))

    def on_env_deliver_push(self, s: Stimulus) -> None:
        info = push_payload.user_info(s.args.get("payload") or {})
        if info.get("source") != "xnpe_platform":
            # The delivery path skips a push that is not Exponea's before it tracks anything:
            # ExponeaNotificationService.process guards on Exponea.isExponeaNotification
            # (ExponeaSDK-Notifications/Classes/ExponeaNotificationService.swift:58@4.0.1), which is
            # userInfo["source"] == "xnpe_platform" (ExponeaSDKShared/Classes/Exponea.swift:16-17).
            # Found by harness explore (scenarios/exponea/explore-ios-foreign-push-delivered.yaml).
            return
        self.delivered(info, consider_consent=True)

    def on_env_click_push(self, s: Stimulus) -> None:
        info = push_payload.user_info(s.args.get("payload") or {})
        if info.get("source") != "xnpe_platform":
            return  # handlePushNotificationOpened ignores foreign pushes (ios#48)
        self.clicked(info, s.args.get("action") or None, consider_consent=True)
        if self.cfg().automatic_sessions:
            self.campaign(None, push_payload.campaign_data(info.get("url_params")))


def _info_from_data(data: Any) -> dict[str, Any]:
    """The userInfo the bridge builds from the canonical NotificationData (docs/sdk-calls.md)."""
    data = data if isinstance(data, Mapping) else {}
    info: dict[str, Any] = {"source": "xnpe_platform"}
    if isinstance(data.get("attributes"), Mapping):
        info["attributes"] = dict(data["attributes"])
    if isinstance(data.get("campaignData"), Mapping):
        info["url_params"] = dict(data["campaignData"])
    if data.get("consentCategoryTracking") is not None:
        info["consent_category_tracking"] = data["consentCategoryTracking"]
    if data.get("hasTrackingConsent") is not None:
        info["has_tracking_consent"] = data["hasTrackingConsent"]
    return info
