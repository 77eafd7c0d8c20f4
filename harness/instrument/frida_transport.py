"""The SDK transport that calls SDK methods inside an app through a Frida agent.

The SDK agents (``Sdk.agents``, each plug-in's ``agents/``) export ``call(method, args) -> {value, clock}``:
the canonical call of docs/sdk-calls.md, answered with the SDK's return value and the device's clock
(``Date.now() / 1000`` inside the app) when it ran. This class adapts that to
:class:`~harness.instrument.transport.SdkTransport`, so the runner cannot tell Frida from the virtual RPC.

A device whose "now" is not the app process's clock (the ``jvm:android`` test bed, whose SDK is the
virtual app with its own clock) passes ``device_clock`` to read the right one after each call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from harness.errors import DeviceError, HarnessError, InstrumentError
from harness.instrument.frida_session import FridaSession
from harness.instrument.transport import CallResult

__all__ = ["UNSUPPORTED", "FridaSdkTransport", "UnsupportedCall", "connect_frida", "require_capture_hook"]

log = logging.getLogger(__name__)

#: How an agent starts the message of a call it cannot make through its API (thrown as an Error).
UNSUPPORTED = "unsupported: "


class UnsupportedCall(DeviceError):
    """The agent's API cannot express the canonical call as asked (e.g. the Flutter plugin has no null
    authorization). Not an SDK exception, after which a profile expects nothing and a scenario would
    pass without testing anything: the runner ends the scenario as an *error* naming the reason."""

    def __init__(self, uri: str, method: str, problem: str) -> None:
        self.method = method
        super().__init__(uri, f"{method}: {problem}")


class FridaSdkTransport:
    """``device.sdk`` for Frida-driven devices.

    Args:
        session: a started :class:`FridaSession` whose agent exports ``call``.
        device_clock: optional source of the device time; by default the agent's ``clock``.
    """

    def __init__(self, session: FridaSession, device_clock: Callable[[], float] | None = None) -> None:
        self.session = session
        self.device_clock = device_clock

    def call(self, method: str, args: Mapping[str, Any], timeout: float = 10.0) -> CallResult:
        """Run one SDK call in the app; errors are those of :meth:`FridaSession.call`, and
        :class:`UnsupportedCall` when the agent says its API cannot make the call as asked."""
        try:
            reply = self.session.call("call", method, dict(args), timeout=timeout)
        except InstrumentError as exc:
            if exc.problem.startswith(UNSUPPORTED):
                raise UnsupportedCall(self.session.uri, method, exc.problem.removeprefix(UNSUPPORTED)) from exc
            raise
        if not isinstance(reply, dict) or "clock" not in reply:
            raise InstrumentError(method, f"the agent answered {reply!r}, not {{value, clock}}")
        clock = self.device_clock() if self.device_clock is not None else float(reply["clock"])
        return CallResult(value=reply.get("value"), device_time=clock)

    def sdk_version(self, timeout: float = 5.0) -> str | None:
        """The version of the SDK inside the app, as the SDK plug-in's agent reads it (its ``sdkVersion``
        export: a build-config constant, a framework's version property); None when the app has no such
        SDK. For picking the profile (exact, or the nearest lower one)."""
        value = self.session.call("sdkVersion", timeout=timeout)
        return None if value is None else str(value)

    def drain_capture(self, timeout: float = 5.0) -> None:
        """Wait until every in-app capture message the agent has sent so far has reached the host.

        Frida delivers an agent's messages in order, so the reply to a call made now comes after
        them. Called before the app is killed: a message still in transit dies with the process,
        and a request that was answered would be stored as "no outcome". Never raises (a hung or
        dead app has nothing more to deliver).
        """
        try:
            self.session.call("captureStatus", timeout=timeout)
        except HarnessError as exc:
            log.debug("[%s] draining the capture: %s", self.session.uri, exc)

    def ping(self, timeout: float = 5.0) -> None:
        """A bare round trip to the agent (no SDK, no Java): for health checks and benchmarks."""
        self.session.call("ping", timeout=timeout)


def require_capture_hook(session: FridaSession, timeout: float = 10.0) -> dict[str, Any]:
    """Wait until the agent's in-app capture hook is in place; DeviceError naming why it is not.

    A capture that silently hooks nothing would report "no request lost" for every run, so a
    missing hook ends the session as an error. In a spawned app the hook waits for the app's class
    loader (``Java.perform``), so this polls briefly.
    """
    deadline = time.monotonic() + timeout
    while True:
        status = session.call("captureStatus", timeout=timeout)
        if not isinstance(status, dict) or not status.get("enabled"):
            raise DeviceError(session.uri, f"the agent did not enable in-app capture (said {status!r})")
        if status.get("error"):
            raise DeviceError(session.uri, f"in-app capture: {status['error']}")
        if status.get("hooked"):
            log.info("[%s] in-app capture hooked %s", session.uri, status["hooked"])
            return status
        if time.monotonic() > deadline:
            raise DeviceError(session.uri, f"in-app capture: the hook was not in place after {timeout:g}s")
        time.sleep(0.05)


def connect_frida(
    uri: str,
    agents: Sequence[str],
    package: str,
    local_port: int,
    options: Mapping[str, Any],
    capture: Callable[[dict[str, Any], bytes | None], None] | None = None,
) -> FridaSdkTransport:
    """Spawn (or attach to) ``package`` through Frida listening on ``127.0.0.1:local_port``.

    Used by the real-device drivers once they have forwarded frida-server's or the gadget's port:
    ``options["spawn"]`` (default true) chooses spawn with early instrumentation over attach. With
    ``capture``, the agents hook the app's HTTP client before the app runs (spawn) and every request
    goes to ``capture`` (``harness.capture.inapp.InAppRecorder``).
    """
    session = FridaSession(
        list(agents),
        package,
        device=f"127.0.0.1:{local_port}",
        spawn=bool(options.get("spawn", True)),
        uri=uri,
        capture=capture,
    )
    session.start()
    if capture is not None:
        try:
            require_capture_hook(session)
        except HarnessError:
            session.stop()
            raise
    return FridaSdkTransport(session)
