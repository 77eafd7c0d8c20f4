"""Stop means stop: after stopIntegration() (until a new init) any request of the app is ``after-stop``,
tracking or not (in-app messages, content blocks, inbox, segments, consents, another host)."""

import subprocess
import sys

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe, observe_all
from harness.spec.checker import check
from harness.spec.expectation import Expectations, QuietWindow
from tests.conftest import ROOT

PATHS = {
    "in_app_messages": ("POST", "/webxp/s/tok/inappmessages?compatibility=3", '{"device":"android"}'),
    "content_blocks": ("POST", "/webxp/s/tok/inappcontentblocks?v=2", "{}"),
    "content_block_bundle": ("GET", "/wxstatic/projects/tok/bundle-android.json?v=2", ""),
    "app_inbox": ("POST", "/webxp/projects/tok/appinbox/fetch", "{}"),
    "segments": ("GET", "/webxp/projects/tok/segments?cookie=c", ""),
    "consents": ("POST", "/data/v2/projects/tok/consent/categories", "{}"),
    "unknown": ("GET", "/collect?host=analytics.example", ""),  # another host, seen by in-app capture
}


def _request(rid, method, path, body, at):
    return CapturedRequest(id=rid, method=method, path=path, headers={}, body=body, received_at=at)


def test_any_request_in_the_stop_window_is_after_stop_and_none_outside_it():
    window = QuietWindow(cause=4, start_host_time=10.0, reason="stopIntegration() at step 5", end_host_time=20.0)
    expectations = Expectations(quiet=[window])
    requests = []
    for n, (method, path, body) in enumerate(PATHS.values()):
        requests += [
            _request(3 * n + 1, method, path, body, 9.5),  # before the stop
            _request(3 * n + 2, method, path, body, 12.0),  # stopped
            _request(3 * n + 3, method, path, body, 20.0),  # after the new init
        ]
    observations = observe_all(requests, tracking_only=False)
    assert {o.endpoint for o in observations} == set(PATHS)
    verdict = check(expectations, observations)
    flagged = {v.request_id: v for v in verdict.violations}
    assert set(flagged) == {3 * n + 2 for n in range(len(PATHS))}
    assert {v.kind for v in flagged.values()} == {"after-stop"}
    assert all(v.cause == 4 for v in flagged.values())
    assert "in_app_messages" in flagged[2].message
    assert f"{2 * len(PATHS)} non-tracking requests not judged" in verdict.notes


def test_without_a_stop_non_tracking_requests_are_not_judged():
    method, path, body = PATHS["in_app_messages"]
    verdict = check(Expectations(), [observe(_request(1, method, path, body, 12.0))])
    assert verdict.passed and verdict.notes == ["1 non-tracking requests not judged"]


def test_an_in_app_message_fetch_after_stop_fails_the_run_on_the_virtual_device():
    scenario = "scenarios/exponea/stop-integration.yaml"
    base = [sys.executable, "-m", "harness.cli", "run", scenario, "--device", "virtual:android"]
    broken = subprocess.run([*base, "--fault", "inapp-fetch-after-stop"], cwd=ROOT, capture_output=True, text=True)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "after-stop" in broken.stdout and "inappmessages" in broken.stdout
    clean = subprocess.run(base, cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr  # its bundle fetches at both inits are fine


def test_the_stop_window_ends_where_the_new_init_began():
    """init sends (the content-block bundle fetch) while it runs, before its step is recorded: what
    arrives during init is not after-stop, on either platform."""
    from dataclasses import replace

    from harness.spec.profiles import get_profile
    from harness.spec.trace import Stimulus

    config = {"configuration": {"projectToken": "T", "authorization": "Token k", "baseURL": "http://c"}}
    steps = [
        Stimulus(0, "app", "install", {}, 1000.0, 1.0),
        Stimulus(1, "app", "launch", {}, 1000.0, 1.0),
        Stimulus(2, "call", "init", config, 1001.0, 2.0),
        Stimulus(3, "call", "stopIntegration", {}, 1002.0, 3.0),
        Stimulus(4, "call", "init", config, 1005.0, 6.0, started_host_time=5.0),
    ]
    for profile in ("exponea-android", "exponea-ios"):
        windows = get_profile(profile).expect(steps).quiet
        assert [(w.start_host_time, w.end_host_time) for w in windows] == [(3.0, 5.0)], profile
    unrecorded = [*steps[:4], replace(steps[4], started_host_time=None)]  # older traces: the step's own time
    assert get_profile("exponea-android").expect(unrecorded).quiet[0].end_host_time == 6.0
