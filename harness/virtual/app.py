"""The virtual app process: a reference SDK behind the JSON-lines RPC of ``docs/virtual-rpc.md``.

One process is one app launch. Killing it (SIGKILL from the driver) is the OS killing the app; the
SDK's queue and prefs stay in the data directory and the next launch picks them up.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import socketserver
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.sdk.base import Sdk
from harness.sdk.registry import get_sdk
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["VirtualApp", "main"]


class VirtualApp:
    """Routes RPC methods to the SDK, the app lifecycle and the environment."""

    def __init__(
        self,
        platform: str,
        data_dir: Path,
        clock: VirtualClock,
        env: AppEnv,
        faults: Any,
        sdk: Sdk | None = None,
        sdk_version: str | None = None,
    ) -> None:
        self.platform = platform
        self.clock = clock
        self.env = env
        self.faults = faults
        self.exit_requested = threading.Event()
        self.hang_after: int | None = None  # test hook: stop answering after this many requests
        # test hook: the version app.sdk_version tells, as an app embedding an unmodelled release would
        self.reported_version: str | None = None
        self._requests = 0
        self._count_lock = threading.Lock()
        plugin = sdk or get_sdk(None)
        if platform not in plugin.reference:
            raise SystemExit(f"platform {platform!r} is not implemented by the {plugin.name} reference SDK")
        modelled = plugin.versions.get(platform, ())
        if sdk_version is not None and sdk_version not in modelled:
            title = {"android": "Android", "ios": "iOS"}.get(platform, platform)
            raise ValueError(f"the virtual {title} SDK plays {', '.join(modelled)}, not {sdk_version!r}")
        self.sdk_version = sdk_version or plugin.newest(platform)
        reference: Any = plugin.load(plugin.reference[platform])
        # A reference SDK that models one version takes no ``version`` (checked against the modelled ones above).
        if "version" in inspect.signature(reference).parameters:
            self.sdk: Any = reference(data_dir, clock, env, faults, version=self.sdk_version)
        else:
            self.sdk = reference(data_dir, clock, env, faults)

    def dispatch(self, method: str, params: Mapping[str, Any]) -> Any:
        with self._count_lock:
            self._requests += 1
            hang = self.hang_after is not None and self._requests > self.hang_after
        if hang:  # a deadlocked main thread: the request is read and never answered
            threading.Event().wait()
        family, _, name = method.partition(".")
        if family == "sdk":
            return self.sdk.call(name, params)
        if method == "app.background":
            return self.sdk.on_background()
        if method == "app.foreground":
            return self.sdk.on_foreground()
        if method == "app.ping":
            return {
                "pid": os.getpid(),
                "platform": self.platform,
                "fault": sorted(self.faults.names),
                "sdk_version": self.sdk_version,
                "foreground": self.env.foreground,
            }
        if method == "app.sdk_version":  # what a Frida agent reads inside a real app
            return self.reported_version or self.sdk_version
        if method == "app.settle":
            return self.sdk.settle(float(params.get("timeout", 10.0)))
        if method == "app.use_network_stack":
            port = params.get("port")
            self.env.network.use_stack(int(port) if port is not None else None)
            return None
        if method == "app.exit":
            self.exit_requested.set()
            return None
        if method == "env.advance_clock":
            return self.clock.advance(float(params["seconds"]))
        if method == "env.set_network":
            self.sdk.on_network(bool(params["online"]))
            if params["online"]:
                self.clock.advance(0)
            return None
        if method == "env.set_push_permission":
            self.env.permission_granted = bool(params["granted"])
            return None
        if method == "env.new_push_token":
            return self.sdk.on_new_token(str(params["token"]))
        if method == "env.set_app_version":
            self.env.app_version = str(params["version"])
            return None
        if method == "env.deliver_push":
            return self.sdk.on_push_delivered(dict(params["payload"]))
        if method == "env.click_push":
            return self.sdk.on_push_clicked(dict(params["payload"]), dict(params.get("action") or {}))
        raise LookupError(f"unknown method {method!r}")


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        for line in self.rfile:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                rid, method, params = request.get("id"), request["method"], request.get("params") or {}
            except (ValueError, KeyError, AttributeError) as exc:
                self._reply({"id": None, "error": {"type": "ProtocolError", "message": str(exc)}})
                continue
            # An SDK call's clock is taken as it starts: what it stamps and schedules (the 3 s flush)
            # is never earlier than the clock the harness records for it, however long a busy machine
            # makes the call. Settle and the environment report the clock after (a settle moves it).
            started = self.server.app.clock.now()
            try:
                result = self.server.app.dispatch(method, params)
                reply: dict[str, Any] = {"id": rid, "result": result}
            except Exception as exc:
                reply = {"id": rid, "error": {"type": type(exc).__name__, "message": str(exc)}}
            reply["clock"] = started if method.startswith("sdk.") else self.server.app.clock.now()
            self._reply(reply)
            if self.server.app.exit_requested.is_set():
                threading.Thread(target=self.server.shutdown, daemon=True).start()
                return

    def _reply(self, obj: Mapping[str, Any]) -> None:
        self.wfile.write((json.dumps(obj) + "\n").encode())
        self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: VirtualApp) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app


def _exit_when_orphaned(server: _Server, interval: float = 0.5) -> None:
    """Stop serving once the driver that launched this app is gone.

    On a phone the app outlives a crashed test runner, but the virtual app belongs to its driver: a
    driver that died without ``close()`` (a test process killed mid-run, a lost fleet worker) would
    otherwise leave the app running, holding its port and data directory. The parent's pid changes
    when the parent dies (the app is re-parented), which no signal setting survives as well as this
    (``PR_SET_PDEATHSIG`` fires when the launching *thread* ends, which fleet workers' threads do).
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(interval)
        server.shutdown()

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _fault_json(fault: Any) -> dict[str, Any]:
    return {
        "name": fault.name,
        "area": fault.area,
        "platforms": list(fault.platforms),
        "violates": list(fault.violates),
        "description": fault.description,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.virtual", description="The virtual app process.")
    parser.add_argument("--platform", choices=["android", "ios"], default="android")
    parser.add_argument(
        "--sdk", default=None, help="the SDK plug-in whose reference SDK runs (default: the default SDK)"
    )
    parser.add_argument("--sdk-version", default=None, help="the modelled SDK version the reference SDK plays")
    parser.add_argument("--data", type=Path, help="the app's private data directory")
    parser.add_argument("--list-faults", action="store_true", help="print the seeded faults' names as JSON and exit")
    parser.add_argument(
        "--details", action="store_true", help="with --list-faults: JSON objects (name, area, platforms, violates, ...)"
    )
    parser.add_argument("--clock-offset", type=float, default=0.0)
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--permission-denied", action="store_true")
    parser.add_argument("--background", action="store_true", help="launch without coming to the foreground")
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--app-version", default=AppEnv.app_version, help="the app's versionName")
    parser.add_argument("--hang-after", type=int, default=None, help=argparse.SUPPRESS)  # test hook
    parser.add_argument("--report-sdk-version", default=None, help=argparse.SUPPRESS)  # test hook
    args = parser.parse_args(argv)
    try:
        plugin = get_sdk(args.sdk)
    except Exception as exc:  # the registry's ConfigError: one line, exit 2
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seeded = importlib.import_module(plugin.faults)  # FAULTS (name -> Fault) and Faults(names)
    if args.list_faults:
        table = seeded.FAULTS
        chosen = [table[n] for n in sorted(table) if args.platform in table[n].platforms]
        if args.details:  # what selftest needs to order its runs; the names-only list stays the default
            print(json.dumps([_fault_json(f) for f in chosen]))
        else:
            print(json.dumps([f.name for f in chosen]))
        return 0
    if args.data is None:
        parser.error("--data is required")
    args.data.mkdir(parents=True, exist_ok=True)
    try:
        faults = seeded.Faults(args.fault)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    env = AppEnv(
        online=not args.offline,
        permission_granted=not args.permission_denied,
        foreground=not args.background,
        platform=args.platform,
        app_version=args.app_version,
    )
    clock = VirtualClock(args.clock_offset)
    try:
        app = VirtualApp(args.platform, args.data, clock, env, faults, plugin, args.sdk_version)
    except ValueError as exc:
        clock.close()
        print(f"error: --sdk-version: {exc}", file=sys.stderr)
        return 2
    app.hang_after = args.hang_after
    app.reported_version = args.report_sdk_version
    server = _Server(app)
    port_file = args.data / "rpc.json"
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"port": server.server_address[1], "pid": os.getpid()}))
    os.replace(tmp, port_file)
    _exit_when_orphaned(server)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        app.sdk.close()
        clock.close()
        port_file.unlink(missing_ok=True)
    return 0
