"""In-process port forwarding: ``adb forward`` / ``iproxy`` without an adb or libimobiledevice binary.

A :class:`PortForward` listens on 127.0.0.1 and bridges each accepted connection to a fresh device
stream opened by the driver (an ADB ``tcp:PORT`` stream, or a usbmux connection to an iOS port), so
frida-server's 27042 or a Frida gadget's port becomes a local port.
Two threads copy bytes per connection, one each way; when either side ends, both are closed.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any, Protocol

from harness.errors import DeviceError

__all__ = ["PortForward", "Stream", "StreamOpener", "stop_forwards"]

log = logging.getLogger(__name__)


class Stream(Protocol):
    """A two-way byte stream to a device service (a socket, or an ADB stream)."""

    def sendall(self, data: bytes, /) -> Any: ...

    def recv(self, bufsize: int, /) -> bytes: ...

    def close(self) -> None: ...


class StreamOpener(Protocol):
    """Opens a device stream; raises ``DeviceError`` when the device refuses it."""

    def open_stream(self, destination: str) -> Stream: ...


class PortForward:
    """Forwards ``127.0.0.1:local_port`` to ``destination`` on the device; start/stop/is_alive.

    Args:
        backend: the device connection; ``open_stream(destination)`` is called per connection.
        destination: the device service, e.g. ``tcp:27042`` or ``localabstract:frida``.
        local_port: 0 picks a free port (read ``local_port`` after ``start()``).
    """

    def __init__(self, backend: StreamOpener, destination: str, local_port: int = 0) -> None:
        self.backend = backend
        self.destination = destination
        self.local_port = local_port
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> int:
        """Start listening; returns the local port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.local_port))
        listener.listen(16)
        self.local_port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, name=f"forward-{self.local_port}", daemon=True)
        self._thread.start()
        return self.local_port

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
        with self._lock:
            for conn in list(self._open):
                conn.close()
            self._open.clear()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            try:
                remote = self.backend.open_stream(self.destination)
            except DeviceError as exc:
                log.warning("forward :%d -> %s: %s", self.local_port, self.destination, exc)
                conn.close()
                continue
            with self._lock:
                self._open.add(conn)
            threading.Thread(target=self._pump_up, args=(conn, remote), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(conn, remote), daemon=True).start()

    def _finish(self, conn: socket.socket, remote: Stream) -> None:
        with self._lock:
            self._open.discard(conn)
        for close in (conn.close, remote.close):
            try:
                close()
            except Exception as exc:  # either end may already be gone
                log.debug("forward close: %s", exc)

    def _pump_up(self, conn: socket.socket, remote: Stream) -> None:
        try:
            while data := conn.recv(65536):
                remote.sendall(data)
        except Exception as exc:  # the bridge ends on any failure; both sides are closed
            log.debug("forward up: %s", exc)
        self._finish(conn, remote)

    def _pump_down(self, conn: socket.socket, remote: Stream) -> None:
        try:
            while data := remote.recv(65536):
                conn.sendall(data)
        except Exception as exc:
            log.debug("forward down: %s", exc)
        self._finish(conn, remote)


def stop_forwards(forwards: list[PortForward], log: logging.LoggerAdapter[logging.Logger]) -> None:
    """Stop every forward a driver opened and empty the list; failures are logged, never raised."""
    for forward in forwards:
        try:
            forward.stop()
        except Exception as exc:  # close never raises
            log.warning("stopping forward :%d failed: %s", forward.local_port, exc)
    forwards.clear()
