"""JvmDevice (jvm:android) end to end: javac build, the virtual app process, the test-bed JVM,
Frida attached with the real agent, and the app/env parts over the RPC.

The virtual app here is tests/instrument/fake_virtual_app.py run as a process with the flags of
`python -m harness.virtual`. AFTER MERGE: add a twin of test_sdk_call_through_frida_reaches_the_app
that uses the real reference SDK (JvmDevice("jvm:android") with the default virtual_command) and
checks the HTTP it sends to the collector.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from harness.devices import jvm_build
from harness.devices.base import AppTarget, Device
from harness.devices.jvm import JvmDevice
from harness.devices.registry import open_device
from harness.errors import AppCrashed, DeviceError, DeviceNotFound

FAKE_APP = [sys.executable, str(Path(__file__).parents[1] / "instrument" / "fake_virtual_app.py")]


def calls(device: JvmDevice) -> list[dict]:
    path = device.data_dir / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def device():
    dev = JvmDevice("jvm:android", virtual_command=FAKE_APP)
    dev.open(AppTarget(base_url="http://127.0.0.1:9/d/jvm"))
    dev.app.launch()
    yield dev
    dev.close()


def test_registry_builds_a_jvm_device_that_meets_the_contract():
    dev = open_device("jvm:android")
    assert isinstance(dev, JvmDevice) and isinstance(dev, Device)
    with pytest.raises(DeviceNotFound):
        JvmDevice.from_uri("jvm:ios")


def test_discover_lists_jvm_android_when_a_jdk_is_present():
    [info] = JvmDevice.discover()
    assert info.uri == "jvm:android" and info.platform == "android" and info.frida


def test_missing_jdk_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(jvm_build.shutil, "which", lambda name: None)
    assert JvmDevice.discover() == []
    with pytest.raises(DeviceError, match="default-jdk-headless"):
        JvmDevice("jvm:android").open(AppTarget(base_url="http://x"))


def test_sdk_call_through_frida_reaches_the_app(device):
    result = device.sdk.call("trackEvent", {"eventType": "view", "properties": {"n": 1}}, timeout=15)
    sdk_calls = [c for c in calls(device) if c["method"] == "sdk.trackEvent"]
    assert sdk_calls[-1]["params"] == {"eventType": "view", "properties": {"n": 1.0}}
    assert result.value is None and abs(result.device_time - device.env.now()) < 5


def test_device_time_is_the_virtual_apps_clock(device):
    device.env.advance_clock(3600)
    result = device.sdk.call("trackSessionStart", {})
    assert result.device_time > time.time() + 3500  # the app's clock, not the agent's Date.now()
    assert device.clock_offset == 3600


def test_app_and_env_operations_go_over_the_rpc(device):
    device.app.background()
    device.app.foreground()
    device.env.set_network(False)
    device.env.set_push_permission(False)
    device.env.deliver_push({"source": "xnpe_platform"})
    device.env.click_push({"source": "xnpe_platform"}, {"actionType": "app"})
    assert device.settle(1.0) is True
    methods = [c["method"] for c in calls(device)]
    for expected in (
        "app.background",
        "app.foreground",
        "env.set_network",
        "env.set_push_permission",
        "env.deliver_push",
        "env.click_push",
        "app.settle",
    ):
        assert expected in methods


def test_kill_and_relaunch_keeps_data_dir_and_env_flags(device):
    device.env.set_network(False)
    device.app.kill()
    assert not device.app.is_running()
    with pytest.raises(DeviceError, match="not running"):
        device.sdk.call("flushData", {})
    device.app.launch()
    assert device.app.is_running()
    device.sdk.call("flushData", {})
    assert any(c["method"] == "sdk.flushData" for c in calls(device))


def test_jvm_dying_ends_sdk_calls_with_app_crashed(device):
    os.kill(device._jvm.pid, signal.SIGKILL)
    device._jvm.wait()
    with pytest.raises(AppCrashed, match="process terminated"):
        device.sdk.call("flushData", {}, timeout=10)


def test_flutter_agent_is_selected_by_target_option():
    dev = JvmDevice("jvm:android", virtual_command=FAKE_APP)
    dev.open(AppTarget(base_url="http://x", options={"agent": "flutter"}))
    try:
        dev.app.launch()
        assert dev.sdk.call("isInitialized", {}).value is False
        assert any(c["method"] == "sdk.isInitialized" for c in calls(dev))
    finally:
        dev.close()


def test_install_wipes_the_app_data(device):
    (device.data_dir / "queue.db").write_text("x")
    device.app.install()
    assert not (device.data_dir / "queue.db").exists()
