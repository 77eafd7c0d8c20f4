"""The collector on real loopback: routes, device attribution, and bad input stored, never dropped."""

import gzip
import json
import socket
import zlib

import httpx
import pytest


def test_tracking_routes_answer_like_the_api_and_are_stored_first(live_collector):
    base = live_collector.device_url("phone-1")
    for route in ("customers/events", "customers", "campaigns/clicks"):
        r = httpx.post(f"{base}/track/v2/projects/tok/{route}", json={"x": 1})
        assert r.status_code == 200
        assert r.json()["success"] is True
    stored = live_collector.store.query(device="phone-1")
    assert [s.path for s in stored] == [
        "/track/v2/projects/tok/customers/events",
        "/track/v2/projects/tok/customers",
        "/track/v2/projects/tok/campaigns/clicks",
    ]
    assert all(s.kind == "tracking" and s.response_status == 200 and not s.problems for s in stored)


def test_non_tracking_sdk_calls_are_answered_and_told_apart(live_collector):
    base = live_collector.device_url("p")
    r = httpx.get(f"{base}/wxstatic/projects/tok/bundle-android.json?v=2")
    assert r.status_code == 200
    r = httpx.post(f"{base}/webxp/s/tok/inappmessages?compatibility=3", json={"device": "android"})
    assert r.status_code == 200 and r.json()["data"] == []
    kinds = [(s.path, s.kind) for s in live_collector.store.query(device="p")]
    assert kinds == [
        ("/wxstatic/projects/tok/bundle-android.json?v=2", "api"),
        ("/webxp/s/tok/inappmessages?compatibility=3", "api"),
    ]


def test_unknown_path_is_stored_and_answered_404(live_collector):
    r = httpx.post(live_collector.url + "/something/else", content=b"hello")
    assert r.status_code == 404
    (stored,) = live_collector.store.query()
    assert stored.kind == "unknown" and stored.response_status == 404 and stored.body == "hello"


def test_devices_are_told_apart_by_path_prefix(live_collector):
    for dev in ("a", "b", "a"):
        httpx.post(live_collector.device_url(dev) + "/track/v2/projects/t/customers", json={})
    assert len(live_collector.store.query(device="a")) == 2
    assert len(live_collector.store.query(device="b")) == 1


@pytest.mark.parametrize(
    ("content", "headers", "problem"),
    [
        (b'{"broken": ', {"content-type": "application/json"}, "malformed JSON"),
        (b"\xff\xfe{}", {"content-type": "application/json"}, "not valid UTF-8"),
        (b'{"a":1}', {}, "content-type missing"),
        (b"not json", {"content-type": "text/plain"}, "not JSON"),
        (b"garbage", {"content-type": "application/json", "content-encoding": "gzip"}, "cannot decode"),
        # deeper than any JSON checker recurses: stored with a note, not lost to a RecursionError
        (b"[" * 100_000 + b"]" * 100_000, {"content-type": "application/json"}, "nests too deeply"),
        (b"[" * 100_000, {"content-type": "application/json"}, "nests too deeply"),
        (b'{"a": NaN}', {"content-type": "text/plain"}, "JSON body with content-type text/plain"),  # json.loads'
    ],
)
def test_bad_input_is_stored_with_its_problem(live_collector, content, headers, problem):
    r = httpx.post(live_collector.url + "/track/v2/projects/t/customers/events", content=content, headers=headers)
    assert r.status_code == 200
    (stored,) = live_collector.store.query()
    assert any(problem in p for p in stored.problems), stored.problems


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_decoded(live_collector, encoding):
    raw = json.dumps({"event_type": "x"}).encode()
    body = gzip.compress(raw) if encoding == "gzip" else zlib.compress(raw)
    httpx.post(
        live_collector.url + "/track/v2/projects/t/customers/events",
        content=body,
        headers={"content-encoding": encoding, "content-type": "application/json"},
    )
    (stored,) = live_collector.store.query()
    assert stored.body == raw.decode() and not stored.problems


def test_oversized_body_is_answered_413_and_recorded(live_collector):
    from harness.capture.collector import MAX_BODY

    r = httpx.post(
        live_collector.url + "/track/v2/projects/t/customers/events",
        content=b"x" * (MAX_BODY + 10),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    (stored,) = live_collector.store.query()
    assert stored.response_status == 413 and any("larger than" in p for p in stored.problems)


def test_keep_alive_and_pipelined_requests_are_each_stored(live_collector):
    body = b'{"a":1}'
    one = (
        b"POST /track/v2/projects/t/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 7\r\n\r\n" + body
    )
    with socket.create_connection(("127.0.0.1", live_collector.port)) as s:
        s.sendall(one * 3)
        s.settimeout(5)
        data = b""
        while data.count(b"HTTP/1.1 200") < 3:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 200") == 3
    assert len(live_collector.store.query()) == 3


def test_ios_stream_tracking_routes_are_tracking_and_take_answer_rules(live_collector):
    live_collector.rules.add("events", status=401, times=1)
    base = live_collector.device_url("ios")
    r = httpx.post(f"{base}/track/u/v1/customers/events?stream_id=S", json={"event_type": "x"})
    assert r.status_code == 401
    assert httpx.post(f"{base}/track/u/v1/customers?stream_id=S", json={}).status_code == 200
    assert httpx.post(f"{base}/track/u/v1/campaigns/clicks?stream_id=S", json={}).status_code == 200
    stored = live_collector.store.query(device="ios")
    assert [s.kind for s in stored] == ["tracking"] * 3
    assert stored[0].response_status == 401 and stored[0].rule.startswith("#1")
