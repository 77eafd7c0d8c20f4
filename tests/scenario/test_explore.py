"""harness explore: random sequences on the virtual device, shrunk to a scenario file on disagreement."""

from __future__ import annotations

import tempfile
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.capture.server import CollectorServer
from harness.cli import main
from harness.devices.registry import open_device
from harness.scenario.explore import explore, step_strategies
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from harness.scenario.vocabulary import steps_for


def _run(path: Path, fault: str | None) -> str:
    scenario = load_scenario(path)
    with CollectorServer(Path(tempfile.mkdtemp()) / "c.sqlite") as collector:
        device = open_device("virtual:android")
        try:
            return Runner(device, collector, fault=fault).run(scenario).outcome
        finally:
            device.close()


def test_explore_finds_a_seeded_fault_and_writes_a_scenario_that_catches_it(tmp_path: Path) -> None:
    report = explore("virtual:android", fault="timestamp-millis", examples=5, seed=3, max_steps=3, out=tmp_path)
    assert report.found
    (finding,) = report.findings
    assert finding.fault == "timestamp-millis" and finding.outcome == "failed"
    assert finding.without_fault == "passed"  # the fault alone explains it
    assert "android#16" in finding.rules or "android#18" in finding.rules or "android#5" in finding.rules
    path = Path(str(finding.path))
    text = path.read_text()
    assert "--seed 3" in text and "--fault timestamp-millis" in text
    scenario = load_scenario(path)  # the loader accepts it as it is
    assert scenario.platforms == ("android",) and set(scenario.covers) <= set(finding.rules)
    assert _run(path, "timestamp-millis") == "failed"
    assert _run(path, None) == "passed"


def test_explore_on_the_fault_free_device_agrees(tmp_path: Path) -> None:
    report = explore("virtual:ios", examples=3, seed=0, max_steps=3, out=tmp_path)
    assert not report.found, [f.details for f in report.findings]
    assert report.sequences == 3 and report.agreed + report.unmodelled == 3
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--examples", "0"], "--examples"),
        (["--max-steps", "0"], "--max-steps"),
        (["--fault", "no-such-fault"], "no seeded fault"),
        (["--device", "virtual:pc"], "virtual:pc"),
        (["--sdk", "nosuch"], "unknown SDK"),
        (["--budget", "-1"], "--budget"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_drawn_step_passes_the_loader_schema(data: st.DataObject) -> None:
    """The narrowed schemas are subsets of the vocabulary's: whatever explore draws, the loader accepts."""
    strategies = step_strategies("exponea")
    vocabulary = steps_for("exponea")
    name = data.draw(st.sampled_from(sorted(strategies)))
    value = data.draw(strategies[name])
    spec = vocabulary[name]
    if value is None:
        assert spec.schema is None or spec.bare
    else:
        assert spec.schema is not None
        jsonschema.validate(value, spec.schema)


def test_selftest_explore_reports_a_fault_only_exploration_found() -> None:
    from harness.scenario.selftest import format_report, selftest

    # an iOS-only suite on the Android device: no scenario can catch the fault, exploration alone must
    report = selftest(
        ["scenarios/exponea/ios-sessions.yaml"],
        ["virtual:android"],
        workers=1,
        only_faults=["timestamp-millis"],
        explore_examples=3,
        explore_budget=60,
    )
    plat = report.platforms["virtual:android"]
    assert plat.uncaught == ["timestamp-millis"]
    assert plat.explore_only == ["timestamp-millis"] and plat.explore_missed == []
    data = report.as_json()["platforms"]["virtual:android"]
    assert data["explore_only"] == ["timestamp-millis"]
    assert data["faults"]["timestamp-millis"]["explore"]["finding"]["steps"]
    assert "only exploration: timestamp-millis" in format_report(report)


def test_the_scenario_exploration_found_on_the_fault_free_android_device_passes() -> None:
    """anonymize in the background: the reference SDK sent no session_start (the real SDK and the profile do)."""
    assert _run(Path("scenarios/exponea/explore-anonymize-in-background.yaml"), None) == "passed"


def test_a_payment_item_the_android_sdk_cannot_build_is_expected_to_track_nothing() -> None:
    """Found by exploration: the profile expected a payment with null fields after the app's call threw."""
    assert _run(Path("scenarios/exponea/explore-payment-incomplete-item.yaml"), None) == "passed"


def test_a_platform_draws_only_the_calls_its_sdk_has() -> None:
    ios, android = step_strategies("exponea", "ios"), step_strategies("exponea", "android")
    assert "trackHmsPushToken" in android and "handleRemoteMessage" in android
    assert "trackHmsPushToken" not in ios and "handleRemoteMessage" not in ios and "trackEvent" in ios


def test_app_phone_and_collector_steps_are_drawn_about_as_often_as_calls() -> None:
    """Each non-call step gets several identical rules (rule_copies) and each step its own function name,
    so Hypothesis's swarm testing can switch steps on and off one by one."""
    from harness.scenario.explore import _Context, _machine

    machine = _machine("exponea", _Context(lambda steps: ("passed", "", "", []), 0.0), "android")
    rules = machine.setup_state().rules
    calls = [
        r
        for r in rules
        if r.function.__name__.startswith("step_") and steps_for("exponea")[r.function.__name__[5:]].kind == "call"
    ]
    others = len(rules) - len(calls)
    assert 0.7 <= others / len(calls) <= 2.0
    names = {r.function.__name__ for r in rules}
    assert {"step_wait", "step_respond", "step_trackEvent", "relaunch"} <= names
