"""The real-device iOS driver: ``ios:UDID``, through pymobiledevice3 (optional extra ``ios``).

Parts: ``app`` (install/uninstall through installation_proxy, launch/kill through DVT process
control), ``env`` (device clock from lockdown; what iOS does not allow raises a clear ``DeviceError``),
``syslog`` (capture window), ``forward()`` (usbmux connections to a device port, e.g. a Frida gadget),
and ``sdk`` (the Frida transport, built on first call). See docs/real-devices-ios.md.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

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
from harness.devices.ios_lib.pmd3 import (
    AsyncRunner,
    ProviderFactory,
    connect_provider,
    list_udids,
    require_pmd3,
    usbmux_address,
)
from harness.devices.portforward import PortForward, Stream, stop_forwards
from harness.errors import AppCrashed, DeviceError, DeviceNotFound, did_you_mean

__all__ = ["FRIDA_PORT", "IosDevice"]

FRIDA_PORT = 27042
ProcessControlFactory = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]


@contextlib.asynccontextmanager
async def _dvt_process_control(provider: Any) -> AsyncIterator[Any]:
    """DVT ``ProcessControl`` over ``provider`` (needs the developer image; iOS 17+ needs tunneld)."""
    from pymobiledevice3.services.dvt.instruments.dvt_provider import DvtProvider
    from pymobiledevice3.services.dvt.instruments.process_control import ProcessControl

    async with DvtProvider(provider) as dvt, ProcessControl(dvt) as process_control:
        yield process_control


class IosApp:
    """:class:`~harness.devices.base.AppControl` for one bundle id."""

    def __init__(self, device: IosDevice, bundle_id: str, ipa: str | None) -> None:
        self.device = device
        self.bundle_id = bundle_id
        self.ipa = ipa

    def _installation_proxy(self) -> Any:
        from pymobiledevice3.services.installation_proxy import InstallationProxyService

        return InstallationProxyService(lockdown=self.device.provider())

    def is_installed(self) -> bool:
        proxy = self._installation_proxy()

        async def lookup() -> bool:
            result = await proxy.lookup({"BundleIDs": [self.bundle_id]})
            return bool(result and self.bundle_id in result)

        return self.device.runner.run(lookup(), f"look up {self.bundle_id}")

    def uninstall(self) -> None:
        self.device.runner.run(self._installation_proxy().uninstall(self.bundle_id), f"uninstall {self.bundle_id}")

    def install(self) -> None:
        """Fresh install from the IPA; iOS cannot wipe an app's data any other way."""
        if self.ipa is None:
            raise DeviceError(
                self.device.uri,
                "a fresh install on iOS needs the app's IPA in "
                "AppTarget.options['ipa'] (iOS cannot clear an app's data)",
            )
        if not Path(self.ipa).exists():
            raise DeviceError(self.device.uri, f"IPA {self.ipa} does not exist")
        if self.is_installed():
            self.uninstall()
        proxy = self._installation_proxy()
        self.device.runner.run(proxy.install_from_local(Path(self.ipa)), f"install {self.ipa}", timeout=600)

    def _pc(self, action: Callable[[Any], Any], doing: str) -> Any:
        provider = self.device.provider()

        async def go() -> Any:
            async with self.device.process_control(provider) as pc:
                return await action(pc)

        return self.device.runner.run(go(), doing)

    def pid(self) -> int:
        return int(
            self._pc(
                lambda pc: pc.process_identifier_for_bundle_identifier(self.bundle_id),
                f"find the process of {self.bundle_id}",
            )
            or 0
        )

    def is_running(self) -> bool:
        return self.pid() > 0

    def launch(self) -> None:
        if not self.is_installed():
            raise DeviceError(self.device.uri, f"app {self.bundle_id} is not installed")
        pid = self._pc(lambda pc: pc.launch(self.bundle_id, kill_existing=True), f"launch {self.bundle_id}")
        if not pid:
            raise AppCrashed(self.device.uri, f"{self.bundle_id} did not start")

    def kill(self) -> None:
        pid = self.pid()
        if pid:
            self._pc(lambda pc: pc.kill(pid), f"kill {self.bundle_id}")

    def background(self) -> None:
        """Send the app to the background by bringing Settings to the front (no home button API)."""
        if not self.is_running():
            raise AppCrashed(self.device.uri, f"{self.bundle_id} is not running")
        self._pc(lambda pc: pc.launch("com.apple.Preferences", kill_existing=False), "open Settings")

    def foreground(self) -> None:
        if not self.is_running():
            raise AppCrashed(self.device.uri, f"{self.bundle_id} is not running")
        self._pc(lambda pc: pc.launch(self.bundle_id, kill_existing=False), f"resume {self.bundle_id}")


