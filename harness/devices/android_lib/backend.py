"""The two ways to reach adbd: adb-shell directly (USB or TCP), or a running adb server.

Both give the driver the same four things (:class:`AdbBackend`): run a ``shell:`` command, push a
file, open a device stream (``tcp:PORT``) for port forwarding, and close. Library errors are
translated here, at the edge, into :class:`~harness.errors.DeviceError` naming the URI.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from harness.devices.android_lib.adb_server import AdbServerClient, AdbServerError
from harness.devices.android_lib.adblink import AdbLink, AdbLinkError
from harness.devices.portforward import Stream
from harness.errors import DeviceError, DeviceNotFound

__all__ = ["AdbBackend", "AdbShellBackend", "ServerBackend", "load_signers"]

log = logging.getLogger(__name__)


class AdbBackend(Protocol):
    """What the Android driver needs from an ADB connection."""

    def shell(self, command: str, timeout: float) -> bytes:
        """Raw output of ``shell:command``; raises ``DeviceError`` (timeout included)."""
        ...

    def push(self, local_path: str, device_path: str, timeout: float) -> None: ...

    def open_stream(self, destination: str) -> Stream: ...

    def close(self) -> None: ...


def load_signers(uri: str) -> list[Any]:
    """The adb host key (``$HARNESS_ADBKEY`` or ``~/.android/adbkey``), created like adb does if absent."""
    from adb_shell.auth.keygen import keygen
    from adb_shell.auth.sign_pythonrsa import PythonRSASigner

    path = Path(os.environ.get("HARNESS_ADBKEY") or Path.home() / ".android" / "adbkey")
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            keygen(str(path))
            log.info("created adb key %s (accept it on the device when asked)", path)
        return [PythonRSASigner.FromRSAKeyPath(str(path))]
    except (OSError, ValueError) as exc:
        raise DeviceError(uri, f"cannot load the adb key {path}: {exc}") from exc


class AdbShellBackend:
    """adbd through adb-shell: ``AdbDeviceTcp`` for ``android:tcp:HOST:PORT``, ``AdbDeviceUsb`` for USB.

    adb-shell runs one command at a time, so calls are serialised; a call that fails drops the
    connection and the next call reconnects. Port forwards use a second connection (:class:`AdbLink`)
    because adb-shell cannot multiplex long-lived streams; over USB only one connection can claim
    the device, so forwarding there needs the adb server (or ``adb tcpip`` and ``android:tcp:``).
    """

    def __init__(
        self,
        uri: str,
        *,
        host: str | None = None,
        port: int = 5555,
        serial: str | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self.uri = uri
        self._host, self._port, self._serial = host, port, serial
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._device: Any = None
        self._signers: list[Any] | None = None
        self._link: AdbLink | None = None

    def _adb(self) -> Any:
        if self._device is not None:
            return self._device
        from adb_shell import exceptions as adb_exc
        from adb_shell.adb_device import AdbDeviceTcp, AdbDeviceUsb

        if self._signers is None:
            self._signers = load_signers(self.uri)
        try:
            if self._host is not None:
                device = AdbDeviceTcp(self._host, self._port, default_transport_timeout_s=self._connect_timeout)
            else:
                device = AdbDeviceUsb(serial=self._serial, default_transport_timeout_s=self._connect_timeout)
            device.connect(
                rsa_keys=self._signers,
                auth_timeout_s=self._connect_timeout,
                read_timeout_s=self._connect_timeout,
            )
        except adb_exc.DeviceAuthError as exc:
            raise DeviceError(self.uri, f"adbd refused our key; accept the prompt on the device ({exc})") from exc
        except (adb_exc.UsbDeviceNotFoundError, adb_exc.InvalidTransportError) as exc:
            raise DeviceNotFound(self.uri, f"no USB device answers: {exc}") from exc
        except (OSError, adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError) as exc:
            raise DeviceNotFound(self.uri, f"cannot connect to adbd: {exc}") from exc
        except Exception as exc:  # adb-shell raises several unrelated classes while connecting
            raise DeviceError(self.uri, f"adb connection failed: {type(exc).__name__}: {exc}") from exc
        self._device = device
        return device

    def _drop(self) -> None:
        if self._device is not None:
            try:
                self._device.close()
            except Exception as exc:  # closing a broken connection must not hide the first error
                log.debug("closing adb-shell device: %s", exc)
        self._device = None

    def shell(self, command: str, timeout: float) -> bytes:
        from adb_shell import exceptions as adb_exc

        with self._lock:
            device = self._adb()
            try:
                out = device.shell(command, read_timeout_s=timeout, timeout_s=timeout, decode=False)
            except (adb_exc.AdbTimeoutError, adb_exc.TcpTimeoutException) as exc:
                self._drop()
                raise DeviceError(
                    self.uri, f"`{command}` got no answer within {timeout:g}s (device gone or hung): {exc}"
                ) from exc
            except (
                OSError,
                adb_exc.AdbConnectionError,
                adb_exc.InvalidChecksumError,
                adb_exc.InvalidCommandError,
                adb_exc.InvalidResponseError,
                ValueError,
            ) as exc:
                self._drop()
                raise DeviceError(self.uri, f"connection lost during `{command}`: {exc}") from exc
        return bytes(out)

    def push(self, local_path: str, device_path: str, timeout: float) -> None:
        from adb_shell import exceptions as adb_exc

        with self._lock:
            device = self._adb()
            try:
                device.push(local_path, device_path, read_timeout_s=timeout)
            except (adb_exc.PushFailedError, adb_exc.AdbCommandFailureException) as exc:
                raise DeviceError(self.uri, f"push of {local_path} to {device_path} failed: {exc}") from exc
            except (OSError, adb_exc.AdbTimeoutError, adb_exc.TcpTimeoutException, ValueError) as exc:
                self._drop()
                raise DeviceError(self.uri, f"push of {local_path} to {device_path} broke: {exc}") from exc

    def open_stream(self, destination: str) -> Stream:
        if self._host is None:
            raise DeviceError(
                self.uri,
                "port forwarding over direct USB needs the adb server (start it) "
                "or `adb tcpip` and an android:tcp: URI",
            )
        from adb_shell.transport.tcp_transport import TcpTransport

        with self._lock:
            if self._link is None or not self._link.is_alive():
                if self._signers is None:
                    self._signers = load_signers(self.uri)
                link = AdbLink(TcpTransport(self._host, self._port), self._signers)
                try:
                    link.connect(self._connect_timeout)
                except AdbLinkError as exc:
                    raise DeviceNotFound(self.uri, str(exc)) from exc
                self._link = link
            link = self._link
        try:
            return link.open_stream(destination)
        except AdbLinkError as exc:
            raise DeviceError(self.uri, f"cannot open {destination} on the device: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._drop()
            if self._link is not None:
                self._link.close()
                self._link = None


class ServerBackend:
    """adbd through a running adb server's host protocol (one socket per command or stream)."""

    def __init__(self, uri: str, serial: str, client: AdbServerClient | None = None) -> None:
        self.uri = uri
        self.serial = serial
        self.client = client or AdbServerClient()

    def _translate(self, exc: AdbServerError, doing: str) -> DeviceError:
        text = str(exc)
        if "not found" in text or "offline" in text or "no adb server" in text:
            return DeviceNotFound(self.uri, f"{doing}: {text}")
        if "unauthorized" in text:
            return DeviceError(self.uri, f"{doing}: the device has not accepted this host's adb key ({text})")
        return DeviceError(self.uri, f"{doing}: {text}")

    def shell(self, command: str, timeout: float) -> bytes:
        try:
            return self.client.shell(self.serial, command, timeout)
        except TimeoutError as exc:
            raise DeviceError(self.uri, f"`{command}` got no answer within {timeout:g}s") from exc
        except AdbServerError as exc:
            raise self._translate(exc, f"`{command}`") from exc

    def push(self, local_path: str, device_path: str, timeout: float) -> None:
        try:
            self.client.push(self.serial, local_path, device_path)
        except (AdbServerError, OSError) as exc:
            if isinstance(exc, AdbServerError):
                raise self._translate(exc, f"push to {device_path}") from exc
            raise DeviceError(self.uri, f"push to {device_path} broke: {exc}") from exc

    def open_stream(self, destination: str) -> Stream:
        try:
            sock = self.client.open_service(self.serial, destination)
        except AdbServerError as exc:
            raise self._translate(exc, f"open {destination}") from exc
        sock.settimeout(None)
        return sock

    def close(self) -> None:
        """Nothing is held between calls."""
