"""The pytest plugin's ``--harness-scheduler``: scenario items played on a fleet's workers (a real
``dask scheduler`` and two ``harness worker`` processes on loopback, from ``test_dask_fleet``)."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("distributed", reason="fleet runs need the [fleet] extra (dask[distributed])")

from tests.conftest import ROOT
from tests.fleet.test_dask_fleet import _outcomes, _run

SCENARIOS = sorted(str(p) for p in (ROOT / "scenarios" / "exponea").glob("*identify*.yaml"))[:3]


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q", "-rA", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_scenario_items_play_on_every_device_of_every_worker_with_a_local_runs_verdicts(cluster, tmp_path):
    address, _ = cluster
    fleet = _pytest(*SCENARIOS, "--harness-scheduler", address, "--harness-report", str(tmp_path / "fleet"))
    assert fleet.returncode == 0, fleet.stdout[-3000:] + fleet.stderr[-3000:]
    for device in ("virtual:android@w1", "virtual:ios@w1", "virtual:android@w2"):
        assert f"[{device}]" in fleet.stdout, fleet.stdout[-3000:]
    local = _run(
        "--device", "virtual:android", "--device", "virtual:ios", *SCENARIOS, "--report", str(tmp_path / "local")
    )
    assert local.returncode == 0, local.stdout + local.stderr
    mine, theirs = _outcomes(tmp_path / "fleet"), _outcomes(tmp_path / "local")
    assert len(mine) == 3 * len(SCENARIOS)
    for (scenario, device), outcome in mine.items():
        assert outcome == theirs[(scenario, device.split("@")[0])], (scenario, device)
    devices = json.loads((tmp_path / "fleet" / "run.json").read_text())["devices"]
    assert {d["uri"] for d in devices} == {"virtual:android@w1", "virtual:ios@w1", "virtual:android@w2"}


def test_the_device_option_picks_a_fleet_device_and_an_unknown_one_is_a_usage_error(cluster):
    address, _ = cluster
    one = _pytest(SCENARIOS[0], "--harness-scheduler", address, "--harness-device", "virtual:android@w2")
    assert one.returncode == 0, one.stdout[-3000:] + one.stderr[-3000:]
    assert "1 passed" in one.stdout and "[virtual:android@w2]" in one.stdout, one.stdout[-2000:]
    unknown = _pytest(SCENARIOS[0], "--harness-scheduler", address, "--harness-device", "virtual:ios@w2")
    assert unknown.returncode == 4, unknown.stdout + unknown.stderr
    assert "no worker has virtual:ios@w2" in unknown.stderr, unknown.stderr
