"""Cost of one SDK call through Frida on the jvm:android test bed, next to a bare Frida RPC round trip.

    python benchmarks/frida_call.py [-n 300] [--rounds 5] [--agent native|flutter] [--virtual]

All figures come from the same run and the same attached agent, measured interleaved (one bare
round trip, one SDK call, and so on) so that load on the machine hits both alike:

- bare Frida RPC: ``script.exports_sync.ping()``, an agent export that returns at once
  (Python -> frida-server -> the agent's JS thread -> back), with nothing of the harness around it;
- SDK call: ``FridaSdkTransport.call("trackEvent", ...)``, the harness's whole path: bounded call,
  JS agent, Java bridge, JSON -> Kotlin types, the SDK mirror, then the test bed's RPC hop to the
  app process and back;
- the test bed's hop, timed inside the JVM (``Rpc.takeHops``): a real SDK runs in the app and makes
  no such hop, so "without the hop" is the figure that carries over to a phone.

Each round prints its medians; the summary gives the median ratio over the rounds and its spread
(min-max). By default the app process is a minimal JSON-lines peer in its own process that answers
at once; ``--virtual`` uses JvmDevice with the real ``python -m harness.virtual``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.devices.base import AppTarget
from harness.devices.jvm import JvmDevice
from harness.devices.jvm_build import MAIN_CLASS, find_jdk, testbed_classes
from harness.instrument.frida_session import FridaSession, agents_for
from harness.instrument.frida_transport import FridaSdkTransport

PROBE = Path(__file__).with_name("frida_probe.js")

# The app process: a separate Python process, as the virtual app is (not a thread sharing our GIL).
_PEER = """
import json, socketserver, sys, time
class Peer(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            req = json.loads(line)
            result = True if req["method"] == "sdk.isInitialized" else None
            reply = {"id": req["id"], "result": result, "clock": time.time()}
            self.wfile.write((json.dumps(reply) + "\\n").encode())
            self.wfile.flush()
server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Peer)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def _ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _attach(args: argparse.Namespace, cleanup: list[Callable[[], Any]]) -> FridaSession:
    agents: list[str | Path] = [*agents_for("android", args.agent), PROBE]
    if args.virtual:
        device = JvmDevice()
        device.open(AppTarget(base_url="http://127.0.0.1:9/d/bench", options={"agent": args.agent}))
        device.app.launch()
        cleanup.append(device.close)
        pid = device._session.pid
        device._session.stop()  # reattach with the probe next to the agent
    else:
        peer = subprocess.Popen([sys.executable, "-c", _PEER], stdout=subprocess.PIPE)
        cleanup.append(peer.kill)
        assert peer.stdout is not None
        port = peer.stdout.readline().decode().strip()
        java, _ = find_jdk()
        command = [java, "-cp", str(testbed_classes()), MAIN_CLASS, port]
        jvm = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={"PATH": os.environ["PATH"]})
        cleanup.append(jvm.kill)
        assert jvm.stdout is not None
        pid = int(jvm.stdout.readline().split()[1])
    session = FridaSession(agents, target=pid, uri="jvm:android")
    session.start()
    cleanup.insert(0, session.stop)
    return session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="samples of each kind per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agent", choices=["native", "flutter"], default="native")
    parser.add_argument("--virtual", action="store_true", help="use the real virtual app as the app process")
    args = parser.parse_args()
    cleanup: list[Callable[[], Any]] = []
    try:
        session = _attach(args, cleanup)
        transport = FridaSdkTransport(session)
        raw = session._script.exports_sync  # the bare Frida RPC, nothing of the harness around it
        # MANUAL flushing: the figure is the call, not the SDK's own network work that IMMEDIATE mode
        # would start after each event (with --virtual, a flush through the JVM's OkHttp per call).
        config = {"projectToken": "bench", "authorization": "Token bench", "baseURL": "http://127.0.0.1:9/d/bench"}
        transport.call("init", {"configuration": config}, timeout=30)
        transport.call("setFlushMode", {"mode": "MANUAL"}, timeout=30)
        call = {"eventType": "bench", "properties": {"price": 9.5, "sku": "a-1", "ok": True}}
        for _ in range(50):  # warm up the bridge, class wrappers and the JIT
            raw.ping()
            transport.call("trackEvent", call)
        print(f"agent={args.agent} app={'virtual' if args.virtual else 'JSON-lines peer'} n={args.n}")
        print("round  bare RPC ms  SDK call ms  hop ms  ratio  ratio w/o hop")
        ratios, net_ratios = [], []
        for r in range(1, args.rounds + 1):
            raw.hops()
            pings, calls = [], []
            for _ in range(args.n):
                pings.append(_ms(raw.ping))
                calls.append(_ms(lambda: transport.call("trackEvent", call)))
            hops = raw.hops()  # ms; the Flutter mirror makes 2 per call (the plugin's isInitialized check)
            hop = statistics.median(hops) * len(hops) / args.n
            p, c = statistics.median(pings), statistics.median(calls)
            ratios.append(c / p)
            net_ratios.append((c - hop) / p)
            print(f"{r:5d}  {p:11.3f}  {c:11.3f}  {hop:6.3f}  {c / p:5.2f}  {(c - hop) / p:13.2f}")
        print(
            f"ratio SDK call / bare RPC:            median {statistics.median(ratios):.2f}x "
            f"(spread {min(ratios):.2f}-{max(ratios):.2f})"
        )
        print(
            f"ratio without the test bed's hop:     median {statistics.median(net_ratios):.2f}x "
            f"(spread {min(net_ratios):.2f}-{max(net_ratios):.2f})   goal <= 2x"
        )
    finally:
        for fn in cleanup:
            fn()


if __name__ == "__main__":
    main()
