"""Push token tracking and push delivered/clicked (``FcmManagerImpl``, ``TrackingConsentManagerImpl``).

Token tracking (research android §3.3, §8): ``notification_state`` events with exactly
``{push_notification_token, platform, valid, description}`` plus application_id/device_id. Whether a
``trackToken`` sends is decided in the research's order: cancelled, never tracked, permission
required but denied, app version or applicationId changed, then the frequency.

Push payloads are the FCM ``data`` map (strings; ``attributes`` and ``url_params`` hold JSON).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from harness.sdks.exponea.virtual.android.campaigns import campaign_from_kotlin, campaign_from_query, tracking_data

if TYPE_CHECKING:
    from harness.sdks.exponea.virtual.android.sdk import AndroidSdk

__all__ = ["NotificationData", "Push", "Tokens", "is_tracking_forced", "parse_consent"]

GRANTED, DENIED, INVALIDATED = "Permission granted", "Permission denied", "Invalidated"


class Tokens:
    """``FcmManagerImpl.trackToken`` and ``PushTokenRepositoryImpl`` (prefs ``push_token*``)."""

    def __init__(self, sdk: AndroidSdk) -> None:
        self.sdk = sdk

    @property
    def prefs(self) -> Any:
        return self.sdk.prefs

    def _today(self, epoch_ms: float) -> bool:
        """``DateUtils.isToday``: the same local calendar day as the device's clock."""
        then = time.localtime(epoch_ms / 1000.0)[:3]
        return then == time.localtime(self.sdk.clock.now())[:3]

    def _should_send(self, token: str | None, frequency: str, canceled: bool) -> bool:
        prefs, config, faults = self.prefs, self.sdk.config, self.sdk.faults
        granted = self.sdk.env.permission_granted
        last_date = prefs.get("push_token_date")
        if canceled or last_date is None:
            return True
        if bool(config["requirePushAuthorization"]) and not granted:
            return True  # android#31: sent on every call while denied
        if "no-resend-on-app-update" not in faults:
            version = self.sdk.env.app_version
            if version and version != prefs.get("push_token_app_version"):
                return True  # android#30
            if config["applicationId"] != prefs.get("push_token_application_id"):
                return True
        if frequency == "ON_TOKEN_CHANGE":
            if "token-every-launch" in faults:
                return True
            return bool(token != prefs.get("push_token") or granted != prefs.get("push_token_permission"))
        if frequency == "DAILY":
            if "daily-new-token-sent" in faults and token != prefs.get("push_token"):
                return True
            return not self._today(float(last_date))
        return True  # EVERY_LAUNCH

    def track(self, token: str | None, frequency: str, token_type: str, canceled: bool = False) -> None:
        """``trackToken(token, frequency, type, isCanceled)``."""
        if not self._should_send(token, frequency, canceled):
            return
        self.prefs.set(
            push_token_app_version=self.sdk.env.app_version, push_token_application_id=self.sdk.config["applicationId"]
        )
        if token is None:
            return
        granted = self.sdk.env.permission_granted
        self.prefs.set(
            push_token=token,
            push_token_date=self.sdk.clock.now() * 1000.0,
            push_token_type=token_type,
            push_token_permission=granted,
        )
        if canceled:
            valid, description = False, INVALIDATED
        elif (
            bool(self.sdk.config["requirePushAuthorization"])
            and not granted
            and "token-valid-when-denied" not in (self.sdk.faults)
        ):
            valid, description = False, DENIED
        else:
            valid, description = True, GRANTED
        platform = "huawei" if token_type == "HMS" and "hms-platform-android" not in self.sdk.faults else "android"
        props = {"push_notification_token": token, "platform": platform, "valid": valid, "description": description}
        if "legacy-token-property" in self.sdk.faults:
            key = "huawei_push_notification_id" if token_type == "HMS" else "google_push_notification_id"
            self.sdk.track("TRACK_CUSTOMER", None, {key: token if valid else ""}, self.sdk.clock.now())
            return
        self.sdk.track("PUSH_TOKEN", "notification_state", props, self.sdk.clock.now())

    def track_saved(self) -> None:
        """``trackSavedToken``: at init and on every foreground, with the configured frequency."""
        token = self.prefs.get("push_token")
        if token:
            self.track(str(token), self._frequency(), str(self.prefs.get("push_token_type") or "FCM"))

    def _frequency(self) -> str:
        return str(self.sdk.config["tokenTrackFrequency"])

    def handle_new(self, token: str, token_type: str) -> None:
        """``handleNewToken`` / ``handleNewHmsToken`` (android#32, android#33)."""
        if self.sdk.stopped:
            return
        if not self.sdk.initialized and not self.sdk.use_stored_config():
            if "token-lost-before-init" not in self.sdk.faults:
                # Neither initialized nor configured before: stored untracked, the next init sends it.
                self.prefs.set(push_token=token, push_token_type=token_type)
                self.prefs.remove("push_token_date")
            return
        old = self.prefs.get("push_token")
        if old and old != token and "old-token-not-invalidated" not in self.sdk.faults:
            self.track(str(old), "EVERY_LAUNCH", str(self.prefs.get("push_token_type") or "FCM"), canceled=True)
        self.track(token, self._frequency(), token_type)

    def invalidate_stored(self) -> None:
        """``removeToken``: the stored token as ``valid:false, "Invalidated"`` (anonymize step 2)."""
        token = self.prefs.get("push_token")
        if token:
            self.track(str(token), "EVERY_LAUNCH", str(self.prefs.get("push_token_type") or "FCM"), canceled=True)


