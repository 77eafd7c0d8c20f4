"""harness coverage --selftest: an item counts as fault-backed only when a covering scenario caught a fault
that breaks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.scenario.coverage import coverage


def _selftest(tmp_path: Path, caught_by: list[str]) -> Path:
    report = {
        "ok": True,
        "platforms": {
            "virtual:android": {
                "faults": {
                    "timestamp-millis": {"violates": ["android#5", "ios#8"], "caught_by": caught_by},
                    "no-device-id": {"violates": ["android#10"], "caught_by": ["unrelated-scenario"]},
                }
            }
        },
    }
    path = tmp_path / "selftest.json"
    path.write_text(json.dumps(report))
    return path


def test_an_item_is_fault_backed_when_a_covering_scenario_caught_its_fault(tmp_path: Path) -> None:
    scenarios = Path("scenarios/exponea")
    report = coverage([scenarios], selftest=_selftest(tmp_path, ["custom-event"]))
    android = report["checklists"]["android"]
    assert {"total", "covered", "uncovered"} <= set(android)  # the design contract's keys stay
    assert "android#5" in android["fault_backed"]
    backing = report["fault_backing"]["android"]["android#5"]
    assert backing["faults"]["timestamp-millis"]["by_covering"] == ["custom-event"]
    # caught, but by a scenario that does not cover the item: not proof that the rule is checked
    assert "android#10" in android["not_fault_backed"]
    assert backing["backed"] and not report["fault_backing"]["android"]["android#10"]["backed"]


def test_a_fault_no_covering_scenario_caught_leaves_the_item_unbacked(tmp_path: Path) -> None:
    report = coverage([Path("scenarios/exponea")], selftest=_selftest(tmp_path, []))
    assert "android#5" in report["checklists"]["android"]["not_fault_backed"]


def test_without_selftest_the_report_is_unchanged() -> None:
    report = coverage([Path("scenarios/exponea")])
    assert "fault_backing" not in report and "fault_backed" not in report["checklists"]["android"]


def test_a_bad_selftest_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert main(["coverage", "scenarios/exponea", "--selftest", str(bad)]) == 2
    assert "not a selftest report" in capsys.readouterr().err
