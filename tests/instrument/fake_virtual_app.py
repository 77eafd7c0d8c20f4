"""A stand-in for the virtual app's RPC peer (docs/virtual-rpc.md), used by the Frida tests.

It is an external peer, not the project's reference SDK: it records every request, answers
``sdk.*`` calls with null (keeping just enough state for isInitialized/getCustomerCookie), and
answers ``app.*``/``env.*``. Run as a script it behaves like ``python -m harness.virtual`` at the
process level: takes the same flags, writes ``{"port", "pid"}`` to ``DIR/rpc.json``, and appends
each request to ``DIR/calls.jsonl``.

After merge, tests/devices/test_jvm.py should also run against the real ``python -m harness.virtual``.
"""

from __future__ import annotations

import argparse
import json
import os
import socketserver
import threading
import time
from pathlib import Path
from typing import Any


class FakeVirtualApp:
    def __init__(self, record: Path | None = None, clock_offset: float = 0.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.record = record
        self.clock_offset = clock_offset
        self.initialized = False
        self.delay = 0.0
        app = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for line in self.rfile:
                    reply = app.answer(json.loads(line))
                    self.wfile.write((json.dumps(reply) + "\n").encode())
                    self.wfile.flush()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sdk_calls(self) -> list[tuple[str, dict[str, Any]]]:
        return [(c["method"][4:], c["params"]) for c in self.calls if c["method"].startswith("sdk.")]

    def answer(self, req: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(req)
        if self.record is not None:
            with self.record.open("a") as f:
                f.write(json.dumps(req) + "\n")
        method, result = req["method"], None
        time.sleep(self.delay)
        clock = time.time() + self.clock_offset
        if method == "sdk.init":
            self.initialized = True
        elif method == "sdk.stopIntegration":
            self.initialized = False
        elif method == "sdk.isInitialized":
            result = self.initialized
        elif method == "sdk.getCustomerCookie":
            result = "cookie-1" if self.initialized else None
        elif method == "sdk.fail" or req["params"].get("eventType") == "raise":
            return {"id": req["id"], "error": {"type": "SdkError", "message": "seeded"}, "clock": clock}
        elif method == "app.ping":
            result = {"pid": os.getpid(), "platform": "android", "fault": None, "foreground": True}
        elif method == "app.settle":
            result = True
        elif method == "env.advance_clock":
            self.clock_offset += float(req["params"]["seconds"])
        elif method == "app.exit":
            threading.Timer(0.05, os._exit, args=(0,)).start()
        return {"id": req["id"], "result": result, "clock": clock}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", default="android")
    parser.add_argument("--data", required=True)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--permission-denied", action="store_true")
    parser.add_argument("--fault")
    args = parser.parse_args()
    data = Path(args.data)
    app = FakeVirtualApp(record=data / "calls.jsonl", clock_offset=args.clock_offset)
    tmp = data / "rpc.json.tmp"
    tmp.write_text(json.dumps({"port": app.port, "pid": os.getpid()}))
    tmp.rename(data / "rpc.json")
    threading.Event().wait()


if __name__ == "__main__":
    main()
