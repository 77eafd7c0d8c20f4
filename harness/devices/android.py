"""The real-device Android driver: ``android:SERIAL`` and ``android:tcp:HOST:PORT``.

How the device is reached:

- ``android:SERIAL``: through the adb server on 127.0.0.1:5037 when one runs (it holds USB devices
  and emulators), else straight over USB with adb-shell's ``AdbDeviceUsb``;
- ``android:tcp:HOST:PORT``: straight to adbd over TCP with adb-shell's ``AdbDeviceTcp`` (after
  ``adb tcpip 5555``, or an emulator's console port + 1), signed with ``~/.android/adbkey``.

The device is built from parts: ``shell`` (:class:`~.android_lib.shell.Shell`), ``app``
(:class:`~.android_lib.app.AndroidApp`), ``env`` (:class:`~.android_lib.env.AndroidEnv`), ``logcat``
and ``forward()`` (in-process port forwards), and ``sdk``, which is the Frida transport, created on
first use. See docs/real-devices-android.md for how the SDK's traffic reaches the collector.
"""

from __future__ import annotations

import logging
import os
import socket
from urllib.parse import urlsplit, urlunsplit

from harness.devices.android_lib.adb_server import AdbServerClient, AdbServerError, server_address
from harness.devices.android_lib.app import AndroidApp
from harness.devices.android_lib.backend import AdbBackend, AdbShellBackend, ServerBackend
from harness.devices.android_lib.env import AndroidEnv, Logcat
from harness.devices.android_lib.shell import Shell
from harness.devices.base import (
    AppControl,
    AppTarget,
    Capability,
    DeviceInfo,
    LazySdk,
    NoApp,
    SdkTransport,
    UriLogger,
)
from harness.devices.portforward import PortForward, stop_forwards
from harness.errors import DeviceError, DeviceNotFound, did_you_mean

__all__ = ["FRIDA_PORT", "AndroidDevice", "collector_url_for"]

