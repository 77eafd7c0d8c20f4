"""The Android driver against in-test ADB peers, through the real adb-shell library and real sockets."""

from __future__ import annotations

import socket
import threading

import pytest

pytest.importorskip("adb_shell")

from adb_shell.auth.keygen import keygen

from harness.devices.android import AndroidDevice, collector_url_for
from harness.devices.android_lib.adb_server import AdbServerClient
from harness.devices.android_lib.backend import ServerBackend
from harness.devices.base import AppTarget, Device, DriverClass
from harness.devices.registry import open_device
from harness.errors import AppCrashed, DeviceError
from tests.devices.adb_peers import HANGUP, EchoServer, FakeAdbd, FakeAdbServer, ShellTable

PKG = "com.example.shop"


@pytest.fixture
def adbkey(tmp_path, monkeypatch):
    path = tmp_path / "adbkey"
    keygen(str(path))
    monkeypatch.setenv("HARNESS_ADBKEY", str(path))
    return str(path)


def base_table() -> ShellTable:
    return ShellTable(
        {
            "getprop ro.product.model": (0, "Pixel 7\n"),
            "getprop ro.build.version.release": (0, "15\n"),
            "getprop ro.kernel.qemu": (0, "\n"),
            "getprop ro.boot.qemu": (0, "\n"),
            f"pm path {PKG}": (0, f"package:/data/app/~~x/{PKG}-1/base.apk\n"),
            f"pidof {PKG}": (0, "4242\n"),
            "pidof frida-server": (1, ""),
            f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1": (
                0,
                "  bash arg: -p\nEvents injected: 1\n",
            ),
            f"am force-stop {PKG}": (0, ""),
            "input keyevent KEYCODE_HOME": (0, ""),
            f"pm clear {PKG}": (0, "Success\n"),
            "date +%s.%N": (0, "1763800000.123456789\n"),
        }
    )


@pytest.fixture
def adbd(adbkey):
    peer = FakeAdbd(base_table(), private_key=adbkey)
    yield peer
    peer.close()
    assert peer.errors == []


@pytest.fixture
def device(adbd):
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{adbd.port}")
    dev.open(AppTarget(base_url="http://127.0.0.1:8080/d/x", package=PKG))
    yield dev
    dev.close()


def test_driver_class_and_device_contract(adbd):
    assert isinstance(AndroidDevice, DriverClass)
    dev = open_device(f"android:tcp:127.0.0.1:{adbd.port}")
    assert isinstance(dev, AndroidDevice) and isinstance(dev, Device)
    dev.close()


@pytest.mark.parametrize("uri", ["android:", "android:tcp:hostonly", "android:tcp:h:port"])
def test_malformed_uris_name_the_uri(uri):
    with pytest.raises(DeviceError, match=uri):
        AndroidDevice.from_uri(uri)


def test_describe_signs_in_with_the_adb_key_and_reads_props(device, adbd):
    info = device.describe()
    assert (info.model, info.os_version, info.frida, info.platform) == ("Pixel 7", "15", False, "android")
    assert adbd.auth_ok >= 1  # the fake adbd verified our RSA signature with the key's public half


def test_app_before_open_says_so(adbd):
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{adbd.port}")
    with pytest.raises(DeviceError, match="no app is open"):
        dev.app.launch()


def test_launch_kill_background_foreground_issue_exact_commands(device, adbd):
    device.app.launch()
    device.app.background()
    device.app.foreground()
    device.app.kill()
    assert device.app.is_running()
    issued = [c for c in adbd.table.commands if not c.startswith(("pidof", "getprop"))]
    assert issued == [
        f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1",
        "input keyevent KEYCODE_HOME",
        f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1",
        f"am force-stop {PKG}",
    ]


