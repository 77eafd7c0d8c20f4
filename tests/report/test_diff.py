"""harness diff and baselines, on real runs of the virtual device."""

import json
import subprocess
import sys

import pytest

from harness.report.folder import load_run
from tests.conftest import ROOT
from tests.report.conftest import harness

SCENARIOS = [f"scenarios/exponea/{n}.yaml" for n in ("custom-event", "default-properties", "identify")]
# where values derived from the clock (Android's anonymize session_end duration: -1 minus the session
# start) and the order of concurrent requests (iOS push campaign events) change from run to run
CLOCK_SCENARIOS = [
    f"scenarios/exponea/{n}.yaml" for n in ("anonymize", "anonymize-project-switch", "push-delivered-clicked")
]
BOTH = ["--device", "virtual:android", "--device", "virtual:ios"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Runs made side by side: two fault-free, one with a seeded fault, one with fewer scenarios,
    and two fault-free runs of the clock-sensitive scenarios on both virtual platforms."""
    root = tmp_path_factory.mktemp("diff")
    plans = {
        "a": SCENARIOS,
        "b": SCENARIOS,
        "no-device-id": [*SCENARIOS, "--fault", "no-device-id"],
        "fewer": SCENARIOS[:1],
        "clock-a": [*CLOCK_SCENARIOS, *BOTH],
        "clock-b": [*CLOCK_SCENARIOS, *BOTH],
        "no-session-end": [*CLOCK_SCENARIOS[:1], "--fault", "anonymize-no-session-end"],
    }
    procs = {}
    for name, args in plans.items():
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "run", "--report", str(root / name), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    for name, proc in procs.items():
        output = proc.communicate(timeout=300)[0].decode()
        assert (root / name / "results.json").exists(), output
    return {name: root / name for name in procs}


def test_two_fault_free_runs_are_equal(runs):
    out = harness("diff", str(runs["a"]), str(runs["b"]), "--json")
    assert out.returncode == 0, out.stdout
    data = json.loads(out.stdout)
    assert data["equal"] and data["differences"] == [] and data["compared_payloads"] > 10
    assert data["missing_results"] == 0
    assert "EQUAL" in harness("diff", str(runs["a"]), str(runs["b"])).stdout


def test_clock_derived_values_and_arrival_order_are_not_regressions(runs):
    """Two fault-free runs on both platforms diff clean, though the anonymize session_end duration
    (end marker -1 minus the start time) moves with the clock; a seeded fault there still differs."""
    _, records = load_run(runs["clock-a"])
    durations = [
        json.loads(q["body"])["properties"]["duration"]
        for r in records
        for q in r["requests"]
        if '"session_end"' in q["body"] and r["platform"] == "android" and r["scenario"].startswith("anonymize")
    ]
    assert len(durations) == 2 and all(d < -1e9 for d in durations)  # the clock-derived value is there
    assert {r["platform"] for r in records} == {"android", "ios"}
    out = harness("diff", str(runs["clock-a"]), str(runs["clock-b"]), "--json")
    assert out.returncode == 0, out.stdout
    assert json.loads(out.stdout)["compared_payloads"] > 30
    fault = harness("diff", str(runs["clock-a"]), str(runs["no-session-end"]), "--json")
    assert fault.returncode == 1
    data = json.loads(fault.stdout)
    anonymize = [d for d in data["differences"] if d["scenario"] == "anonymize" and d["device"] == "virtual:android"]
    assert [c["kind"] for d in anonymize for c in d["changes"] if "session_end" in d["payload"]] == ["missing-event"]


def test_a_run_with_fewer_scenarios_says_how_many_results_are_missing(runs):
    _, full = load_run(runs["a"])
    _, few = load_run(runs["fewer"])
    missing = len(full) - len(few)
    assert missing >= 2
    out = harness("diff", str(runs["a"]), str(runs["fewer"]), "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["missing_results"] == missing
    text = harness("diff", str(runs["a"]), str(runs["fewer"])).stdout
    assert f"REGRESSION: {missing} scenario results missing in B" in text


def test_seeded_fault_names_exactly_the_changed_payloads(runs):
    out = harness("diff", str(runs["a"]), str(runs["no-device-id"]), "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    _, records = load_run(runs["a"])
    # every payload of run A that carried properties.device_id, and nothing else
    want = set()
    for r in records:
        for q in r["requests"]:
            body = json.loads(q["body"]) if q["body"] else None
            if isinstance(body, dict) and "device_id" in (body.get("properties") or {}):
                want.add((r["scenario"], q["id"]))
    payloads = [d for d in data["differences"] if d["request_a"] is not None]
    assert {(d["scenario"], d["request_a"]) for d in payloads} == want
    for d in payloads:  # removed, or (where the call passed its own device_id) no longer overridden
        assert [c["path"] for c in d["changes"]] == ["$.properties.device_id"]
    kinds: dict[str, set[str]] = {}
    for d in payloads:
        kinds.setdefault(d["scenario"], set()).update(c["kind"] for c in d["changes"])
    assert kinds["custom-event"] == {"removed"} and kinds["default-properties"] == {"removed", "value"}
    others = [d for d in data["differences"] if d["request_a"] is None]
    assert all(c["kind"] == "outcome" for d in others for c in d["changes"])
    text = harness("diff", str(runs["a"]), str(runs["no-device-id"])).stdout
    assert "$.properties.device_id: property removed" in text and "REGRESSION" in text
    assert '"user-supplied"' in text


def test_timestamps_in_milliseconds_are_a_change_of_shape(runs, tmp_path):
    out = tmp_path / "millis"
    harness("run", "--fault", "timestamp-millis", "--report", str(out), "scenarios/exponea/custom-event.yaml")
    data = json.loads(harness("diff", str(runs["a"]), str(out), "--json").stdout)
    changed = {c["path"] for d in data["differences"] if d["scenario"] == "custom-event" for c in d["changes"]}
    assert "$.timestamp" in changed


def test_pinned_baseline_is_compared_by_sdk_version(runs, tmp_path):
    store = tmp_path / "baselines"
    pin = harness("baseline", "pin", str(runs["a"]), "--store", str(store))
    assert pin.returncode == 0, pin.stderr
    assert (store / "4.10.0" / "baseline.json").exists()
    again = harness("baseline", "pin", str(runs["a"]), "--store", str(store))
    assert again.returncode == 2 and "already pinned" in again.stderr
    assert harness("diff", "--baseline", "4.10.0", "--store", str(store), str(runs["b"])).returncode == 0
    assert harness("diff", "--baseline", "4.10.0", "--store", str(store), str(runs["no-device-id"])).returncode == 1
    missing = harness("diff", "--baseline", "9.9.9", "--store", str(store), str(runs["b"]))
    assert missing.returncode == 2 and "9.9.9" in missing.stderr
    assert "4.10.0" in harness("baseline", "list", "--store", str(store)).stdout


def test_diff_of_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path, runs):
    out = harness("diff", str(tmp_path), str(runs["a"]))
    assert out.returncode == 2 and "not a recorded run" in out.stderr


def _record(bodies, clock=None):
    """A minimal record: one scenario whose requests all went to the events route."""
    expectations = [{"clock": clock} for _ in bodies] if clock is not None else []
    requests = [
        {
            "id": i + 1,
            "method": "POST",
            "path": "/track/v2/projects/t/customers/events",
            "body": json.dumps(b),
            "expectation": i if clock is not None else None,
        }
        for i, b in enumerate(bodies)
    ]
    return {
        "scenario": "s",
        "device": "virtual:ios",
        "outcome": "passed",
        "requests": requests,
        "expectations": expectations,
    }


def test_values_are_compared_by_what_the_profile_says_they_are():
    from harness.report.diff import diff_records

    def diff(a, b, clock):
        return diff_records([_record([a], clock)], [_record([b], clock)], names=("A", "B"))

    end = {"event_type": "session_end", "properties": {"duration": -1796401580.114}}
    later = {"event_type": "session_end", "properties": {"duration": -1796401589.886}}
    marker = {"$.properties.duration": "marker-duration"}
    assert not diff(end, later, marker).regression
    assert diff(end, later, None).regression  # no profile knowledge: the digits decide
    positive = {"event_type": "session_end", "properties": {"duration": 1796401589.886}}
    assert diff(end, positive, marker).regression  # the sign is what it is
    length = {"$.properties.duration": "approx"}
    assert not diff({"properties": {"duration": 10.0}}, {"properties": {"duration": 11.5}}, length).regression
    assert diff({"properties": {"duration": 10.0}}, {"properties": {"duration": 13.0}}, length).regression
    stamp = {"$.timestamp": "device-time"}
    assert not diff({"timestamp": 1712345678.1}, {"timestamp": 1712345690.7}, stamp).regression
    assert diff({"timestamp": 1712345678.1}, {"timestamp": 1712345678100}, stamp).regression


def test_requests_sent_concurrently_are_paired_by_content_not_arrival():
    from harness.report.diff import diff_records

    one = {"event_type": "campaign", "properties": {"status": "delivered", "campaign_id": "c-1"}}
    two = {"event_type": "campaign", "properties": {"status": "clicked", "url": "app"}}
    report = diff_records([_record([one, two])], [_record([two, one])], names=("A", "B"))
    assert not report.regression and report.compared == 2
    changed = {**two, "properties": {**two["properties"], "url": "web"}}
    report = diff_records([_record([one, two])], [_record([changed, one])], names=("A", "B"))
    assert [c.line() for p in report.payloads for c in p.changes] == ['$.properties.url: "app" -> "web"']
