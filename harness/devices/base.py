"""The device-driver contract.

A device driver is what the runner uses to act on one phone (or on the virtual device, or on the JVM
test bed): install and launch the app, move it between foreground and background, kill it, cut the
network, grant or revoke the notification permission, move the clock, and reach the SDK inside the
app. Every driver implements :class:`Device`; no driver imports another, and the runner never asks
which kind it holds, so a scenario cannot tell a phone from the virtual device except by its URI.

A device is built from parts rather than mixins (style: mobly ``AndroidDevice``):

- ``device.app``: the app's life (:class:`AppControl`);
- ``device.sdk``: a transport that calls SDK methods inside the app (:class:`SdkTransport`);
- ``device.env``: the phone around the app (:class:`Environment`);
- ``device.log``: a logger adapter that tags every line with the URI.

Operations a kind of device cannot perform raise :class:`~harness.errors.DeviceError` with a
sentence that says so; ``Device.capabilities`` lets a runner decide up front.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from harness.errors import DeviceError
from harness.instrument.transport import CallResult, SdkTransport  # re-exported: the drivers' contract uses them

__all__ = [
    "AppControl",
    "AppTarget",
    "CallResult",
    "Capability",
    "Device",
    "DeviceInfo",
    "DriverClass",
    "Environment",
    "LazySdk",
    "NoApp",
    "Preflight",
    "SdkTransport",
    "UriLogger",
]


class Capability(enum.Enum):
    """What a driver can do beyond the basics every driver has (launch, kill, SDK calls)."""

    BACKGROUND = "background"
    NETWORK = "network"
    PUSH_PERMISSION = "push-permission"
    PUSH_DELIVERY = "push-delivery"
    INSTANT_CLOCK = "instant-clock"  # advance_clock takes no real time
    FRESH_INSTALL = "fresh-install"
    SETTLE = "settle"  # the device can tell when the SDK has nothing left to send


@dataclass(frozen=True)
class DeviceInfo:
    """One line of ``harness devices``: the JSON keys are part of the CLI contract."""

    uri: str
    platform: str  # "android" | "ios"
    model: str
    os_version: str
    frida: bool | str  # True/False, or a short reason/version string

    def as_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "platform": self.platform,
            "model": self.model,
            "os_version": self.os_version,
            "frida": self.frida,
        }


@dataclass(frozen=True)
class AppTarget:
    """What the runner wants the app under test to talk to during a session.

    Args:
        base_url: the Engagement API base URL the SDK must be configured with (usually the
            collector's per-device URL, ``http://host:port/d/<device>``).
        package: the app's package name or bundle id, where the device hosts real apps.
        fault: a seeded SDK bug, for the virtual device only.
        options: driver-specific extras (for instance the APK path).
        in_app_capture: when set, drivers that instrument the app hook its HTTP client and hand each
            ``harness:http`` message to this (``harness.capture.inapp.InAppRecorder``); a driver
            that cannot capture in the app raises ``DeviceError`` rather than capture nothing.
    """

    base_url: str
    package: str | None = None
    fault: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    in_app_capture: Callable[[dict[str, Any], bytes | None], None] | None = field(default=None, compare=False)


@runtime_checkable
class AppControl(Protocol):
    """The life of the app under test."""

    def install(self) -> None:
        """Fresh install: the app's data (SDK queue, prefs, cookie) is wiped."""
        ...

    def launch(self) -> None:
        """Start the app (cold start) and wait until it can take SDK calls."""
        ...

    def kill(self) -> None:
        """Kill the app process at once, as the OS does (no clean shutdown)."""
        ...

    def background(self) -> None: ...

    def foreground(self) -> None: ...

    def is_running(self) -> bool: ...


@runtime_checkable
class Environment(Protocol):
    """The phone around the app: clock, network, permission, push."""

    def now(self) -> float:
        """The device's wall clock, epoch seconds."""
        ...

    def advance_clock(self, seconds: float) -> None: ...

    def set_network(self, online: bool) -> None: ...

    def set_push_permission(self, granted: bool) -> None: ...

    def new_push_token(self, token: str) -> None:
        """The OS issues or refreshes the push token (FCM ``onNewToken`` / APNs registration)."""
        ...

    def deliver_push(self, payload: Mapping[str, Any]) -> None:
        """Hand a push payload (FCM ``data`` map or APNs ``userInfo``) to the app as the OS would."""
        ...

    def click_push(self, payload: Mapping[str, Any], action: Mapping[str, Any] | None = None) -> None: ...


@runtime_checkable
class Device(Protocol):
    """One device the harness can drive."""

    uri: str
    platform: str
    capabilities: frozenset[Capability]
    app: AppControl
    sdk: SdkTransport
    env: Environment
    log: logging.LoggerAdapter[logging.Logger]

    def describe(self) -> DeviceInfo: ...

    def open(self, target: AppTarget) -> None:
        """Prepare a session against ``target``; must be called before ``app``/``sdk`` are used."""
        ...

    def settle(self, timeout: float) -> bool:
        """Wait until the SDK has nothing queued or in flight; False if the device cannot tell."""
        ...

    def close(self) -> None:
        """Stop everything the driver started; never raises (failures are logged)."""
        ...


@runtime_checkable
class Preflight(Protocol):
    """A driver that can tell, before any scenario, whether it can run at all (optional)."""

    def preflight(self) -> None:
        """Raise ``DeviceError`` saying what is missing (a package, a JDK, the device itself).

        Cheap and side-effect free for the user; called once per run by
        :func:`~harness.devices.registry.check_ready`, before ``open()``.
        """
        ...


class UriLogger(logging.LoggerAdapter[logging.Logger]):
    """Prefixes every log line with the device URI (mobly's ``ad.log``)."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"[{self.extra['uri'] if self.extra else '?'}] {msg}", kwargs


@runtime_checkable
class DriverClass(Protocol):
    """What the registry needs from a driver class (checked when it is registered)."""

    scheme: str

    @classmethod
    def from_uri(cls, uri: str) -> Device:
        """Build a driver for ``uri`` (``scheme:rest``); raises ``DeviceError`` if malformed."""
        ...

    @classmethod
    def discover(cls) -> list[DeviceInfo]:
        """Devices of this kind reachable now; never raises for an absent stack (returns [])."""
        ...


class NoApp:
    """``device.app`` before ``open()``: every operation raises a DeviceError saying what is missing."""

    def __init__(self, uri: str, hint: str = "open(AppTarget(package=...))") -> None:
        self.uri = uri
        self.hint = hint

    def _missing(self) -> DeviceError:
        return DeviceError(self.uri, f"no app is open: call {self.hint} first")

    def install(self) -> None:
        raise self._missing()

    def launch(self) -> None:
        raise self._missing()

    def kill(self) -> None:
        raise self._missing()

    def background(self) -> None:
        raise self._missing()

    def foreground(self) -> None:
        raise self._missing()

    def is_running(self) -> bool:
        raise self._missing()


class LazySdk:
    """``device.sdk`` for drivers whose transport is costly or optional (Frida): built on first call."""

    def __init__(self, factory: Callable[[], SdkTransport]) -> None:
        self._factory = factory
        self._transport: SdkTransport | None = None

    def call(self, method: str, args: Mapping[str, Any], timeout: float = 10.0) -> CallResult:
        if self._transport is None:
            self._transport = self._factory()
        return self._transport.call(method, args, timeout)

    def drain_capture(self, timeout: float = 5.0) -> None:
        """See ``FridaSdkTransport.drain_capture``; nothing to drain before the first call."""
        drain = getattr(self._transport, "drain_capture", None)
        if drain is not None:
            drain(timeout)
