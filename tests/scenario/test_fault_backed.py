"""harness coverage --selftest: an item counts as fault-backed only when a covering scenario caught a fault
that breaks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import ScenarioError
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


def test_coverage_selftest_counts_an_item_without_a_caught_fault_as_not_covered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17: ``covers`` alone does not make an item covered once fault data is given."""
    assert main(["coverage", "scenarios/exponea", "--selftest", str(_selftest(tmp_path, [])), "--json"]) == 0
    android = json.loads(capsys.readouterr().out)["checklists"]["android"]
    assert "android#5" in android["scenario_covered"]  # a scenario names it in covers ...
    assert "android#5" not in android["covered"]  # ... but no fault breaking it was caught
    assert android["uncovered"]["android#5"].startswith("no caught fault")
    assert "timestamp-millis" in android["uncovered"]["android#5"]
    assert android["uncovered"]["android#1"] == "no caught fault: no seeded fault breaks it"


def test_a_caught_fault_makes_its_item_covered_for_every_sdk(tmp_path: Path) -> None:
    report = {
        "platforms": {
            "virtual:android": {
                "faults": {
                    "timestamp-millis": {"violates": ["android#5"], "caught_by": ["custom-event"]},
                    "retries-400": {
                        "sdk": "customerio",
                        "violates": ["customerio-android#29"],
                        "caught_by": ["cio-drop-400"],
                    },
                }
            }
        }
    }
    path = tmp_path / "selftest.json"
    path.write_text(json.dumps(report))
    out = coverage([Path("scenarios")], selftest=path)["checklists"]
    assert out["android"]["covered"] == ["android#5"] and out["exponea-android"]["covered"] == ["exponea-android#5"]
    assert out["customerio-android"]["covered"] == ["customerio-android#29"]


def test_coverage_reads_the_committed_selftest_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "custom-event.yaml").write_text(Path("scenarios/exponea/custom-event.yaml").read_text())
    _selftest(suite, ["custom-event"]).rename(suite / "_selftest.json")
    assert main(["coverage", str(suite), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["checklists"]["android"]["covered"] == ["android#5"]
    assert main(["coverage", str(suite), "--json", "--covers-only"]) == 0
    assert "fault_backed" not in json.loads(capsys.readouterr().out)["checklists"]["android"]


def test_the_index_says_why_an_item_has_no_fault(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "custom-event.yaml").write_text(Path("scenarios/exponea/custom-event.yaml").read_text())
    (suite / "_index.yaml").write_text('no_fault:\n  android#2: "a reason"\n')
    android = coverage([suite], selftest=_selftest(tmp_path, []))["checklists"]["android"]
    assert android["uncovered"]["android#2"] == "no caught fault: a reason"
    assert android["no_fault"] == {"android#2": "a reason"}
    (suite / "_index.yaml").write_text("no_fault: [android#2]\n")
    with pytest.raises(ScenarioError, match="no_fault must map"):
        coverage([suite], selftest=_selftest(tmp_path, []))
