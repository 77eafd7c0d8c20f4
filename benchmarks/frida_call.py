"""Cost of one SDK call through Frida on the jvm:android test bed, next to a bare Frida round trip.

    python benchmarks/frida_call.py [-n 300] [--agent android|flutter] [--virtual]

Both figures come from the same run and the same attached agent: ``ping`` is an agent export that
returns at once (Python -> frida-server -> JS -> back); ``trackEvent`` goes Python -> JS agent ->
Java bridge -> the SDK mirror -> the RPC hop to the app process -> back. The goal is a ratio <= 2.

By default the app process is a minimal in-process JSON-lines peer that answers at once, so the
figure is the harness's own overhead; ``--virtual`` uses JvmDevice with ``python -m harness.virtual``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.devices.base import AppTarget
from harness.devices.jvm import AGENTS, JvmDevice
from harness.devices.jvm_build import MAIN_CLASS, find_jdk, testbed_classes
from harness.instrument.frida_session import FridaSession
from harness.instrument.frida_transport import FridaSdkTransport

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


def _app_hop(port: int) -> Callable[[], None]:
    """One JSON-lines round trip to the app process, straight from Python: the test bed's RPC hop."""
    conn = socket.create_connection(("127.0.0.1", port))
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stream = conn.makefile("rwb")

    def once() -> None:
        stream.write(b'{"id": 1, "method": "sdk.trackEvent", "params": {}}\n')
        stream.flush()
        stream.readline()

    return once


def _timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--agent", choices=sorted(AGENTS), default="android")
    parser.add_argument("--virtual", action="store_true", help="use the real virtual app (after merge)")
    args = parser.parse_args()
    cleanup = []
    hop: Callable[[], None] | None = None
    if args.virtual:
        device = JvmDevice()
        device.open(AppTarget(base_url="http://127.0.0.1:9/d/bench", options={"agent": args.agent}))
        device.app.launch()
        cleanup.append(device.close)
        transport = FridaSdkTransport(device._session)
        transport.call("init", {"configuration": {"projectToken": "bench", "baseURL": "http://127.0.0.1:9"}})
    else:
        peer = subprocess.Popen([sys.executable, "-c", _PEER], stdout=subprocess.PIPE)
        cleanup.append(peer.kill)
        assert peer.stdout is not None
        port = peer.stdout.readline().decode().strip()
        java, _ = find_jdk()
        command = [java, "-cp", str(testbed_classes()), MAIN_CLASS, port]
        env = {"PATH": os.environ["PATH"]}
        jvm = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert jvm.stdout is not None
        pid = int(jvm.stdout.readline().split()[1])
        session = FridaSession(AGENTS[args.agent], target=pid, uri="jvm:android")
        session.start()
        cleanup += [session.stop, jvm.kill]
        transport = FridaSdkTransport(session)
        hop = _app_hop(int(port))
    try:
        call = {"eventType": "bench", "properties": {"price": 9.5, "sku": "a-1", "ok": True}}
        for _ in range(20):  # warm up the bridge, class wrappers and the JIT
            transport.ping()
            transport.call("trackEvent", call)
        ping = _timed(transport.ping, args.n)
        sdk = _timed(lambda: transport.call("trackEvent", call), args.n)
        hops = _timed(hop, args.n) if hop is not None else None
    finally:
        for fn in cleanup:
            fn()
    p_med, s_med = statistics.median(ping), statistics.median(sdk)
    p95 = lambda xs: sorted(xs)[int(len(xs) * 0.95) - 1]  # noqa: E731
    print(f"agent={args.agent} app={'virtual' if args.virtual else 'in-process peer'} n={args.n}")
    print(f"bare Frida RPC (ping)        median {p_med:7.3f} ms   p95 {p95(ping):7.3f} ms")
    print(f"SDK call (trackEvent)        median {s_med:7.3f} ms   p95 {p95(sdk):7.3f} ms")
    print(f"ratio SDK call / bare RPC    {s_med / p_med:5.2f}x   (goal <= 2x)")
    if hops is not None:
        h_med = statistics.median(hops)
        print(f"test bed's RPC hop to the app median {h_med:7.3f} ms (a real SDK has no such hop)")
        print(f"ratio without that hop       {(s_med - h_med) / p_med:5.2f}x")


if __name__ == "__main__":
    main()
