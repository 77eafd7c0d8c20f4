"""Push notifications on iOS: the userInfo shape, delivered/clicked properties (research ios §3.6,
§3.7) and the ``PushNotificationManager`` token logic (§8).

Scenario payloads come in the FCM form (values are strings, nested objects as JSON text); the
Exponea backend sends the same campaign to APNs as nested objects, so :func:`user_info` parses the
JSON strings back into objects before the SDK sees them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlparse

if TYPE_CHECKING:
    from harness.sdks.exponea.virtual.ios.sdk import IosSdk

__all__ = ["PushManager", "clicked_event", "delivered_event", "user_info"]

_UTM = ("utm_source", "utm_campaign", "utm_content", "utm_medium", "utm_term", "xnpe_cmp")


def user_info(payload: dict[str, Any]) -> dict[str, Any]:
    """The APNs ``userInfo`` for a payload given in FCM form (JSON strings become objects)."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, str) and value[:1] in "{[":
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out


def consent_flag(info: dict[str, Any]) -> bool:
    """``GdprTracking.readTrackingConsentFlag``: missing means true."""
    value = info.get("has_tracking_consent")
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return str(value).lower() not in ("false", "0")


def force_track(url: str | None) -> bool:
    """``xnpe_force_track`` set to true/1 or present without a value."""
    if not url:
        return False
    for key, value in parse_qsl(urlparse(url).query, keep_blank_values=True):
        if key == "xnpe_force_track":
            return value.lower() in ("", "true", "1")
    return False


def _attributes(info: dict[str, Any]) -> dict[str, Any]:
    attrs = info.get("attributes")
    return dict(attrs) if isinstance(attrs, dict) else {}


def notification_properties(info: dict[str, Any]) -> dict[str, Any]:
    """``NotificationData.properties``: attributes minus event_type, utm_* of url_params, platform."""
    props = {k: v for k, v in _attributes(info).items() if k != "event_type"}
    params = info.get("url_params")
    if isinstance(params, dict):
        props.update({k: params[k] for k in _UTM if k in params})
    props.setdefault("platform", "ios")
    return props


def event_type_of(info: dict[str, Any]) -> str | None:
    """A custom ``attributes.event_type`` (non-empty, not ``campaign``), else None."""
    custom = _attributes(info).get("event_type")
    return str(custom) if custom and custom != "campaign" else None


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def delivered_event(info: dict[str, Any], now: float, plus_one: bool = True) -> tuple[dict[str, Any], float]:
    """Properties and timestamp of the delivered ``campaign`` event."""
    props = notification_properties(info)
    props["status"] = "delivered"
    props["state"] = "shown"
    if "consent_category_tracking" in info:
        props["consent_category_tracking"] = info["consent_category_tracking"]
    sent = _number(_attributes(info).get("sent_timestamp"))
    timestamp = now
    if sent is not None and now <= sent:
        timestamp = sent + 1 if plus_one else sent
    return props, timestamp


def clicked_event(
    info: dict[str, Any], action: dict[str, Any], now: float, plus_one: bool = True
) -> tuple[dict[str, Any], float, bool]:
    """Properties, timestamp and "forced" of the clicked event (``PushNotificationParser``)."""
    silent = info.get("silent")
    props: dict[str, Any] = {
        "status": "delivered" if silent in (1, True, "1", "true") else "clicked",
        "cta": "notification",
        "url": "app",
    }
    kind, url = info.get("action"), info.get("url")
    if action:
        raw_buttons = info.get("actions")
        buttons: list[Any] = raw_buttons if isinstance(raw_buttons, list) else []
        index = action.get("index")
        button = buttons[int(index)] if index is not None and 0 <= int(index) < len(buttons) else {}
        if index is not None:
            props["cta"] = button.get("title") or action.get("actionName") or "notification"
        kind = button.get("action") or action.get("actionType") or kind
        url = button.get("url") or action.get("url") or url
    forced = False
    if kind in ("browser", "deeplink") and url and urlparse(str(url)).scheme:
        props["url"] = str(url)
        if force_track(str(url)):
            props["tracking_forced"] = True
            forced = True
    if "consent_category_tracking" in info:
        props["consent_category_tracking"] = info["consent_category_tracking"]
    for key, value in notification_properties(info).items():
        props.setdefault(key, value)
    props.setdefault("action_type", "mobile notification")
    delivered = _number(info.get("delivered_timestamp"))
    timestamp = now
    if delivered is not None and now <= delivered:
        timestamp = delivered + 1 if plus_one else delivered
    return props, timestamp, forced


class PushManager:
    """Token registration, frequency and permission rules of ``PushNotificationManager`` (§8)."""

    def __init__(self, sdk: IosSdk) -> None:
        self.sdk = sdk

    def _authorized(self) -> bool:
        return self.sdk.env.permission_granted

    def track_state(self, token: str) -> None:
        """``notification_state`` for ``token`` by the current authorization."""
        authorized = self._authorized()
        required = self.sdk.config.require_push_authorization
        faults = self.sdk.faults
        valid = authorized or (not required and "ios-denied-invalid-when-not-required" not in faults)
        valid = valid or (required and "ios-denied-valid-when-required" in faults)
        self.sdk.track_notification_state(
            token, valid, "Permission granted" if authorized else "Permission denied", authorized
        )

    def verify(self, foreground: bool = False) -> None:
        """``verifyPushStatusAndTrackPushToken``: at configure and on every foreground."""
        customer = self.sdk.customer()
        token = customer.push_token
        if token is None:
            return
        d = self.sdk.defaults
        forced = (d.get("EXPONEA_NOTIFICATION_STATE_APP_VERSION") not in (None, self.sdk.env.app_version)) or (
            d.get("EXPONEA_NOTIFICATION_STATE_APPLICATION_ID") not in (None, self.sdk.config.application_id)
        )
        forced = forced and "ios-no-resend-on-app-update" not in self.sdk.faults
        last_authorized = d.get("EXPONEA_LAST_KNOWN_AUTHORIZATION")
        changed = last_authorized is not None and bool(last_authorized) != self._authorized()
        frequency = self.sdk.config.token_track_frequency
        due = False
        if frequency == "everyLaunch":
            due = not (foreground and "ios-everylaunch-no-foreground" in self.sdk.faults)
        elif frequency == "daily":
            last = customer.last_token_track
            day = 1440 if "ios-daily-in-minutes" in self.sdk.faults else 86400
            due = last is None or self.sdk.clock.now() - last >= day
        elif "ios-ontokenchange-resends" in self.sdk.faults:
            due = True
        if forced or changed or due:
            self.track_state(token)

    def handle_token(self, token: str) -> None:
        """``handlePushNotificationToken``: invalidate a different known token, then track."""
        known = self.sdk.customer().push_token
        if known is not None and known != token:
            if "ios-no-token-invalidation" not in self.sdk.faults:
                self.sdk.track_notification_state(known, False, "Invalidated", None)
            self.track_state(token)
        elif known is None:
            self.track_state(token)
        else:
            frequency = self.sdk.config.token_track_frequency
            last = self.sdk.customer().last_token_track
            if frequency == "everyLaunch" or (
                frequency == "daily" and (last is None or self.sdk.clock.now() - last >= 86400)
            ):
                self.track_state(token)

    def track_manual(self, token: str | None) -> None:
        """``trackPushToken(String?)``: valid = authorized, no invalidation; nil does nothing (ios#37, #38)."""
        if token is None:
            if "ios-nil-token-sent" not in self.sdk.faults:
                return
            token = ""
        known = self.sdk.customer().push_token
        if "ios-manual-token-invalidates-old" in self.sdk.faults and known is not None and known != token:
            self.sdk.track_notification_state(known, False, "Invalidated", None)
        authorized = self._authorized()
        self.sdk.track_notification_state(
            token, authorized, "Permission granted" if authorized else "Permission denied", authorized
        )
