"""Push payloads as the iOS SDK 4.0.1 reads them: delivered and clicked ``campaign`` properties.

Written from research/ios-sdk-spec.md §3.6, §3.7 and §1.3 (consent). A scenario gives the payload
in the FCM form (JSON strings for nested objects); the iOS side parses those strings into objects
before the SDK sees them (docs/scenarios.md), and so does :func:`user_info`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "CAMPAIGN_KEYS",
    "campaign_data",
    "clicked",
    "consent",
    "delivered",
    "event_type_of",
    "force_track",
    "user_info",
]

CAMPAIGN_KEYS = ("utm_source", "utm_campaign", "utm_content", "utm_medium", "utm_term", "xnpe_cmp")


def user_info(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The APNs ``userInfo`` for an FCM-form payload: JSON strings of objects become objects."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    return None


def consent(info: Mapping[str, Any]) -> bool:
    """``has_tracking_consent``: missing (or unreadable) means true (ios §1.3)."""
    flag = _flag(info.get("has_tracking_consent"))
    return True if flag is None else flag


def force_track(url: Any) -> bool:
    """``xnpe_force_track`` set to true/1, or present without a value (ios §1.3)."""
    if not isinstance(url, str) or not url:
        return False
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if "xnpe_force_track" not in query:
        return False
    value = query["xnpe_force_track"][0]
    return value == "" or _flag(value) is True


def campaign_data(url_params: Any) -> dict[str, Any]:
    """The utm_* and xnpe_cmp keys of ``url_params`` (or of a URL's query), first occurrence."""
    if isinstance(url_params, str):
        query = parse_qs(urlsplit(url_params).query, keep_blank_values=True)
        return {k: query[k][0] for k in CAMPAIGN_KEYS if k in query}
    if isinstance(url_params, Mapping):
        return {k: url_params[k] for k in CAMPAIGN_KEYS if k in url_params}
    return {}


def _attributes(info: Mapping[str, Any]) -> dict[str, Any]:
    attrs = info.get("attributes")
    return dict(attrs) if isinstance(attrs, Mapping) else {}


def event_type_of(info: Mapping[str, Any]) -> str:
    """``attributes.event_type`` when it is non-empty and not ``campaign``, else ``campaign``."""
    custom = _attributes(info).get("event_type")
    return custom if isinstance(custom, str) and custom and custom != "campaign" else "campaign"


def _notification_properties(info: Mapping[str, Any]) -> dict[str, Any]:
    """``NotificationData.properties``: attributes minus event_type, the campaign keys, platform."""
    props = {k: v for k, v in _attributes(info).items() if k != "event_type"}
    props.update(campaign_data(info.get("url_params")))
    props.setdefault("platform", "ios")
    return props


def delivered(info: Mapping[str, Any]) -> dict[str, Any]:
    """Properties of the delivered event before the SDK injects application_id/device_id (§3.6)."""
    props = _notification_properties(info)
    props["status"] = "delivered"
    props["state"] = "shown"
    if "consent_category_tracking" in info:
        props["consent_category_tracking"] = info["consent_category_tracking"]
    return props


def clicked(info: Mapping[str, Any], action: Mapping[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """Properties of the clicked event (§3.7) and whether the click is force-tracked."""
    silent = _flag(info.get("silent")) is True
    props: dict[str, Any] = {"status": "delivered" if silent else "clicked", "cta": "notification", "url": "app"}
    kind, url = info.get("action"), info.get("url")
    if action:
        # Only an action button (an identifier ending in _<index>) changes the cta; the default tap
        # keeps "notification" but may carry the action's URL (ios §3.7).
        button = _button(info, action.get("index"))
        if action.get("index") is not None:
            props["cta"] = button.get("title") or action.get("actionName") or "notification"
        kind = button.get("action") or action.get("actionType") or kind
        url = button.get("url") or action.get("url") or url
    forced = False
    if kind in ("browser", "deeplink") and isinstance(url, str) and url:
        props["url"] = url
        forced = force_track(url)
        if forced:
            props["tracking_forced"] = True
    if "consent_category_tracking" in info:
        props["consent_category_tracking"] = info["consent_category_tracking"]
    for key, value in _notification_properties(info).items():
        props.setdefault(key, value)
    props.setdefault("action_type", "mobile notification")
    return props, forced


def _button(info: Mapping[str, Any], index: Any) -> Mapping[str, Any]:
    """``userInfo.actions[index]``, or an empty mapping."""
    actions = info.get("actions")
    if isinstance(actions, list) and isinstance(index, int) and 0 <= index < len(actions):
        item = actions[index]
        if isinstance(item, Mapping):
            return item
    return {}
