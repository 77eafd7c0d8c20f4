"""The plugin, through pytester: scenario files become items; fixtures give a live app."""

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
