"""The SDK-call contract: how one SDK call reaches the app (:class:`SdkTransport`) and what comes back
(:class:`CallResult`).

It lives here, with the call vocabulary and the transports that implement it, and not in
``harness.devices``: device drivers *build* transports (a Frida session, the virtual app's RPC), so
``devices`` imports ``instrument`` and never the other way round. ``harness.devices.base`` re-exports
both names for drivers written against it. ``tests/test_import_cycles.py`` keeps the direction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["CallResult", "SdkTransport"]


@dataclass(frozen=True)
class CallResult:
    """The answer to one SDK call: its return value and the device's clock when it ran.

    The device clock is what the spec model uses as "now" for the call, so a device whose clock
    differs from the host's (or the virtual device's instant clock) is judged by its own time.
    """

    value: Any
    device_time: float


@runtime_checkable
class SdkTransport(Protocol):
    """Delivers one SDK call into the app; see each SDK plug-in's ``facade`` for the typed face."""

    def call(self, method: str, args: Mapping[str, Any], timeout: float = 10.0) -> CallResult:
        """Call ``method`` (canonical name, e.g. ``trackEvent``) with named ``args``."""
        ...
