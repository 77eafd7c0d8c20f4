"""harness diff and baselines, on real runs of the virtual device."""

import json
import subprocess
import sys

import pytest

from harness.report.folder import load_run
from tests.conftest import ROOT
from tests.report.conftest import harness

SCENARIOS = [f"scenarios/exponea/{n}.yaml" for n in ("custom-event", "default-properties", "identify")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three runs made side by side: two fault-free, one with a seeded fault."""
    root = tmp_path_factory.mktemp("diff")
    procs = {}
    for name, fault in (("a", None), ("b", None), ("no-device-id", "no-device-id")):
        args = ["run", "--report", str(root / name), *SCENARIOS] + (["--fault", fault] if fault else [])
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
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
    assert "EQUAL" in harness("diff", str(runs["a"]), str(runs["b"])).stdout


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
