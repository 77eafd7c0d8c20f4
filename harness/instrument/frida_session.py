"""One Frida session: a device, a process, an agent script, and bounded RPC calls into it.

A :class:`FridaSession` has one lifecycle (``start`` / ``stop`` / ``is_alive``, style rule 4). It
finds the Frida device (local, USB, a remote ``host:port`` frida-server, or a device id), spawns the
app with early instrumentation or attaches to a running pid/name, loads an agent (the shared
``_prelude.js`` plus the agent files), answers the agent's ``frida:load-bridge`` requests
(:mod:`harness.instrument.bridges`), and calls the agent's ``rpc.exports``.

Calls are bounded: ``exports_sync`` blocks until the agent answers, so each call runs in a worker
thread and the caller waits at most ``timeout`` seconds (:class:`~harness.errors.RpcTimeout`). When
the session detaches (the app crashed or was killed, the device went away) every pending call and
every later one fails at once with :class:`~harness.errors.AppCrashed` (the process ended) or
:class:`~harness.errors.DeviceError` (the device or connection did), naming Frida's detach reason
and, where Frida has one, the crash report.

Usage::

    session = FridaSession(agents_for("android"), target=pid, uri="jvm:android")
    session.start()
    session.call("call", "trackEvent", {"eventType": "x", "properties": {}}, timeout=5)
    session.stop()
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from importlib import resources
from pathlib import Path
from typing import Any

from harness.errors import AppCrashed, DeviceError, DeviceNotFound, HarnessError, InstrumentError, RpcTimeout
from harness.instrument.bridges import bridge_source
from harness.sdk.registry import all_sdks, get_sdk

__all__ = ["FridaSession", "agent_source", "agents_for"]

log = logging.getLogger(__name__)

_REASONS = {
    "process-terminated": "the app process terminated",
    "process-replaced": "the app process was replaced (exec)",
    "connection-terminated": "the connection to frida-server was lost",
    "device-lost": "the device was lost",
    "application-requested": "the session was closed by the harness",
}
_BRIDGE = "frida:load-bridge"
_CALL, _REPLY = "harness:call", "harness:reply"
_PROCESS_ENDED = {"process-terminated", "process-replaced"}


def agents_for(platform: str, agent: str | None = None, sdk: str | None = None) -> list[str]:
    """The agent files for an app of ``sdk`` (None: the default SDK), in load order (after the prelude).

    The SDK plug-in lists them per platform and agent kind (``Sdk.agents``): the Java helpers, the SDK
    agent, then the in-app capture hook (inert unless HARNESS_OPTIONS.capture). One table for the test
    bed and the real-device drivers, so the test bed loads exactly what a phone gets.
    """
    entry = get_sdk(sdk)
    kinds = entry.agents.get(platform, {})
    key = agent or "native"
    if key == "android":  # the name the jvm driver first used for "native"
        key = "native"
    if platform == "ios" and key not in kinds:  # one agent serves native and Flutter apps on iOS
        key = "native"
    if key not in kinds:
        raise InstrumentError("agent", f"unknown agent {agent!r}; known: {', '.join(kinds) or 'none'}")
    return list(kinds[key])


def _agent_text(name: str) -> str:
    """A packaged agent: the harness's generic ones (``_java``...) or an SDK plug-in's (``agents/``)."""
    generic = resources.files("harness.instrument") / "agents" / f"{name}.js"
    if generic.is_file():
        return generic.read_text(encoding="utf-8")
    for entry in all_sdks():
        if entry.agent_package is not None:
            candidate = resources.files(entry.agent_package) / "agents" / f"{name}.js"
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
    raise InstrumentError("agent", f"no agent file {name}.js in the harness or any SDK plug-in")


def agent_source(names: Sequence[str | Path], options: Mapping[str, Any] | None = None) -> str:
    """The script text for ``names``: the options (``HARNESS_OPTIONS``), the prelude, then each agent
    (a packaged name or a file path). Options are in the script itself, not sent after load, so
    hooks an option asks for are in place before a spawned app runs its first line."""
    agents = resources.files("harness.instrument") / "agents"
    parts = [
        f"globalThis.HARNESS_OPTIONS = {json.dumps(dict(options or {}))};",
        (agents / "_prelude.js").read_text(encoding="utf-8"),
    ]
    for name in names:
        parts.append(name.read_text(encoding="utf-8") if isinstance(name, Path) else _agent_text(name))
    return "\n;\n".join(parts)


class FridaSession:
    """A Frida agent loaded into one app process, with bounded calls and crash detection.

    Args:
        agents: packaged agent names (:func:`agents_for`) or paths to JS files, loaded in order.
        target: a pid or a process name to attach to, or the program/package to spawn.
        device: ``"local"``, ``"usb"``, ``"HOST:PORT"`` (remote frida-server) or a Frida device id.
        spawn: spawn ``target`` (with ``argv`` on desktop) and load the agent before it runs.
        uri: the harness device URI, used in error messages.
        runtime: Frida's JS runtime, ``"qjs"`` (default; measured no slower here) or ``"v8"``.
        options: ``HARNESS_OPTIONS`` for the agents (for instance ``{"capture": True}`` to hook the
            app's HTTP client, ``_okhttp_capture.js``).
        handlers: agent message type → ``handler(payload, data)``, for messages the agent sends on its
            own (``"harness:http"`` from the in-app capture). A handler runs on Frida's thread and
            must not block; an exception in it is logged, never raised into Frida.
        capture: in-app capture: turns the agents' HTTP hook on and hands each ``harness:http``
            message to this (``harness.capture.inapp.InAppRecorder``); the same as
            ``options={"capture": True}`` with that handler.
    """

    def __init__(
        self,
        agents: Sequence[str | Path],
        target: int | str,
        *,
        device: str = "local",
        spawn: bool = False,
        argv: Sequence[str] | None = None,
        uri: str = "frida",
        runtime: str = "qjs",
        options: Mapping[str, Any] | None = None,
        handlers: Mapping[str, Callable[[dict[str, Any], bytes | None], None]] | None = None,
        capture: Callable[[dict[str, Any], bytes | None], None] | None = None,
    ) -> None:
        self.agents = list(agents)
        self.target = target
        self.device_spec = device
        self.spawn = spawn
        self.argv = list(argv) if argv else None
        self.runtime = runtime
        self.uri = uri
        self.options = dict(options or {})
        self.handlers = dict(handlers or {})
        if capture is not None:
            self.options["capture"] = True
            self.handlers["harness:http"] = capture
        self.pid: int | None = None
        self._device: Any = None
        self._session: Any = None
        self._script: Any = None
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._ended: HarnessError | None = None
        self._ended_event = threading.Event()
        self.exit_expected = False  # set by a driver about to kill the app: its end is not news
        self._calls: dict[int, tuple[str, Future[Any]]] = {}
        self._next_id = 0

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Attach (or spawn), load the agent and wait until its top level has run."""
        import frida

        try:
            self._device = self._get_device(frida)
            if self.spawn:
                program = self.argv if self.argv else str(self.target)
                self.pid = int(self._device.spawn(program))
                self._session = self._device.attach(self.pid)
            else:
                target = self.target
                if isinstance(target, str):
                    target = int(self._device.get_process(target).pid)
                self.pid = int(target)
                self._session = self._device.attach(self.pid)
            self._session.on("detached", self._on_detached)
            source = agent_source(self.agents, self.options)
            self._script = self._session.create_script(source, name="harness-agent", runtime=self.runtime)
            self._script.on("message", self._on_message)
            self._script.load()
            if self.spawn:
                self._device.resume(self.pid)
        except frida.ProcessNotFoundError as exc:
            raise DeviceNotFound(self.uri, f"no process {self.target!r} to attach to: {exc}") from exc
        except (frida.NotSupportedError, frida.PermissionDeniedError) as exc:
            raise DeviceError(self.uri, f"Frida cannot instrument {self.target!r}: {exc}") from exc
        except (frida.TransportError, frida.ServerNotRunningError, frida.InvalidArgumentError) as exc:
            raise DeviceError(self.uri, f"Frida device {self.device_spec!r} unusable: {exc}") from exc
        except frida.InvalidOperationError as exc:
            ended = self._ended or AppCrashed(self.uri, f"the app ended while the agent was loading: {exc}")
            raise ended from exc
        with self._lock:
            self._ended = None
            self._ended_event.clear()
        log.info("[%s] Frida agent %s loaded into pid %s", self.uri, self.agents, self.pid)

    def stop(self, timeout: float = 5.0) -> None:
        """Unload the agent and detach; never raises (failures are logged) and never hangs.

        Unloading waits for the agent's JS thread, which a hung app can hold forever (an SDK call
        blocked inside the app); after ``timeout`` seconds the harness gives up on a clean unload
        and leaves the rest to the driver, which kills the process.
        """
        self._fail_pending(DeviceError(self.uri, "the Frida session was stopped"))
        script, session = self._script, self._session
        self._script = self._session = None

        def unload() -> None:
            for what, action in (
                ("unload the agent", getattr(script, "unload", None)),
                ("detach", getattr(session, "detach", None)),
            ):
                if action is None:
                    continue
                try:
                    action()
                except Exception as exc:  # the process may already be gone
                    log.debug("[%s] could not %s: %s", self.uri, what, exc)

        worker = threading.Thread(target=unload, name="frida-stop", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            log.warning("[%s] the agent did not unload within %gs (the app may be hung)", self.uri, timeout)

    def is_alive(self) -> bool:
        return self._script is not None and self._ended is None

    # -- calls -----------------------------------------------------------------------------------

    def call(self, export: str, *args: Any, timeout: float = 10.0) -> Any:
        """Call ``rpc.exports[export](*args)`` and wait at most ``timeout`` seconds.

        The call travels as a ``harness:call`` message that ``_prelude.js`` answers with a
        ``harness:reply`` (Frida's own RPC is the same post/send pair underneath, but its blocking
        ``exports_sync`` has no timeout, so it would need a worker thread per call: a thread
        hand-off that cost about a third of a bare round trip).

        Raises:
            RpcTimeout: the agent did not answer in time (the app may be hung).
            AppCrashed: the app process ended before or during the call.
            DeviceError: the device or the connection went away, or the session is stopped.
            InstrumentError: the agent (or the SDK inside the app) raised.
        """
        import frida

        label = str(args[0]) if export == "call" and args and isinstance(args[0], str) else export
        with self._lock:
            if self._ended is not None:
                raise self._ended
            if self._script is None:
                raise DeviceError(self.uri, f"{label}: the Frida session is not started")
            waiter: Future[Any] = Future()
            self._next_id += 1
            call_id = self._next_id
            self._calls[call_id] = (label, waiter)
            self._pending.add(waiter)
            script = self._script
        try:
            script.post({"type": _CALL, "id": call_id, "export": export, "args": list(args)})
            return waiter.result(timeout=timeout)
        except FutureTimeout:
            raise RpcTimeout(label, f"the app did not answer within {timeout:g}s") from None
        except (frida.InvalidOperationError, frida.TransportError) as exc:
            # The script dies a moment before Frida reports why; wait for the reason to arrive.
            self._ended_event.wait(2.0)
            raise (self._ended or AppCrashed(self.uri, f"{label}: the agent is gone: {exc}")) from exc
        finally:
            with self._lock:
                self._pending.discard(waiter)
                self._calls.pop(call_id, None)

    def _on_reply(self, payload: dict[str, Any]) -> None:
        with self._lock:
            entry = self._calls.pop(int(payload.get("id") or 0), None)
        if entry is None:
            return  # the caller gave up (timeout) or the session ended
        label, waiter = entry
        if waiter.done():
            return
        if "error" in payload:
            first_line = str(payload["error"]).splitlines()[0] if payload["error"] else "error"
            waiter.set_exception(InstrumentError(label, first_line.removeprefix("Error: ")))
        else:
            waiter.set_result(payload.get("value"))

    # -- Frida callbacks -------------------------------------------------------------------------

    def _on_message(self, message: dict[str, Any], data: bytes | None) -> None:
        payload = message.get("payload")
        if message.get("type") == "send" and isinstance(payload, dict) and payload.get("type") == _REPLY:
            self._on_reply(payload)
        elif message.get("type") == "send" and isinstance(payload, dict) and payload.get("type") == _BRIDGE:
            try:
                filename, source = bridge_source(str(payload.get("name")))
            except InstrumentError as exc:
                log.error("[%s] %s", self.uri, exc)
                return
            self._script.post({"type": "frida:bridge-loaded", "filename": filename, "source": source})
        elif message.get("type") == "send" and isinstance(payload, dict) and payload.get("type") in self.handlers:
            try:
                self.handlers[str(payload["type"])](payload, data)
            except Exception:
                log.exception("[%s] the handler of %s failed", self.uri, payload.get("type"))
        elif message.get("type") == "error":
            log.error("[%s] agent error: %s", self.uri, message.get("stack") or message.get("description"))
        else:
            log.debug("[%s] agent: %s", self.uri, payload)

    def _on_detached(self, reason: str, crash: Any) -> None:
        cause = _REASONS.get(reason, f"the Frida session detached ({reason})")
        if crash is not None:
            summary = getattr(crash, "summary", "") or ""
            report = getattr(crash, "report", "") or ""
            cause += f"; crash: {summary}" + (f"\n{report}" if report else "")
        error_class = AppCrashed if reason in _PROCESS_ENDED else DeviceError
        error = error_class(self.uri, f"{cause} (pid {self.pid})")
        planned = reason == "application-requested" or (self.exit_expected and reason in _PROCESS_ENDED)
        log.log(logging.DEBUG if planned else logging.WARNING, "%s", error)
        self._fail_pending(error)

    def _fail_pending(self, error: HarnessError) -> None:
        with self._lock:
            if self._ended is None:
                self._ended = error
                self._ended_event.set()
            pending = list(self._pending)
        for waiter in pending:
            if not waiter.done():
                waiter.set_exception(error)

    # -- devices ---------------------------------------------------------------------------------

    def _get_device(self, frida: Any) -> Any:
        spec = self.device_spec
        if spec == "local":
            return frida.get_local_device()
        if spec == "usb":
            return frida.get_usb_device(timeout=5)
        if ":" in spec and spec.rsplit(":", 1)[1].isdigit():
            return frida.get_device_manager().add_remote_device(spec)
        return frida.get_device(spec, timeout=5)
