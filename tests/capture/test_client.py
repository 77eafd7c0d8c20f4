"""Waiting from another process: the /_harness/ long poll and CollectorClient, on the real server."""

import threading
import time

import httpx
import pytest

from harness.capture.client import CollectorClient
from harness.errors import CaptureError

EVENTS = "/track/v2/projects/t/customers/events"


@pytest.fixture
def client(live_collector):
    with CollectorClient(live_collector.url) as c:
        yield c


def post_later(url, bodies, delay=0.3):
    def run():
        time.sleep(delay)
        for body in bodies:
            httpx.post(url, json=body)

    t = threading.Thread(target=run)
    t.start()
    return t


def test_control_endpoints_are_not_stored_as_sdk_traffic(live_collector, client):
    assert client.health()["ok"] is True
    assert httpx.get(live_collector.url + "/_harness/nothing-here").status_code == 404
    assert httpx.post(live_collector.url + "/_harness/wait").status_code == 404
    assert live_collector.store.query() == []


def test_wait_for_is_woken_by_arrivals(live_collector, client):
    t = post_later(live_collector.device_url("a") + EVENTS, [{"n": i} for i in range(3)])
    got = client.wait_for(lambda rs: len(rs) >= 3, timeout=30, device="a")
    t.join()
    assert [r.json_body()["n"] for r in got] == [0, 1, 2]
    assert all(r.device == "a" and r.response_status == 200 for r in got)


def test_wait_for_filters_by_device_and_after_id(live_collector, client):
    httpx.post(live_collector.device_url("a") + EVENTS, json={"old": True})
    mark = client.last_id
    t = post_later(live_collector.device_url("b") + EVENTS, [{"b": 1}], delay=0.1)
    t.join()
    t = post_later(live_collector.device_url("a") + EVENTS, [{"new": True}], delay=0.2)
    got = client.wait_for(lambda rs: len(rs) >= 1, timeout=30, device="a", after_id=mark)
    t.join()
    assert [r.json_body() for r in got] == [{"new": True}]


def test_wait_for_returns_at_once_when_already_true(live_collector, client):
    httpx.post(live_collector.url + EVENTS, json={})
    assert len(client.wait_for(lambda rs: len(rs) == 1, timeout=30)) == 1
    assert len(client.requests()) == 1


def test_wait_for_times_out_with_what_arrived(live_collector, client):
    httpx.post(live_collector.url + EVENTS, json={})
    with pytest.raises(TimeoutError) as info:
        client.wait_for(lambda rs: len(rs) >= 2, timeout=0.5)
    assert len(info.value.args[1]) == 1


def test_wait_quiet(live_collector, client):
    httpx.post(live_collector.url + EVENTS, json={})
    assert client.wait_quiet(0.2, timeout=10)
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            httpx.post(live_collector.url + EVENTS, json={})
            time.sleep(0.05)

    t = threading.Thread(target=chatter)
    t.start()
    try:
        assert not client.wait_quiet(1.0, timeout=1.5)
    finally:
        stop.set()
        t.join()


def test_answer_rules_can_be_set_over_http(live_collector, client):
    client.add_rule("route=events,status=500,times=1")
    client.add_rule(route="customers", status=404)
    assert [r["label"] for r in client.rules()] == [
        "#1 route=track-events status=500 times=1",
        "#2 route=track-customers status=404",
    ]
    assert httpx.post(live_collector.url + EVENTS, json={}).status_code == 500
    with pytest.raises(CaptureError, match="refused"):
        client.add_rule("route=nowhere,status=500")
    client.clear_rules()
    assert client.rules() == []


def test_the_deprecated_fault_names_still_work_and_say_so(live_collector, client):
    """``/_harness/faults``, ``add_fault``/``faults``/``clear_faults`` and ``server.faults`` were the
    answer rules' old names (design contract, older tests): they still reach the same rules."""
    with pytest.warns(DeprecationWarning, match="add_rule"):
        client.add_fault("route=events,status=500,times=1")
    raw = httpx.post(live_collector.url + "/_harness/faults", json={"route": "customers", "status": 404})
    assert raw.status_code == 200 and raw.json()["id"] == 2
    listed = httpx.get(live_collector.url + "/_harness/faults").json()["rules"]
    assert (
        [r["label"] for r in listed]
        == [r["label"] for r in client.rules()]
        == [
            "#1 route=track-events status=500 times=1",
            "#2 route=track-customers status=404",
        ]
    )
    with pytest.warns(DeprecationWarning, match="rules"):
        assert [r.id for r in live_collector.faults.active] == [1, 2]
    with pytest.warns(DeprecationWarning, match="rules"):
        assert len(client.faults()) == 2
    assert httpx.post(live_collector.url + EVENTS, json={}).status_code == 500
    assert httpx.delete(live_collector.url + "/_harness/faults").json() == {"ok": True}
    with pytest.warns(DeprecationWarning, match="clear_rules"):
        client.clear_faults()
    assert client.rules() == []


def test_unreachable_collector_is_a_capture_error():
    with CollectorClient("http://127.0.0.1:9") as c, pytest.raises(CaptureError, match="unreachable"):
        c.health()
