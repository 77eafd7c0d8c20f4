"""A virtual phone for the reference-SDK tests: the real app process, talking real HTTP.

``phone`` runs the app against the real collector on loopback; ``answering_phone`` runs it against
``AnsweringServer``, a tiny HTTP server that answers each request from a script (status codes,
``{"success":false}`` bodies, connection resets), for the retry rules the collector cannot play
yet. Expectations in these tests come from the research notes, written out by hand; they never
use ``harness.spec``.
"""

from __future__ import annotations

import http.server
import json
import socket
import struct
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from harness.devices.base import AppTarget
from harness.devices.virtual import VirtualDevice

TOKEN, AUTH = "T", "Token K"


@dataclass
class Sent:
    """One tracking request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: str

    @property
    def event_type(self) -> Any:
        return self.body.get("event_type") if isinstance(self.body, dict) else None

    @property
    def props(self) -> dict[str, Any]:
        return dict(self.body.get("properties") or {})


class Phone:
    """The app under test plus a view of what it sent."""

    def __init__(self, device: VirtualDevice, base_url: str, sent: Any) -> None:
        self.device = device
        self.base_url = base_url
        self._sent = sent

    def call(self, method: str, **args: Any) -> Any:
        return self.device.sdk.call(method, args).value

    def init(self, **config: Any) -> None:
        self.call(
            "init", configuration={"projectToken": TOKEN, "authorization": AUTH, "baseURL": self.base_url, **config}
        )

    def rpc(self, method: str, **params: Any) -> Any:
        return self.device.rpc(method, params).value

    def now(self) -> float:
        return self.device.env.now()

    def settle(self) -> None:
        assert self.device.settle(15.0), "the SDK did not settle"

    def relaunch(self, *app_args: str) -> None:
        self.device.app.kill()
        self.device.app_args = list(app_args)
        self.device.app.launch()

    def all_sent(self) -> list[Sent]:
        return list(self._sent())

    def sent(self, event_type: str | None = None) -> list[Sent]:
        """Tracking requests (``/track/v2/``), optionally only events of one ``event_type``."""
        out = [s for s in self._sent() if "/track/v2/" in s.path]
        if event_type is not None:
            out = [s for s in out if s.event_type == event_type]
        return out

    def types(self) -> list[Any]:
        return [s.event_type for s in self.sent()]


def _open(base_url: str) -> VirtualDevice:
    device = VirtualDevice("virtual:android", "android")
    device.open(AppTarget(base_url=base_url))
    device.app.install()
    device.app.launch()
    return device


@pytest.fixture
def phone(live_collector: Any) -> Iterator[Phone]:
    key = f"t{uuid.uuid4().hex[:8]}"
    base_url = live_collector.device_url(key)

    def sent() -> list[Sent]:
        out = []
        for r in live_collector.store.query(device=key):
            try:
                body = json.loads(r.body) if r.body else None
            except ValueError:
                body = None
            out.append(Sent(r.method, r.path, dict(r.headers), body, r.body))
        return out

    device = _open(base_url)
    yield Phone(device, base_url, sent)
    device.close()


class AnsweringServer(http.server.ThreadingHTTPServer):
    """Answers requests from a script: each entry is a status code or ``"reset"``; then 200."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _AnsweringHandler)
        self.script: list[int | str | tuple[int, str]] = []
        self.log: list[tuple[Sent, int | str]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, *entries: int | str | tuple[int, str]) -> None:
        """Queue answers for the next tracking requests (``(status, body)`` for a custom body)."""
        with self.lock:
            self.script.extend(entries)


class _AnsweringHandler(http.server.BaseHTTPRequestHandler):
    server: AnsweringServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        body = json.loads(raw) if raw else None
        tracking = "/track/v2/" in self.path
        with self.server.lock:
            answer: int | str | tuple[int, str] = self.server.script.pop(0) if tracking and self.server.script else 200
            self.server.log.append((Sent(self.command, self.path, dict(self.headers), body, raw), answer))
        if answer == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        status, text = answer if isinstance(answer, tuple) else (int(answer), '{"success":true}')
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle


@pytest.fixture
def answering() -> Iterator[AnsweringServer]:
    server = AnsweringServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def answering_phone(answering: AnsweringServer) -> Iterator[Phone]:
    def sent() -> list[Sent]:
        with answering.lock:
            return [s for s, _ in answering.log]

    device = _open(answering.url)
    yield Phone(device, answering.url, sent)
    device.close()


# -- virtual:ios (helper vios): a virtual iPhone against a scripted server ---------------------------

from tests.virtual.ios_phone import Phone as IosPhone  # noqa: E402
from tests.virtual.ios_phone import ScriptedServer  # noqa: E402


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.close()


@pytest.fixture
def phone_on(server: ScriptedServer) -> Iterator[Any]:
    """A factory: a virtual iPhone against the scripted server (closed at the end)."""
    phones: list[IosPhone] = []

    def make(fault: str | None = None, base_url: str | None = None) -> IosPhone:
        phone = IosPhone(base_url or server.url, fault)
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.close()
