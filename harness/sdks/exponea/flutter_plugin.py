"""What the Flutter plugin hands the native Android SDK for a canonical call.

A Flutter app is judged by its platform's native profile (``profile_for_platform``), but the
plugin between Dart and the SDK changes some calls on the way (research/flutter-sdk-bridge.md §3):
``trackEvent`` without a timestamp reaches ``Exponea.trackEvent`` with an explicit ``null``
(``ExponeaPlugin.kt:948`` passes ``Event.timestamp`` through), so the SDK queues the event with no
timestamp instead of "now". The runner records this native call, not the Dart-level one, in the
stimulus trace when a run goes through the Flutter agent, so the profile judges the SDK by what it
was really asked to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["AGENT_NAMES", "bridge", "native_args"]

#: The agent names the drivers and ``--agent`` accept.
AGENT_NAMES = ("native", "flutter")


def native_args(method: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical arguments of the native call the Android plugin makes for ``method``."""
    out = dict(args)
    if method == "trackEvent" and out.get("timestamp") is None:
        out["timestamp"] = None  # flutter-sdk-bridge.md §3 trackEvent: "null stays null"
    return out


def bridge(agent: str, method: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
    """The SDK plug-in's hook (``Sdk.bridge``): the native call the ``agent``'s plugin makes."""
    return native_args(method, args) if agent == "flutter" else args
