"""A client for the virtual app's RPC (docs/virtual-rpc.md): JSON lines over one TCP connection.

Generic on purpose: it knows the wire format (``{"id", "method", "params"}`` → ``{"id", "result"
| "error", "clock"}``), not the methods, so any driver that talks to a virtual app process uses it.
Calls on one connection are answered in order, so calls are serialized with a lock.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import AppCrashed, InstrumentError, RpcTimeout

__all__ = ["RpcClient", "RpcReply"]


@dataclass(frozen=True)
class RpcReply:
    """A successful reply: the result and the virtual device's clock when the call ran."""

    result: Any
    clock: float


class RpcClient:
    """One connection to a virtual app process.

    Args:
        port: the TCP port on 127.0.0.1 the process wrote to ``DIR/rpc.json``.
        uri: the device URI, for error messages.
    """

    def __init__(self, port: int, uri: str, *, connect_timeout: float = 5.0) -> None:
        self.uri = uri
        self.port = port
        self._lock = threading.Lock()
        self._next_id = 1
        try:
            self._sock = socket.create_connection(("127.0.0.1", port), timeout=connect_timeout)
        except OSError as exc:
            raise AppCrashed(uri, f"the virtual app does not answer on port {port}: {exc}") from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rwb")

    def call(self, method: str, params: Mapping[str, Any] | None = None, timeout: float = 10.0) -> RpcReply:
        """Send one request and wait for its reply.

        Raises:
            RpcTimeout: no reply within ``timeout`` (the connection is then unusable).
            AppCrashed: the connection broke (the process died).
            InstrumentError: the app answered with an error.
        """
        with self._lock:
            request_id = self._next_id
            self._next_id += 1
            line = json.dumps({"id": request_id, "method": method, "params": dict(params or {})})
            try:
                self._sock.settimeout(timeout)
                self._file.write(line.encode("utf-8") + b"\n")
                self._file.flush()
                raw = self._file.readline()
            except TimeoutError as exc:
                raise RpcTimeout(method, f"the virtual app did not answer within {timeout:g}s") from exc
            except OSError as exc:
                raise AppCrashed(self.uri, f"{method}: the RPC connection broke: {exc}") from exc
        if not raw:
            raise AppCrashed(self.uri, f"{method}: the virtual app closed its RPC connection")
        reply = json.loads(raw)
        if reply.get("id") != request_id:
            raise InstrumentError(method, f"reply id {reply.get('id')} is not request id {request_id}")
        error = reply.get("error")
        if error is not None:
            raise InstrumentError(method, f"{error.get('type', 'Error')}: {error.get('message', '')}")
        return RpcReply(result=reply.get("result"), clock=float(reply.get("clock", 0.0)))

    def close(self) -> None:
        """Close the connection; never raises."""
        for closable in (self._file, self._sock):
            with contextlib.suppress(OSError):
                closable.close()
