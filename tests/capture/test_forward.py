"""Forward mode against a second real server on loopback (another collector plays the real API)."""

import gzip
import json
import socket

import httpx
import pytest

from harness.capture.server import CollectorServer
from harness.errors import ConfigError

EVENTS = "/track/v2/projects/t/customers/events"


@pytest.fixture
def upstream(tmp_path):
    with CollectorServer(tmp_path / "upstream.sqlite") as server:
        yield server


@pytest.fixture
def decoy(tmp_path):
    """A server the collector must never contact, whatever the client says."""
    with CollectorServer(tmp_path / "decoy.sqlite") as server:
        yield server


@pytest.fixture
def forwarding(tmp_path, upstream):
    with CollectorServer(tmp_path / "front.sqlite", forward=upstream.url) as server:
        yield server


def test_request_and_upstream_answer_are_relayed_and_both_stored(forwarding, upstream):
    upstream.rules.add("events", status=201, body={"success": True, "from": "upstream"})
    r = httpx.post(
        forwarding.device_url("phone") + EVENTS + "?x=1",
        json={"event_type": "e"},
        headers={"authorization": "Token k", "x-extra": "1"},
    )
    assert r.status_code == 201 and r.json() == {"success": True, "from": "upstream"}
    (sent,) = upstream.store.query()
    assert sent.path == EVENTS + "?x=1" and sent.device == ""  # the device prefix is the collector's own
    assert sent.json_body() == {"event_type": "e"}
    assert sent.headers["authorization"] == "Token k" and sent.headers["x-extra"] == "1"
    assert sent.headers["host"] == upstream.url.removeprefix("http://")
    (front,) = forwarding.store.query(device="phone")
    assert front.response_status == 201
    assert json.loads(front.response_body) == {"success": True, "from": "upstream"}
    assert front.response_headers["content-type"] == "application/json"


def test_compressed_request_is_relayed_as_sent_and_stored_decoded(forwarding, upstream):
    raw = b'{"event_type":"gz"}'
    r = httpx.post(
        forwarding.url + EVENTS,
        content=gzip.compress(raw),
        headers={"content-encoding": "gzip", "content-type": "application/json"},
    )
    assert r.status_code == 200
    (sent,) = upstream.store.query()
    assert sent.headers["content-encoding"] == "gzip" and sent.body == raw.decode() and not sent.problems
    (front,) = forwarding.store.query()
    assert front.body == raw.decode()


def test_host_header_does_not_choose_the_upstream(forwarding, upstream, decoy):
    decoy_host = decoy.url.removeprefix("http://")
    r = httpx.post(forwarding.url + EVENTS, json={}, headers={"host": decoy_host})
    assert r.status_code == 200
    assert len(upstream.store.query()) == 1
    assert decoy.store.query() == []
    (front,) = forwarding.store.query()
    assert front.headers["host"] == decoy_host  # stored as the client sent it


def test_absolute_form_target_does_not_choose_the_upstream(forwarding, upstream, decoy):
    body = b"{}"
    request = (
        f"POST http://127.0.0.1:{decoy.port}/elsewhere HTTP/1.1\r\nHost: 127.0.0.1:{decoy.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", forwarding.port), timeout=10) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 404")  # the upstream's answer for its own /elsewhere
    assert [r.path for r in upstream.store.query()] == ["/elsewhere"]
    assert decoy.store.query() == []


def test_upstream_down_gives_502_and_is_stored(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with CollectorServer(tmp_path / "front.sqlite", forward=dead) as front:
        r = httpx.post(front.url + EVENTS, json={"a": 1})
        assert r.status_code == 502
        assert "upstream" in r.json()["errors"][0] and dead in r.json()["errors"][0]
        (stored,) = front.store.query()
        assert stored.response_status == 502 and stored.body == '{"a":1}'
        assert any(p.startswith("forward: upstream") for p in stored.problems)


def test_answer_rules_win_over_forwarding(forwarding, upstream):
    forwarding.rules.add("events", status=500, times=1)
    assert httpx.post(forwarding.url + EVENTS, json={}).status_code == 500
    assert httpx.post(forwarding.url + EVENTS, json={}).status_code == 200
    assert len(upstream.store.query()) == 1
    assert [r.response_status for r in forwarding.store.query()] == [500, 200]


def test_upstream_base_path_is_kept(tmp_path, upstream):
    with CollectorServer(tmp_path / "front.sqlite", forward=upstream.url + "/d/relay") as front:
        httpx.post(front.url + EVENTS, json={})
    (sent,) = upstream.store.query(device="relay")
    assert sent.path == EVENTS


@pytest.mark.parametrize("url", ["ftp://x", "not a url", "http://h/?q=1"])
def test_bad_upstream_url_is_refused(tmp_path, url):
    with pytest.raises(ConfigError, match="--forward"):
        CollectorServer(tmp_path / "c.sqlite", forward=url)
