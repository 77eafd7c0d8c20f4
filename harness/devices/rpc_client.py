"""A client for the virtual app's JSON-lines RPC (wire format: ``docs/virtual-rpc.md``).

One connection, calls answered in order. A call that gets no answer within its timeout raises
``RpcTimeout``; a connection that breaks raises ``AppCrashed`` (the caller adds what it knows
about the process, such as its exit code).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from typing import Any

from harness.devices.base import CallResult
from harness.errors import AppCrashed, InstrumentError, RpcTimeout

__all__ = ["RpcClient"]


class RpcClient:
    def __init__(self, uri: str, port: int, connect_timeout: float = 10.0) -> None:
        self.uri = uri
        try:
            self._sock = socket.create_connection(("127.0.0.1", port), timeout=connect_timeout)
        except OSError as exc:
            raise AppCrashed(uri, f"cannot connect to the app on port {port}: {exc}") from exc
        self._file = self._sock.makefile("rb")
        self._lock = threading.Lock()
        self._next_id = 0
        self._broken: str | None = None

    def call(self, method: str, params: Mapping[str, Any] | None = None, timeout: float = 10.0) -> CallResult:
        """Send one request and wait for its reply."""
        with self._lock:
            if self._broken:
                raise AppCrashed(self.uri, self._broken)
            self._next_id += 1
            rid = self._next_id
            line = json.dumps({"id": rid, "method": method, "params": dict(params or {})}) + "\n"
            try:
                self._sock.settimeout(timeout)
                self._sock.sendall(line.encode())
                raw = self._file.readline()
            except TimeoutError as exc:
                self._broken = f"the app stopped answering during {method} (no reply in {timeout:.0f}s)"
                raise RpcTimeout(method, f"no reply from the app within {timeout:.1f}s") from exc
            except OSError as exc:
                self._broken = f"connection to the app lost during {method}: {exc}"
                raise AppCrashed(self.uri, self._broken) from exc
            if not raw:
                self._broken = f"the app closed the connection during {method}"
                raise AppCrashed(self.uri, self._broken)
        reply = json.loads(raw)
        if reply.get("id") != rid:
            raise InstrumentError(method, f"reply out of order (id {reply.get('id')} for {rid})")
        if "error" in reply:
            err = reply["error"]
            raise InstrumentError(method, f"{err.get('type')}: {err.get('message')}")
        return CallResult(reply.get("result"), float(reply.get("clock") or 0.0))

    def close(self) -> None:
        try:
            self._file.close()
            self._sock.close()
        except OSError:
            pass
