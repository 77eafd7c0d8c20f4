"""The plugin, through pytester: scenario files become items; fixtures give a live app."""

import pytest

from tests.conftest import ROOT

SCENARIO = (ROOT / "scenarios/exponea/custom-event.yaml").read_text()


def test_scenario_files_are_collected_and_pass(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    result = pytester.runpytest_subprocess("scenarios", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*custom-event?virtual:android? PASSED*"])


def test_a_fault_fails_the_item_with_the_verdict_and_keeps_a_har(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    result = pytester.runpytest_subprocess("scenarios", "--fault", "timestamp-millis")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*FAIL*custom-event*", "*$.timestamp*"])
    assert list((pytester.path / "test-results").rglob("capture.har"))


def test_a_malformed_scenario_is_a_collection_error_with_its_line(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "bad.yaml").write_text("id: bad\ncovers: []\nplatforms: [android]\nsteps: []\n")
    result = pytester.runpytest_subprocess("scenarios")
    result.stdout.fnmatch_lines(["*bad.yaml:4: steps: [] should be non-empty*"])


def test_app_fixture_gives_a_typed_sdk_and_a_capture_window(pytester):
    pytester.makepyfile(
        """
        def test_event(app):
            app.init()
            app.sdk.track_event("purchase", {"price": 9.5})
            requests = app.wait_for_requests(3)
            assert [r.path.rsplit('/', 1)[-1] for r in requests] == ["events"] * 3
            assert '"purchase"' in requests[-1].body
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_in_app_capture_option_records_both_captures_in_the_run_folder(pytester):
    """--harness-in-app-capture on the test bed: the item passes (nothing lost), and the run folder has
    the app's capture beside the collector's, with the same requests."""
    import json

    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    result = pytester.runpytest_subprocess(
        "scenarios", "--device", "jvm:android", "--harness-in-app-capture", "--harness-report", "run"
    )
    result.assert_outcomes(passed=1)
    app = list((pytester.path / "run" / "captures").rglob("*.in-app.jsonl"))
    assert len(app) == 1
    backend = app[0].with_name(app[0].name.replace(".in-app.jsonl", ".jsonl"))
    app_rows = [json.loads(line) for line in app[0].read_text().splitlines()]
    backend_rows = [json.loads(line) for line in backend.read_text().splitlines()]
    assert app_rows and sorted(r["body"] for r in app_rows) == sorted(r["body"] for r in backend_rows)
    results = json.loads((pytester.path / "run" / "results.json").read_text())["results"]
    assert results[0]["capture_diff"]["summary"].endswith("0 lost, 0 unexplained")


# -- manners: what the plugin collects, and what it leaves alone ----------------------------------

FOREIGN_TEST = """
def test_own(request):
    assert request.config.getoption("--device") == "ham" and request.config.getoption("--fault") == "x"
"""


def test_a_foreign_projects_scenarios_folder_and_options_are_left_alone(pytester):
    """A project that has nothing to do with the harness: its own YAML under ``tests/scenarios`` and
    ``scenarios`` (one with ``steps``, like a CI pipeline) and its own ``--device``/``--fault``
    options. With the plugin installed it collects and runs exactly its own test."""
    pytester.makeconftest(
        """
        def pytest_addoption(parser):
            parser.addoption("--device", default="ham")
            parser.addoption("--fault", default="x")
        """
    )
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_own.py").write_text(FOREIGN_TEST)
    for folder in ("tests/scenarios", "scenarios"):
        (pytester.path / folder).mkdir(parents=True, exist_ok=True)
        (pytester.path / folder / "foo.yaml").write_text("name: foo\nsteps:\n  - run: make\n")
        (pytester.path / folder / "bar.yaml").write_text("- just\n- a list\n")
        (pytester.path / folder / "baz.yml").write_text("key: [unclosed\n")
    for args in ([], ["tests"], ["."]):
        result = pytester.runpytest_subprocess(*args)
        result.assert_outcomes(passed=1)
        assert result.ret == 0, args


def test_a_folder_named_on_the_command_line_runs_its_scenarios(pytester):
    pytester.mkdir("checks")
    (pytester.path / "checks" / "custom-event.yaml").write_text(SCENARIO)
    (pytester.path / "checks" / "notes.yaml").write_text("owner: qa\n")  # not a scenario: skipped
    result = pytester.runpytest_subprocess("checks", "--device", "virtual:android", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*custom-event?virtual:android? PASSED*"])


def test_the_ini_option_names_the_scenario_folders(pytester):
    pytester.makeini("[pytest]\nharness_scenarios = conformance\n")
    pytester.mkdir("conformance")
    (pytester.path / "conformance" / "custom-event.yaml").write_text(SCENARIO)
    pytester.mkdir("scenarios")  # not configured any more: a broken file here is not looked at
    (pytester.path / "scenarios" / "bad.yaml").write_text("id: bad\nsteps: []\n")
    result = pytester.runpytest_subprocess("--collect-only", "-q")
    result.stdout.fnmatch_lines(["conformance/custom-event.yaml::custom-event?virtual:android?"])
    assert result.ret == 0
    help_text = pytester.runpytest_subprocess("--help").stdout.str()
    assert "harness_scenarios" in help_text


def test_files_in_a_scenario_folder_that_are_not_scenarios_are_skipped(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    (pytester.path / "scenarios" / "_index.yaml").write_text("out_of_scope: {}\n")
    (pytester.path / "scenarios" / "matrix.yaml").write_text("devices: [a, b]\n")
    (pytester.path / "scenarios" / "list.yaml").write_text("- 1\n")
    result = pytester.runpytest_subprocess("scenarios", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*1 test collected*"])
    assert result.ret == 0


def test_a_named_file_that_is_not_a_scenario_is_one_clear_error(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "_index.yaml").write_text("out_of_scope: {}\n")
    result = pytester.runpytest_subprocess("scenarios/_index.yaml", "--collect-only")
    result.stdout.fnmatch_lines(["*_index.yaml: not a scenario (no top-level id and steps)*"])
    assert "Traceback" not in result.stdout.str()
    assert result.ret == 2


def test_duplicate_scenario_ids_are_rejected_as_the_cli_rejects_them(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "a.yaml").write_text(SCENARIO)
    (pytester.path / "scenarios" / "b.yaml").write_text(SCENARIO)
    result = pytester.runpytest_subprocess("scenarios", "--collect-only")
    result.stdout.fnmatch_lines(["*b.yaml:1: scenario id 'custom-event' is already used by *a.yaml*"])
    assert result.ret == 2


def test_junit_of_pytest_carries_the_same_properties_as_the_cli(pytester):
    """``pytest --junitxml`` and ``harness run --junit`` name the same properties with the same values."""
    import subprocess
    import sys
    import xml.etree.ElementTree as ET

    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    pytester.runpytest_subprocess("scenarios", "--fault", "timestamp-millis", "--junitxml", "pytest.xml")
    subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "scenarios", "--fault", "timestamp-millis", "--junit", "cli.xml"],
        cwd=pytester.path,
        capture_output=True,
        check=False,
    )

    def properties(name):
        case = ET.parse(pytester.path / name).getroot().find(".//testcase")
        return [(p.get("name"), p.get("value")) for p in case.iter("property")]

    got = properties("pytest.xml")
    assert [n for n, _ in got] == ["device", "platform", "profile", "sdk_version", "fault", "covers", "requests"]
    assert dict(got)["platform"] == "android" and dict(got)["fault"] == "timestamp-millis"
    assert got == properties("cli.xml")


def test_a_scenario_that_only_lacks_its_id_is_reported_not_skipped(pytester):
    """Skipping what is not a scenario must not hide a scenario with a mistake in it."""
    pytester.mkdir("scenarios")
    no_id = SCENARIO.replace("id: custom-event\n", "")
    (pytester.path / "scenarios" / "no-id.yaml").write_text(no_id)
    result = pytester.runpytest_subprocess("--collect-only")
    result.stdout.fnmatch_lines(["*no-id.yaml:1: top level: 'id' is a required property*"])
    assert result.ret == 2


# -- device readiness: checked once per session, not once per test ------------------------------------


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_a_device_that_is_not_ready_stops_the_session_once(pytester, monkeypatch, tmp_path, xdist):
    """``--device jvm:android`` without a JDK (an empty PATH): one usage error naming what to install,
    not the same failure for every scenario; under xdist the controller says it before any worker starts."""
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    identify = (ROOT / "scenarios/exponea/identify.yaml").read_text()
    (pytester.path / "scenarios" / "identify.yaml").write_text(identify)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java, no javac
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = pytester.runpytest_subprocess("scenarios", "--device", "jvm:android", *xdist)
    out = result.stdout.str() + result.stderr.str()
    assert out.count("apt-get install default-jdk-headless") == 1, out
    assert "jvm:android" in out and "Traceback" not in out
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert " failed" not in out and " passed" not in out  # nothing ran


def test_an_unknown_device_scheme_stops_the_session_once(pytester):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    result = pytester.runpytest_subprocess("scenarios", "--device", "andriod:X")
    out = result.stdout.str() + result.stderr.str()
    assert out.count("unknown device scheme") == 1, out
    assert "did you mean 'android'?" in out
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_collect_only_does_not_need_the_device_ready(pytester, monkeypatch, tmp_path):
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "custom-event.yaml").write_text(SCENARIO)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = pytester.runpytest_subprocess("scenarios", "--device", "jvm:android", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*custom-event?jvm:android?"])
    assert result.ret == 0