def test_launch_without_process_is_app_crashed(device, adbd):
    adbd.table.answers[f"pidof {PKG}"] = (1, "")
    device.app.launch_timeout = 0.3
    with pytest.raises(AppCrashed, match=f"{PKG} was launched but no process"):
        device.app.launch()
    with pytest.raises(AppCrashed, match="not running"):
        device.app.background()


def test_fresh_install_without_apk_clears_data(device, adbd):
    device.app.install()
    assert adbd.table.commands[-2:] == [f"pm path {PKG}", f"pm clear {PKG}"]


def test_missing_package_is_a_clear_error(device, adbd):
    adbd.table.answers[f"pm path {PKG}"] = (1, "")
    adbd.table.answers[f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1"] = (
        0,
        "** No activities found to run, monkey aborted.\n",
    )
    with pytest.raises(DeviceError, match=rf"android:tcp:127\.0\.0\.1:\d+: package {PKG} is not installed"):
        device.app.install()
    with pytest.raises(DeviceError, match="is not installed"):
        device.app.launch()


def test_install_pushes_the_apk_and_installs_it(adbd, tmp_path):
    apk = tmp_path / "shop.apk"
    apk.write_bytes(bytes(range(256)) * 100)  # 25 KiB: several WRTE chunks at maxdata 4096
    remote = f"/data/local/tmp/harness-{PKG}.apk"
    adbd.table.answers[f"pm uninstall {PKG}"] = (0, "Success\n")
    adbd.table.answers[f"pm install -r -t {remote}"] = (0, "Performing Streamed Install\nSuccess\n")
    adbd.table.answers[f"rm -f {remote}"] = (0, "")
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{adbd.port}")
    dev.open(AppTarget(base_url="http://10.1.2.3:80", package=PKG, options={"apk": str(apk)}))
    dev.app.install()
    dev.close()
    assert adbd.table.pushed[remote] == apk.read_bytes()
    assert adbd.table.commands[-4:] == [
        f"pm path {PKG}",
        f"pm uninstall {PKG}",
        f"pm install -r -t {remote}",
        f"rm -f {remote}",
    ]


def test_install_failure_names_the_reason(adbd, tmp_path):
    apk = tmp_path / "shop.apk"
    apk.write_bytes(b"PK\x03\x04")
    remote = f"/data/local/tmp/harness-{PKG}.apk"
    adbd.table.answers[f"pm path {PKG}"] = (1, "")
    adbd.table.answers[f"pm install -r -t {remote}"] = (
        1,
        "Failure [INSTALL_FAILED_OLDER_SDK: Requires newer sdk version #35 (current version is #30)]\n",
    )
    adbd.table.answers[f"rm -f {remote}"] = (0, "")
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{adbd.port}")
    dev.open(AppTarget(base_url="http://x", package=PKG, options={"apk": str(apk)}))
    with pytest.raises(DeviceError, match=r"install shop.apk failed: Failure \[INSTALL_FAILED_OLDER_SDK"):
        dev.app.install()
    assert adbd.table.commands[-1] == f"rm -f {remote}"
    dev.close()


def test_push_permission_grant_and_security_exception(device, adbd):
    perm = "android.permission.POST_NOTIFICATIONS"
    adbd.table.answers[f"pm grant {PKG} {perm}"] = (0, "")
    adbd.table.answers[f"pm revoke {PKG} {perm}"] = (
        255,
        "Exception occurred while executing 'revoke':\njava.lang.SecurityException: "
        "Permission denial: pm revoke needs android.permission.REVOKE_RUNTIME_PERMISSIONS\n",
    )
    device.env.set_push_permission(True)
    with pytest.raises(DeviceError, match="permission denied") as err:
        device.env.set_push_permission(False)
    assert err.value.uri == device.uri


def test_unknown_package_from_pm(device, adbd):
    adbd.table.answers[f"pm clear {PKG}"] = (
        1,
        "Error: java.lang.IllegalArgumentException: Unknown package: x\n",
    )
    with pytest.raises(DeviceError, match=f"pm clear {PKG} failed"):
        device.app.install()


