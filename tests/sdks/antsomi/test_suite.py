"""The shipped Antsomi suite on the virtual device: passes fault-free, catches every seeded fault, and
a changed field type between the stand-in's two releases is reported by ``harness diff``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.scenario.selftest import selftest
from harness.sdks.antsomi.virtual.faults import FAULTS
from tests.conftest import ROOT

SUITE = ROOT / "scenarios" / "antsomi"


def test_selftest_passes_the_suite_and_catches_every_fault_with_a_covering_scenario() -> None:
    report = selftest([SUITE], ["virtual:android"], workers=2)
    plat = report.platforms["virtual:android"]
    assert not plat.baseline_failed
    assert len(plat.baseline_passed) == len(list(SUITE.glob("[!_]*.yaml")))
    assert set(plat.faults) == set(FAULTS)
    for name, outcome in plat.faults.items():
        assert outcome.caught_by, f"{name} caught by nothing"
        assert not outcome.fallback, f"{name} caught only by a scenario that does not cover {outcome.fault.violates}"
    assert report.ok


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def test_harness_diff_reports_the_sid_type_change_between_stand_in_releases(tmp_path: Path) -> None:
    """The committed pin was learned from release 1.1.0 (``sid`` a string): 1.0.0 (a number) fails the run."""
    scenario = str(SUITE / "reset-uid.yaml")
    runs = {}
    for name, version in [("a", "1.1.0"), ("b", "1.1.0"), ("c", "1.0.0")]:
        runs[name] = str(tmp_path / name)
        out = harness("run", scenario, "--device", "virtual:android", "--sdk-version", version, "--report", runs[name])
        assert out.returncode == (1 if version == "1.0.0" else 0), out.stdout + out.stderr
    assert "$.sid: endpoint 'POST /antsomi/v3/event': type changed: pinned string, got number" in out.stdout
    same = harness("diff", runs["a"], runs["b"])
    assert same.returncode == 0, same.stdout + same.stderr
    changed = harness("diff", runs["a"], runs["c"], "--json")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    kinds = {(c["kind"], c["path"]) for d in json.loads(changed.stdout)["differences"] for c in d["changes"]}
    assert ("type", "$.sid") in kinds
