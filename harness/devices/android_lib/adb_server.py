"""A client for the adb server's host protocol (the server ``adb start-server`` runs on 127.0.0.1:5037).

When an adb server already holds a USB device, nothing else can claim it; the server then is the
way in. Its protocol is small and needs no adb binary on our side.

Wire format: every request is four hex digits of length followed by the request text; the server
answers ``OKAY`` or ``FAIL`` + four hex digits of length + message. ``host:`` requests are answered on
the same connection (``host:devices-l`` answers with a length-prefixed list). ``host:transport:SERIAL``
binds the connection to one device; the next request (``shell:CMD``, ``tcp:PORT``, ``sync:``) is a
device service, after whose ``OKAY`` the socket carries that service's raw bytes until either side
closes it. ``sync:`` speaks the file-sync protocol: ``SEND`` + len + ``path,mode``, then ``DATA`` +
len + bytes (at most 64 KiB each), then ``DONE`` + mtime; the device answers ``OKAY`` or ``FAIL`` + msg.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from dataclasses import dataclass

__all__ = [
    "DEFAULT_ADDRESS",
    "AdbServerClient",
    "AdbServerError",
    "ServerDevice",
    "server_address",
    "sync_push",
]

DEFAULT_ADDRESS = ("127.0.0.1", 5037)
_SYNC_CHUNK = 64 * 1024


class AdbServerError(Exception):
    """The adb server refused a request or could not be reached."""


@dataclass(frozen=True)
class ServerDevice:
    """One line of ``host:devices-l``."""

    serial: str
    state: str  # "device", "unauthorized", "offline", ...
    properties: dict[str, str]


def server_address() -> tuple[str, int]:
    """The adb server: ``$ADB_SERVER_SOCKET`` (``tcp:HOST:PORT``, as adb reads it) or 127.0.0.1:5037."""
    spec = os.environ.get("ADB_SERVER_SOCKET", "")
    if spec.startswith("tcp:"):
        host, _, port = spec[4:].rpartition(":")
        if port.isdigit():
            return (host or "127.0.0.1", int(port))
    return DEFAULT_ADDRESS


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise AdbServerError("the adb server closed the connection")
        data += chunk
    return bytes(data)


class AdbServerClient:
    """Talks to one adb server; every method opens a fresh connection.

    Args:
        address: the server's (host, port); default :func:`server_address`.
        timeout: socket timeout for connecting and for each request's status.
    """

    def __init__(self, address: tuple[str, int] | None = None, timeout: float = 5.0) -> None:
        self.address = address or server_address()
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection(self.address, timeout=self.timeout)
        except OSError as exc:
            raise AdbServerError(f"no adb server on {self.address[0]}:{self.address[1]} ({exc})") from exc

    def _request(self, sock: socket.socket, request: str) -> None:
        payload = request.encode()
        try:
            sock.sendall(b"%04x" % len(payload) + payload)
            status = _recv_exact(sock, 4)
            if status == b"OKAY":
                return
            if status == b"FAIL":
                length = int(_recv_exact(sock, 4), 16)
                raise AdbServerError(_recv_exact(sock, length).decode(errors="replace"))
        except OSError as exc:
            raise AdbServerError(f"adb server request {request!r} failed: {exc}") from exc
        raise AdbServerError(f"adb server answered {status!r} to {request!r}")

    def devices(self) -> list[ServerDevice]:
        """The devices the server knows, from ``host:devices-l``."""
        with self._connect() as sock:
            self._request(sock, "host:devices-l")
            try:
                text = _recv_exact(sock, int(_recv_exact(sock, 4), 16)).decode(errors="replace")
            except ValueError as exc:
                raise AdbServerError("adb server sent a malformed device list") from exc
        found = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) < 2:
                continue
            props = dict(f.split(":", 1) for f in fields[2:] if ":" in f)
            found.append(ServerDevice(fields[0], fields[1], props))
        return found

    def open_service(self, serial: str, service: str) -> socket.socket:
        """A socket bound to ``service`` (``shell:...``, ``tcp:PORT``, ``sync:``) on device ``serial``."""
        sock = self._connect()
        try:
            self._request(sock, f"host:transport:{serial}")
            self._request(sock, service)
        except BaseException:
            sock.close()
            raise
        return sock

    def shell(self, serial: str, command: str, timeout: float) -> bytes:
        """Run ``command`` through the ``shell:`` service; all of its output until it exits."""
        sock = self.open_service(serial, f"shell:{command}")
        deadline = time.monotonic() + timeout
        out = bytearray()
        with sock:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"shell command did not finish within {timeout:g}s")
                sock.settimeout(left)
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    raise
                except OSError as exc:
                    raise AdbServerError(f"the device connection broke: {exc}") from exc
                if not chunk:
                    return bytes(out)
                out += chunk

    def push(self, serial: str, local_path: str, device_path: str, mode: int = 0o644) -> None:
        with self.open_service(serial, "sync:") as sock:
            sync_push(sock, local_path, device_path, mode)


def sync_push(sock: socket.socket, local_path: str, device_path: str, mode: int = 0o644) -> None:
    """Send one file over a ``sync:`` service socket (the file-sync protocol's SEND/DATA/DONE)."""
    spec = f"{device_path},{0o100000 | mode}".encode()
    sock.sendall(b"SEND" + struct.pack("<I", len(spec)) + spec)
    with open(local_path, "rb") as fh:
        while chunk := fh.read(_SYNC_CHUNK):
            sock.sendall(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
    sock.sendall(b"DONE" + struct.pack("<I", int(os.path.getmtime(local_path))))
    status, length = struct.unpack("<4sI", _recv_exact(sock, 8))
    if status == b"FAIL":
        raise AdbServerError(f"push to {device_path} failed: {_recv_exact(sock, length).decode(errors='replace')}")
    if status != b"OKAY":
        raise AdbServerError(f"push to {device_path}: unexpected sync answer {status!r}")
