"""Headers judged in a real run: the virtual app as a real process, a real collector, the profile's
rules with the run's configured authorization, and the verdict carried into the JUnit report."""

import xml.etree.ElementTree as ET

import pytest

from harness.devices.registry import open_device
from harness.report.junit import write_junit
from harness.report.record import result_record
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios/exponea/authorization-null.yaml"


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_basic_auth_on_the_sdk_fetches_fails_the_run_and_reaches_junit(live_collector, platform, tmp_path):
    dev = open_device(f"virtual:{platform}")
    try:
        result = Runner(dev, live_collector, fault="fetch-basic-auth").run(load_scenario(SCENARIO))
    finally:
        dev.close()
    assert result.outcome == "failed"
    headers = [v for v in result.verdict.violations if v.kind == "header"]
    assert [v.path for v in headers] == ["headers.authorization"] * len(headers) and headers
    assert all("Basic authorization is never sent" in v.message for v in headers)
    assert {v.kind for v in result.verdict.violations} == {"header"}  # the tracking requests are fine
    out = tmp_path / "junit.xml"
    write_junit([result_record(result)], out)
    failure = ET.parse(out).getroot().find(".//failure")
    assert failure is not None and "header headers.authorization" in failure.get("message", "")


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_the_fault_free_run_judges_the_fetch_headers_and_passes(live_collector, platform):
    dev = open_device(f"virtual:{platform}")
    try:
        result = Runner(dev, live_collector).run(load_scenario(SCENARIO))
    finally:
        dev.close()
    assert result.outcome == "passed", result.details()
    assert any(n.endswith("non-tracking requests judged by their headers only") for n in result.verdict.notes)
