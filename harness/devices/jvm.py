"""The ``jvm:android`` device: the Frida test bed.

A JVM process whose classes mirror the public API of an SDK plug-in's Android SDK and of its Flutter
plugin (``jvm_testbed/``) stands in for the app. The real Android (or Flutter) agent is loaded into
it with Frida, exactly as on a phone, and calls the mirror classes; they forward every call, as the
canonical call of docs/sdk-calls.md, to the reference SDK in the virtual app process
(``python -m harness.virtual``). The reference SDK's HTTP comes back into the JVM and goes out
through the JVM's OkHttp mirror (``NetworkStack.java``, ``okhttp3/``), as a real SDK's requests
leave through OkHttp in the app, so the in-app capture's hooks run for real (``?network=direct``
lets the virtual app send by itself). What this proves: the agents, the Java bridge, the type
conversions, the OkHttp hook and the Frida plumbing; what it cannot: the real SDK's behaviour on ART.

Processes per launch: the virtual app (the SDK's storage lives in a data directory that survives
``kill``) and the JVM. ``kill`` SIGKILLs both, as Android kills an app's process.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from harness.devices.base import AppTarget, Capability, DeviceInfo, SdkTransport, UriLogger
from harness.devices.jvm_build import JDK_HINT, MAIN_CLASS, find_jdk, testbed_classes
from harness.devices.rpc_client import RpcClient
from harness.errors import AppCrashed, DeviceError, DeviceNotFound, HarnessError

__all__ = ["JvmApp", "JvmDevice", "JvmEnvironment"]

URI = "jvm:android"
URI_OPTIONS = ("agent", "network")
AGENTS = ("native", "android", "flutter")  # "android": the name this driver first used for "native"
NETWORKS = ("okhttp", "direct")


def _wait_for_file(path: Path, proc: subprocess.Popen[Any], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AppCrashed(URI, f"the virtual app exited with status {proc.returncode} before listening")
        if path.is_file():
            try:
                return dict(json.loads(path.read_text()))
            except ValueError:
                pass  # half written
        time.sleep(0.02)
    raise AppCrashed(URI, f"the virtual app did not write {path} within {timeout:g}s")


class JvmApp:
    """``device.app``: the virtual app process plus the test-bed JVM with the agent in it."""

    def __init__(self, device: JvmDevice) -> None:
        self.device = device

    def install(self) -> None:
        """Fresh install: kill, then wipe the app's data (the SDK's queue, prefs, cookie)."""
        self.kill()
        shutil.rmtree(self.device.data_dir, ignore_errors=True)
        self.device.data_dir.mkdir(parents=True)

    def launch(self) -> None:
        self.device._launch()

    def kill(self) -> None:
        self.device._kill()

    def background(self) -> None:
        self.device.rpc().call("app.background")

    def foreground(self) -> None:
        self.device.rpc().call("app.foreground")

    def is_running(self) -> bool:
        procs = (self.device._jvm, self.device._virtual)
        return all(proc is not None and proc.poll() is None for proc in procs)


class JvmEnvironment:
    """``device.env``: the virtual device's clock, network, permission and push, over its RPC."""

    def __init__(self, device: JvmDevice) -> None:
        self.device = device

    def now(self) -> float:
        return self.device.rpc().call("app.ping").device_time

    def advance_clock(self, seconds: float) -> None:
        self.device.rpc().call("env.advance_clock", {"seconds": seconds})
        self.device.clock_offset += seconds

    def set_network(self, online: bool) -> None:
        self.device.rpc().call("env.set_network", {"online": online})
        self.device.online = online

    def set_push_permission(self, granted: bool) -> None:
        self.device.rpc().call("env.set_push_permission", {"granted": granted})
        self.device.permission = granted

    def new_push_token(self, token: str) -> None:
        self.device.rpc().call("env.new_push_token", {"token": token})

    def deliver_push(self, payload: Mapping[str, Any]) -> None:
        self.device.rpc().call("env.deliver_push", {"payload": dict(payload)})

    def click_push(self, payload: Mapping[str, Any], action: Mapping[str, Any] | None = None) -> None:
        params: dict[str, Any] = {"payload": dict(payload)}
        if action is not None:
            params["action"] = dict(action)
        self.device.rpc().call("env.click_push", params)


class _NotLaunched:
    """``device.sdk`` before ``app.launch()``: says so instead of failing obscurely."""

    def call(self, method: str, args: Mapping[str, Any], timeout: float = 10.0) -> Any:
        raise DeviceError(URI, f"{method}: the app is not running (call app.launch() first)")


