"""Retry/drop rules of the batch upload and the push delivered metric's two channels (research A3, A6)."""

from __future__ import annotations

import json

from tests.sdks.customerio.conftest import KEY, basic


def _ids(batch):
    return [e["messageId"] for e in batch["batch"]]


def test_a_500_keeps_the_batch_and_the_retry_repeats_sent_at_and_message_ids(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.collector.rules.add("any", method="POST", status=500, times=1)
    phone.call("track", name="e1")
    phone.flush()
    phone.rpc("env.advance_clock", seconds=5)
    phone.flush()
    first, second = phone.batches()
    assert [r.response_status for r in phone.requests("/v1/b")] == [500, 200]
    assert _ids(first) == _ids(second) and first["sentAt"] == second["sentAt"]
    phone.flush()
    assert len(phone.batches()) == 2  # sent once successfully: nothing left


def test_a_429_keeps_and_a_400_drops(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.collector.rules.add("any", method="POST", status=429, times=1)
    phone.call("track", name="limited")
    phone.flush()
    phone.flush()
    assert [e["event"] for e in phone.events()] == ["limited", "limited"]
    phone.collector.rules.add("any", method="POST", status=400, times=1)
    phone.call("track", name="bad")
    phone.flush()
    phone.call("track", name="next")
    phone.flush()
    assert [e["event"] for e in phone.events()] == ["limited", "limited", "bad", "next"]


def test_offline_keeps_the_batch_for_the_next_flush(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.rpc("env.set_network", online=False)
    phone.call("track", name="offline")
    phone.flush()
    assert phone.requests("/v1/b") == []
    phone.rpc("env.set_network", online=True)
    phone.flush()
    assert [e["event"] for e in phone.events()] == ["offline"]


PUSH = {"CIO-Delivery-ID": "D1", "CIO-Delivery-Token": "T"}


def test_background_delivery_goes_to_track_with_basic_auth_once(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.device.app.background()
    assert phone.rpc("env.deliver_push", payload=PUSH) is True
    assert phone.rpc("env.deliver_push", payload=PUSH) is True  # a duplicate delivery id: ignored
    phone.settle()
    (track,) = phone.requests("/v1/track")
    assert track.method == "POST"
    assert track.headers["authorization"] == basic(KEY)
    assert track.headers["user-agent"] == "Android Client/4.19.0"
    assert track.headers["content-type"].startswith("application/json")
    assert json.loads(track.body) == {
        "anonymousId": "D1",
        "event": "Report Delivery Event",
        "properties": {"recipient": "T", "metric": "delivered", "deliveryId": "D1"},
    }
    phone.device.app.foreground()
    phone.flush()
    assert "Report Delivery Event" not in [e.get("event") for e in phone.events()]


def test_a_failing_track_is_resent_until_the_app_comes_forward_then_batched(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.device.app.background()
    phone.collector.rules.add("any", method="POST", status=500)
    phone.rpc("env.deliver_push", payload=PUSH)
    phone.rpc("env.advance_clock", seconds=31)
    phone.settle()
    assert len(phone.requests("/v1/track")) == 2
    phone.collector.rules.clear()
    phone.device.app.foreground()
    phone.flush()
    (metric,) = [e for e in phone.events() if e.get("event") == "Report Delivery Event"]
    assert metric["properties"] == {"metric": "delivered", "deliveryId": "D1", "recipient": "T"}
    phone.rpc("env.advance_clock", seconds=300)
    phone.settle()
    assert len(phone.requests("/v1/track")) == 2


def test_foreground_delivery_and_click_go_through_the_batch(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.rpc("env.deliver_push", payload=PUSH)
    phone.rpc("env.click_push", payload=PUSH)
    phone.flush()
    assert phone.requests("/v1/track") == []
    assert [e["properties"]["metric"] for e in phone.events()] == ["delivered", "opened"]
