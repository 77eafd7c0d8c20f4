import json
import socket
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest

from harness.capture.export import export, to_har
from harness.capture.inapp import InAppRecorder
from harness.capture.record import CapturedRequest
from harness.capture.server import CollectorServer
from harness.capture.store import Store


def _req():
    return CapturedRequest(
        id=3,
        method="POST",
        path="/track/v2/projects/t/customers?x=1",
        headers={"authorization": "Token secret", "content-type": "application/json"},
        body='{"a":1}',
        received_at=1712345678.5,
        device="dev",
        kind="tracking",
        response_status=200,
    )


def test_jsonl_follows_the_capture_contract_and_masks_authorization():
    (line,) = export([_req()], "jsonl").splitlines()
    obj = json.loads(line)
    assert {"method", "path", "headers", "body", "received_at", "device", "response"} <= set(obj)
    assert obj["headers"]["authorization"] == "Token ****"
    assert obj["response"] == {"status": 200}
    assert CapturedRequest.from_json(obj).path == "/track/v2/projects/t/customers?x=1"


def test_jsonl_can_keep_authorization():
    obj = json.loads(export([_req()], "jsonl", mask_authorization=False))
    assert obj["headers"]["authorization"] == "Token secret"


def test_har_is_a_valid_har_1_2_log():
    har = json.loads(export([_req()], "har"))
    assert har["log"]["version"] == "1.2"
    (entry,) = har["log"]["entries"]
    assert entry["request"]["method"] == "POST"
    assert entry["request"]["url"].endswith("/d/dev/track/v2/projects/t/customers?x=1")
    assert entry["request"]["postData"]["text"] == '{"a":1}'
    assert entry["request"]["queryString"] == [{"name": "x", "value": "1"}]
    assert entry["response"]["status"] == 200
    assert {"name": "authorization", "value": "Token ****"} in entry["request"]["headers"]
    assert entry["startedDateTime"].endswith("Z")


# -- HAR entries carry the response as answered


def assert_valid_har(har):
    """HAR 1.2's required fields (http://www.softwareishard.com/blog/har-12-spec/), as browser devtools read them."""
    log = har["log"]
    assert log["version"] == "1.2" and {"name", "version"} <= set(log["creator"])
    for entry in log["entries"]:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(entry)
        datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        request, response, timings = entry["request"], entry["response"], entry["timings"]
        assert {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"} <= set(
            request
        )
        if "postData" in request:
            assert {"mimeType", "text"} <= set(request["postData"])
        assert {
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        } <= set(response)
        assert {"size", "mimeType"} <= set(response["content"]) and isinstance(response["status"], int)
        assert all({"name", "value"} <= set(h) for h in (*request["headers"], *response["headers"]))
        assert all(timings[k] >= 0 for k in ("send", "wait", "receive"))
        assert all(timings.get(k, -1) >= -1 for k in ("blocked", "dns", "connect", "ssl"))
        assert entry["time"] == sum(v for v in timings.values() if v != -1)


def same_response(entry, r):
    """The HAR entry's response is the one ``r`` (an httpx response) received: status, reason, headers, body."""
    response = entry["response"]
    assert (response["status"], response["statusText"]) == (r.status_code, r.reason_phrase)
    assert response["content"]["text"] == r.text and response["content"]["size"] == len(r.content)
    got = sorted((h["name"], h["value"]) for h in response["headers"] if h["name"] != "date")
    sent = sorted((k.lower(), v) for k, v in r.headers.multi_items() if k.lower() != "date")
    assert got == sent
    dates = [h["value"] for h in response["headers"] if h["name"] == "date"]
    assert len(dates) == len(r.headers.get_list("date")) and all(parsedate_to_datetime(d) for d in dates)


def test_har_responses_are_the_answers_sent(live_collector):
    base = live_collector.device_url("p")
    sent = [
        httpx.post(base + "/track/v2/projects/t/customers/events", json={"event_type": "x"}),  # fast path
        httpx.get(base + "/nothing/here"),  # 404, fast path
        httpx.post(base + "/track/v2/projects/t/batch", json={"commands": [{"name": "system/time"}]}),
        httpx.get(base + "/track/v2/projects/t/system/time"),
    ]
    live_collector.rules.add("customers", status=503, body={"success": False, "errors": ["down"]})
    live_collector.rules.add("campaigns", status=429)
    sent += [
        httpx.post(base + "/track/v2/projects/t/customers", json={}),  # an answer rule's body
        httpx.post(base + "/track/v2/projects/t/campaigns/clicks", json={}),  # the rule's default error body
        httpx.post(base + "/track/v2/projects/t/customers/events", json={}),  # usual answer, through ASGI
        httpx.post(base + "/track/v2/projects/t/batch", json={"commands": [{"name": "customers"}]}),  # via ASGI
    ]
    har = to_har(live_collector.store.query())
    assert_valid_har(har)
    entries = har["log"]["entries"]
    assert len(entries) == len(sent)
    for entry, r in zip(entries, sent, strict=True):
        same_response(entry, r)
    assert [e["response"]["statusText"] for e in entries[:2]] == ["OK", "Not Found"]
    assert entries[4]["response"]["status"] == 503 and "rule" in entries[4]["comment"]


