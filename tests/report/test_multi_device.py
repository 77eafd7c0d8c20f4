"""Runs on two devices write one report and one matrix: the CLI, and pytest-xdist with a worker each."""

import json
import subprocess
import sys

from harness.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.report.conftest import harness

DEVICES = ["virtual:android", "jvm:android"]
SCENARIO = "scenarios/exponea/custom-event.yaml"


def _check_one_matrix(folder):
    matrix = json.loads((folder / "matrix.json").read_text())
    assert sorted(matrix["devices"]) == sorted(DEVICES)
    covers = load_scenario(ROOT / SCENARIO).covers
    assert sorted(row["id"] for row in matrix["rows"]) == sorted(covers)
    assert all(row["cells"] == {d: "pass" for d in DEVICES} for row in matrix["rows"])
    results = json.loads((folder / "verdicts.json").read_text())["results"]
    assert sorted(r["device"] for r in results) == sorted(DEVICES)
    meta = json.loads((folder / "run.json").read_text())
    assert sorted(d["uri"] for d in meta["devices"]) == sorted(DEVICES)
    assert {d["sdk_version"] for d in meta["devices"]} == {"4.10.0"}


def test_cli_with_two_devices_prints_progress_and_a_matrix_and_writes_one_report(tmp_path):
    args = [a for d in DEVICES for a in ("--device", d)]
    out = harness("run", *args, "--report", str(tmp_path / "run"), SCENARIO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert [line.split()[0] for line in out.stdout.splitlines() if line.startswith("[")] == ["[1/2]", "[2/2]"]
    assert "checklist id" in out.stdout and "android#16" in out.stdout
    _check_one_matrix(tmp_path / "run")


def test_pytest_xdist_one_worker_per_device_writes_one_report(tmp_path):
    args = [a for d in DEVICES for a in ("--device", d)]
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", "--dist", "loadgroup", *args,
         "--harness-report", str(tmp_path / "run"), "--rootdir", str(ROOT), "-o", "testpaths=", str(ROOT / SCENARIO)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    _check_one_matrix(tmp_path / "run")
    records = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert all(r["outcome"] == "passed" and r["expectations"] for r in records)
    assert "pytest" in json.loads((tmp_path / "run" / "run.json").read_text())["command"][0]