def test_network_uses_svc_then_airplane_mode(device, adbd):
    adbd.table.answers["svc wifi disable"] = (0, "")
    adbd.table.answers["svc data disable"] = (0, "")
    device.env.set_network(False)
    assert adbd.table.commands[-2:] == ["svc wifi disable", "svc data disable"]
    adbd.table.answers["svc wifi enable"] = (1, "Error: java.lang.SecurityException\n")
    adbd.table.answers["svc data enable"] = (0, "")
    adbd.table.answers["cmd connectivity airplane-mode disable"] = (0, "")
    device.env.set_network(True)
    assert adbd.table.commands[-1] == "cmd connectivity airplane-mode disable"


def test_clock_now_and_advance_without_root(device, adbd):
    assert device.env.now() == pytest.approx(1763800000.123456789)
    adbd.table.answers["re:(su 0 |su -c ')?date @\\d+'?"] = (
        1,
        "date: cannot set date: Operation not permitted\n",
    )
    with pytest.raises(DeviceError, match="needs root"):
        device.env.advance_clock(3600)
    assert "date @1763803600" in adbd.table.commands


def test_push_delivery_points_to_the_agent(device):
    with pytest.raises(DeviceError, match="Frida agent"):
        device.env.deliver_push({"title": "x"})


def test_logcat_window_filters_by_device_time(device, adbd):
    adbd.table.answers["re:logcat -d -v epoch -T 1763800000\\.123"] = (
        0,
        "--------- beginning of main\n"
        "1763800001.000  100  200 I Exponea : tracking event\n"
        "1763800009.000  100  200 I Exponea : later\n",
    )
    device.logcat.start()
    assert device.logcat.is_alive()
    assert "later" in device.logcat.stop()
    assert device.logcat.dump(1763800000.123, until=1763800005).splitlines()[-1].endswith("tracking event")


def test_device_gone_mid_call_is_a_device_error_and_the_next_call_reconnects(device, adbd):
    device.shell.timeout = 1.0
    adbd.table.answers["getprop ro.product.model"] = HANGUP
    with pytest.raises(DeviceError, match=r"got no answer|connection lost"):
        device.describe()
    adbd.table.answers["getprop ro.product.model"] = (0, "Pixel 8\n")
    assert device.describe().model == "Pixel 8"


def test_unreachable_device_is_device_not_found(adbkey):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{port}")
    with pytest.raises(DeviceError, match=rf"android:tcp:127.0.0.1:{port}: cannot connect"):
        dev.describe()


def _roundtrip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        got = bytearray()
        while len(got) < len(payload):
            chunk = sock.recv(65536)
            assert chunk, "forward closed early"
            got += chunk
        return bytes(got)


