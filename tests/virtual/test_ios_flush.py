"""virtual:ios flushing and response rules (research ios §2.4, §7; checklist ios#3, #20, #67..70, #73)."""

import time

from tests.virtual.ios_phone import Phone, events


def test_immediate_mode_waits_three_seconds_on_the_virtual_clock(server, phone_on):
    phone = phone_on()
    phone.init()
    phone.call("trackEvent", eventType="later")
    time.sleep(0.5)  # real time passes, the virtual 3 s do not
    assert not [r for r in server.requests() if r.method == "POST"]  # ios#3
    phone.advance(3.0)
    phone.settle()
    assert len(events(server.requests(), "later")) == 1


def test_a_418_is_attempted_five_times_then_dropped(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL")
    phone.call("flushData")
    phone.settle()
    server.respond("/customers/events", 418)
    phone.call("trackEvent", eventType="weird")
    for _ in range(7):
        phone.call("flushData")
        phone.settle()
    assert len(events(server.requests(), "weird")) == 5  # ios#67


def test_a_500_without_error_json_is_retried_forever_and_a_decodable_one_counts(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL", maxTries=3)
    phone.call("flushData")
    phone.settle()
    server.respond("/customers/events", 500, b"<html>oops</html>")
    phone.call("trackEvent", eventType="down")
    for _ in range(6):
        phone.call("flushData")
        phone.settle()
    assert len(events(server.requests(), "down")) == 6  # ios#68
    server.rules.clear()
    error = b'{"errors":[{"code":1,"description":"d","message":"m"}],"success":false}'
    server.respond("/customers/events", 503, error)
    phone.call("trackEvent", eventType="counted")
    for _ in range(5):
        phone.call("flushData")
        phone.settle()
    assert len(events(server.requests(), "counted")) == 3  # MultipleErrorResponse: retries +1, maxTries 3


def test_offline_sends_nothing_and_counts_nothing(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL", maxTries=2)
    phone.dev.env.set_network(False)
    phone.call("trackEvent", eventType="offline")
    for _ in range(4):
        phone.call("flushData")
        phone.settle()
    assert not [r for r in server.requests() if r.method == "POST"]
    phone.dev.env.set_network(True)
    phone.call("flushData")
    phone.settle()
    assert len(events(server.requests(), "offline")) == 1  # ios#69: no try was counted


def test_queue_survives_a_kill_and_ids_resolve_at_flush(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL")
    cookie = phone.call("getCustomerCookie")
    phone.call("trackEvent", eventType="queued_before_kill")
    phone.relaunch()
    phone.init(flushMode="MANUAL")
    phone.call("identifyCustomer", customerIds={"registered": "r"}, properties={})
    phone.call("flushData")
    phone.settle()
    (queued,) = events(server.requests(), "queued_before_kill")
    assert queued["customer_ids"] == {"cookie": cookie, "registered": "r"}  # ios#20
    assert len(events(server.requests(), "installation")) == 1


def test_stream_401_is_resent_once_a_second_later(server, phone_on):
    phone = phone_on()
    phone.init(streamId="S1", projectToken=None, authorization=None, flushMode="MANUAL")
    phone.call("flushData")
    phone.settle()
    server.respond("/track/u/v1/customers/events", 401, b'{"error":"no","success":false}', times=1)
    phone.call("trackEvent", eventType="jwt")
    before = phone.now()
    phone.call("flushData")
    phone.settle()
    assert len(events(server.requests(), "jwt")) == 2  # ios#73: re-sent, and the second got 200
    assert phone.now() - before >= 1.0
    phone.call("flushData")
    phone.settle()
    assert len(events(server.requests(), "jwt")) == 2  # delivered, nothing left


def test_periodic_flush_runs_on_the_virtual_clock(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="PERIOD", flushPeriod=600)
    phone.call("trackEvent", eventType="periodic")
    phone.settle()
    assert not [r for r in server.requests() if r.method == "POST"]
    phone.advance(600)
    phone.settle()
    assert len(events(server.requests(), "periodic")) == 1


def test_concurrent_flushes_send_each_row_once(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL")
    for i in range(10):
        phone.call("trackEvent", eventType=f"e{i}")
    for _ in range(3):
        phone.call("flushData")
    phone.settle()
    bodies = events(server.requests())
    assert len(bodies) == 12 and len({b["event_type"] for b in bodies}) == 12  # ios#70


def test_pre_configure_calls_are_queued_and_replayed(server):
    phone = Phone(server.url)
    try:
        phone.call("trackEvent", eventType="early")
        assert phone.call("isInitialized") is False
        phone.init()
        phone.settle()
        assert len(events(server.requests(), "early")) == 1
    finally:
        phone.close()
