"""The app's network stack as the reference SDK reaches it: direct, or the host app's own stack.

On a phone the SDK's requests leave through the app's HTTP client (OkHttp inside the app process),
which is where the in-app capture hooks them. The virtual app is a Python process, so by default it
sends with httpx directly. On the ``jvm:android`` test bed the JVM plays the app process: it calls
``app.use_network_stack`` with the port of its network stack, and from then on every request the
SDK makes goes out through the JVM's OkHttp (``NetworkStack.java``), so Frida's hooks on OkHttp
see the SDK's real traffic.

:class:`AppNetwork` is an httpx transport (httpx's documented extension point), so the SDK code
(flushers) is the same either way; it only builds its ``httpx.Client`` on ``env.network``.
Failures come back as httpx's own errors (connect, timeout, read), which the SDK already maps to
its transport-failure rules.
"""

from __future__ import annotations

import base64
import json
import socket
import threading

import httpx

__all__ = ["AppNetwork"]

_ERRORS: dict[str, type[httpx.TransportError]] = {
    "connect": httpx.ConnectError,
    "timeout": httpx.ReadTimeout,
    "io": httpx.ReadError,
    "request": httpx.LocalProtocolError,
}


_CONNECTION_HEADERS = {b"host", b"content-length", b"connection", b"transfer-encoding"}


class _StackLink:
    """One JSON-lines connection to the host app's network stack; one request at a time on it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rwb")

    def send(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        message = {
            "method": request.method,
            "url": str(request.url),
            # what the SDK put on the request; the stack's own client adds the connection-level ones
            "headers": [
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, v in request.headers.raw
                if k.lower() not in _CONNECTION_HEADERS
            ],
            "body": base64.b64encode(body).decode("ascii") if body or request.method != "GET" else None,
        }
        # The stack applies OkHttp's own timeouts and answers with "timeout"; this bound only
        # covers a stack that died without closing the connection.
        timeouts = request.extensions.get("timeout") or {}
        bound = float(timeouts.get("read") or 10.0) + 20.0
        with self._lock:
            try:
                self._sock.settimeout(bound)
                self._file.write(json.dumps(message).encode() + b"\n")
                self._file.flush()
                line = self._file.readline()
            except OSError as exc:
                raise httpx.ReadError(f"the app's network stack is gone: {exc}", request=request) from exc
        if not line:
            raise httpx.ReadError("the app's network stack closed the connection", request=request)
        reply = json.loads(line)
        if "error" in reply:
            error = _ERRORS.get(str(reply["error"]), httpx.ReadError)
            raise error(str(reply.get("message") or reply["error"]), request=request)
        return httpx.Response(
            int(reply["status"]),
            headers=[(str(k), str(v)) for k, v in reply.get("headers") or []],
            content=base64.b64decode(reply.get("body") or ""),
            request=request,
        )

    def close(self) -> None:
        try:
            self._file.close()
            self._sock.close()
        except OSError:
            pass


class AppNetwork(httpx.BaseTransport):
    """httpx transport: direct by default, or through the host app's stack once told its port."""

    def __init__(self) -> None:
        self._direct = httpx.HTTPTransport()
        self._port: int | None = None
        self._local = threading.local()  # one link per sending thread (iOS sends concurrently)
        self._links: list[_StackLink] = []
        self._lock = threading.Lock()

    @property
    def stack_port(self) -> int | None:
        return self._port

    def use_stack(self, port: int | None) -> None:
        """Send through the host app's stack on ``port`` from now on (``None``: directly again).

        The first link is opened here, so a wrong port fails the RPC call that named it.
        """
        first = _StackLink(port) if port is not None else None
        with self._lock:
            for link in self._links:
                link.close()
            self._links = [first] if first is not None else []
            self._port = port
            self._local = threading.local()
            self._local.link = first

    def _link(self) -> _StackLink | None:
        with self._lock:
            if self._port is None:
                return None
            link: _StackLink | None = getattr(self._local, "link", None)
            if link is None:
                link = _StackLink(self._port)
                self._links.append(link)
                self._local.link = link
            return link

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        link = self._link()
        if link is None:
            return self._direct.handle_request(request)
        return link.send(request)

    def close(self) -> None:
        with self._lock:
            for link in self._links:
                link.close()
            self._links.clear()
            self._port = None
        self._direct.close()
