"""``harness run --ui``: the run's own collector serves the live inspector, judging by the run's profile.

On a terminal the run keeps serving after its last scenario until Enter, so the page (and here the REST
API) can be read at leisure; stdin is a pseudo-terminal here, as a person's shell would give it.
"""

import os
import pty
import subprocess
import sys
import threading

import httpx

from tests.conftest import ROOT

SCENARIO = "scenarios/exponea/custom-event.yaml"


def _run_on_a_terminal(*args, ask):
    """``harness run --ui ARGS`` with a pseudo-terminal as stdin; once the run says it is still serving,
    ``ask(base_url)`` reads the inspector, then Enter ends it. Returns (exit status, output, answers)."""
    terminal, child_end = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "--ui", *args],
        cwd=ROOT,
        stdin=child_end,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(child_end)
    watchdog = threading.Timer(180, proc.kill)  # a hung run fails the test instead of hanging it
    watchdog.start()
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("inspector still on"):
                break
        out = "".join(lines)
        assert lines and lines[0].startswith("inspector on http://127.0.0.1:"), out + proc.stderr.read()
        assert out.count("inspector on ") == 1, out
        answers = ask(lines[0].split()[2].removesuffix("/_harness/ui"))
        assert proc.poll() is None, "the run ended without waiting for Enter"
    finally:
        os.write(terminal, b"\n")
        try:
            proc.wait(timeout=60)
        finally:
            watchdog.cancel()
            os.close(terminal)
    return proc.returncode, out, answers


def _inspector(base):
    return {
        "all": httpx.get(base + "/_harness/inspector/all").json(),
        "events": httpx.get(base + "/_harness/inspector/events").json()["events"],
        "info": httpx.get(base + "/_harness/inspector/info").json(),
    }


def test_run_ui_judges_the_runs_requests_and_serves_until_enter_on_a_terminal():
    status, out, got = _run_on_a_terminal("--fault", "timestamp-millis", SCENARIO, ask=_inspector)
    assert status == 1 and "FAIL  custom-event" in out  # the seeded fault fails the run, --ui or not
    assert out.splitlines()[0].endswith("/_harness/ui (profile exponea-android)")
    events = got["events"]
    tracking = [e for e in events if e["verdict"] != "unchecked"]
    assert tracking and got["all"]["total"] == len(events) and got["all"]["bad"] == len(tracking)
    assert {e["event_type"] for e in tracking} >= {"purchase"}
    assert all(any(v["path"] == "$.timestamp" for v in e["violations"]) for e in tracking)
    assert got["info"]["profile"] == "exponea-android"


def test_run_ui_with_in_app_capture_shows_the_apps_capture_too():
    status, out, got = _run_on_a_terminal("--device", "jvm:android", "--in-app-capture", SCENARIO, ask=_inspector)
    assert status == 0, out
    by_source = {}
    for e in got["events"]:
        by_source.setdefault(e["source"], []).append(e)
    assert set(by_source) == {"collector", "in-app"}
    assert len(by_source["in-app"]) == len(by_source["collector"])
    assert all(e["verdict"] == "good" for e in by_source["in-app"] if e["route"] == "events")


def test_run_ui_without_a_terminal_ends_with_the_run():
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--ui", SCENARIO],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("inspector on http://127.0.0.1:") == 1
    assert "press Enter" not in proc.stdout and "1 passed, 0 failed" in proc.stdout


def test_run_ui_refuses_devices_of_two_profiles():
    devices = ["--device", "virtual:android", "--device", "virtual:ios"]
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--ui", *devices, SCENARIO],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: --ui: the inspector judges by one profile, and these devices use exponea-android and "
        "exponea-ios: run one platform at a time"
    ]