class IosEnv:
    """:class:`~harness.devices.base.Environment` of an iOS device: the clock is readable, little else."""

    def __init__(self, device: IosDevice) -> None:
        self.device = device

    def now(self) -> float:
        provider = self.device.provider()

        async def read() -> float:
            return float(await provider.get_value(key="TimeIntervalSince1970"))

        return self.device.runner.run(read(), "read the device clock")

    def advance_clock(self, seconds: float) -> None:
        raise DeviceError(self.device.uri, "iOS does not let a host set the clock; use the virtual device")

    def set_network(self, online: bool) -> None:
        raise DeviceError(
            self.device.uri,
            "iOS has no host API to turn the network off; use a network link "
            "conditioner profile or the collector's answer rules",
        )

    def set_push_permission(self, granted: bool) -> None:
        raise DeviceError(
            self.device.uri,
            "iOS grants notification permission only through its own dialog; "
            "answer it once by hand, or stub it through the Frida agent",
        )

    def new_push_token(self, token: str) -> None:
        raise DeviceError(
            self.device.uri,
            "APNs issues tokens on a real device; call handleNewToken via device.sdk (the Frida agent) "
            "to register one as didRegisterForRemoteNotifications would",
        )

    def deliver_push(self, payload: Mapping[str, Any]) -> None:
        raise DeviceError(
            self.device.uri,
            "push delivery on a real iOS device goes through the Frida agent "
            "(device.sdk); no host API injects APNs payloads into a phone",
        )

    def click_push(self, payload: Mapping[str, Any], action: Mapping[str, Any] | None = None) -> None:
        raise DeviceError(self.device.uri, "push clicks on a real iOS device go through the Frida agent")


