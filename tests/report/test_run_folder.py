"""What a run folder holds: captures, verdicts, metadata, matrix and JUnit, secrets masked."""

import json
import xml.etree.ElementTree as ET

from harness import __version__
from harness.report.folder import load_run


def test_folder_holds_captures_verdicts_metadata_and_masks_authorization(failing_run):
    names = {p.relative_to(failing_run).as_posix() for p in failing_run.rglob("*") if p.is_file()}
    assert {"report.html", "run.json", "verdicts.json", "results.json", "matrix.json", "junit.xml"} <= names
    assert "captures/virtual-android/identify-customer.jsonl" in names
    assert "captures/virtual-android/identify-customer.har" in names
    for path in failing_run.rglob("*"):
        if path.is_file():
            assert "harness-key" not in path.read_text(), f"secret leaked into {path.name}"
    lines = (failing_run / "captures/virtual-android/identify-customer.jsonl").read_text().splitlines()
    tracking = [json.loads(line) for line in lines if json.loads(line)["kind"] == "tracking"]
    assert tracking and all(r["headers"]["authorization"] == "Token ****" for r in tracking)

    meta = json.loads((failing_run / "run.json").read_text())
    assert meta["harness_version"] == __version__ and meta["faults"] == ["ids-merged"]
    assert meta["host"] and meta["duration"] > 0 and meta["started_at"] > 0
    (dev,) = meta["devices"]
    assert dev["uri"] == "virtual:android" and dev["platform"] == "android"
    assert dev["profile"] == "exponea-android" and dev["sdk_version"] == "4.10.0"

    results = json.loads((failing_run / "verdicts.json").read_text())["results"]
    verdicts = {(v["scenario"], v["device"]): v for v in results}
    assert verdicts[("custom-event", "virtual:android")]["outcome"] == "passed"
    bad = verdicts[("identify-customer", "virtual:android")]
    assert bad["outcome"] == "failed" and bad["fault"] == "ids-merged"
    assert {(v["kind"], v["path"], v["expected_present"], v["captured"]) for v in bad["violations"]} == {
        ("mismatch", "$.customer_ids.registered", False, "jane@example.com")
    }


def test_load_run_reads_the_requests_back_with_their_expectation_links(failing_run):
    _, records = load_run(failing_run)
    rec = next(r for r in records if r["scenario"] == "identify-customer")
    by_id = {q["id"]: q for q in rec["requests"]}
    for e in rec["expectations"]:
        assert by_id[e["request_id"]]["expectation"] == e["index"]
    assert [e["status"] for e in rec["expectations"]].count("mismatch") == 2


def test_junit_has_a_case_per_scenario_and_device_with_properties(failing_run):
    root = ET.parse(failing_run / "junit.xml").getroot()
    cases = root.findall(".//testcase")
    assert {(c.get("classname"), c.get("name")) for c in cases} == {
        ("virtual:android", "identify-customer"),
        ("virtual:android", "custom-event"),
    }
    bad = next(c for c in cases if c.get("name") == "identify-customer")
    props = {p.get("name"): p.get("value") for p in bad.findall("properties/property")}
    assert props["device"] == "virtual:android" and props["platform"] == "android"
    assert props["sdk_version"] == "4.10.0" and props["fault"] == "ids-merged"
    failure = bad.find("failure")
    assert "$.customer_ids.registered" in failure.get("message") and "+++ captured" in failure.text
    assert root.get("failures") == "1" and root.get("tests") == "2"