def test_har_delayed_answer_is_timed_from_receipt_to_answer(live_collector):
    live_collector.rules.add("events", action="delay", delay=0.2)
    r = httpx.post(live_collector.url + "/track/v2/projects/t/customers/events", json={})
    (stored,) = live_collector.store.query()
    assert stored.answered_at is not None and stored.answered_at >= stored.received_at
    har = to_har([stored])
    assert_valid_har(har)
    (entry,) = har["log"]["entries"]
    same_response(entry, r)
    assert entry["timings"]["wait"] == round((stored.answered_at - stored.received_at) * 1000, 3) > 0


def test_har_forwarded_answer_is_the_upstreams(tmp_path, live_collector):
    live_collector.rules.add("events", status=418, body="upstream says no")
    with CollectorServer(tmp_path / "front.sqlite", forward=live_collector.url) as front:
        r = httpx.post(front.url + "/track/v2/projects/t/customers/events", json={})
        har = to_har(front.store.query())
    assert_valid_har(har)
    (entry,) = har["log"]["entries"]
    assert r.status_code == 418 and r.text == "upstream says no"
    same_response(entry, r)  # the upstream's headers and the collector's own, as relayed
    assert entry["timings"]["wait"] > 0


def test_har_unanswered_request_has_no_response_and_says_why(live_collector):
    live_collector.rules.add("events", action="reset")
    with pytest.raises(httpx.TransportError):
        httpx.post(live_collector.url + "/track/v2/projects/t/customers/events", json={})
    har = to_har(live_collector.store.wait_for(lambda rows: len(rows) >= 1, 10))
    assert_valid_har(har)
    (entry,) = har["log"]["entries"]
    assert entry["response"]["status"] == 0 and "never answered" in entry["comment"] and "reset" in entry["comment"]


def test_har_of_malformed_http_carries_uvicorns_400(live_collector):
    with socket.create_connection(("127.0.0.1", live_collector.port)) as sock:
        sock.sendall(b"POST /track/v2/projects/t/customers HTTP/1.1\r\nHost : x\r\n\r\n")
        answer = sock.recv(65536)
    har = to_har(live_collector.store.wait_for(lambda rows: len(rows) >= 1, 10))
    assert_valid_har(har)
    (entry,) = har["log"]["entries"]
    response = entry["response"]
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n") and (response["status"], response["statusText"]) == (
        400,
        "Bad Request",
    )
    assert answer.endswith(b"\r\n\r\n" + response["content"]["text"].encode())
    assert {"name": "connection", "value": "close"} in response["headers"]


def test_jsonl_keeps_the_answer_time():
    req = CapturedRequest(
        method="POST", path="/x", headers={}, body="", received_at=10.0, response_status=200, answered_at=10.5
    )
    obj = json.loads(export([req], "jsonl"))
    assert obj["response"]["answered_at"] == 10.5
    assert CapturedRequest.from_json(obj).answered_at == 10.5


def test_har_of_the_in_app_capture_does_not_make_up_the_answer(tmp_path):
    store = Store(tmp_path / "app.sqlite")
    try:
        recorder = InAppRecorder(store, "phone")
        request = {"url": "https://api.exponea.com/track/v2/projects/t/customers/events", "method": "POST"}
        store.add(recorder.record(request, b'{"event_type":"x"}', 1712345678.0, 200, None))
        (stored,) = store.query()
    finally:
        store.close()
    for req in (stored, CapturedRequest.from_json(json.loads(export([stored], "jsonl")))):  # as the report reads it
        har = to_har([req])
        assert_valid_har(har)
        (entry,) = har["log"]["entries"]
        response = entry["response"]
        assert (response["status"], response["statusText"]) == (200, "OK")
        assert response["headers"] == [] and "text" not in response["content"]  # the app's hooks saw the status only
        assert "not seen" in entry["comment"]
