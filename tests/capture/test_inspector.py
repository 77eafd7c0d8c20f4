"""The inspector's REST API, live stream and terminal lines, on a real collector on loopback."""

import json
import subprocess
import sys
import threading

import httpx
import pytest

from harness.capture.export import export
from harness.capture.inapp import InAppRecorder
from harness.capture.server import CollectorServer
from harness.capture.store import Store
from harness.spec.lint import lint_file
from tests.capture.inspector_fixtures import GOOD_EVENT, bad_event, post


@pytest.fixture
def inspected(tmp_path):
    with (
        CollectorServer(tmp_path / "c.sqlite", ui=True, profile="exponea-android") as server,
        httpx.Client(timeout=10) as client,
    ):
        yield server, client


def test_rest_api_counts_and_lists_good_and_bad_events(inspected):
    server, client = inspected
    post(client, server.url, GOOD_EVENT, device="pixel")
    post(client, server.url, bad_event(), device="pixel")
    post(client, server.url, '{"event_type": "x", oops', device="other")  # malformed JSON: stored, flagged
    api = server.url + "/_harness/inspector"
    assert client.get(api + "/all").json() == {"total": 3, "good": 1, "bad": 2, "unchecked": 0, "requests": 3}
    good = client.get(api + "/good").json()["events"]
    assert [(e["id"], e["type"], e["device"]) for e in good] == [(1, "session_end", "pixel")]
    bad = client.get(api + "/bad").json()["events"]
    assert [e["id"] for e in bad] == [2, 3]
    assert any(v["path"] == "$.properties.duration" for v in bad[0]["violations"])
    assert any(v["kind"] == "malformed" and "malformed JSON" in v["message"] for v in bad[1]["violations"])
    # filters: device, and verdict with device
    assert [e["id"] for e in client.get(api + "/events", params={"device": "other"}).json()["events"]] == [3]
    assert client.get(api + "/all", params={"device": "pixel", "verdict": "bad"}).json()["total"] == 1
    assert client.get(api + "/all", params={"verdict": "nonsense"}).status_code == 400


def test_rest_api_gives_the_verdict_harness_check_gives(inspected, tmp_path):
    server, client = inspected
    for body in (GOOD_EVENT, bad_event(), "[1, 2", {"event_type": "purchase", "timestamp": 1712345678123}):
        post(client, server.url, body)
    requests = client.get(server.url + "/_harness/inspector/requests").json()["requests"]
    shown = [v["line"] for r in requests for v in r["violations"]]
    capture = tmp_path / "c.jsonl"
    capture.write_text(export(server.store.query(), "jsonl"))
    checked, total = lint_file("exponea-android", capture)
    assert total == 4 and checked and shown == checked
    assert [r["verdict"] for r in requests] == ["good", "bad", "bad", "bad"]


def test_batches_are_split_into_their_events_each_judged(inspected):
    server, client = inspected
    batch = {
        "commands": [
            {"name": "customers/events", "data": GOOD_EVENT},
            {"name": "customers", "data": {"customer_ids": {"registered": "jane"}, "properties": {"a": 1}}},
        ]
    }
    client.post(server.url + "/track/v2/projects/t/batch", json=batch)
    (entry,) = client.get(server.url + "/_harness/inspector/requests").json()["requests"]
    assert entry["route"] == "batch"
    assert [(e["route"], e["type"]) for e in entry["events"]] == [("events", "session_end"), ("customers", "customers")]
    events = client.get(server.url + "/_harness/inspector/events", params={"type": "session_end"}).json()["events"]
    assert [(e["id"], e["index"]) for e in events] == [(1, 0)]


def test_non_tracking_requests_are_listed_unchecked_and_secrets_masked(inspected):
    server, client = inspected
    client.post(server.url + "/webxp/s/t/inappmessages", json={}, headers={"authorization": "Token s3cret"})
    (entry,) = client.get(server.url + "/_harness/inspector/requests").json()["requests"]
    assert entry["verdict"] == "unchecked" and entry["route"] == "in_app_messages"
    assert entry["headers"]["authorization"] == "Token ****"
    assert entry["response"] == {"status": 200, "body": '{"success":true,"data":[]}'}


def test_reset_hides_what_was_stored_but_the_store_keeps_it(inspected):
    server, client = inspected
    post(client, server.url, GOOD_EVENT)
    assert client.post(server.url + "/_harness/inspector/reset").json() == {"reset": {"collector": 1}}
    assert client.get(server.url + "/_harness/inspector/all").json()["total"] == 0
    post(client, server.url, bad_event())
    assert [e["id"] for e in client.get(server.url + "/_harness/inspector/events").json()["events"]] == [2]
    assert server.store.count() == 2


def test_har_download_holds_what_the_filter_shows_masked(inspected):
    server, client = inspected
    post(client, server.url, GOOD_EVENT, device="a", headers={"authorization": "Token s3cret"})
    post(client, server.url, bad_event(), device="b")
    answer = client.get(server.url + "/_harness/inspector/har", params={"verdict": "good"})
    assert "attachment" in answer.headers["content-disposition"]
    (entry,) = answer.json()["log"]["entries"]
    assert entry["request"]["url"].endswith("/d/a/track/v2/projects/t/customers/events")
    assert {"name": "authorization", "value": "Token ****"} in entry["request"]["headers"]


