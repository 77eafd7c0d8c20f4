"""Every iOS scenario through the iOS profile on a simulated trace: it is modelled, and the
expectations it yields check the iOS checklist ids the scenario claims to cover."""

import pytest

from harness.scenario.loader import find_scenarios
from harness.spec.profiles import get_profile
from harness.spec.trace import Stimulus
from tests.conftest import ROOT

SCENARIOS = [s for s in find_scenarios([ROOT / "scenarios"]) if s.applies_to("ios")]
BASE_URL = "http://127.0.0.1:1/d/sim"
# Claimed ids that no single expectation names: they are about absence (nothing sent, no key) or
# a quiet window, which the test checks separately below.
ABSENCE = {"ios#25", "ios#33", "ios#38", "ios#42", "ios#48", "ios#51", "ios#52", "ios#54", "ios#64", "ios#66", "ios#70"}


def simulate(scenario):
    """The trace a runner would record on a device whose steps take 50 ms and a settle 4 s."""
    out, t = [], 1_700_000_000.0
    steps = list(scenario.steps)
    if scenario.fresh_install:
        out += [Stimulus(0, "app", "install", {}, t, t), Stimulus(1, "app", "launch", {}, t, t)]
    for step in steps:
        t += 4.0 if step.kind == "sync" else 0.05
        names = ["kill", "launch"] if step.kind == "app" and step.name == "relaunch" else [step.name]
        for name in names:
            args = dict(step.args)
            if name == "init":
                config = {"projectToken": "harness-token", "authorization": "Token harness-key"}
                config |= {"baseURL": BASE_URL, **dict(args.get("configuration") or {})}
                config["baseURL"] = str(config["baseURL"]).replace("{collector}", BASE_URL)
                args["configuration"] = config
            out.append(Stimulus(len(out), step.kind, name, args, t, t))
        if step.name == "advance_clock":
            t += float(step.args["seconds"])
    return out


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_is_modelled_and_checks_what_it_claims(scenario):
    ex = get_profile("exponea-ios").expect(simulate(scenario))
    named = {r for e in ex.requests for r in e.rules} | {r for w in ex.quiet for r in w.rules}
    claimed = {c for c in scenario.covers if c.startswith("ios#")}
    assert claimed, "an iOS scenario names the iOS ids it covers"
    assert claimed - ABSENCE <= named, f"claimed but never checked: {sorted(claimed - ABSENCE - named)}"


def test_the_suite_covers_at_least_ninety_percent_of_the_ios_checklist():
    from harness.scenario.coverage import coverage

    report = coverage([ROOT / "scenarios"])["checklists"]["ios"]
    assert len(report["covered"]) / report["total"] >= 0.9
    assert all(reason != "no scenario yet" for reason in report["uncovered"].values())
