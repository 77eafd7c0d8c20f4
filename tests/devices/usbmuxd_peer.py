"""A usbmuxd that speaks the plist protocol on 127.0.0.1 and lists the UDIDs it is given.

usbmuxd's wire format (libusbmuxd ``usbmuxd-proto.h``): a 16-byte little-endian header (length,
version 1 = plist, message 8 = plist, tag) and an XML plist; every request is answered with the
same tag. It answers what pymobiledevice3's ``list_devices`` asks (``ReadBUID``, ``ListDevices``),
so the driver's preflight runs through the real library against it (``USBMUXD_SOCKET_ADDRESS``).
"""

from __future__ import annotations

import plistlib
import socket
import struct
import threading


class FakeUsbmuxd:
    def __init__(self, udids: list[str]) -> None:
        self.udids = udids
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
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

    def _answer(self, message: dict[str, object]) -> dict[str, object]:
        kind = message.get("MessageType")
        if kind == "ReadBUID":
            return {"BUID": "00000000-1111-2222-3333-444444444444"}
        if kind == "ListDevices":
            return {
                "DeviceList": [
                    {
                        "MessageType": "Attached",
                        "DeviceID": n,
                        "Properties": {"SerialNumber": udid, "ConnectionType": "USB", "DeviceID": n},
                    }
                    for n, udid in enumerate(self.udids, start=1)
                ]
            }
        return {"MessageType": "Result", "Number": 1}  # BADCOMMAND

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                while True:
                    head = _recv(conn, 16)
                    length, _version, _message, tag = struct.unpack("<IIII", head)
                    request = plistlib.loads(_recv(conn, length - 16))
                    body = plistlib.dumps(self._answer(request))
                    conn.sendall(struct.pack("<IIII", 16 + len(body), 1, 8, tag) + body)
            except (ConnectionError, OSError):
                return


def _recv(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data
