import pytest

from harness.errors import ScenarioError
from harness.scenario.loader import find_scenarios, load_scenario
from tests.conftest import ROOT

GOOD = """\
id: demo
covers: [android#5]
platforms: [android]
steps:
  - init: {}
  - trackEvent: {eventType: x, properties: {a: 1}}
  - wait: 30
  - network: offline
  - relaunch
  - stopIntegration
"""


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_a_good_scenario_loads_into_typed_steps(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    assert s.id == "demo" and s.covers == ("android#5",)
    assert [(st.kind, st.name) for st in s.steps] == [
        ("call", "init"),
        ("call", "trackEvent"),
        ("env", "advance_clock"),
        ("env", "set_network"),
        ("app", "relaunch"),
        ("call", "stopIntegration"),
    ]
    assert s.steps[1].line == 6


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD.replace("  - wait: 30\n", "  - wait: soon\n"), 7, "wait"),
        (GOOD.replace("trackEvent: {eventType: x", "trackEvnt: {eventType: x"), 6, "trackEvnt"),
        (GOOD.replace("{eventType: x, properties: {a: 1}}", "{eventTyp: x}"), 6, "unknown argument(s) eventTyp"),
        (GOOD.replace("{eventType: x, properties: {a: 1}}", "{properties: {}}"), 6, "missing argument(s) eventType"),
        (GOOD.replace("covers: [android#5]", "covers: [android-5]"), 2, "android-5"),
        (GOOD.replace("platforms: [android]\n", ""), 1, "platforms"),
        (GOOD + "  - [unclosed\n", 12, "invalid YAML"),
        (GOOD.replace("  - relaunch\n", "  - reboot\n"), 9, "reboot"),
    ],
)
def test_malformed_scenarios_name_file_line_and_problem(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.path == str(path) and err.line == line, str(err)
    assert message in str(err)
    assert str(err).startswith(f"{path}:{line}: ")


def test_duplicate_ids_are_refused(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(ScenarioError, match="already used"):
        find_scenarios([tmp_path])


def test_the_shipped_suite_loads():
    scenarios = find_scenarios([ROOT / "scenarios"])
    assert len(scenarios) >= 3
    assert all(s.covers for s in scenarios)
