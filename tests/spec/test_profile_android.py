"""The Android profile on hand-written traces: what it expects, rule by rule."""

import pytest

from harness.errors import SpecError
from harness.spec.matchers import Absent, Approx
from harness.spec.profiles import get_profile
from harness.spec.trace import Stimulus

CONFIG = {"projectToken": "T", "authorization": "Token k", "baseURL": "http://c"}


def trace(*steps):
    out = [Stimulus(0, "app", "install", {}, 1000.0, 1.0), Stimulus(1, "app", "launch", {}, 1000.0, 1.0)]
    t = 1000.0
    for kind, name, args in steps:
        t += 1
        out.append(Stimulus(len(out), kind, name, args, t, t - 999.0))
    return out


def labels(expectations):
    return [e.label for e in expectations.requests]


def test_init_sends_installation_then_session_start():
    ex = get_profile("exponea-android").expect(trace(("call", "init", {"configuration": CONFIG})))
    assert labels(ex) == ["installation", "session_start"]
    assert not ex.ordered and ex.order_rules == ("android#4",)
    inst = ex.requests[0]
    assert inst.authorization == "Token k" and inst.route == "events" and inst.project_token == "T"
    assert inst.body["properties"]["sdk"] == "AndroidSDK" and inst.body["properties"]["sdk_version"] == "4.10.0"


def test_custom_event_properties_and_precedence():
    cfg = {**CONFIG, "defaultProperties": {"d": 1, "keep": "x"}}
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "init", {"configuration": cfg}),
            ("call", "trackEvent", {"eventType": "e", "properties": {"d": 2, "device_id": "mine"}}),
        )
    )
    props = ex.requests[-1].body["properties"]
    assert props["d"] == 2 and props["keep"] == "x" and props["application_id"] == "default-application"
    assert props["device_id"].name == "device_id#2"  # the SDK's own, not "mine"
    assert "android#9" in ex.requests[-1].rules


def test_null_timestamp_means_no_timestamp_key_and_explicit_one_is_kept():
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "init", {"configuration": CONFIG}),
            ("call", "trackEvent", {"eventType": "n", "timestamp": None}),
            ("call", "trackEvent", {"eventType": "t", "timestamp": 1234567890.5}),
        )
    )
    assert isinstance(ex.requests[-2].body["timestamp"], Absent)
    assert ex.requests[-1].body["timestamp"] == Approx(1234567890.5, 1e-6)  # passed in: exact


def test_identify_replaces_ids_and_has_no_device_ids():
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "init", {"configuration": CONFIG}),
            ("call", "identifyCustomer", {"customerIds": {"registered": "a"}, "properties": {}}),
            ("call", "identifyCustomer", {"customerIds": {"email": "b", "cookie": "mine"}, "properties": {}}),
            ("call", "trackEvent", {"eventType": "e"}),
        )
    )
    second, event = ex.requests[-2], ex.requests[-1]
    assert second.route == "customers" and "event_type" not in second.body
    assert set(second.body["customer_ids"]) == {"cookie", "email"}
    assert "device_id" not in second.body["properties"]
    assert set(event.body["customer_ids"]) == {"cookie", "email"}


def test_manual_mode_holds_events_and_stop_drops_them_with_a_quiet_window():
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "init", {"configuration": CONFIG}),
            ("call", "setFlushMode", {"mode": "MANUAL"}),
            ("call", "trackEvent", {"eventType": "held"}),
            ("call", "stopIntegration", {}),
            ("call", "trackEvent", {"eventType": "after"}),
            ("call", "flushData", {}),
        )
    )
    # init's pass may still run when "held" is stored: it may send it (re-reading the queue), no later pass will
    assert labels(ex) == ["installation", "session_start", "held"] and ex.requests[2].copies == (0, 1)
    # init's bundle GET may still be on the wire: tracking routes are quiet at once, all routes a bit later
    tracking, everything = ex.quiet
    assert tracking.end_host_time is None and "android#65" in tracking.rules and "events" in tracking.routes
    assert everything.routes == () and everything.start_host_time > tracking.start_host_time


def test_reinit_after_stop_starts_fresh_with_a_new_cookie():
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "init", {"configuration": CONFIG}),
            ("call", "stopIntegration", {}),
            ("call", "init", {"configuration": CONFIG}),
        )
    )
    assert labels(ex) == ["installation", "session_start", "installation", "session_start"]
    new_cookie = ex.requests[2].body["customer_ids"]["cookie"]
    assert new_cookie.distinct_from and ex.quiet[0].end_host_time is not None


def test_sessions_resume_inside_the_timeout_and_restart_after_it():
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "init", {"configuration": {**CONFIG, "sessionTimeout": 20}}),
            ("app", "background", {}),
            ("app", "foreground", {}),
            ("app", "background", {}),
            ("env", "advance_clock", {"seconds": 30}),
        )
    )
    assert labels(ex) == ["installation", "session_start", "session_end"]
    assert "android#21" in ex.requests[-1].rules


def test_pre_init_calls_run_after_the_init_events():
    ex = get_profile("exponea-android").expect(
        trace(
            ("call", "trackEvent", {"eventType": "early"}),
            ("call", "init", {"configuration": CONFIG}),
        )
    )
    assert labels(ex) == ["installation", "session_start", "early"]


def test_unmodelled_calls_are_an_honest_error():
    with pytest.raises(SpecError, match="does not model"):
        get_profile("exponea-android").expect(trace(("call", "getSegments", {})))
