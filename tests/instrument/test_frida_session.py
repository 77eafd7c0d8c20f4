"""FridaSession against real local processes: bounded calls, agent errors, crash/kill detection,
spawn with early instrumentation, and the Java bridge served from frida-tools (patched for HotSpot)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import Bed, attach

from harness.errors import AppCrashed, DeviceError, DeviceNotFound, InstrumentError, RpcTimeout
from harness.instrument.bridges import _ART_API_GETTER, bridge_source, patch_java_bridge_for_hotspot
from harness.instrument.frida_session import FridaSession

AGENT = """
rpc.exports = {
  add: function (a, b) { return a + b; },
  hang: function () { return new Promise(function () {}); },
  fail: function () { throw new Error('boom'); },
  early: function () { return globalThis.loadedAt; }
};
globalThis.loadedAt = Date.now();
"""


@pytest.fixture
def agent(tmp_path: Path) -> Path:
    path = tmp_path / "agent.js"
    path.write_text(AGENT)
    return path


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    time.sleep(0.2)
    yield proc
    proc.kill()
    proc.wait()


def test_call_returns_the_agent_value(agent, sleeper):
    session = FridaSession([agent], target=sleeper.pid, uri="test:local")
    session.start()
    try:
        assert session.is_alive()
        assert session.call("add", 2, 3, timeout=5) == 5
    finally:
        session.stop()
    assert not session.is_alive()
    with pytest.raises(DeviceError, match="stopped"):
        session.call("add", 1, 1)


def test_a_call_the_app_never_answers_raises_rpc_timeout_in_time(agent, sleeper):
    session = FridaSession([agent], target=sleeper.pid, uri="test:local")
    session.start()
    try:
        started = time.monotonic()
        with pytest.raises(RpcTimeout, match=r"^hang: .*within 0.5s"):
            session.call("hang", timeout=0.5)
        assert time.monotonic() - started < 2
        assert session.call("add", 1, 1, timeout=5) == 2  # the session is still usable
    finally:
        session.stop()


def test_agent_exception_is_an_instrument_error(agent, sleeper):
    session = FridaSession([agent], target=sleeper.pid, uri="test:local")
    session.start()
    try:
        with pytest.raises(InstrumentError, match=r"^fail: boom"):
            session.call("fail", timeout=5)
    finally:
        session.stop()


def test_killing_the_app_ends_pending_and_later_calls_with_app_crashed(agent, sleeper):
    session = FridaSession([agent], target=sleeper.pid, uri="test:local")
    session.start()
    outcome: list[BaseException] = []

    def pending() -> None:
        try:
            session.call("hang", timeout=30)
        except BaseException as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=pending)
    waiter.start()
    time.sleep(0.3)
    started = time.monotonic()
    os.kill(sleeper.pid, signal.SIGKILL)
    waiter.join(10)
    assert not waiter.is_alive() and time.monotonic() - started < 5
    assert isinstance(outcome[0], AppCrashed)
    assert "process terminated" in str(outcome[0]) and str(sleeper.pid) in str(outcome[0])
    with pytest.raises(AppCrashed, match="process terminated"):
        session.call("add", 1, 1)
    assert not session.is_alive()
    session.stop()


def test_attach_to_a_missing_process_is_device_not_found(agent):
    with pytest.raises(DeviceNotFound):
        FridaSession([agent], target="no-such-process-xyz", uri="test:local").start()


def test_spawn_loads_the_agent_before_the_program_runs(agent, tmp_path):
    marker = tmp_path / "ran"
    code = f"import pathlib, time; pathlib.Path({str(marker)!r}).write_text(str(time.time())); time.sleep(60)"
    argv = [sys.executable, "-c", code]
    session = FridaSession([agent], target=sys.executable, spawn=True, argv=argv, uri="t")
    session.start()
    try:
        loaded_ms = session.call("early", timeout=5)
        deadline = time.time() + 10
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert loaded_ms / 1000 <= float(marker.read_text())
    finally:
        session.stop()
        if session.pid:
            os.kill(session.pid, signal.SIGKILL)


def test_java_bridge_comes_from_frida_tools_and_is_patched_for_hotspot():
    filename, source = bridge_source("Java")
    assert filename == "java.js"
    # frida-tools 14.11 has three sites that assume ART, 14.13 one: each present is patched, none left.
    getter = _ART_API_GETTER.search(source)
    assert getter is not None
    name = getter.group(1)
    assert source.count('||{flavor:"jvm"})') >= 1
    for unpatched in (
        f"const t={name}(),{{jvmti",
        f'{{const n={name}();if("art"!==n.flavor)',
        f'"art"==={name}().flavor',
    ):
        assert unpatched not in source
    assert patch_java_bridge_for_hotspot("no bridge here") == "no bridge here"


def test_killing_the_jvm_mid_call_raises_app_crashed(tmp_path):
    testbed = Bed(tmp_path, app_args=["--hang-after", "0"])  # the virtual app never answers: the call hangs
    session = attach(testbed, "exponea_android")
    outcome: list[BaseException] = []

    def pending() -> None:
        try:
            session.call("call", "trackEvent", {"eventType": "e", "properties": {}}, timeout=30)
        except BaseException as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=pending)
    waiter.start()
    time.sleep(0.5)
    testbed.proc.kill()
    waiter.join(10)
    assert outcome and isinstance(outcome[0], AppCrashed), outcome
    assert "process terminated" in str(outcome[0])
    session.stop()
    testbed.stop()


def test_a_hung_sdk_call_on_the_jvm_times_out(tmp_path):
    testbed = Bed(tmp_path, app_args=["--hang-after", "0"])
    session = attach(testbed, "exponea_android")
    try:
        with pytest.raises(RpcTimeout, match=r"^trackEvent: "):
            session.call("call", "trackEvent", {"eventType": "e", "properties": {}}, timeout=0.5)
    finally:
        testbed.stop()  # the agent is stuck in the hung call: kill first, then detach at once
        session.stop()


def test_calls_travel_as_messages_and_name_a_missing_export(testbed: Bed):
    session = attach(testbed, "exponea_android")
    try:
        assert session.call("ping", timeout=10) is True
        with pytest.raises(InstrumentError, match=r"^nope: the agent exports no nope"):
            session.call("nope", timeout=10)
        assert session._calls == {}  # nothing left waiting
    finally:
        session.stop()
