"""The iOS driver at pymobiledevice3's boundary: real library service classes over a fake provider."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.devices.base import AppTarget, Device, DriverClass
from harness.devices.ios import IosDevice
from harness.devices.registry import check_ready
from harness.errors import AppCrashed, DeviceError, DeviceNotFound
from tests.devices.usbmuxd_peer import FakeUsbmuxd

UDID = "00008110-001A2B3C4D5E801E"
BUNDLE = "com.example.shop"


def test_missing_pymobiledevice3_gives_the_install_message():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pymobiledevice3"] = None  # blocks the import like an absent package
        from harness.devices.ios import IosDevice
        from harness.errors import DeviceError
        assert IosDevice.discover() == []
        try:
            IosDevice.from_uri("ios:ABC").describe()
        except DeviceError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "ios:ABC: iOS devices need pymobiledevice3: pip install 'engagement-harness[ios]'"


def test_preflight_without_pymobiledevice3_names_the_extra():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pymobiledevice3"] = None
        from harness.devices.ios import IosDevice
        from harness.devices.registry import check_ready
        from harness.errors import DeviceError
        try:
            check_ready(IosDevice.from_uri("ios:ABC"))
        except DeviceError as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ios:ABC: iOS devices need pymobiledevice3: pip install 'engagement-harness[ios]'"


pytest.importorskip("pymobiledevice3")


class FakeServiceConnection:
    """The ServiceConnection shape InstallationProxyService uses: send_plist / recv_plist."""

    def __init__(self, replies):
        self.sent = []
        self.replies = list(replies)

    async def send_plist(self, message):
        self.sent.append(message)

    async def recv_plist(self):
        return self.replies.pop(0)

    async def close(self):
        pass

    async def aclose(self):
        pass


class FakeProvider:
    """The LockdownServiceProvider shape the library calls (get_value, start_lockdown_service)."""

    def __init__(self, values=None, replies=None):
        self.values = values or {
            "ProductType": "iPhone15,2",
            "ProductVersion": "17.5.1",
            "TimeIntervalSince1970": 1763800000.25,
        }
        self.replies = replies or {}
        self.started = []
        self.connections = []

    async def get_value(self, domain=None, key=None):
        return self.values[key]

    async def start_lockdown_service(self, name, *args, **kwargs):
        self.started.append(name)
        conn = FakeServiceConnection(self.replies.get(name) or self.replies.get("*", []))
        self.connections.append(conn)
        return conn

    start_lockdown_developer_service = start_lockdown_service

    async def close(self):
        pass


class FakeProcessControl:
    """The shape of pymobiledevice3's ProcessControl that the driver calls."""

    def __init__(self):
        self.calls = []
        self.pids = {}

    async def launch(self, bundle_id, kill_existing=True, **kwargs):
        self.calls.append(("launch", bundle_id, kill_existing))
        self.pids[bundle_id] = 321
        return 321

    async def kill(self, pid):
        self.calls.append(("kill", pid))
        self.pids = {b: p for b, p in self.pids.items() if p != pid}

    async def process_identifier_for_bundle_identifier(self, bundle_id):
        return self.pids.get(bundle_id, 0)


def make(provider, pc=None):
    async def factory(udid):
        assert udid == UDID
        return provider

    @contextlib.asynccontextmanager
    async def process_control(p):
        assert p is provider
        yield pc

    return IosDevice(f"ios:{UDID}", UDID, provider_factory=factory, process_control=process_control)


INSTALLED = [{"LookupResult": {BUNDLE: {"CFBundleIdentifier": BUNDLE}}}]


def test_driver_contract():
    assert isinstance(IosDevice, DriverClass)
    dev = IosDevice.from_uri(f"ios:{UDID}")
    assert isinstance(dev, Device)
    with pytest.raises(DeviceError, match="ios:UDID"):
        IosDevice.from_uri("ios:")
    dev.close()


def test_discover_is_quiet_without_usbmuxd():
    assert IosDevice.discover() == []


def test_connect_without_usbmuxd_is_device_not_found():
    dev = IosDevice.from_uri(f"ios:{UDID}")
    with pytest.raises(DeviceNotFound, match=f"ios:{UDID}: connect: .*usbmuxd"):
        dev.describe()
    dev.close()


