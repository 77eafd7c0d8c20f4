"""The built-in virtual devices: ``virtual:android`` and ``virtual:ios``.

The driver plays the phone: it owns the app's data directory (wiped on install, kept across kills),
the clock offset, connectivity and the notification permission, and it starts the app as a real
separate process (``python -m harness.virtual``). SDK calls and app events go over the app's RPC;
killing the app is SIGKILL, as the OS does it. If the process dies or stops answering, the next
call raises ``AppCrashed`` with the exit status and the end of the app's stderr.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from harness.devices.base import AppTarget, CallResult, Capability, DeviceInfo, UriLogger
from harness.devices.rpc_client import RpcClient
from harness.errors import AppCrashed, DeviceError, DeviceNotFound, InstrumentError, RpcTimeout

__all__ = ["VirtualDevice"]

PLATFORMS = ("android", "ios")
# ``instance``: a name only, so that one host can serve several virtual phones of one platform
# (``virtual:android?instance=2``; a fleet worker advertises one resource per device URI)
URI_OPTIONS = ("sdk_version", "instance")
LAUNCH_TIMEOUT = 20.0


class VirtualDevice:
    """A phone simulated on this machine, running the reference SDK."""

    scheme = "virtual"
    capabilities = frozenset(Capability)

    def __init__(self, uri: str, platform: str, options: Mapping[str, str] | None = None) -> None:
        self.uri = uri
        self.platform = platform
        # the URI's query (``virtual:ios?sdk_version=3.11.0``): the app's settings, a session's
        # ``AppTarget.options`` win over them
        self.options: dict[str, str] = dict(options or {})
        self.log = UriLogger(logging.getLogger("harness.devices.virtual"), {"uri": uri})
        self.target: AppTarget | None = None
        self._root = Path(tempfile.mkdtemp(prefix=f"harness-{platform}-"))
        self.data_dir = self._root / "app-data"
        self._proc: subprocess.Popen[bytes] | None = None
        self._rpc: RpcClient | None = None
        self._clock_offset = 0.0
        self._online = True
        self._permission = True
        self._foreground = True
        self.launches = 0
        self.app_args: list[str] = []  # extra arguments for the app process (test hooks such as --hang-after)
        self.app = _App(self)
        self.sdk = _Sdk(self)
        self.env = _Env(self)

    # -- registry contract -----------------------------------------------------------------

    @classmethod
    def from_uri(cls, uri: str) -> VirtualDevice:
        """``virtual:android`` or ``virtual:ios``, optionally with ``?sdk_version=V``: the SDK release the
        app embeds (the reference SDK plays it; the runner reads it from the app as from a real one)."""
        _, _, rest = uri.partition(":")
        platform, _, query = rest.partition("?")
        if platform not in PLATFORMS:
            known = ", ".join(f"virtual:{p}" for p in PLATFORMS)
            raise DeviceNotFound(uri, f"no such virtual device (available: {known})")
        try:
            pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
        except ValueError as exc:
            raise DeviceNotFound(uri, f"bad options in the URI (want ?sdk_version=4.0.1): {exc}") from exc
        unknown = sorted({key for key, _ in pairs} - set(URI_OPTIONS))
        if unknown:
            raise DeviceNotFound(uri, f"unknown option {', '.join(unknown)} (known: {', '.join(URI_OPTIONS)})")
        return cls(uri, platform, dict(pairs))

    @classmethod
    def discover(cls) -> list[DeviceInfo]:
        return [cls(f"virtual:{p}", p).describe() for p in PLATFORMS]

    def describe(self) -> DeviceInfo:
        if self.platform == "ios":
            return DeviceInfo(self.uri, self.platform, "Virtual iPhone (reference SDK)", "17.5", "n/a (RPC)")
        return DeviceInfo(self.uri, self.platform, "Virtual Phone (reference SDK)", "14", "n/a (RPC)")

    # -- session ---------------------------------------------------------------------------

    def open(self, target: AppTarget) -> None:
        """Start a session (the Runner opens once per scenario) from a known phone: online. The
        clock offset is kept, so the device clock never runs backwards from one scenario to the next."""
        self.target = target
        self._online = True

    def close(self) -> None:
        try:
            self.app.kill()
        except Exception as exc:
            self.log.warning("kill at close failed: %s", exc)
        shutil.rmtree(self._root, ignore_errors=True)

    def settle(self, timeout: float) -> bool:
        if self._proc is None:
            return True  # not launched, or killed on purpose: nothing can be sending
        if self._proc.poll() is not None:
            raise AppCrashed(self.uri, f"the app died: {self._exit_report()}")
        result = self.rpc("app.settle", {"timeout": timeout}, timeout=timeout + 5)
        # A settle may move the app's clock (virtual:ios fires its 3 s flush delay): keep the offset
        # given to the next launch in step, so the device clock never runs backwards across a kill.
        self._clock_offset = max(self._clock_offset, result.device_time - time.time())
        return bool(result.value)

    # -- process and RPC -------------------------------------------------------------------

    def rpc(self, method: str, params: Mapping[str, Any] | None = None, timeout: float = 15.0) -> CallResult:
        if self._rpc is None:
            raise DeviceError(self.uri, f"{method}: the app is not running (launch it first)")
        try:
            return self._rpc.call(method, params, timeout)
        except AppCrashed as exc:
            raise AppCrashed(self.uri, f"{exc.problem}; {self._exit_report()}") from exc
        except RpcTimeout as exc:
            # An app that does not answer is hung (or dead): the test ends as an error, not a retry.
            raise AppCrashed(
                self.uri, f"the app hung: no answer to {method} within {timeout:.0f}s; {self._exit_report()}"
            ) from exc
        except InstrumentError as exc:
            if self._proc is not None and self._proc.poll() is not None:
                raise AppCrashed(self.uri, self._exit_report()) from exc
            raise

    def _exit_report(self) -> str:
        if self._proc is None:
            return "the app was never launched"
        code = self._proc.poll()
        if code is None:
            return "the app process is still alive but not answering"
        how = f"killed by signal {-code}" if code < 0 else f"exited with code {code}"
        tail = ""
        err = self._root / "app-stderr.log"
        if err.exists():
            lines = err.read_text(errors="replace").strip().splitlines()[-5:]
            tail = "; last stderr: " + " | ".join(lines) if lines else ""
        return f"app process {how}{tail}"

    def _spawn(self) -> None:
        if self.target is None:
            raise DeviceError(self.uri, "open() the device with an AppTarget before launching the app")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.data_dir / "rpc.json"
        port_file.unlink(missing_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "harness.virtual",
            "--platform",
            self.platform,
            "--data",
            str(self.data_dir),
            "--clock-offset",
            repr(self._clock_offset),
        ]
        if not self._online:
            cmd.append("--offline")
        if not self._permission:
            cmd.append("--permission-denied")
        if not self._foreground:
            cmd.append("--background")
        if self.target.fault:
            cmd += ["--fault", self.target.fault]
        if self.target.options.get("sdk"):  # which SDK plug-in's reference SDK the app runs
            cmd += ["--sdk", str(self.target.options["sdk"])]
        version = self.target.options.get("sdk_version") or self.options.get("sdk_version")
        if version:  # the SDK release the reference SDK plays
            cmd += ["--sdk-version", str(version)]
        cmd += self.app_args
        stderr = (self._root / "app-stderr.log").open("ab")
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
        stderr.close()
        deadline = time.monotonic() + LAUNCH_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AppCrashed(self.uri, f"the app died during launch: {self._exit_report()}")
            try:
                info = json.loads(port_file.read_text())
                if info.get("pid") == self._proc.pid:
                    self._rpc = RpcClient(self.uri, int(info["port"]))
                    self.launches += 1
                    return
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.02)
        self._proc.kill()
        raise AppCrashed(self.uri, f"the app did not come up within {LAUNCH_TIMEOUT:.0f}s")

    def _kill(self) -> None:
        if self._rpc is not None:
            self._rpc.close()
            self._rpc = None
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(10)
        self._proc = None


class _App:
    def __init__(self, dev: VirtualDevice) -> None:
        self.dev = dev

    def install(self) -> None:
        """A fresh install: the app's data and its runtime permissions go (as uninstalling does on
        Android 13+ and iOS); the notification permission starts granted, the virtual default."""
        self.dev._kill()
        shutil.rmtree(self.dev.data_dir, ignore_errors=True)
        self.dev._foreground = True
        self.dev._permission = True

    def launch(self) -> None:
        if self.is_running():
            return
        self.dev._foreground = True
        self.dev._spawn()

    def kill(self) -> None:
        self.dev._kill()

    def background(self) -> None:
        self.dev.rpc("app.background")
        self.dev._foreground = False

    def foreground(self) -> None:
        self.dev.rpc("app.foreground")
        self.dev._foreground = True

    def is_running(self) -> bool:
        return self.dev._proc is not None and self.dev._proc.poll() is None


class _Sdk:
    def __init__(self, dev: VirtualDevice) -> None:
        self.dev = dev

    def sdk_version(self, timeout: float = 5.0) -> str | None:
        """The SDK release the running reference app plays (``app.sdk_version``, docs/virtual-rpc.md);
        the same question :meth:`FridaSdkTransport.sdk_version` asks a real app."""
        value = self.dev.rpc("app.sdk_version", timeout=timeout).value
        return None if value is None else str(value)

    def call(self, method: str, args: Mapping[str, Any], timeout: float = 10.0) -> CallResult:
        return self.dev.rpc(f"sdk.{method}", args, timeout)


class _Env:
    def __init__(self, dev: VirtualDevice) -> None:
        self.dev = dev

    def now(self) -> float:
        if self.dev.app.is_running():
            return self.dev.rpc("app.ping").device_time
        return time.time() + self.dev._clock_offset

    def advance_clock(self, seconds: float) -> None:
        self.dev._clock_offset += seconds
        if self.dev.app.is_running():
            self.dev.rpc("env.advance_clock", {"seconds": seconds})

    def set_network(self, online: bool) -> None:
        self.dev._online = online
        if self.dev.app.is_running():
            self.dev.rpc("env.set_network", {"online": online})

    def set_push_permission(self, granted: bool) -> None:
        self.dev._permission = granted
        if self.dev.app.is_running():
            self.dev.rpc("env.set_push_permission", {"granted": granted})

    def new_push_token(self, token: str) -> None:
        self.dev.rpc("env.new_push_token", {"token": token})

    def deliver_push(self, payload: Mapping[str, Any]) -> None:
        self.dev.rpc("env.deliver_push", {"payload": dict(payload)})

    def click_push(self, payload: Mapping[str, Any], action: Mapping[str, Any] | None = None) -> None:
        self.dev.rpc("env.click_push", {"payload": dict(payload), "action": dict(action or {})})
