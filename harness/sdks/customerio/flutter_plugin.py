"""What the Customer.io Flutter plugin (4.1.2) hands the native Android SDK for a canonical call.

A Flutter app is judged by the native profile, but Dart and the plugin change some calls on the way,
and the runner records the native call in the stimulus trace (``Sdk.bridge``):

- Dart drops null values from traits, properties and attributes (customer_io.dart:110-176,
  ``excludeNullValues``);
- an empty (or emptied) traits/properties map makes the plugin call the overload without it
  (CustomerIOPlugin.kt:98-117, 180-184): the SDK's own ``emptyMap()`` default, so the key is absent;
- empty attributes make the plugin log and call nothing (CustomerIOPlugin.kt:155-171); the stimulus
  trace has no "no call" form, so such a step keeps its arguments and its verdict differs through
  Flutter (a plugin difference, like Exponea's FLUTTER_PLUGIN_DIFFERENCES in tests/test_testbed_parity.py);
- ``identify`` with an empty userId is still a userId (only a null one is refused; Dart requires it);
- ``init``: the plugin always adds the FCM push module with its default config
  (CustomerIOPushMessaging.kt:83-103), so automatic push tracking is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["bridge", "native_args"]

_MAPS = {"identify": "traits", "track": "properties", "screen": "properties"}
_ATTRIBUTES = ("setProfileAttributes", "setDeviceAttributes")


def _no_nulls(value: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(value or {}).items() if v is not None}


def native_args(method: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical arguments of the native call the plugin makes for ``method``."""
    out = dict(args)
    if method in _MAPS:
        key = _MAPS[method]
        kept = _no_nulls(out.pop(key, None))
        if kept:
            out[key] = kept
    elif method in _ATTRIBUTES:
        kept = _no_nulls(out.get("attributes"))
        if kept:
            out["attributes"] = kept
    elif method == "init":
        configuration = dict(out.get("configuration") or {})
        configuration.setdefault("autoTrackPushEvents", True)
        out["configuration"] = configuration
    return out


def bridge(agent: str, method: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
    """The SDK plug-in's hook (``Sdk.bridge``): the native call the ``agent``'s plugin makes."""
    return native_args(method, args) if agent == "flutter" else args
