"""The whole flow with real parts: collector on loopback, the virtual app as a real process, the
spec model and the checker."""

import os
import signal

import pytest

from harness.devices.registry import open_device
from harness.errors import AppCrashed
from harness.scenario.loader import find_scenarios, load_scenario
from harness.scenario.runner import Runner
from tests.conftest import ROOT

SUITE = find_scenarios([ROOT / "scenarios"])


RUNS = [(s, p) for s in SUITE for p in ("android", "ios") if s.applies_to(p)]


@pytest.fixture
def device():
    dev = open_device("virtual:android")
    yield dev
    dev.close()


@pytest.mark.parametrize(("scenario", "platform"), RUNS, ids=[f"{p}-{s.id}" for s, p in RUNS])
def test_suite_passes_on_the_fault_free_virtual_device(live_collector, scenario, platform):
    dev = open_device(f"virtual:{platform}")
    try:
        result = Runner(dev, live_collector).run(scenario)
    finally:
        dev.close()
    assert result.outcome == "passed", result.headline() + "\n" + result.details()
    assert result.requests, "a passing scenario must have captured traffic"


def test_a_seeded_fault_fails_the_matching_scenario_with_a_diff(live_collector, device):
    scenario = load_scenario(ROOT / "scenarios/exponea/stop-integration.yaml")
    result = Runner(device, live_collector, fault="sends-after-stop").run(scenario)
    assert result.outcome == "failed"
    assert any(v.kind == "after-stop" for v in result.verdict.violations)
    assert "queued_then_stopped" in result.details()
    assert "+++ captured" in result.details()


def test_ids_merged_fault_reports_the_json_path(live_collector, device):
    scenario = load_scenario(ROOT / "scenarios/exponea/identify.yaml")
    result = Runner(device, live_collector, fault="ids-merged").run(scenario)
    assert result.outcome == "failed"
    assert "$.customer_ids.registered" in {v.path for v in result.verdict.violations}


def test_a_killed_app_keeps_its_queue_across_relaunch(live_collector, device):
    scenario = load_scenario(ROOT / "scenarios/exponea/relaunch.yaml")
    result = Runner(device, live_collector).run(scenario)
    assert result.outcome == "passed", result.details()
    bodies = [r.body for r in result.requests]
    assert sum('"queued_before_kill"' in b for b in bodies) == 1
    assert sum('"installation"' in b for b in bodies) == 1


def test_an_app_that_crashes_mid_scenario_ends_as_an_error(live_collector, device, tmp_path):
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "crash.yaml"
    path.write_text(
        "id: crash\ncovers: []\nplatforms: [android]\nsteps:\n  - init: {}\n  - settle\n"
        "  - trackEvent: {eventType: x}\n"
    )
    scenario = load_scenario(path)

    class CrashingRunner(Runner):
        def _settle(self, timeout=None):
            super()._settle(timeout)
            os.kill(self.device._proc.pid, signal.SIGSEGV)  # the app dies on its own
            self.device._proc.wait(5)

    result = CrashingRunner(device, live_collector).run(scenario)
    assert result.outcome == "error"
    assert "AppCrashed" in result.error and "signal 11" in result.error


def test_calls_on_a_dead_app_raise_app_crashed(live_collector, device):
    from harness.devices.base import AppTarget

    device.open(AppTarget(base_url=live_collector.device_url("x")))
    device.app.install()
    device.app.launch()
    device._proc.kill()
    device._proc.wait(5)
    with pytest.raises(AppCrashed, match="killed by signal 9"):
        device.sdk.call("trackEvent", {"eventType": "x"})