def test_port_forward_carries_real_bytes_over_the_adb_transport(adbkey):
    echo = EchoServer()
    adbd = FakeAdbd(base_table(), private_key=adbkey, ports={27042: echo.port})
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{adbd.port}")
    try:
        forward = dev.forward(27042)
        assert forward.is_alive()
        big = bytes(range(256)) * 1000  # 256 KB: many WRTE/OKAY rounds each way
        results: dict[int, bytes] = {}
        workers = [
            threading.Thread(target=lambda i=i: results.__setitem__(i, _roundtrip(forward.local_port, big[i:])))
            for i in range(3)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join(30)
        assert all(results[i] == big[i:] for i in range(3))
        assert dev.describe().frida is True  # tcp:27042 opens through the link
    finally:
        dev.close()
        adbd.close()
        echo.close()
    assert not forward.is_alive()
    assert adbd.errors == []


def test_forward_to_a_closed_device_port_drops_the_connection(device):
    forward = device.forward(1)  # nothing listens on port 1: adbd answers CLSE
    with socket.create_connection(("127.0.0.1", forward.local_port), timeout=5) as sock:
        sock.settimeout(5)
        assert sock.recv(10) == b""


# -- the adb server path -------------------------------------------------------------------------


@pytest.fixture
def server():
    peer = FakeAdbServer(base_table())
    yield peer
    peer.close()


def server_device(server: FakeAdbServer, serial: str | None = None) -> AndroidDevice:
    uri = f"android:{serial or server.serial}"
    client = AdbServerClient(("127.0.0.1", server.port))
    return AndroidDevice(uri, ServerBackend(uri, serial or server.serial, client))


def test_host_protocol_lists_devices(server):
    (entry,) = AdbServerClient(("127.0.0.1", server.port)).devices()
    assert (entry.serial, entry.state, entry.properties["model"]) == ("R58M123ABC", "device", "Pixel_6")


def test_server_backend_shell_push_and_forward(server, tmp_path):
    dev = server_device(server)
    dev.open(AppTarget(base_url="http://127.0.0.1:1/d", package=PKG))
    assert dev.describe().model == "Pixel 7"
    dev.app.kill()
    assert server.requests[-2:] == [
        f"host:transport:{server.serial}",
        f"shell:am force-stop {PKG}; echo __harness_rc=$?",
    ]
    local = tmp_path / "f.bin"
    local.write_bytes(b"x" * 70000)
    dev.shell.push(str(local), "/data/local/tmp/f.bin")
    assert server.table.pushed["/data/local/tmp/f.bin"] == local.read_bytes()
    echo = EchoServer()
    try:
        forward = dev.forward(echo.port)
        assert _roundtrip(forward.local_port, b"hello frida" * 1000) == b"hello frida" * 1000
    finally:
        dev.close()
        echo.close()


def test_server_unknown_serial_is_device_not_found(server):
    dev = server_device(server, "nope")
    with pytest.raises(DeviceError, match=r"android:nope: .*not found"):
        dev.describe()


def test_discover_lists_server_and_tcp_devices(server, adbd, monkeypatch):
    monkeypatch.setenv("ADB_SERVER_SOCKET", f"tcp:127.0.0.1:{server.port}")
    monkeypatch.setenv("HARNESS_ANDROID_TCP", f"127.0.0.1:{adbd.port}")
    found = AndroidDevice.discover()
    assert [(d.uri, d.model, d.os_version) for d in found] == [
        (f"android:{server.serial}", "Pixel 7", "15"),
        (f"android:tcp:127.0.0.1:{adbd.port}", "Pixel 7", "15"),
    ]


def test_discover_is_quiet_without_adb(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ADB_SERVER_SOCKET", f"tcp:127.0.0.1:{port}")
    monkeypatch.delenv("HARNESS_ANDROID_TCP", raising=False)
    assert AndroidDevice.discover() == []


# -- how the app reaches the collector ------------------------------------------------------------


def test_collector_url_for_emulator_lan_and_routable():
    assert collector_url_for("http://127.0.0.1:8080/d/a?x=1", emulator=True) == "http://10.0.2.2:8080/d/a?x=1"
    assert collector_url_for("http://192.168.1.5:8080/d", emulator=True) == "http://192.168.1.5:8080/d"
    assert collector_url_for("http://localhost:9/d", emulator=False, device_host="127.0.0.1") == "http://localhost:9/d"
    lan = collector_url_for("http://127.0.0.1:9/d", emulator=False, device_host="10.255.255.1")
    assert (lan.endswith(":9/d") and "127.0.0.1" not in lan) or lan == "http://127.0.0.1:9/d"  # no route here


def test_open_rewrites_the_collector_url_for_emulators(adbd):
    adbd.table.answers["getprop ro.kernel.qemu"] = (0, "1\n")
    dev = AndroidDevice.from_uri(f"android:tcp:127.0.0.1:{adbd.port}")
    dev.open(AppTarget(base_url="http://127.0.0.1:8080/d/e1", package=PKG))
    assert dev.app_base_url == "http://10.0.2.2:8080/d/e1"
    dev.close()