def test_preflight_without_usbmuxd_says_where_it_looked(monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", address)
    dev = IosDevice.from_uri(f"ios:{UDID}")
    with pytest.raises(DeviceNotFound) as caught:
        check_ready(dev)
    dev.close()
    assert str(caught.value).startswith(f"ios:{UDID}: usbmuxd is not reachable at {address} (")
    assert "\n" not in str(caught.value)


def test_preflight_names_the_udids_usbmuxd_lists(monkeypatch):
    other, typo = "00008030-000A1B2C3D4E5F60", UDID[:-1] + "F"
    mux = FakeUsbmuxd([other, typo])
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", mux.address)
    try:
        dev = IosDevice.from_uri(f"ios:{UDID}")
        with pytest.raises(DeviceNotFound) as caught:
            check_ready(dev)
        dev.close()
        mux.udids = [UDID.replace("-", "")]  # usbmuxd may drop the dash of a new-style UDID
        listed = IosDevice.from_uri(f"ios:{UDID}")
        check_ready(listed)  # listed: ready
        listed.close()
    finally:
        mux.close()
    assert str(caught.value) == (
        f"ios:{UDID}: usbmuxd at {mux.address} has no device '{UDID}' (it lists {other}, {typo}); "
        f"did you mean '{typo}'?"
    )


def test_describe_and_clock_from_lockdown_values():
    provider = FakeProvider()
    dev = make(provider)
    info = dev.describe()
    assert (info.model, info.os_version, info.platform) == ("iPhone15,2", "17.5.1", "ios")
    assert info.frida is False  # no usbmuxd here, so no port reaches the device
    assert dev.env.now() == 1763800000.25
    dev.close()


def test_uninstall_goes_through_the_real_installation_proxy():
    complete = [{"Status": "Complete"}]
    provider = FakeProvider(replies={"*": complete})
    dev = make(provider)
    dev.open(AppTarget(base_url="http://x", package=BUNDLE))
    dev.app.uninstall()
    # not a LockdownClient, so the library picks the RSD (iOS 17+ tunnel) name of the service
    assert provider.started == ["com.apple.mobile.installation_proxy.shim.remote"]
    assert provider.connections[0].sent == [
        {"Command": "Uninstall", "ApplicationIdentifier": BUNDLE, "ClientOptions": {}}
    ]
    dev.close()


def test_install_error_is_translated_with_the_uri():
    failure = [{"Error": "ApplicationVerificationFailed", "ErrorDescription": "bad signature"}]
    provider = FakeProvider(replies={"*": failure})
    dev = make(provider)
    dev.open(AppTarget(base_url="http://x", package=BUNDLE))
    with pytest.raises(
        DeviceError, match=f"ios:{UDID}: uninstall {BUNDLE}: AppInstallError: ApplicationVerification"
    ) as err:
        dev.app.uninstall()
    assert type(err.value.__cause__).__name__ == "AppInstallError"
    dev.close()


def test_fresh_install_needs_the_ipa():
    dev = make(FakeProvider())
    dev.open(AppTarget(base_url="http://x", package=BUNDLE))
    with pytest.raises(DeviceError, match=r"options\['ipa'\]"):
        dev.app.install()
    dev.close()


def test_launch_kill_background_through_process_control():
    provider = FakeProvider(replies={"*": INSTALLED})
    pc = FakeProcessControl()
    dev = make(provider, pc)
    dev.open(AppTarget(base_url="http://x", package=BUNDLE))
    dev.app.launch()
    assert dev.app.is_running()
    dev.app.background()
    dev.app.foreground()
    dev.app.kill()
    assert not dev.app.is_running()
    assert pc.calls == [
        ("launch", BUNDLE, True),
        ("launch", "com.apple.Preferences", False),
        ("launch", BUNDLE, False),
        ("kill", 321),
    ]
    with pytest.raises(AppCrashed, match="not running"):
        dev.app.background()
    dev.close()


def test_launch_of_a_missing_app_says_so():
    provider = FakeProvider(replies={"*": [{"LookupResult": {}}]})
    dev = make(provider, FakeProcessControl())
    dev.open(AppTarget(base_url="http://x", package=BUNDLE))
    with pytest.raises(DeviceError, match=f"app {BUNDLE} is not installed"):
        dev.app.launch()
    dev.close()


def test_what_ios_cannot_do_raises_clear_errors():
    dev = make(FakeProvider())
    for call in (
        lambda: dev.env.advance_clock(5),
        lambda: dev.env.set_network(False),
        lambda: dev.env.set_push_permission(True),
        lambda: dev.env.deliver_push({}),
    ):
        with pytest.raises(DeviceError, match=f"ios:{UDID}: "):
            call()
    dev.close()


def test_library_exception_becomes_device_error():
    async def factory(udid):
        from pymobiledevice3.exceptions import NotPairedError

        raise NotPairedError()

    dev = IosDevice(f"ios:{UDID}", UDID, provider_factory=factory)
    with pytest.raises(DeviceError, match="trust this computer"):
        dev.describe()
    dev.close()