class JvmDevice:
    """The ``jvm:android`` driver (see the module docstring).

    Args:
        uri: ``jvm:android``, optionally with driver options as a query, e.g.
            ``jvm:android?agent=flutter`` (``AppTarget.options`` of each session win over these).
        virtual_command: the command that starts the virtual app, before its flags; by default
            ``python -m harness.virtual``. Tests pass a stand-in here.
    """

    scheme = "jvm"
    platform = "android"
    capabilities = frozenset(
        {
            Capability.BACKGROUND,
            Capability.NETWORK,
            Capability.PUSH_PERMISSION,
            Capability.PUSH_DELIVERY,
            Capability.INSTANT_CLOCK,
            Capability.FRESH_INSTALL,
            Capability.SETTLE,
        }
    )

    def __init__(
        self, uri: str = URI, virtual_command: Sequence[str] | None = None, options: Mapping[str, str] | None = None
    ) -> None:
        self.uri = uri
        self.options: dict[str, str] = dict(options or {})
        self.virtual_command = list(virtual_command or [sys.executable, "-m", "harness.virtual"])
        self.log = UriLogger(logging.getLogger("harness.devices.jvm"), {"uri": uri})
        self.app = JvmApp(self)
        self.env = JvmEnvironment(self)
        self.sdk: SdkTransport = _NotLaunched()
        self.data_dir = Path(tempfile.gettempdir()) / "unused"
        self.target: AppTarget | None = None
        self.online, self.permission, self.clock_offset = True, True, 0.0
        self._work: Path | None = None
        self._classes: Path | None = None
        self._virtual: subprocess.Popen[bytes] | None = None
        self._jvm: subprocess.Popen[bytes] | None = None
        self._rpc: RpcClient | None = None
        self._session: Any = None

    @classmethod
    def from_uri(cls, uri: str) -> JvmDevice:
        base, _, query = uri.partition("?")
        if base != URI:
            raise DeviceNotFound(uri, "the only JVM test bed is jvm:android")
        options: dict[str, str] = {}
        try:
            pairs = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
        except ValueError as exc:
            raise DeviceNotFound(uri, f"bad options in the URI (want ?agent=flutter): {exc}") from exc
        for key, values in pairs.items():
            if key not in URI_OPTIONS:
                raise DeviceNotFound(uri, f"unknown option {key!r} in the URI; known: {', '.join(URI_OPTIONS)}")
            options[key] = values[-1]
        if options.get("agent", "native") not in AGENTS:
            raise DeviceNotFound(uri, f"unknown agent {options['agent']!r}; known: native, flutter")
        if options.get("network", "okhttp") not in NETWORKS:
            raise DeviceNotFound(uri, f"unknown network {options['network']!r}; known: {', '.join(NETWORKS)}")
        return cls(uri, options=options)

    @classmethod
    def discover(cls) -> list[DeviceInfo]:
        if shutil.which("java") is None or shutil.which("javac") is None:
            return []
        try:
            import frida

            frida_state: bool | str = str(frida.__version__)
        except ImportError:
            frida_state = "frida not installed (pip install 'engagement-harness[frida]')"
        return [DeviceInfo(URI, "android", "JVM test bed (SDK mirror)", _java_version(), frida_state)]

    def describe(self) -> DeviceInfo:
        found = self.discover()
        return found[0] if found else DeviceInfo(URI, "android", "JVM test bed", f"no JDK: {JDK_HINT}", False)

    # -- session ---------------------------------------------------------------------------------

    def preflight(self) -> None:
        """What a run needs before its first scenario: a JDK, the Frida package, the built test bed.

        Checked once, so a machine without them gets one line saying what to install instead of the
        same error for every scenario.
        """
        find_jdk()
        try:
            import frida  # noqa: F401  # the agents are injected with it at every launch
        except ImportError as exc:
            raise DeviceError(
                self.uri, f"the frida package is not installed ({exc}): pip install 'engagement-harness[frida]'"
            ) from exc
        testbed_classes()

    def open(self, target: AppTarget) -> None:
        """Check the JDK, build the test bed, make the app's data directory; launch comes later."""
        find_jdk()
        if self.agent(target) not in AGENTS:
            raise DeviceError(self.uri, f"unknown agent {self.agent(target)!r}; known: native, flutter")
        self._classes = testbed_classes()
        self._work = Path(tempfile.mkdtemp(prefix="harness-jvm-"))
        self.data_dir = self._work / "data"
        self.data_dir.mkdir()
        self.target = target

    def agent(self, target: AppTarget) -> str:
        """The agent for a session: ``target.options["agent"]``, else the URI's, else native."""
        return str(target.options.get("agent") or self.options.get("agent") or "native")

    def rpc(self) -> RpcClient:
        if self._rpc is None:
            raise DeviceError(self.uri, "the app is not running (call app.launch() first)")
        return self._rpc

    def settle(self, timeout: float) -> bool:
        return bool(self.rpc().call("app.settle", {"timeout": timeout}, timeout=timeout + 5).value)

    def close(self) -> None:
        try:
            if self._rpc is not None:
                self._rpc.call("app.exit", timeout=2)
        except HarnessError as exc:
            self.log.debug("app.exit: %s", exc)
        self._kill()
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    # -- processes -------------------------------------------------------------------------------

    def _launch(self) -> None:
        from harness.instrument.frida_session import FridaSession, agents_for
        from harness.instrument.frida_transport import FridaSdkTransport, require_capture_hook

        if self.target is None or self._classes is None or self._work is None:
            raise DeviceError(self.uri, "open() must be called before app.launch()")
        if self.app.is_running():
            return
        self._kill()
        (self.data_dir / "rpc.json").unlink(missing_ok=True)
        flags = ["--platform", "android", "--data", str(self.data_dir)]
        flags += ["--clock-offset", str(self.clock_offset)] if self.clock_offset else []
        flags += [] if self.online else ["--offline"]
        flags += [] if self.permission else ["--permission-denied"]
        flags += ["--fault", self.target.fault] if self.target.fault else []
        if self.target.options.get("sdk"):  # the SDK plug-in whose reference SDK the app runs, as virtual:android
            flags += ["--sdk", str(self.target.options["sdk"])]
        if self.target.options.get("sdk_version"):
            flags += ["--sdk-version", str(self.target.options["sdk_version"])]
        with open(self._work / "virtual.log", "ab") as log_file:
            command = [*self.virtual_command, *flags]
            self._virtual = subprocess.Popen(command, stdout=log_file, stderr=log_file)
        info = _wait_for_file(self.data_dir / "rpc.json", self._virtual, timeout=20)
        self._rpc = RpcClient(self.uri, int(info["port"]))
        java, _ = find_jdk()
        env = dict(os.environ, HARNESS_RPC_PORT=str(info["port"]))
        network = str(self.target.options.get("network") or self.options.get("network") or "okhttp")
        # A JVM that dies of a signal writes its crash report (hs_err_pid*.log) to the working directory,
        # which is the user's: it goes to this device's work folder instead.
        error_file = f"-XX:ErrorFile={self._work / 'hs_err_pid%p.log'}"
        self._jvm = subprocess.Popen(
            [java, "-Xshare:auto", error_file, "-cp", str(self._classes), MAIN_CLASS, str(info["port"]), network],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self._jvm.stdout is not None
        ready = self._jvm.stdout.readline().decode(errors="replace").split()
        if len(ready) != 2 or ready[0] != "ready":
            raise AppCrashed(self.uri, f"the test-bed JVM did not start (said {' '.join(ready)!r})")
        agents = agents_for("android", self.agent(self.target), self.target.options.get("sdk"))
        capture = self.target.in_app_capture
        if capture is not None and network == "direct":
            raise DeviceError(self.uri, "in-app capture needs the app's OkHttp: drop network=direct from the URI")
        self._session = FridaSession(
            agents,
            target=int(ready[1]),
            uri=self.uri,
            capture=capture,
        )
        self._session.start()
        if capture is not None:
            require_capture_hook(self._session)
        self.sdk = FridaSdkTransport(self._session, device_clock=self.env.now)
        self.log.info("launched: virtual app pid %s, JVM pid %s", self._virtual.pid, ready[1])

    def _kill(self) -> None:
        """SIGKILL the JVM and the virtual app (no clean shutdown), then drop the Frida session;
        never raises. Killing first means a hung agent call cannot hold up the detach."""
        if self._session is not None:
            self._session.exit_expected = True  # a planned kill: no warning from the detach
        for proc in (self._jvm, self._virtual):
            if proc is not None and proc.poll() is None:
                try:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(timeout=5)
                except (OSError, subprocess.TimeoutExpired) as exc:
                    self.log.warning("could not kill pid %s: %s", proc.pid, exc)
        if self._session is not None:
            self._session.stop()
            self._session = None
        if self._rpc is not None:
            self._rpc.close()
            self._rpc = None
        self._jvm = self._virtual = None
        self.sdk = _NotLaunched()


def _java_version() -> str:
    try:
        proc = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=10, check=False)
        out = proc.stderr
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = out.splitlines()[0] if out else ""
    return first.split('"')[1] if first.count('"') >= 2 else first or "unknown"
