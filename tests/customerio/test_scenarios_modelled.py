"""Every Customer.io scenario through the customerio-android profile on a simulated trace: it is modelled, and
the expectations it yields check the checklist ids the scenario claims to cover."""

from __future__ import annotations

import pytest

from harness.scenario.loader import find_scenarios
from harness.sdks.customerio.connect import connect
from harness.spec.profiles import get_profile
from harness.spec.trace import Stimulus
from tests.conftest import ROOT

SCENARIOS = [s for s in find_scenarios([ROOT / "scenarios"]) if s.sdk == "customerio"]
BASE_URL = "http://127.0.0.1:1/d/sim"
# Claimed ids no expectation names: they are about absence (nothing sent) or judged by header rules.
ABSENCE = {"android#9", "android#19", "android#31"}


def simulate(scenario):
    """The trace a runner would record on a device whose steps take 50 ms and a settle 4 s."""
    out, t = [], 1_700_000_000.0
    if scenario.fresh_install:
        out += [Stimulus(0, "app", "install", {}, t, t), Stimulus(1, "app", "launch", {}, t, t)]
    for step in scenario.steps:
        t += 4.0 if step.kind == "sync" else 0.05
        names = ["kill", "launch"] if step.kind == "app" and step.name == "relaunch" else [step.name]
        for name in names:
            args = dict(connect(name, step.args, BASE_URL)) if step.kind == "call" else dict(step.args)
            out.append(Stimulus(len(out), step.kind, name, args, t, t))
        if step.name == "advance_clock":
            t += float(step.args["seconds"])
    return out


def test_there_is_a_suite():
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_is_modelled_and_checks_what_it_claims(scenario):
    ex = get_profile("customerio-android").expect(simulate(scenario))
    named = {r for e in ex.requests for r in e.rules}
    claimed = {c.split("-", 1)[-1] for c in scenario.covers}
    assert claimed, "a scenario names the ids it covers"
    assert claimed - ABSENCE <= named, f"claimed but never checked: {sorted(claimed - ABSENCE - named)}"


def test_the_suite_covers_at_least_ninety_percent_of_the_checklist():
    from harness.scenario.coverage import coverage

    report = coverage([ROOT / "scenarios"])["checklists"]["customerio-android"]
    assert len(report["covered"]) / report["total"] >= 0.9
    assert all(reason != "no scenario yet" for reason in report["uncovered"].values())
