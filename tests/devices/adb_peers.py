"""In-test ADB peers on loopback: a fake adbd (the ADB wire protocol) and a fake adb server (host protocol).

Both answer ``shell:`` commands from a :class:`ShellTable`, accept ``sync:`` pushes, and bridge
``tcp:PORT`` streams to real local sockets, so the driver's real code paths and the real adb-shell
library run end to end. The fake adbd checks every header's magic and checksum and, when given a key,
verifies the host's AUTH signature with it.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

HEADER = struct.Struct("<6I")
MARK = re.compile(r"; echo __harness_rc=\$\?$")
HANGUP = object()  # a table answer that makes the peer drop the connection


def wire(cmd: bytes) -> int:
    return struct.unpack("<I", cmd)[0]


def pack(cmd: bytes, arg0: int, arg1: int, data: bytes = b"") -> bytes:
    return HEADER.pack(wire(cmd), arg0, arg1, len(data), sum(data) & 0xFFFFFFFF, wire(cmd) ^ 0xFFFFFFFF) + data


def recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("peer closed")
        data += chunk
    return bytes(data)


Answer = tuple[int, str] | object | Callable[[str], "tuple[int, str] | object"]


@dataclass
class ShellTable:
    """Answers for shell commands: exact command -> (exit status, output), first match wins.

    Patterns (keys starting with ``re:``) match with ``re.fullmatch``. Unknown commands exit 127.
    """

    answers: dict[str, Answer] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    pushed: dict[str, bytes] = field(default_factory=dict)

    def answer(self, raw: str) -> tuple[int, str] | object:
        command = MARK.sub("", raw)
        self.commands.append(command)
        for key, value in self.answers.items():
            hit = key[3:] if key.startswith("re:") else None
            if (hit is not None and re.fullmatch(hit, command)) or key == command:
                return value(command) if callable(value) else value
        return (127, f"/system/bin/sh: {command.split()[0] if command else ''}: not found\n")

    def render(self, raw: str) -> bytes | object:
        result = self.answer(raw)
        if result is HANGUP:
            return HANGUP
        status, output = result  # type: ignore[misc]
        if raw.endswith("__harness_rc=$?"):
            output += f"__harness_rc={status}\n"
        return output.encode()


def parse_sync(buffer: bytearray) -> tuple[str, bytes] | None:
    """A complete SEND..DONE file in ``buffer`` (consumed), or None if more bytes are needed."""
    pos, path, content = 0, None, bytearray()
    while pos + 8 <= len(buffer):
        ident, size = struct.unpack("<4sI", buffer[pos : pos + 8])
        if ident == b"DONE":
            del buffer[: pos + 8]
            return str(path), bytes(content)
        if pos + 8 + size > len(buffer):
            return None
        body = bytes(buffer[pos + 8 : pos + 8 + size])
        if ident == b"SEND":
            path = body.decode().rsplit(",", 1)[0]
        elif ident == b"DATA":
            content += body
        pos += 8 + size
    return None


class FakeAdbd:
    """adbd on 127.0.0.1: CNXN/AUTH/OPEN/OKAY/WRTE/CLSE with real headers and checksums.

    Args:
        table: shell answers.
        private_key: path of an adb private key; when given, AUTH is required and verified.
        maxdata: the maxdata announced in CNXN (small values force chunked writes).
        ports: device port -> local port for ``tcp:`` streams (default: the same number).
    """

    def __init__(
        self,
        table: ShellTable,
        private_key: str | None = None,
        maxdata: int = 4096,
        ports: dict[int, int] | None = None,
    ) -> None:
        self.table = table
        self.private_key = private_key
        self.maxdata = maxdata
        self.ports = ports or {}
        self.errors: list[str] = []
        self.auth_ok = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=_AdbdConnection(self, conn).run, daemon=True).start()

    def verify(self, token: bytes, signature: bytes) -> bool:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, utils

        assert self.private_key is not None
        with open(self.private_key, "rb") as fh:
            key = serialization.load_pem_private_key(fh.read(), None)
        try:
            key.public_key().verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))  # type: ignore[union-attr,call-arg]
        except Exception:
            return False
        return True


class _AdbdConnection:
    def __init__(self, server: FakeAdbd, conn: socket.socket) -> None:
        self.server = server
        self.conn = conn
        self.lock = threading.Lock()
        self.streams: dict[int, queue.Queue[tuple[bytes, bytes]]] = {}
        self.next_id = 100

    def send(self, cmd: bytes, arg0: int, arg1: int, data: bytes = b"") -> None:
        with self.lock:
            self.conn.sendall(pack(cmd, arg0, arg1, data))

    def read(self) -> tuple[bytes, int, int, bytes]:
        cmd, arg0, arg1, length, check, magic = HEADER.unpack(recv_exact(self.conn, HEADER.size))
        name = struct.pack("<I", cmd)
        data = recv_exact(self.conn, length) if length else b""
        if magic != cmd ^ 0xFFFFFFFF:
            self.server.errors.append(f"bad magic on {name!r}")
        if length and check != (sum(data) & 0xFFFFFFFF):
            self.server.errors.append(f"bad checksum on {name!r}")
        return name, arg0, arg1, data

    def run(self) -> None:
        try:
            self._handshake()
            while True:
                cmd, arg0, arg1, data = self.read()
                if cmd == b"OPEN":
                    self._open(arg0, data.rstrip(b"\0").decode())
                elif arg1 in self.streams:
                    self.streams[arg1].put((cmd, data))
        except (ConnectionError, OSError, struct.error):
            for stream in self.streams.values():
                stream.put((b"CLSE", b""))

    def _handshake(self) -> None:
        cmd, _, _, _ = self.read()
        assert cmd == b"CNXN", cmd
        if self.server.private_key:
            while True:
                token = os.urandom(20)
                self.send(b"AUTH", 1, 0, token)
                cmd, kind, _, data = self.read()
                if cmd == b"AUTH" and kind == 2 and self.server.verify(token, data):
                    self.server.auth_ok += 1
                    break
        self.send(b"CNXN", 0x01000000, self.server.maxdata, b"device::ro.product.model=FakePixel;\0")

    def _open(self, local: int, destination: str) -> None:
        self.next_id += 1
        remote = self.next_id
        inbox: queue.Queue[tuple[bytes, bytes]] = queue.Queue()
        if destination.startswith("shell:"):
            target = self._shell
        elif destination == "sync:":
            target = self._sync
        elif destination.startswith("tcp:"):
            port = int(destination[4:])
            try:
                sock = socket.create_connection(("127.0.0.1", self.server.ports.get(port, port)), timeout=2)
            except OSError:
                self.send(b"CLSE", 0, local)
                return
            sock.settimeout(None)
            self.streams[remote] = inbox
            self.send(b"OKAY", remote, local)
            threading.Thread(target=self._tcp, args=(remote, local, inbox, sock), daemon=True).start()
            return
        else:
            self.send(b"CLSE", 0, local)
            return
        self.streams[remote] = inbox
        self.send(b"OKAY", remote, local)
        threading.Thread(target=target, args=(remote, local, inbox, destination), daemon=True).start()

    def _write(self, remote: int, local: int, inbox: queue.Queue[tuple[bytes, bytes]], data: bytes) -> bool:
        for start in range(0, len(data), self.server.maxdata):
            self.send(b"WRTE", remote, local, data[start : start + self.server.maxdata])
            cmd, _ = inbox.get()
            if cmd != b"OKAY":
                return False
        return True

    def _shell(self, remote: int, local: int, inbox: queue.Queue[tuple[bytes, bytes]], destination: str) -> None:
        out = self.server.table.render(destination[len("shell:") :])
        if out is HANGUP:
            self.conn.shutdown(socket.SHUT_RDWR)
            self.conn.close()
            return
        assert isinstance(out, bytes)
        if self._write(remote, local, inbox, out):
            self.send(b"CLSE", remote, local)

    def _sync(self, remote: int, local: int, inbox: queue.Queue[tuple[bytes, bytes]], _: str) -> None:
        buffer = bytearray()
        while True:
            cmd, data = inbox.get()
            if cmd == b"CLSE":
                self.send(b"CLSE", remote, local)
                return
            if cmd != b"WRTE":
                continue
            self.send(b"OKAY", remote, local)
            buffer += data
            done = parse_sync(buffer)
            if done is not None:
                self.server.table.pushed[done[0]] = done[1]
                self._write(remote, local, inbox, b"OKAY\0\0\0\0")

    def _tcp(self, remote: int, local: int, inbox: queue.Queue[tuple[bytes, bytes]], sock: socket.socket) -> None:
        acks: queue.Queue[bytes] = queue.Queue()

        def down() -> None:  # real socket -> host, one WRTE in flight
            try:
                while data := sock.recv(self.server.maxdata):
                    self.send(b"WRTE", remote, local, data)
                    if acks.get() != b"OKAY":
                        return
            except OSError:
                pass
            self.send(b"CLSE", remote, local)

        threading.Thread(target=down, daemon=True).start()
        while True:
            cmd, data = inbox.get()
            if cmd == b"WRTE":
                sock.sendall(data)
                self.send(b"OKAY", remote, local)
            elif cmd == b"OKAY":
                acks.put(b"OKAY")
            elif cmd == b"CLSE":
                acks.put(b"CLSE")
                sock.close()
                return


class FakeAdbServer:
    """The adb server's host protocol on 127.0.0.1, with one device ``serial``."""

    def __init__(self, table: ShellTable, serial: str = "R58M123ABC", state: str = "device") -> None:
        self.table = table
        self.serial = serial
        self.state = state
        self.requests: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _request(self, conn: socket.socket) -> str:
        request = recv_exact(conn, int(recv_exact(conn, 4), 16)).decode()
        self.requests.append(request)
        return request

    @staticmethod
    def _fail(conn: socket.socket, message: str) -> None:
        conn.sendall(b"FAIL" + b"%04x" % len(message) + message.encode())
        conn.close()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._request(conn)
            if request == "host:devices-l":
                text = (
                    f"{self.serial}  {self.state} usb:1-1 product:oriole model:Pixel_6 device:oriole transport_id:3\n"
                )
                conn.sendall(b"OKAY" + b"%04x" % len(text) + text.encode())
                conn.close()
                return
            if request != f"host:transport:{self.serial}":
                self._fail(conn, f"device '{request.rsplit(':', 1)[-1]}' not found")
                return
            conn.sendall(b"OKAY")
            service = self._request(conn)
            if service.startswith("shell:"):
                conn.sendall(b"OKAY")
                out = self.table.render(service[len("shell:") :])
                if out is not HANGUP:
                    conn.sendall(out)  # type: ignore[arg-type]
                conn.close()
            elif service == "sync:":
                conn.sendall(b"OKAY")
                buffer = bytearray()
                while (done := parse_sync(buffer)) is None:
                    buffer += recv_exact(conn, 1) if not buffer else conn.recv(65536)
                self.table.pushed[done[0]] = done[1]
                conn.sendall(b"OKAY\0\0\0\0")
                conn.close()
            elif service.startswith("tcp:"):
                try:
                    upstream = socket.create_connection(("127.0.0.1", int(service[4:])), timeout=2)
                except OSError:
                    self._fail(conn, "connection refused")
                    return
                conn.sendall(b"OKAY")
                _bridge(conn, upstream)
            else:
                self._fail(conn, f"unknown service {service}")
        except (ConnectionError, OSError):
            conn.close()


def _bridge(a: socket.socket, b: socket.socket) -> None:
    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    threading.Thread(target=pump, args=(a, b), daemon=True).start()
    threading.Thread(target=pump, args=(b, a), daemon=True).start()


class EchoServer:
    """A real TCP echo server on loopback (stands in for frida-server behind the forward)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn: socket.socket) -> None:
        with conn:
            try:
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                pass
