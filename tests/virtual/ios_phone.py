"""Test helpers for virtual:ios: the app as a real process, a real HTTP server on loopback.

``Phone`` drives the app through the VirtualDevice driver (the same path the runner uses);
``ScriptedServer`` is a tiny real HTTP server whose answers a test can script (status per route),
for the retry rules the collector's default answers cannot show.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.devices.base import AppTarget
from harness.devices.registry import open_device

TOKEN = "tok"
AUTH = "Token T"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class ScriptedServer:
    """Answers ``answer(path, count)`` → (status, body); records every request it got."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.rules: list[tuple[str, int, bytes, int | None]] = []  # (path part, status, body, times left)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status, payload = server._decide(self.command, self.path, body, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def respond(self, part: str, status: int, body: bytes = b'{"success":false}', times: int | None = None) -> None:
        with self.lock:
            self.rules.append((part, status, body, times))

    def _decide(self, method: str, path: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
        with self.lock:
            self.seen.append(Seen(method, path, {k.lower(): v for k, v in headers.items()}, body))
            for i, (part, status, payload, times) in enumerate(self.rules):
                if part in path:
                    if times is not None:
                        if times <= 1:
                            del self.rules[i]
                        else:
                            self.rules[i] = (part, status, payload, times - 1)
                    return status, payload
        return 200, b'{"success":true,"errors":[]}'

    def requests(self) -> list[Seen]:
        with self.lock:
            return list(self.seen)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Phone:
    """One virtual iPhone with the reference iOS SDK, against ``base_url``."""

    def __init__(self, base_url: str, fault: str | None = None) -> None:
        self.base_url = base_url
        self.dev = open_device("virtual:ios")
        self.dev.open(AppTarget(base_url=base_url, fault=fault))
        self.dev.app.install()
        self.dev.app.launch()

    def init(self, **config: Any) -> None:
        configuration = {"projectToken": TOKEN, "authorization": AUTH, "baseURL": self.base_url, **config}
        self.call("init", configuration=configuration)

    def call(self, method: str, **args: Any) -> Any:
        return self.dev.sdk.call(method, args).value

    def settle(self) -> None:
        assert self.dev.settle(20), "the app did not settle"

    def now(self) -> float:
        return self.dev.env.now()

    def advance(self, seconds: float) -> None:
        self.dev.env.advance_clock(seconds)

    def relaunch(self) -> None:
        self.dev.app.kill()
        self.dev.app.launch()

    def close(self) -> None:
        self.dev.close()


def tracking(requests: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, body) of every tracking POST, in arrival order."""
    return [(r.path, json.loads(r.body)) for r in requests if r.method == "POST" and r.path.startswith("/track/")]


def events(requests: list[Any], event_type: str | None = None) -> list[dict[str, Any]]:
    bodies = [b for p, b in tracking(requests) if p.split("?")[0].endswith("/customers/events")]
    return bodies if event_type is None else [b for b in bodies if b.get("event_type") == event_type]


def customers(requests: list[Any]) -> list[dict[str, Any]]:
    return [b for p, b in tracking(requests) if p.split("?")[0].endswith("/customers")]