FRIDA_PORT = 27042
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def collector_url_for(base_url: str, *, emulator: bool, device_host: str | None = None) -> str:
    """The URL the app on the device must use to reach a collector the host serves at ``base_url``.

    Args:
        base_url: the collector's URL as seen from the host (often ``http://127.0.0.1:PORT/d/...``).
        emulator: the device is an Android emulator, which reaches the host's loopback at 10.0.2.2.
        device_host: for a device on the network (``android:tcp:``), its address; the host's address
            on the route to it replaces a loopback host (the collector must then listen on 0.0.0.0).

    Returns:
        ``base_url`` with its host rewritten where needed; unchanged when it is already routable or
        when nothing better is known (a USB phone without LAN: use in-app capture instead).
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if host not in _LOOPBACK:
        return base_url
    if emulator:
        new_host = "10.0.2.2"
    elif device_host and device_host not in _LOOPBACK:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect((device_host, 9))  # UDP connect sends nothing; it only picks a route
                new_host = probe.getsockname()[0]
        except OSError:
            return base_url
    else:
        return base_url
    netloc = new_host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class AndroidDevice:
    """One Android phone or emulator reached over ADB.

    Args:
        uri: ``android:SERIAL`` or ``android:tcp:HOST:PORT``.
        backend: the ADB connection (chosen from the URI by :meth:`from_uri`).
        emulator: whether the device is an emulator (``None``: ask the device in ``open()``).
    """

    scheme = "android"
    platform = "android"
    capabilities = frozenset(
        {Capability.BACKGROUND, Capability.NETWORK, Capability.PUSH_PERMISSION, Capability.FRESH_INSTALL}
    )

    def __init__(self, uri: str, backend: AdbBackend, *, host: str | None = None, emulator: bool | None = None) -> None:
        self.uri = uri
        self.log = UriLogger(logging.getLogger(__name__), {"uri": uri})
        self.backend = backend
        self.host = host
        self.emulator = emulator
        self.shell = Shell(uri, backend)
        self.env = AndroidEnv(uri, self.shell)
        self.logcat = Logcat(self.shell, self.env)
        self.sdk: SdkTransport = LazySdk(self.make_sdk_transport)  # Frida, built on first call
        self.app: AppControl = NoApp(uri)
        self._forwards: list[PortForward] = []
        self.target: AppTarget | None = None
        self.app_base_url: str | None = None

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_uri(cls, uri: str) -> AndroidDevice:
        scheme, _, rest = uri.partition(":")
        if scheme != cls.scheme or not rest:
            raise DeviceError(uri, "an Android URI looks like android:SERIAL or android:tcp:HOST:PORT")
        if rest.startswith("tcp:"):
            host, sep, port = rest[4:].rpartition(":")
            if not sep or not host or not port.isdigit():
                raise DeviceError(uri, "an Android TCP URI looks like android:tcp:HOST:PORT")
            return cls(uri, AdbShellBackend(uri, host=host, port=int(port)), host=host)
        serial = rest
        client = AdbServerClient(timeout=2.0)
        try:
            client.devices()
        except AdbServerError:
            return cls(uri, AdbShellBackend(uri, serial=serial), emulator=serial.startswith("emulator-") or None)
        return cls(uri, ServerBackend(uri, serial, client), emulator=serial.startswith("emulator-") or None)

    @classmethod
    def discover(cls) -> list[DeviceInfo]:
        """Devices on the adb server (if one listens) and in ``$HARNESS_ANDROID_TCP`` (``host:port,...``)."""
        found: list[DeviceInfo] = []
        try:
            listed = AdbServerClient(timeout=1.0).devices()
        except AdbServerError:
            listed = []
        for entry in listed:
            uri = f"android:{entry.serial}"
            if entry.state != "device":
                found.append(
                    DeviceInfo(uri, "android", entry.properties.get("model", "?"), "?", f"unusable: {entry.state}")
                )
                continue
            found.append(cls._describe_quietly(uri))
        for address in filter(None, (a.strip() for a in os.environ.get("HARNESS_ANDROID_TCP", "").split(","))):
            found.append(cls._describe_quietly(f"android:tcp:{address}"))
        return found

    @classmethod
    def _describe_quietly(cls, uri: str) -> DeviceInfo:
        try:
            device = cls.from_uri(uri)
            try:
                return device.describe()
            finally:
                device.close()
        except DeviceError as exc:
            return DeviceInfo(uri, "android", "?", "?", f"unreachable: {exc.problem}")

    # -- the Device contract -----------------------------------------------------------------
    def getprop(self, name: str) -> str:
        return self.shell.run(f"getprop {name}").output.strip()

    def describe(self) -> DeviceInfo:
        model = self.getprop("ro.product.model") or "?"
        release = self.getprop("ro.build.version.release") or "?"
        return DeviceInfo(self.uri, "android", model, release, self.frida_status())

    def frida_status(self) -> bool | str:
        """True when frida-server answers on 27042 through ADB; a reason string when it only runs."""
        try:
            stream = self.backend.open_stream(f"tcp:{FRIDA_PORT}")
        except DeviceError:
            stream = None
        if stream is not None:
            stream.close()
            return True
        running = self.shell.run("pidof frida-server").ok
        return "frida-server runs but port 27042 is closed" if running else False

    def is_emulator(self) -> bool:
        if self.emulator is None:
            self.emulator = self.getprop("ro.kernel.qemu") == "1" or self.getprop("ro.boot.qemu") == "1"
        return self.emulator

    def preflight(self) -> None:
        """Before a run: the device answers (and, through an adb server, is listed there), Frida is installed.

        An unknown serial is named together with the serials the adb server does have, or with the
        address where no adb server answered, so a typo or a stopped server shows at once.
        """
        if isinstance(self.backend, ServerBackend):
            self._check_listed(self.backend)
        else:
            try:
                self.getprop("ro.product.model")
            except DeviceError as exc:
                if self.host is not None:
                    raise
                host, port = server_address()
                raise DeviceNotFound(self.uri, f"no adb server answered at {host}:{port}, and {exc.problem}") from exc
        try:
            import frida  # noqa: F401  # SDK calls go through the Frida agent
        except ImportError as exc:
            raise DeviceError(
                self.uri, f"the frida package is not installed ({exc}): pip install 'engagement-harness[frida]'"
            ) from exc

    def _check_listed(self, backend: ServerBackend) -> None:
        host, port = backend.client.address
        try:
            listed = backend.client.devices()
        except AdbServerError as exc:
            raise DeviceNotFound(self.uri, f"no adb server answered at {host}:{port} ({exc})") from exc
        states = {entry.serial: entry.state for entry in listed}
        if backend.serial not in states:
            has = f"it has {', '.join(sorted(states))}" if states else "it lists no devices"
            hint = did_you_mean(backend.serial, states)
            raise DeviceNotFound(
                self.uri, f"the adb server at {host}:{port} has no device {backend.serial!r} ({has}){hint}"
            )
        if states[backend.serial] != "device":
            raise DeviceError(
                self.uri, f"the adb server at {host}:{port} lists {backend.serial} as {states[backend.serial]}"
            )

    def open(self, target: AppTarget) -> None:
        if not target.package:
            raise DeviceError(self.uri, "AppTarget.package is required on a real Android device")
        apk = target.options.get("apk")
        self.app = AndroidApp(self.uri, self.shell, target.package, apk=str(apk) if apk else None)
        self.env.package = target.package
        self.target = target
        self.app_base_url = collector_url_for(target.base_url, emulator=self.is_emulator(), device_host=self.host)
        if self.app_base_url != target.base_url:
            self.log.info("the app reaches the collector at %s", self.app_base_url)

    def settle(self, timeout: float) -> bool:
        """A phone cannot tell when the SDK's queue is empty without the agent's help."""
        return False

    def forward(self, device_port: int, local_port: int = 0, destination: str | None = None) -> PortForward:
        """Forward ``127.0.0.1:local_port`` to ``tcp:device_port`` on the device; stopped by ``close()``."""
        forward = PortForward(self.backend, destination or f"tcp:{device_port}", local_port)
        forward.start()
        self._forwards.append(forward)
        return forward

    def make_sdk_transport(self) -> SdkTransport:
        """The Frida transport to the app, through a forward of frida-server's port (lazy import)."""
        if self.target is None or not self.target.package:
            raise DeviceError(self.uri, "no app is open: call open(AppTarget(package=...)) first")
        try:
            from harness.instrument.frida_transport import connect_frida
        except ImportError as exc:
            raise DeviceError(
                self.uri,
                f"SDK calls on a real device need the Frida layer: {exc} (pip install 'engagement-harness[frida]')",
            ) from exc
        port = int(self.target.options.get("frida_port", FRIDA_PORT))
        forward = self.forward(port)
        from harness.instrument.frida_session import agents_for

        return connect_frida(
            self.uri,
            agents_for("android", self.target.options.get("agent"), self.target.options.get("sdk")),
            self.target.package,
            forward.local_port,
            self.target.options,
            capture=self.target.in_app_capture,
        )

    def close(self) -> None:
        stop_forwards(self._forwards, self.log)
        try:
            self.backend.close()
        except Exception as exc:
            self.log.warning("closing the ADB connection failed: %s", exc)