class IosDevice:
    """One iPhone or iPad reached through usbmuxd (and, on iOS 17+, a ``remote tunneld`` tunnel).

    Args:
        uri: ``ios:UDID``.
        provider_factory: async ``udid -> service provider`` (default: tunneld, else lockdown over usbmux).
        process_control: ``provider -> async context manager`` yielding a DVT ``ProcessControl``.
    """

    scheme = "ios"
    platform = "ios"
    capabilities = frozenset({Capability.BACKGROUND, Capability.FRESH_INSTALL})

    def __init__(
        self,
        uri: str,
        udid: str,
        provider_factory: ProviderFactory | None = None,
        process_control: ProcessControlFactory | None = None,
    ) -> None:
        self.uri = uri
        self.udid = udid
        self.log = UriLogger(logging.getLogger(__name__), {"uri": uri})
        self.runner = AsyncRunner(uri)
        self._provider_factory = provider_factory
        self.process_control: ProcessControlFactory = process_control or _dvt_process_control
        self._provider: Any = None
        self.app: AppControl = NoApp(uri, "open(AppTarget(package=BUNDLE_ID))")
        self.env = IosEnv(self)
        self.sdk: SdkTransport = LazySdk(self.make_sdk_transport)  # Frida, built on first call
        self.target: AppTarget | None = None
        self._forwards: list[PortForward] = []

    @classmethod
    def from_uri(cls, uri: str) -> IosDevice:
        scheme, _, udid = uri.partition(":")
        if scheme != cls.scheme or not udid:
            raise DeviceError(uri, "an iOS URI looks like ios:UDID")
        return cls(uri, udid)

    @classmethod
    def discover(cls) -> list[DeviceInfo]:
        """Devices usbmuxd knows; [] when pymobiledevice3 or usbmuxd is absent."""
        try:
            require_pmd3("ios:")
            udids = AsyncRunner("ios:").run(list_udids(), "list usbmux devices", timeout=5)
        except DeviceError:
            return []
        found = []
        for udid in udids:
            device = cls.from_uri(f"ios:{udid}")
            try:
                found.append(device.describe())
            except DeviceError as exc:
                found.append(DeviceInfo(device.uri, "ios", "?", "?", f"unreachable: {exc.problem}"))
            finally:
                device.close()
        return found

    def preflight(self) -> None:
        """Before a run: pymobiledevice3 is installed, usbmuxd answers, and it lists this UDID.

        Each says in one line what is missing: the ``ios`` extra, the usbmuxd that did not answer
        (and where it was looked for), or the UDIDs usbmuxd does list, so a typo shows at once.
        """
        require_pmd3(self.uri)
        address = usbmux_address()
        try:
            listed = self.runner.run(list_udids(), "list usbmux devices", timeout=10)
        except DeviceError as exc:
            cause = type(exc.__cause__).__name__ if exc.__cause__ else exc.problem
            raise DeviceNotFound(
                self.uri,
                f"usbmuxd is not reachable at {address} ({cause}): start usbmuxd (Linux: apt-get install usbmuxd) "
                "or set USBMUXD_SOCKET_ADDRESS",
            ) from exc
        wanted = self.udid.replace("-", "")
        if not any(udid.replace("-", "") == wanted for udid in listed):
            has = f"it lists {', '.join(sorted(listed))}" if listed else "it lists no devices"
            raise DeviceNotFound(
                self.uri,
                f"usbmuxd at {address} has no device {self.udid!r} ({has}){did_you_mean(self.udid, listed)}",
            )

    def provider(self) -> Any:
        """The connected service provider (lockdown client or RSD tunnel), connected on first use."""
        if self._provider is None:
            if self._provider_factory is None:
                require_pmd3(self.uri)
            factory = self._provider_factory or connect_provider
            self._provider = self.runner.run(factory(self.udid), "connect")
        return self._provider

    def describe(self) -> DeviceInfo:
        provider = self.provider()

        async def values() -> tuple[str, str]:
            return (
                str(await provider.get_value(key="ProductType")),
                str(await provider.get_value(key="ProductVersion")),
            )

        model, version = self.runner.run(values(), "read device values")
        return DeviceInfo(self.uri, "ios", model, version, self.frida_status())

    def frida_status(self) -> bool:
        try:
            self.open_stream(f"tcp:{FRIDA_PORT}").close()
        except DeviceError:
            return False
        return True

    def open_stream(self, destination: str) -> Stream:
        """A usbmux connection to ``tcp:PORT`` on the device (a blocking socket)."""
        port = int(destination.removeprefix("tcp:"))

        async def connect() -> socket.socket:
            from pymobiledevice3.usbmux import select_device

            mux_device = await select_device(self.udid)
            if mux_device is None:
                raise DeviceError(self.uri, "usbmuxd does not list this device")
            sock: socket.socket = await mux_device.connect(port)
            sock.setblocking(True)
            return sock

        require_pmd3(self.uri)
        return self.runner.run(connect(), f"connect to device port {port}", timeout=10)

    def forward(self, device_port: int, local_port: int = 0) -> PortForward:
        """Forward ``127.0.0.1:local_port`` to ``device_port`` over usbmux (like ``iproxy``)."""
        forward = PortForward(self, f"tcp:{device_port}", local_port)
        forward.start()
        self._forwards.append(forward)
        return forward

    def open(self, target: AppTarget) -> None:
        if not target.package:
            raise DeviceError(self.uri, "AppTarget.package (the bundle id) is required on a real iOS device")
        ipa = target.options.get("ipa")
        self.app = IosApp(self, target.package, str(ipa) if ipa else None)
        self.target = target

    def settle(self, timeout: float) -> bool:
        return False

    def syslog(self, seconds: float) -> list[str]:
        """Syslog lines for the next ``seconds`` (the syslog relay only streams live lines)."""
        import asyncio

        provider = self.provider()

        async def collect() -> list[str]:
            from pymobiledevice3.services.syslog import SyslogService

            lines: list[str] = []

            async def read() -> None:
                async for line in SyslogService(provider).watch():
                    lines.append(line if isinstance(line, str) else line.decode("utf-8", "replace"))

            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(read(), seconds)
            return lines

        return self.runner.run(collect(), "read syslog", timeout=seconds + 30)

    def make_sdk_transport(self) -> SdkTransport:
        """Frida transport through a usbmux forward to the gadget/server port (lazy import).

        Spawns or attaches a ``FridaSession`` (the SDK plug-in's iOS agents) through a usbmux forward to the gadget.
        """
        if self.target is None or not self.target.package:
            raise DeviceError(self.uri, "no app is open: call open(AppTarget(package=BUNDLE_ID)) first")
        try:
            from harness.instrument.frida_transport import connect_frida
        except ImportError as exc:
            raise DeviceError(self.uri, f"SDK calls on a real device need the Frida layer: {exc}") from exc
        forward = self.forward(int(self.target.options.get("frida_port", FRIDA_PORT)))
        from harness.instrument.frida_session import agents_for

        return connect_frida(
            self.uri,
            agents_for("ios", self.target.options.get("agent"), self.target.options.get("sdk")),
            self.target.package,
            forward.local_port,
            self.target.options,
            capture=self.target.in_app_capture,
        )

    def close(self) -> None:
        stop_forwards(self._forwards, self.log)
        if self._provider is not None and hasattr(self._provider, "close"):
            try:
                self.runner.run(self._provider.close(), "close the connection", timeout=5)
            except DeviceError as exc:
                self.log.warning("%s", exc)
        self._provider = None
        self.runner.close()
