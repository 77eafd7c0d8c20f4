"""The benchmarks still run (tiny sizes; no figure is asserted: speed is measured, never tested).

A benchmark that no longer starts is found when someone needs its figures; these keep them honest
against the code they measure. The collector benchmark needs wrk and nginx and is left out.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("agent", ["native", "flutter"])
def test_frida_call_benchmark_runs(agent):
    cmd = [sys.executable, "benchmarks/frida_call.py", "--rounds", "1", "-n", "5", "--agent", agent]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ratio SDK call / bare RPC" in proc.stdout and f"agent={agent}" in proc.stdout


def test_checker_benchmark_runs():
    proc = subprocess.run(
        [sys.executable, "benchmarks/checker.py", "200", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "check" in proc.stdout


def test_fleet_benchmark_runs():
    pytest.importorskip("distributed", reason="the fleet benchmark needs the [fleet] extra")
    proc = subprocess.run(
        [sys.executable, "benchmarks/fleet.py", "--devices", "2", "--scenarios", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "1 worker / 2 workers = " in proc.stdout and "verdicts identical in both runs (2 runs each)" in proc.stdout