def parse_consent(value: Any) -> bool:
    """``has_tracking_consent``: true/false, 1/0, "true"/"1"; a missing value means consent."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value).strip().lower() in ("true", "1")


def is_tracking_forced(url: str | None) -> bool:
    """``xnpe_force_track`` set to true, 1 or empty in the action URL's query."""
    if not url:
        return False
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == "xnpe_force_track" and value.strip().lower() in ("true", "1", ""):
            return True
    return False


def _json_field(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


@dataclass
class NotificationData:
    attributes: dict[str, Any] = field(default_factory=dict)
    campaign: dict[str, Any] = field(default_factory=dict)
    consent_category: str | None = None
    has_consent: bool = True

    @classmethod
    def from_call(cls, data: Mapping[str, Any] | None) -> NotificationData:
        """NotificationData as the canonical calls give it (``attributes``, ``campaignData``, ...)."""
        data = data or {}
        consent = data.get("hasTrackingConsent", True)
        return cls(
            attributes=dict(data.get("attributes") or {}),
            campaign=campaign_from_kotlin(data.get("campaignData")),
            consent_category=data.get("consentCategoryTracking"),
            has_consent=bool(True if consent is None else consent),
        )

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> NotificationData:
        """``NotificationPayload``: the FCM data map with JSON strings."""
        attributes = _json_field(payload.get("attributes", payload.get("data")))
        url_params = _json_field(payload.get("url_params"))
        return cls(
            attributes=dict(attributes) if isinstance(attributes, Mapping) else {},
            campaign=campaign_from_query(None, url_params) if isinstance(url_params, Mapping) else {},
            consent_category=payload.get("consent_category_tracking"),
            has_consent=parse_consent(payload.get("has_tracking_consent")),
        )

    @property
    def custom_event_type(self) -> str | None:
        value = self.attributes.get("event_type")
        return value if isinstance(value, str) and value.strip() else None

    @property
    def sent_timestamp(self) -> float | None:
        value = self.attributes.get("sent_timestamp")
        try:
            return None if value is None else float(value)
        except (TypeError, ValueError):
            return None

    def tracking_data(self, with_campaign: bool = True) -> dict[str, Any]:
        out = {k: v for k, v in self.attributes.items() if k != "event_type"}
        if with_campaign:
            out.update(tracking_data(self.campaign))
        return out


class Push:
    """Delivered and clicked pushes: the public calls and the automatic (FCM service) paths."""

    def __init__(self, sdk: AndroidSdk) -> None:
        self.sdk = sdk
        self.last_push_id: int | None = None  # FcmManagerImpl.lastPushNotificationId (process state)

    def _importance(self) -> str:
        """The channel's importance; the SDK creates its channel (IMPORTANCE_DEFAULT) on the first push."""
        return "importance_default" if self.sdk.prefs.get("channel_created") else "importance_unknown"

    def _event(self, data: NotificationData, sdk_type: str) -> tuple[str, str]:
        custom = data.custom_event_type
        if custom == "campaign" and "campaign-event-routed-as-delivered" in self.sdk.faults:
            return custom, sdk_type
        return (custom, "TRACK_EVENT") if custom else ("campaign", sdk_type)

    def delivered(self, data: NotificationData, timestamp: Any, respect_consent: bool, state: str = "shown") -> None:
        """``trackDeliveredPush``: ``campaign``/custom event with status delivered (android#35-38)."""
        if respect_consent and not data.has_consent and "delivered-without-consent" not in self.sdk.faults:
            self.sdk.flush_if_immediate()  # the row is not stored, the flush trigger still runs
            return
        props: dict[str, Any] = {
            "status": "delivered",
            "platform": "android",
            "state": state,
            "notification_importance": self._importance(),
        }
        if "delivered-no-importance" in self.sdk.faults:
            del props["notification_importance"]
        props.update(data.tracking_data("utm-params-dropped" not in self.sdk.faults))
        if "delivered-custom-type-kept" in self.sdk.faults and data.custom_event_type:
            props["event_type"] = data.custom_event_type
        if "push-platform-overridden" in self.sdk.faults:
            props["platform"] = "android"
        if data.consent_category is not None:
            props["consent_category_tracking"] = data.consent_category
        name, sdk_type = self._event(data, "PUSH_DELIVERED")
        self.sdk.track(sdk_type, name, props, timestamp)

    def clicked(
        self, data: NotificationData | None, action: Mapping[str, Any] | None, timestamp: Any, respect_consent: bool
    ) -> None:
        """``trackClickedPush``: status clicked, url/cta from the action, forced tracking (android#39-40)."""
        action = action or {}
        forced = is_tracking_forced(action.get("url")) and "force-track-ignored" not in self.sdk.faults
        nd = data or NotificationData()
        if data is not None:
            # stored before the consent check, consent or not (TrackingConsentManagerImpl.kt:63-67@4.10.0)
            self.sdk.campaigns.store(nd.campaign)  # a session_start within campaignTTL inherits it
        if respect_consent and not nd.has_consent and not forced:
            self.sdk.flush_if_immediate()
            return
        props: dict[str, Any] = {
            "status": "clicked",
            "platform": "android",
            "url": action.get("url") or (None if "clicked-url-null" in self.sdk.faults else "app"),
            "cta": action.get("actionName") or "notification",
        }
        props.update(nd.tracking_data("utm-params-dropped" not in self.sdk.faults))
        if nd.consent_category is not None:
            props["consent_category_tracking"] = nd.consent_category
        if forced:
            props["tracking_forced"] = True
        name, sdk_type = self._event(nd, "PUSH_OPENED")
        self.sdk.track(sdk_type, name, props, timestamp)

    # -- the automatic paths ---------------------------------------------------------------

    def _delivered_time(self, data: NotificationData, now: float) -> float:
        """android#41: the receive time, or ``sent_timestamp + 1`` when received at or before it."""
        sent = data.sent_timestamp
        if sent is not None and now <= sent and "sent-timestamp-ignored" not in self.sdk.faults:
            return sent + 1
        return now

    def handle_remote_message(self, payload: Mapping[str, Any] | None, show_notification: bool = True) -> bool:
        """``Exponea.handleRemoteMessage`` → ``FcmManagerImpl.handleRemoteMessage``."""
        if not payload or (payload.get("source") != "xnpe_platform" and "foreign-push-handled" not in self.sdk.faults):
            return False  # android#43
        sdk = self.sdk
        if sdk.stopped or not (sdk.initialized or sdk.use_stored_config()):
            return True
        if not bool(sdk.config["automaticPushNotification"]) and "auto-push-ignores-flag" not in sdk.faults:
            return True  # android#44
        sdk.prefs.set(channel_created=True)  # ensureNotificationChannelExistence comes first
        nid = payload.get("notification_id")
        try:
            number = 0 if nid is None else int(str(nid))  # NotificationPayload: notification_id?.toInt() ?: 0
        except ValueError:
            return True  # NumberFormatException, caught and logged by Exponea.handleRemoteMessage
        if payload.get("action") == "self-check":
            return True
        # FcmManagerImpl.lastPushNotificationId (FcmManagerImpl.kt:55, 197-201@4.10.0): an in-memory field of
        # the initialized SDK's manager, checked after the blocked-notifications path; an SDK-less manager is
        # new on every call. Anonymize keeps it, a new process or a new component does not.
        if sdk.env.permission_granted and sdk.initialized:
            if number == self.last_push_id:
                return True  # the same notification delivered twice is ignored
            self.last_push_id = number
        data = NotificationData.from_payload(payload)
        blank = not str(payload.get("title") or "").strip() and not str(payload.get("message") or "").strip()
        silent = str(payload.get("silent", "")).lower() == "true" and "silent-push-shown" not in sdk.faults
        shown = show_notification and sdk.env.permission_granted and not silent and not blank
        ts = self._delivered_time(data, sdk.clock.now())
        deliveries = dict(sdk.prefs.get("delivered_at") or {})
        deliveries[str(nid)] = ts
        sdk.prefs.set(delivered_at=deliveries)
        self.delivered(data, ts, respect_consent=True, state="shown" if shown else "not_shown")
        return True

    def handle_click(self, payload: Mapping[str, Any], action: Mapping[str, Any] | None) -> None:
        """The SDK's notification click receiver (``processPushNotificationClickInternally``)."""
        sdk = self.sdk
        if sdk.stopped or not (sdk.initialized or sdk.use_stored_config()):
            return
        data = NotificationData.from_payload(payload)
        now = sdk.clock.now()
        delivered = (sdk.prefs.get("delivered_at") or {}).get(str(payload.get("notification_id")))
        if delivered is None:
            delivered = self._delivered_time(data, now)
        ts = float(delivered) + 1 if now <= float(delivered) else now
        self.clicked(data, _click_action(payload, action or {}), ts, respect_consent=True)


def _click_action(payload: Mapping[str, Any], action: Mapping[str, Any]) -> dict[str, Any]:
    """NotificationAction of a tap: the body (``cta`` "notification") or a button (its title, adjusted URL)."""
    buttons = _json_field(payload.get("actions"))
    index = action.get("index")
    button: Mapping[str, Any] = {}
    if isinstance(index, int) and isinstance(buttons, list) and 0 <= index < len(buttons):
        button = buttons[index] if isinstance(buttons[index], Mapping) else {}
    name = action.get("actionName") or button.get("title")
    if name is None:  # the notification body
        url = action.get("url") or payload.get("url")
        return {"actionType": action.get("actionType") or payload.get("action") or "app", "url": url or None}
    url = action.get("url") or button.get("url")
    if url and "://" not in str(url):
        url = "http://" + str(url)  # adjustUrl
    return {"actionType": action.get("actionType") or button.get("action") or "app", "actionName": name, "url": url}
