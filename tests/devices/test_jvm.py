"""JvmDevice (jvm:android) end to end: javac build, the real virtual app process
(``python -m harness.virtual``), the test-bed JVM, Frida attached with the real agent, and the
app/env parts over the RPC. What the SDK mirror sent over the RPC is read from the test bed's trace
(``HARNESS_TESTBED_TRACE``, inherited by the JVM); what the reference SDK then sent, from the collector.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from harness.devices import jvm_build
from harness.devices.base import AppTarget, Device
from harness.devices.jvm import JvmDevice
from harness.devices.registry import open_device
from harness.errors import AppCrashed, DeviceError, DeviceNotFound
from harness.instrument.frida_transport import UnsupportedCall
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from tests.conftest import ROOT

PUSH = {
    "source": "xnpe_platform",
    "notification_id": "1",
    "title": "Hello",
    "message": "World",
    "action": "app",
    "attributes": json.dumps({"event_type": "campaign", "campaign_id": "c1", "action_id": 2, "type": "push"}),
}


def rpc_calls(trace) -> list[dict]:
    return [json.loads(line) for line in trace.read_text().splitlines() if '"rpc"' in line] if trace.exists() else []


@pytest.fixture
def trace(tmp_path, monkeypatch):
    path = tmp_path / "trace.jsonl"
    monkeypatch.setenv("HARNESS_TESTBED_TRACE", str(path))
    return path


@pytest.fixture
def device(trace, live_collector):
    dev = JvmDevice("jvm:android")
    dev.open(AppTarget(base_url=live_collector.device_url("jvm")))
    dev.app.launch()
    yield dev
    dev.close()


def bodies(collector, key="jvm") -> str:
    return "\n".join(r.body for r in collector.store.query(device=key, kinds=["tracking"]))


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


def test_uri_options_choose_the_agent():
    assert JvmDevice.from_uri("jvm:android?agent=flutter").options == {"agent": "flutter"}
    assert JvmDevice.from_uri("jvm:android").options == {}
    with pytest.raises(DeviceNotFound, match="unknown agent 'dart'"):
        JvmDevice.from_uri("jvm:android?agent=dart")
    with pytest.raises(DeviceNotFound, match="unknown option 'apk'"):
        JvmDevice.from_uri("jvm:android?apk=x.apk")
    with pytest.raises(DeviceNotFound, match="bad options"):
        JvmDevice.from_uri("jvm:android?agent")


def test_sdk_call_through_frida_reaches_the_app(device, trace, live_collector):
    device.sdk.call("init", {"configuration": {"projectToken": "t", "baseURL": live_collector.device_url("jvm")}})
    result = device.sdk.call("trackEvent", {"eventType": "view", "properties": {"n": 1}}, timeout=15)
    sent = [c for c in rpc_calls(trace) if c["rpc"] == "sdk.trackEvent"]
    assert sent[-1]["params"] == {"eventType": "view", "properties": {"n": 1.0}} and "error" not in sent[-1]["reply"]
    assert result.value is None and abs(result.device_time - device.env.now()) < 5
    assert device.settle(15)
    assert '"event_type":"view"' in bodies(live_collector) and '"n":1.0' in bodies(live_collector)


def test_device_time_is_the_virtual_apps_clock(device):
    device.env.advance_clock(3600)
    result = device.sdk.call("trackSessionStart", {})
    assert result.device_time > time.time() + 3500  # the app's clock, not the agent's Date.now()
    assert device.clock_offset == 3600


def test_app_and_env_operations_reach_the_virtual_app(device, live_collector):
    device.sdk.call("init", {"configuration": {"projectToken": "t", "baseURL": live_collector.device_url("jvm")}})
    device.app.background()
    assert device.rpc().call("app.ping").value["foreground"] is False
    device.app.foreground()
    assert device.rpc().call("app.ping").value["foreground"] is True
    device.env.set_push_permission(True)
    device.env.new_push_token("fcm-token-1")
    device.env.deliver_push(PUSH)
    device.env.click_push(PUSH)
    assert device.settle(15) is True
    sent = bodies(live_collector)
    assert "fcm-token-1" in sent  # notification_state with the new token (handleNewToken)
    assert '"status":"delivered"' in sent and '"status":"clicked"' in sent
    device.env.set_network(False)
    assert device.online is False


def test_kill_and_relaunch_keeps_data_dir_and_env_flags(device, trace):
    device.env.set_network(False)
    device.app.kill()
    assert not device.app.is_running()
    with pytest.raises(DeviceError, match="not running"):
        device.sdk.call("flushData", {})
    device.app.launch()
    assert device.app.is_running()
    assert device.rpc().call("app.ping").value["pid"] != os.getpid()
    device.sdk.call("flushData", {})
    assert any(c["rpc"] == "sdk.flushData" for c in rpc_calls(trace))


def test_jvm_dying_ends_sdk_calls_with_app_crashed(device):
    os.kill(device._jvm.pid, signal.SIGKILL)
    device._jvm.wait()
    with pytest.raises(AppCrashed, match="process terminated"):
        device.sdk.call("flushData", {}, timeout=10)


@pytest.mark.parametrize("how", ["target option", "uri"])
def test_flutter_agent_is_selected_by_target_option_or_uri(trace, how):
    dev = JvmDevice.from_uri("jvm:android?agent=flutter" if how == "uri" else "jvm:android")
    dev.open(AppTarget(base_url="http://127.0.0.1:9/d/x", options={"agent": "flutter"} if how != "uri" else {}))
    try:
        dev.app.launch()
        assert dev.sdk.call("isInitialized", {}).value is False
        # the Flutter channel's configure went through the plugin handler's mirror
        config = {"projectToken": "t", "authorization": "Token k", "baseURL": "http://127.0.0.1:9/d/x"}
        dev.sdk.call("init", {"configuration": config})
        assert any(json.loads(x).get("method") == "flutter:configure" for x in trace.read_text().splitlines())
        # Dart's authorizationToken is a required String (flutter-sdk-bridge.md §4): no null through the plugin
        with pytest.raises(UnsupportedCall, match="authorizationToken is a required String"):
            dev.sdk.call("anonymize", {"exponeaProject": {"projectToken": "p", "authorization": None}})
    finally:
        dev.close()


def test_harness_run_with_the_flutter_agent(tmp_path):
    """The CLI: ``harness run --device jvm:android --agent flutter`` plays a scenario and passes."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            "--device",
            "jvm:android",
            "--agent",
            "flutter",
            "-k",
            "custom-event",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS  custom-event" in proc.stdout and "1 passed, 0 failed" in proc.stdout


def test_install_wipes_the_app_data(device):
    (device.data_dir / "queue.db").write_text("x")
    device.app.install()
    assert not (device.data_dir / "queue.db").exists()


def test_the_runner_reads_the_sdk_version_in_the_test_bed(live_collector):
    """No ``--sdk-version``: the runner asks the agent (BuildConfig.EXPONEA_VERSION_NAME mirror, 4.10.0)
    once, on the first scenario, and judges by the profile of that version."""
    device = open_device("jvm:android")
    try:
        runner = Runner(device, live_collector)
        result = runner.run(load_scenario(ROOT / "scenarios" / "exponea" / "custom-event.yaml"))
    finally:
        device.close()
    assert runner.app_versions == {"exponea": "4.10.0"}
    assert result.outcome == "passed", result.headline()
    assert (result.profile, result.sdk_version, result.warnings) == ("exponea-android", "4.10.0", [])