def _stream_events(url, count):
    """The first ``count`` server-sent events of ``url`` as (event, data) pairs."""
    out = []
    with httpx.stream("GET", url, timeout=10) as answer:
        assert answer.headers["content-type"] == "text/event-stream"
        event = None
        for line in answer.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[6:])))
                if len(out) == count:
                    return out
    return out


def test_stream_sends_a_snapshot_then_each_stored_request(inspected):
    server, client = inspected
    post(client, server.url, GOOD_EVENT)
    got = []
    reader = threading.Thread(target=lambda: got.extend(_stream_events(server.url + "/_harness/inspector/stream", 2)))
    reader.start()
    try:
        while not server.app.feed.subscribers and reader.is_alive():  # the stream has subscribed
            reader.join(0.01)
        post(client, server.url, bad_event(), device="pixel")
    finally:
        reader.join(15)
    (kind, snapshot), (kind2, entries) = got
    # the snapshot is read after the subscription starts, so it may already hold the second request
    # too (the page keys entries by id; a gap would lose one, an overlap is harmless)
    assert kind == "snapshot" and [e["id"] for e in snapshot["entries"]] in ([1], [1, 2])
    assert snapshot["profile"] == "exponea-android"
    assert kind2 == "entries" and [(e["id"], e["device"], e["verdict"]) for e in entries] == [(2, "pixel", "bad")]


def test_in_app_capture_is_shown_the_same_way(tmp_path):
    in_app = Store(tmp_path / "in-app.sqlite")
    try:
        with CollectorServer(
            tmp_path / "c.sqlite", ui=True, profile="exponea-android", sources={"in-app": in_app}
        ) as server:
            recorder = InAppRecorder(in_app, device="phone")
            url = "https://api.example.invalid/track/v2/projects/t/customers/events"
            recorder({"phase": "request", "id": 1, "url": url, "method": "POST",
                      "headers": [["Content-Type", "application/json"]]}, json.dumps(bad_event()).encode())  # fmt: skip
            recorder({"phase": "response", "id": 1, "status": 200}, None)
            recorder.finish()
            events = httpx.get(server.url + "/_harness/inspector/bad", params={"source": "in-app"}).json()["events"]
    finally:
        in_app.close()
    (event,) = events
    assert (event["source"], event["device"], event["type"]) == ("in-app", "phone", "session_end")
    assert any(v["path"] == "$.properties.duration" for v in event["violations"])


def test_without_ui_there_is_no_feed_and_no_inspector_endpoint(tmp_path):
    with CollectorServer(tmp_path / "c.sqlite") as server:
        assert server.app.feed is None and server.inspector is None
        assert len(server.store._listeners) == 1  # the control endpoints' own, nothing per request added
        answer = httpx.get(server.url + "/_harness/inspector/all")
        assert answer.status_code == 404 and "--ui" in answer.json()["error"]
        assert httpx.get(server.url + "/_harness/ui").status_code == 404


def test_page_files_are_served_with_a_same_origin_policy(inspected):
    server, client = inspected
    page = client.get(server.ui_url)
    assert page.headers["content-type"].startswith("text/html") and "/_harness/ui/app.js" in page.text
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert client.get(server.ui_url + "/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get(server.ui_url + "/nope.js").status_code == 404


def test_serve_prints_one_line_per_stored_request_unless_quiet(tmp_path):
    def serve(*extra):
        return subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "collector", "serve", "--port", "0", "--store",
             str(tmp_path / f"c{len(extra)}.sqlite"), "--profile", "exponea-android", *extra],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    proc = serve()
    try:
        url = proc.stdout.readline().split()[-1]
        post(httpx, url, bad_event(), device="pixel")
        line = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(10)
    assert line.startswith("#1 POST /track/v2/projects/t/customers/events  pixel  session_end  bad")
    assert "$.properties.duration" in line and "\x1b[" not in line  # not a TTY: no colour
    quiet = serve("--quiet")
    try:
        url = quiet.stdout.readline().split()[-1]
        post(httpx, url, bad_event())
        post(httpx, url, GOOD_EVENT)
    finally:
        quiet.terminate()
        rest = quiet.communicate(timeout=10)[0]
    assert rest == ""


def test_unknown_profile_is_one_line_and_exit_2(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "harness.cli", "collector", "serve", "--ui", "--profile", "nope", "--port", "0",
         "--store", str(tmp_path / "c.sqlite")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and out.stderr.strip() == "error: no payload schemas for profile 'nope'"


def test_the_virtual_devices_traffic_is_judged_good(tmp_path):
    """No false alarm: the reference SDK's requests, as the virtual device sends them, are all good."""
    from harness.devices.registry import open_device
    from harness.scenario.loader import load_scenario
    from harness.scenario.runner import Runner
    from tests.conftest import ROOT

    with CollectorServer(tmp_path / "c.sqlite", ui=True, profile="exponea-android") as server:
        device = open_device("virtual:android")
        try:
            result = Runner(device, server).run(load_scenario(ROOT / "scenarios/exponea/custom-event.yaml"))
        finally:
            device.close()
        counts = httpx.get(server.url + "/_harness/inspector/all").json()
        types = {e["type"] for e in httpx.get(server.url + "/_harness/inspector/good").json()["events"]}
    assert result.outcome == "passed"
    assert counts["bad"] == 0 and counts["good"] >= 3 and {"installation", "session_start"} <= types
