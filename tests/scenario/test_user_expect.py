"""``expect`` and ``expect_nothing`` steps on the virtual device, judged by the real checker, and a
scenario that crashes inside the profile still ends in a written report (real collector, real SDK)."""

import json
import xml.etree.ElementTree as ET

import pytest

from harness.devices.registry import open_device
from harness.report.folder import write_run
from harness.report.junit import write_junit
from harness.report.record import result_record, run_meta
from harness.scenario.loader import Scenario, Step, load_scenario
from harness.scenario.runner import Runner

HEAD = "id: {id}\ncovers: []\nplatforms: [android]\nsteps:\n  - init: {{}}\n"


@pytest.fixture
def device():
    dev = open_device("virtual:android")
    yield dev
    dev.close()


def _run(tmp_path, collector, device, name, steps):
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD.format(id=name) + steps)
    return Runner(device, collector).run(load_scenario(path))


def test_expectations_the_app_meets_pass(tmp_path, live_collector, device):
    result = _run(
        tmp_path,
        live_collector,
        device,
        "expect-pass",
        "  - trackEvent: {eventType: purchase, properties: {price: 9.5, item: book}}\n"
        "  - expect: {event: purchase, properties: {price: 9.5}, within: 5}\n"
        "  - expect: {request: {method: POST, path: /track/v2/projects/harness-token/customers/events,"
        " body: {event_type: purchase, properties: {item: book}}}}\n"
        "  - settle\n"
        "  - expect_nothing: {seconds: 30}\n"
        "  - wait: 60\n"
        "  - trackEvent: {eventType: later}\n"
        "  - settle\n",
    )
    assert result.outcome == "passed", result.headline() + "\n" + result.details()
    labels = [e.label for e in result.expectations.requests]
    assert "expect 'purchase' (line 7)" in labels
    mine = [m for m in result.verdict.matches if result.expectations.requests[m.expected_index].route == "expect"]
    assert len(mine) == 2 and all(m.ok for m in mine)


def test_a_wrong_value_is_a_mismatch_with_its_path_and_a_missing_event_is_missing(tmp_path, live_collector, device):
    result = _run(
        tmp_path,
        live_collector,
        device,
        "expect-fail",
        "  - trackEvent: {eventType: purchase, properties: {price: 9.5}}\n"
        "  - expect: {event: purchase, properties: {price: 10}}\n"
        "  - expect: {event: refund}\n"
        "  - expect: {event: late, within: 5}\n"  # from the purchase on, within 5 s of device time
        "  - wait: 60\n"
        "  - trackEvent: {eventType: late}\n"
        "  - settle\n",
    )
    assert result.outcome == "failed"
    got = sorted((v.kind, v.path) for v in result.verdict.violations)
    assert got == [("mismatch", "$.properties.price"), ("mismatch", "$.timestamp"), ("missing", "")], got
    record = result_record(result)
    price = next(v for v in record["violations"] if v["path"] == "$.properties.price")
    assert price["expected"] == 10 and price["captured"] == 9.5
    assert any("expect 'refund' (line 8)" in v["message"] for v in record["violations"])


def test_a_request_in_an_expect_nothing_window_is_a_violation_in_device_time(tmp_path, live_collector, device):
    result = _run(
        tmp_path,
        live_collector,
        device,
        "expect-nothing",
        "  - settle\n"
        "  - expect_nothing: {seconds: 30}\n"
        "  - wait: 20\n"  # device time 20 s into the window: a request now breaks it
        "  - trackEvent: {eventType: too_early}\n"
        "  - settle\n"
        "  - wait: 20\n"  # device time 40 s: past the window
        "  - trackEvent: {eventType: fine}\n"
        "  - settle\n",
    )
    assert result.outcome == "failed"
    (violation,) = result.verdict.violations
    assert violation.kind == "unexpected" and "too_early" in violation.message, violation
    assert "expect_nothing" in violation.message and "(line 7)" in violation.message


def test_an_internal_error_in_one_scenario_is_an_error_and_the_report_is_still_written(
    tmp_path, live_collector, device
):
    # A Scenario built in Python (the public API) skips the loader: its step reaches the real
    # profile, which raises on properties that are not an object.
    broken = Scenario(
        id="profile-crash",
        title="profile crash",
        covers=(),
        platforms=("android",),
        steps=(Step("call", "init", {}), Step("call", "trackEvent", {"eventType": "x", "properties": "price=9.5"})),
        path="<python>",
    )
    good = Scenario(
        id="fine", title="fine", covers=(), platforms=("android",), steps=(Step("call", "init", {}),), path="<python>"
    )
    runner = Runner(device, live_collector)
    results = [runner.run(broken), runner.run(good)]
    assert [r.outcome for r in results] == ["error", "passed"], [r.headline() for r in results]
    assert "internal error in scenario 'profile-crash'" in results[0].error
    assert "deriving the expectations" in results[0].error and "/spec/" in results[0].error
    records = [result_record(r) for r in results]
    write_junit(records, tmp_path / "junit.xml")
    meta = run_meta([], fault=None, started_at=0.0, duration=1.0, command=["harness", "run"])
    write_run(tmp_path / "report", meta, records)
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")}
    assert any("profile-crash" in name and case.find("error") is not None for name, case in cases.items())
    saved = json.loads((tmp_path / "report" / "results.json").read_text())["results"]
    assert {r["scenario"]: r["outcome"] for r in saved} == {"profile-crash": "error", "fine": "passed"}
    assert (tmp_path / "report" / "report.html").exists()
