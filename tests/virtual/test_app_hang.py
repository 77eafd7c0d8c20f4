"""A hung app process ends the scenario as an error that says so, within the RPC timeout."""

from __future__ import annotations

import pytest

from harness.devices.base import AppTarget
from harness.devices.virtual import VirtualDevice
from harness.errors import AppCrashed
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner


def test_a_hung_app_raises_app_crashed_naming_the_call(live_collector):
    device = VirtualDevice("virtual:android", "android")
    device.app_args = ["--hang-after", "1"]
    try:
        device.open(AppTarget(base_url=live_collector.device_url("hang")))
        device.app.install()
        device.app.launch()
        device.rpc("app.ping", timeout=5)  # request 1 is answered
        with pytest.raises(AppCrashed, match=r"the app hung: no answer to sdk.trackEvent within 1s"):
            device.sdk.call("trackEvent", {"eventType": "x"}, timeout=1.0)
        assert device.app.is_running(), "the process is alive: it hangs, it did not die"
        with pytest.raises(AppCrashed):
            device.sdk.call("flushData", {}, timeout=1.0)  # the connection is not reused after a hang
    finally:
        device.close()


def test_a_scenario_on_a_hung_app_is_an_error(live_collector, tmp_path):
    path = tmp_path / "hang.yaml"
    path.write_text(
        "id: hang\ncovers: []\nplatforms: [android]\nsteps:\n  - init: {}\n  - trackEvent: {eventType: a}\n"
        "  - trackEvent: {eventType: b}\n"
    )
    device = VirtualDevice("virtual:android", "android")
    device.app_args = ["--hang-after", "2"]  # init and the first trackEvent are answered
    try:
        result = Runner(device, live_collector, settle_timeout=2.0).run(load_scenario(path))
    finally:
        device.close()
    assert result.outcome == "error"
    assert "AppCrashed" in (result.error or "") and "hung" in (result.error or "")
