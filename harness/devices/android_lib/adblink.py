"""A multiplexed ADB connection for port forwarding, built on an adb-shell transport.

adb-shell's ``AdbDevice`` runs one command at a time: its reads hold the transport lock while they
wait, so it cannot carry several long-lived, two-way ``tcp:PORT`` streams at once, and it has no
``forward``. :class:`AdbLink` is the small part that does: it owns a second connection to adbd over
an adb-shell transport (``TcpTransport``), signs in with the same adb-shell signers, and runs one
reader thread that hands each incoming packet to its stream.

Wire format (the ADB protocol, as adbd speaks it; every message is a 24-byte little-endian header
``command, arg0, arg1, data_length, data_checksum, magic`` followed by the data, packed by adb-shell's
``AdbMessage``)::

    host -> CNXN(VERSION, MAXDATA, "host::banner")   device -> AUTH(TOKEN) | CNXN
    host -> AUTH(SIGNATURE, sig)                      device -> CNXN | AUTH(TOKEN)
    host -> OPEN(local_id, 0, "tcp:27042\\0")         device -> OKAY(remote_id, local_id) | CLSE
    either -> WRTE(own_id, peer_id, bytes)            peer   -> OKAY(peer_id, own_id)  (one in flight)
    either -> CLSE(own_id, peer_id)
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import struct
import threading
from typing import Any

from adb_shell import constants
from adb_shell.adb_message import AdbMessage, checksum
from adb_shell.exceptions import TcpTimeoutException

__all__ = ["AdbLink", "AdbLinkError", "AdbStream"]

_HEADER = struct.Struct("<6I")
_POLL_S = 0.5


class AdbLinkError(Exception):
    """The link to adbd failed (translated to ``DeviceError`` by the driver)."""


class AdbStream:
    """One ADB stream (``OPEN``ed service), used like a blocking socket by the port forward."""

    def __init__(self, link: AdbLink, local_id: int) -> None:
        self._link = link
        self.local_id = local_id
        self.remote_id = 0
        self.opened = threading.Event()
        self.acked = threading.Event()
        self.closed = threading.Event()
        self._incoming: queue.Queue[bytes] = queue.Queue()
        self._pending = b""

    def _deliver(self, data: bytes) -> None:
        self._incoming.put(data)

    def _remote_closed(self) -> None:
        self.closed.set()
        self.acked.set()
        self._incoming.put(b"")

    def sendall(self, data: bytes, timeout: float = 10.0) -> None:
        """Send ``data``, one ``WRTE`` at a time, each waiting for the device's ``OKAY``."""
        view = memoryview(data)
        for start in range(0, len(view), self._link.maxdata):
            if self.closed.is_set():
                raise AdbLinkError("the device closed the stream")
            self.acked.clear()
            self._link.send(
                constants.WRTE, self.local_id, self.remote_id, bytes(view[start : start + self._link.maxdata])
            )
            if not self.acked.wait(timeout):
                raise AdbLinkError(f"the device did not acknowledge a write within {timeout:g}s")
            if self.closed.is_set():
                raise AdbLinkError("the device closed the stream")

    def recv(self, bufsize: int = 65536) -> bytes:
        """Up to ``bufsize`` bytes; ``b""`` once the device has closed the stream."""
        if not self._pending:
            self._pending = self._incoming.get()
            if not self._pending:
                self._incoming.put(b"")  # stay at end of stream for later calls
                return b""
        out, self._pending = self._pending[:bufsize], self._pending[bufsize:]
        return out

    def close(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            with contextlib.suppress(AdbLinkError):
                self._link.send(constants.CLSE, self.local_id, self.remote_id)
        self._link.forget(self)


class AdbLink:
    """A multiplexed connection to adbd; ``open_stream`` may be called from any thread.

    Args:
        transport: an adb-shell ``BaseTransport`` (not connected yet, not shared with an ``AdbDevice``).
        signers: adb-shell signers (``PythonRSASigner``) tried in order when adbd asks for AUTH.
        banner: the host name sent in ``CNXN``.
    """

    def __init__(self, transport: Any, signers: list[Any], banner: str = "harness") -> None:
        self._transport = transport
        self._signers = signers
        self._banner = banner
        self._write_lock = threading.Lock()
        self._streams: dict[int, AdbStream] = {}
        self._ids = itertools.count(1)
        self._buffer = bytearray()
        self._reader: threading.Thread | None = None
        self._stopping = threading.Event()
        self.maxdata = constants.MAX_LEGACY_ADB_DATA
        self.error: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def connect(self, timeout: float = 10.0) -> None:
        """Connect and authenticate; starts the reader thread."""
        try:
            self._transport.connect(timeout)
            self.send(constants.CNXN, constants.VERSION, constants.MAX_ADB_DATA, f"host::{self._banner}\0".encode())
            cmd, _, arg1, data = self._read_packet(timeout)
            signers = iter(self._signers)
            while cmd == constants.AUTH:
                signer = next(signers, None)
                if signer is None:
                    raise AdbLinkError("adbd refused every key (accept the host key on the device)")
                self.send(constants.AUTH, constants.AUTH_SIGNATURE, 0, signer.Sign(data))
                cmd, _arg0, arg1, data = self._read_packet(timeout)
            if cmd != constants.CNXN:
                raise AdbLinkError(f"adbd answered {cmd!r} to CNXN")
        except (OSError, TcpTimeoutException) as exc:
            self._transport.close()
            raise AdbLinkError(f"cannot connect to adbd: {exc}") from exc
        self.maxdata = max(1024, min(arg1, constants.MAX_ADB_DATA))
        self._reader = threading.Thread(target=self._read_loop, name="adb-link-reader", daemon=True)
        self._reader.start()

    def is_alive(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def close(self) -> None:
        self._stopping.set()
        for stream in list(self._streams.values()):
            stream._remote_closed()
        self._transport.close()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=2 * _POLL_S)

    # -- streams -----------------------------------------------------------------------------
    def open_stream(self, destination: str, timeout: float = 10.0) -> AdbStream:
        """Open ``destination`` (e.g. ``tcp:27042``); raises ``AdbLinkError`` if adbd refuses it."""
        if not self.is_alive():
            raise AdbLinkError(f"the ADB link is down ({self.error or 'not connected'})")
        stream = AdbStream(self, next(self._ids))
        self._streams[stream.local_id] = stream
        self.send(constants.OPEN, stream.local_id, 0, destination.encode() + b"\0")
        if not stream.opened.wait(timeout) or stream.closed.is_set():
            self.forget(stream)
            raise AdbLinkError(f"adbd refused to open {destination}")
        return stream

    def forget(self, stream: AdbStream) -> None:
        self._streams.pop(stream.local_id, None)

    # -- wire --------------------------------------------------------------------------------
    def send(self, command: bytes, arg0: int, arg1: int, data: bytes = b"") -> None:
        packed = AdbMessage(command, arg0, arg1, data).pack() + data
        with self._write_lock:
            try:
                while packed:
                    sent = self._transport.bulk_write(packed, 10.0)
                    packed = packed[sent if isinstance(sent, int) and sent > 0 else len(packed) :]
            except (OSError, TcpTimeoutException, AttributeError) as exc:
                raise AdbLinkError(f"write to adbd failed: {exc}") from exc

    def _read_exact(self, size: int, timeout: float | None) -> bytes:
        while len(self._buffer) < size:
            try:
                chunk = self._transport.bulk_read(max(size - len(self._buffer), 4096), timeout or _POLL_S)
            except TcpTimeoutException:
                if timeout is not None or self._stopping.is_set():
                    raise
                continue
            except (OSError, AttributeError) as exc:  # AttributeError: the transport was closed under us
                raise AdbLinkError(f"read from adbd failed: {exc}") from exc
            if not chunk:
                raise AdbLinkError("adbd closed the connection")
            self._buffer += chunk
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def _read_packet(self, timeout: float | None) -> tuple[bytes, int, int, bytes]:
        command, arg0, arg1, length, check, magic = _HEADER.unpack(self._read_exact(_HEADER.size, timeout))
        name = constants.WIRE_TO_ID.get(command)
        if name is None or magic != command ^ 0xFFFFFFFF:
            raise AdbLinkError(f"adbd sent a malformed header (command {command:#x})")
        data = self._read_exact(length, timeout) if length else b""
        if check and checksum(data) != check:
            raise AdbLinkError("adbd sent a packet with a bad checksum")
        return name, arg0, arg1, data

    def _read_loop(self) -> None:
        try:
            while not self._stopping.is_set():
                cmd, arg0, arg1, data = self._read_packet(None)
                stream = self._streams.get(arg1)
                if stream is None:
                    if cmd == constants.WRTE:  # a stream we already forgot: tell adbd it is gone
                        self.send(constants.CLSE, arg1, arg0)
                    continue
                if cmd == constants.OKAY:
                    if not stream.opened.is_set():
                        stream.remote_id = arg0
                        stream.opened.set()
                    else:
                        stream.acked.set()
                elif cmd == constants.WRTE:
                    stream._deliver(data)
                    self.send(constants.OKAY, stream.local_id, stream.remote_id)
                elif cmd == constants.CLSE:
                    stream._remote_closed()
                    stream.opened.set()
                    self.forget(stream)
        except (AdbLinkError, TcpTimeoutException) as exc:
            self.error = str(exc)
        finally:
            for stream in list(self._streams.values()):
                stream._remote_closed()
