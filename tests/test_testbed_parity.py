"""Issue 6's bar: the conformance suite on jvm:android, through the unmodified Frida agents and the
real Java bridge, gives the same verdicts as on virtual:android — with and without a seeded fault."""

import pytest

from harness.devices.registry import open_device
from harness.instrument.frida_transport import FridaSdkTransport
from harness.scenario.loader import find_scenarios
from harness.scenario.runner import Runner
from tests.conftest import ROOT

SUITE = [s for s in find_scenarios([ROOT / "scenarios"]) if s.applies_to("android")]


def verdicts(uri, collector, fault=None):
    device = open_device(uri)
    try:
        out = {}
        for scenario in SUITE:
            result = Runner(device, collector, fault=fault).run(scenario)
            out[scenario.id] = (
                result.outcome,
                sorted((v.kind, v.path) for v in result.verdict.violations) if result.verdict else result.error,
            )
        return out
    finally:
        device.close()


@pytest.mark.parametrize("fault", [None, "ids-merged", "sends-after-stop"])
def test_jvm_testbed_verdicts_equal_virtual_verdicts(live_collector, fault):
    virtual = verdicts("virtual:android", live_collector, fault)
    jvm = verdicts("jvm:android", live_collector, fault)
    assert jvm == virtual
    if fault is None:
        assert all(outcome == "passed" for outcome, _ in jvm.values()), jvm
    else:
        assert any(outcome == "failed" for outcome, _ in jvm.values()), jvm


def test_jvm_sdk_calls_go_through_frida(live_collector):
    from harness.devices.base import AppTarget

    device = open_device("jvm:android")
    try:
        device.open(AppTarget(base_url=live_collector.device_url("frida-path")))
        device.app.install()
        device.app.launch()
        assert isinstance(device.sdk, FridaSdkTransport)
        device.sdk.call(
            "init", {"configuration": {"projectToken": "t", "baseURL": live_collector.device_url("frida-path")}}
        )
        device.sdk.call("trackEvent", {"eventType": "through_frida", "properties": {"n": 1}})
        assert device.settle(10)
        bodies = [r.body for r in live_collector.store.query(device="frida-path", kinds=["tracking"])]
        assert any('"through_frida"' in b and '"n":1.0' in b for b in bodies)
    finally:
        device.close()
