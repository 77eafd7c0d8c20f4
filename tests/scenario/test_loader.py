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


def _one_step(tmp_path, step):
    return write(tmp_path, f"id: demo\ncovers: []\nplatforms: [android]\nsteps:\n  - init: {{}}\n  - {step}\n")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            'trackEvent: {eventType: purchase, properties: "price=9.5"}',
            "step 2 'trackEvent': properties must be an object, got string \"price=9.5\"",
        ),
        (
            "init: {configuration: {sessionTimeout: soon}}",
            "step 2 'init': configuration.sessionTimeout must be a number, got string \"soon\"",
        ),
        ("trackEvent: {eventType: 42}", "step 2 'trackEvent': eventType must be a string or null, got integer 42"),
        ("setFlushMode: {mode: SOMETIMES}", "step 2 'setFlushMode': mode must be one of"),
        ("init: {configuration: {sessionTimout: 5}}", "unknown argument(s) sessionTimout; allowed: "),
        ("init: {configuration: {sessionTimout: 5}}", "; did you mean 'sessionTimeout'?"),
        ("launch: {}", "step 2 'launch': takes no argument"),
        ("wait", "step 2 'wait': needs an argument"),
        ("expect: {event: purchase, within: 0}", "step 2 'expect': within must be more than 0, got 0"),
        ("expect: {properties: {a: 1}}", "step 2 'expect': missing argument(s) event"),
        ("expect: {event: a, request: {path: /x}}", "give exactly one of the forms"),
        ("expect_nothing: {until: init}", "until 'init' names no later step"),
        ("expect_nothing: {}", "give exactly one of the forms"),
    ],
)
def test_step_arguments_are_checked_at_load_time_with_file_and_line(tmp_path, step, message):
    path = _one_step(tmp_path, step)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.line == 6, str(info.value)
    assert str(info.value).startswith(f"{path}:6: ") and message in str(info.value), str(info.value)


def test_a_nested_argument_error_points_at_its_own_line(tmp_path):
    text = GOOD.replace(
        "  - init: {}\n", "  - init:\n      configuration:\n        projectToken: t\n        sessionTimeout: soon\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    assert info.value.line == 8 and "sessionTimeout must be a number" in str(info.value)


@pytest.mark.parametrize(
    ("step", "hint"),
    [
        ("trackEvnt: {eventType: x}", "'trackEvent'"),
        ("flushDta", "'flushData'"),
        ("expect_nothin: {seconds: 3}", "'expect_nothing' or 'expect'"),
        ("handleNewTokn: {token: t}", "'handleNewToken' or 'handleNewHmsToken'"),  # every close name, as for faults
    ],
)
def test_unknown_step_names_get_a_did_you_mean(tmp_path, step, hint):
    with pytest.raises(ScenarioError) as info:
        load_scenario(_one_step(tmp_path, step))
    assert str(info.value).endswith(f"; did you mean {hint}?") and info.value.line == 6, str(info.value)


def test_one_did_you_mean_for_the_whole_harness():
    """Close names are found in one place (harness.errors.did_you_mean), so every error suggests alike."""
    callers = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "harness").rglob("*.py")
        if "get_close_matches" in p.read_text(encoding="utf-8")
    ]
    assert callers == ["harness/errors.py"]


def test_the_cli_says_one_line_and_exits_2(tmp_path, capsys):
    from harness.cli import main

    path = _one_step(tmp_path, 'trackEvent: {eventType: purchase, properties: "price=9.5"}')
    assert main(["run", str(path), "--device", "virtual:android", "--junit", str(tmp_path / "j.xml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}:6: step 2 'trackEvent'" in err


def test_expect_steps_load_into_the_trace_kind_expect(tmp_path):
    text = GOOD + (
        "  - expect: {event: purchase, properties: {price: 9.5}, within: 5}\n"
        "  - expect: {request: {method: POST, path: /track/v2/projects/t/customers, body: {}}}\n"
        "  - expect_nothing: {seconds: 30}\n"
        "  - expect_nothing: {until: wait}\n"
        "  - wait: 5\n"
    )
    s = load_scenario(write(tmp_path, text))
    assert [(st.kind, st.name, st.source) for st in s.steps[-5:-1]] == [
        ("expect", "expect", "expect"),
        ("expect", "expect", "expect"),
        ("expect", "expect_nothing", "expect_nothing"),
        ("expect", "expect_nothing", "expect_nothing"),
    ]


def test_schema_json_is_generated_from_the_step_vocabulary():
    """One vocabulary: calls.py plus vocabulary.py; schema.json must be what they generate."""
    from harness.scenario.vocabulary import schema_text, steps_for

    assert (ROOT / "harness" / "scenario" / "schema.json").read_text() == schema_text(), (
        "regenerate: python -m harness.scenario.vocabulary > harness/scenario/schema.json"
    )
    from harness.sdks.exponea.calls import SDK_CALLS

    assert set(SDK_CALLS) <= set(steps_for())


def test_every_shipped_scenario_validates_against_schema_json():
    import json

    import jsonschema
    import yaml

    schema = json.loads((ROOT / "harness" / "scenario" / "schema.json").read_text())
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        if path.name.startswith("_"):
            continue
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


VERSIONED = """\
id: versioned
covers: [ios#72]
platforms: [android, ios]
sdk_versions: {sdk}
steps:
  - init: {{}}
"""


def test_sdk_versions_is_one_specifier_or_one_per_platform(tmp_path):
    every = load_scenario(write(tmp_path, VERSIONED.format(sdk='">=4.0.0"')))
    assert every.sdk_versions == {"android": ">=4.0.0", "ios": ">=4.0.0"}
    assert not every.applies_to_version("ios", "3.11.0") and every.applies_to_version("ios", "4.0.1")
    ios_only = load_scenario(write(tmp_path, VERSIONED.format(sdk='{ios: ">=4.0.0, <5"}')))
    assert ios_only.applies_to_version("android", "1.0.0") and not ios_only.applies_to_version("ios", "5.0.0")
    assert load_scenario(write(tmp_path, GOOD)).applies_to_version("android", "0.1.0")  # no requirement


@pytest.mark.parametrize(
    ("sdk", "message"),
    [
        ('"four"', "s.yaml:4: sdk_versions: 'four' is not a version specifier (e.g. '>=4.0.0')"),
        ('{ios: "=>4"}', "s.yaml:4: sdk_versions: '=>4' is not a version specifier (e.g. '>=4.0.0')"),
        ('{web: ">=1"}', "s.yaml:4: sdk_versions"),
    ],
)
def test_a_bad_sdk_versions_is_one_line_with_its_line(tmp_path, sdk, message):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, VERSIONED.format(sdk=sdk)))
    assert str(err.value).endswith(message) or message in str(err.value)
    assert "\n" not in str(err.value)


def test_an_sdk_versions_platform_outside_platforms_is_refused(tmp_path):
    text = VERSIONED.format(sdk='{ios: ">=4"}').replace("[android, ios]", "[android]")
    with pytest.raises(ScenarioError, match=r"s.yaml:4: sdk_versions: 'ios' is not in platforms"):
        load_scenario(write(tmp_path, text))
