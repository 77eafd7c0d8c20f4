"""The iOS profile on hand-written traces: what it expects, rule by rule (research ios §11)."""

import pytest

from harness.errors import SpecError
from harness.spec.checker import check
from harness.spec.matchers import Absent, Approx, DeviceTime, Int, Var, diff_value
from harness.spec.profiles import get_profile, profile_for_platform
from harness.spec.trace import Stimulus
from harness.wire.observation import Observation

CONFIG = {"projectToken": "T", "authorization": "Token k", "baseURL": "http://c"}
MANUAL = {**CONFIG, "flushMode": "MANUAL"}


def trace(*steps, gap=0.01):
    """Stimuli a ``gap`` apart (well inside the 3 s flush delay unless told otherwise)."""
    out = [Stimulus(0, "app", "install", {}, 1000.0, 1.0), Stimulus(1, "app", "launch", {}, 1000.0, 1.0)]
    t = 1000.0
    for step in steps:
        kind, name, args = step[:3]
        t += step[3] if len(step) > 3 else gap
        out.append(Stimulus(len(out), kind, name, args, t, t - 999.0))
        if name == "advance_clock":
            t += args["seconds"]  # the device clock jumped; the host clock did not
    return out


def expect(*steps, **kw):
    return get_profile("exponea-ios").expect(trace(*steps, **kw))


def labels(ex):
    return [e.label for e in ex.requests]


def init(config=CONFIG):
    return ("call", "init", {"configuration": config})


def test_registered_and_found_by_platform():
    assert profile_for_platform("ios").name == "exponea-ios"


def test_init_sends_installation_and_session_start_unordered_after_the_delay():
    ex = expect(init())
    assert sorted(labels(ex)) == ["installation", "session_start"] and not ex.ordered
    inst = ex.requests[0]
    assert inst.route == "events" and inst.project_token == "T" and inst.authorization == "Token k"
    props = inst.body["properties"]
    assert props["os_name"] == "iOS" and props["platform"] == "iOS" and props["sdk"] == "Exponea iOS SDK"
    assert props["sdk_version"] == "4.0.1" and props["application_id"] == "default-application"
    cookie = inst.body["customer_ids"]["cookie"]
    assert cookie == Var("cookie#1", kind="uuid", case="upper")
    assert inst.headers == {"content-type": "application/json", "accept": "application/json"}
    # sent by the 3 s flush: after the init call returned (ios#3)
    assert inst.not_before == pytest.approx(1.01 - 0.05)
    assert "ios#3" in inst.rules


def test_custom_event_payload_exact():
    ex = expect(init(), ("call", "trackEvent", {"eventType": "e", "properties": {"a": 1, "b": 1.5}}))
    event = ex.requests[-1]
    assert event.body["event_type"] == "e"
    assert event.body["properties"]["a"] == Int(1) and event.body["properties"]["b"] == 1.5
    assert set(event.body) == {"customer_ids", "properties", "timestamp", "event_type"}
    assert event.body["timestamp"] == DeviceTime(1000.02, 2.0)
    assert {"ios#7", "ios#14", "ios#78"} <= set(event.rules)


def test_integer_matcher_rejects_a_float():
    assert diff_value(Int(1), 1.0, {}, "$.a") and not diff_value(Int(1), 1, {}, "$.a")


def test_explicit_timestamp_nil_event_type_nan_and_null_dropped():
    nan = float("nan")
    ex = expect(
        init(),
        ("call", "trackEvent", {"eventType": None, "timestamp": 1600000000, "properties": {"n": None, "x": nan}}),
    )
    event = ex.requests[-1]
    assert isinstance(event.body["event_type"], Absent)
    assert event.body["timestamp"] == Approx(1600000000.0, 0.001)
    assert "n" not in event.body["properties"] and "x" not in event.body["properties"]
    assert {"ios#8", "ios#9", "ios#12", "ios#13"} <= set(event.rules)


def test_defaults_precedence_and_none_on_notification_state():
    cfg = {**CONFIG, "defaultProperties": {"d": "v", "a": "default"}}
    ex = expect(
        init(cfg),
        ("call", "trackEvent", {"eventType": "e", "properties": {"a": "own", "device_id": "mine"}}),
        ("env", "new_push_token", {"token": "6D6F"}),
    )
    event = next(e for e in ex.requests if e.label == "e")
    assert event.body["properties"]["a"] == "own" and event.body["properties"]["d"] == "v"
    assert event.body["properties"]["device_id"] == "mine"  # the caller's wins on iOS (ios §2.3)
    state = next(e for e in ex.requests if e.label == "notification_state")
    assert state.body["properties"] == {
        "platform": "ios",
        "description": "Permission granted",
        "push_notification_token": "6D6F",
        "valid": True,
        "application_id": "default-application",
        "device_id": Var("device_id#2", kind="uuid", case="upper", distinct_from=("device_id#1",)),
    }
    companion = next(e for e in ex.requests if e.label == "customer update")
    assert companion.route == "customers" and companion.body["properties"] == {}


def test_identify_strips_keys_ignores_cookie_flushes_at_once_and_resolves_ids_at_flush():
    ex = expect(
        init(),
        ("call", "trackEvent", {"eventType": "before"}),
        (
            "call",
            "identifyCustomer",
            {
                "customerIds": {"registered": "r", "cookie": "X"},
                "properties": {"first_name": "J", "platform": "p", "description": "d", "x": 1},
            },
        ),
    )
    ident = next(e for e in ex.requests if e.route == "customers")
    assert ident.body["properties"] == {"first_name": "J", "x": Int(1)}
    assert ident.body["customer_ids"]["registered"] == "r" and isinstance(ident.body["customer_ids"]["cookie"], Var)
    assert "event_type" not in ident.body
    before = next(e for e in ex.requests if e.label == "before")
    assert before.body["customer_ids"]["registered"] == "r"  # tracked before, flushed with identify
    assert ident.not_before is None  # no 3 s wait (ios#21)


def test_allow_default_customer_properties_false():
    cfg = {**CONFIG, "defaultProperties": {"d": 1}, "allowDefaultCustomerProperties": False}
    ex = expect(init(cfg), ("call", "identifyCustomer", {"customerIds": {"registered": "r"}, "properties": {}}))
    assert next(e for e in ex.requests if e.route == "customers").body["properties"] == {}


def test_events_flushed_before_identify_keep_the_old_ids():
    ex = expect(
        init(),
        ("call", "trackEvent", {"eventType": "early"}),
        ("call", "identifyCustomer", {"customerIds": {"registered": "r"}}, 5.0),
    )
    early = next(e for e in ex.requests if e.label == "early")
    assert "registered" not in early.body["customer_ids"]


def test_auth_none_drops_calls_but_not_automatic_events():
    ex = expect(init({**CONFIG, "authorization": None}), ("call", "trackEvent", {"eventType": "e"}))
    assert sorted(labels(ex)) == ["installation", "session_start"]
    assert all(e.authorization is None for e in ex.requests)


def test_campaign_click_body_and_session_amend():
    url = "https://x/p?utm_source=s&utm_campaign=c&xnpe_cmp=X"
    ex = expect(init(), ("call", "handleCampaignIntent", {"url": url}))
    click = next(e for e in ex.requests if e.route == "campaign_clicks")
    assert click.body["url"] == url and click.body["properties"] == {"platform": "ios"}
    assert click.body["event_type"] == "campaign_click"
    start = next(e for e in ex.requests if e.label == "session_start")
    props = start.body["properties"]
    assert props["utm_source"] == "s" and props["xnpe_cmp"] == "X" and props["url"] == url
    assert "ios#26" in start.rules


def test_campaign_without_xnpe_cmp_sends_no_click_and_late_click_no_amend():
    ex = expect(init(), ("call", "handleCampaignIntent", {"url": "https://x/p?utm_source=s"}))
    assert "campaign_click" not in labels(ex)
    late = expect(init(), ("call", "handleCampaignIntent", {"url": "https://x/p?xnpe_cmp=X"}, 10.0))
    start = next(e for e in late.requests if e.label == "session_start")
    assert "xnpe_cmp" not in start.body["properties"]


def test_payment_via_properties():
    item = {"value": 1.5, "currency": "EUR", "paymentSystem": "ps", "productId": "p1", "productTitle": "P"}
    ex = expect(init(), ("call", "trackPaymentEvent", {"purchasedItem": item}))
    props = ex.requests[-1].body["properties"]
    assert ex.requests[-1].label == "payment" and props["brutto"] == 1.5 and props["item_id"] == "p1"


def test_token_invalidation_permission_and_manual_track():
    ex = expect(
        init(),
        ("env", "new_push_token", {"token": "A"}),
        ("env", "new_push_token", {"token": "B"}),
        ("env", "set_push_permission", {"granted": False}),
        ("call", "trackPushToken", {"token": "abc"}),
        ("call", "trackPushToken", {"token": None}),
    )
    states = [e.body["properties"] for e in ex.requests if e.label == "notification_state"]
    got = [(p["push_notification_token"], p["valid"], p["description"]) for p in states]
    assert got == [
        ("A", True, "Permission granted"),
        ("A", False, "Invalidated"),
        ("B", True, "Permission granted"),
        ("abc", False, "Permission denied"),
    ]
    assert labels(ex).count("customer update") == 4


def test_denied_permission_with_and_without_require_authorization():
    denied = [("env", "set_push_permission", {"granted": False}), ("env", "new_push_token", {"token": "A"})]
    a = expect(init(), *denied)
    b = expect(init({**CONFIG, "requirePushAuthorization": False}), *denied)
    pa = next(e for e in a.requests if e.label == "notification_state").body["properties"]
    pb = next(e for e in b.requests if e.label == "notification_state").body["properties"]
    assert (pa["valid"], pa["description"]) == (False, "Permission denied")
    assert (pb["valid"], pb["description"]) == (True, "Permission denied")


def test_stream_mode_route_no_companion_update_no_auth():
    ex = expect(
        init({"streamId": "S", "baseURL": "http://c"}),
        ("env", "new_push_token", {"token": "A"}),
        ("call", "trackEvent", {"eventType": "e"}),
    )
    assert "customer update" not in labels(ex)
    assert {e.target for e in ex.requests} == {"stream:S"}
    assert all(e.authorization is None for e in ex.requests)


def test_frequencies_on_relaunch_and_foreground():
    def run(freq, *after):
        cfg = {**CONFIG, "tokenTrackFrequency": freq}
        steps = [init(cfg), ("env", "new_push_token", {"token": "A"}), ("app", "kill", {}), ("app", "launch", {})]
        return labels(expect(*steps, init(cfg), *after)).count("notification_state")

    assert run("ON_TOKEN_CHANGE") == 1
    assert run("EVERY_LAUNCH", ("app", "background", {}), ("app", "foreground", {})) == 3
    assert run("DAILY") == 1
    assert run("DAILY", ("env", "advance_clock", {"seconds": 90000}), ("app", "background", {})) == 1
    day_later = run("DAILY", ("app", "background", {}), ("env", "advance_clock", {"seconds": 90000}))
    assert day_later == 1  # the foreground is what verifies
    assert run("DAILY", ("env", "advance_clock", {"seconds": 90000}), ("app", "foreground", {})) == 2


def test_application_id_change_forces_one_state():
    steps = [init(), ("env", "new_push_token", {"token": "A"}), ("app", "kill", {}), ("app", "launch", {})]
    ex = expect(*steps, init({**CONFIG, "applicationId": "other-app"}))
    assert labels(ex).count("notification_state") == 2 and "ios#36" in ex.requests[-2].rules + ex.requests[-1].rules


PUSH = {
    "source": "xnpe_platform",
    "attributes": '{"event_type": "campaign", "campaign_id": "c", "action_id": 2, "sent_timestamp": 500.0}',
    "url_params": '{"utm_source": "u", "other": "x"}',
}


def test_push_delivered_payload():
    ex = expect(init(), ("env", "deliver_push", {"payload": PUSH}))
    event = ex.requests[-1]
    assert event.label == "campaign" and event.body["event_type"] == "campaign"
    props = {k: v for k, v in event.body["properties"].items() if k not in ("device_id",)}
    assert props == {
        "campaign_id": "c",
        "action_id": 2,
        "sent_timestamp": 500.0,
        "utm_source": "u",
        "platform": "ios",
        "status": "delivered",
        "state": "shown",
        "application_id": "default-application",
    }


def test_push_delivered_custom_type_consent_and_future_sent_timestamp():
    payload = {**PUSH, "attributes": '{"event_type": "my_evt", "sent_timestamp": 5000.0}'}
    ex = expect(init(), ("env", "deliver_push", {"payload": payload}))
    assert ex.requests[-1].body["event_type"] == "my_evt"
    assert ex.requests[-1].body["timestamp"] == Approx(5001.0, 0.25)  # from the payload: exact
    no = expect(init(), ("env", "deliver_push", {"payload": {**PUSH, "has_tracking_consent": "false"}}))
    assert "campaign" not in labels(no)


def test_push_clicked_basic_action_button_forced_silent_and_foreign():
    basic = expect(init(), ("env", "click_push", {"payload": {**PUSH, "action": "app"}}))
    props = basic.requests[-1].body["properties"]
    assert props["status"] == "clicked" and props["cta"] == "notification" and props["url"] == "app"
    assert props["action_type"] == "mobile notification" and "state" not in props
    button = {"actionType": "browser", "actionName": "B3", "url": "https://u?xnpe_force_track=true", "index": 2}
    forced = expect(
        init(), ("env", "click_push", {"payload": {**PUSH, "has_tracking_consent": False}, "action": button})
    )
    props = forced.requests[-1].body["properties"]
    assert props["cta"] == "B3" and props["url"] == button["url"] and props["tracking_forced"] is True
    silent = expect(init(), ("env", "click_push", {"payload": {**PUSH, "silent": 1}}))
    assert silent.requests[-1].body["properties"]["status"] == "delivered"
    foreign = expect(init(), ("env", "click_push", {"payload": {**PUSH, "source": "other"}}))
    assert "campaign" not in labels(foreign)


def test_automatic_sessions_background_timeout_and_resume():
    ex = expect(
        init(),
        ("app", "background", {}, 10.0),
        ("app", "foreground", {}, 20.0),
        ("app", "background", {}, 5.0),
        ("env", "advance_clock", {"seconds": 100}),
        ("app", "foreground", {}),
        ("call", "trackSessionStart", {}),
    )
    assert labels(ex).count("session_start") == 2 and labels(ex).count("session_end") == 1
    end = next(e for e in ex.requests if e.label == "session_end")
    assert end.body["timestamp"] == DeviceTime(1035.01, 2.0)  # the backgrounding time
    assert end.body["properties"]["duration"] == Approx(35.0, 2.0)


def test_manual_sessions_autoclose():
    cfg = {**CONFIG, "automaticSessionTracking": False, "sessionTimeout": 60}
    steps = [
        ("call", "trackSessionStart", {}),
        ("call", "trackSessionStart", {}, 10.0),
        ("call", "trackSessionStart", {}, 100.0),
    ]
    on = expect(init(cfg), *steps)
    off = expect(init({**cfg, "manualSessionAutoClose": False}), *steps)
    assert labels(on)[1:] == ["session_start", "session_end", "session_start"]
    assert labels(off)[1:] == ["session_start", "session_start"]


def test_anonymize_step_by_step_and_project_switch():
    p2 = {"baseUrl": "http://c", "projectToken": "P2", "authorization": "Token T2"}
    ex = expect(
        init(MANUAL),
        ("env", "new_push_token", {"token": "A"}),
        ("call", "identifyCustomer", {"customerIds": {"registered": "r"}}),
        ("call", "anonymize", {"exponeaProject": p2}),
        ("call", "trackEvent", {"eventType": "after"}),
        ("call", "flushData", {}),
    )
    by = {(e.label, e.project_token, e.body.get("properties", {}).get("description")) for e in ex.requests}
    assert ("session_end", "T", None) in by and ("notification_state", "T", "Invalidated") in by
    assert ("notification_state", "P2", "Permission granted") in by and ("installation", "P2", None) in by
    assert all(e.authorization == "Token T2" for e in ex.requests)  # auth quirk (ios#59)
    end = next(e for e in ex.requests if e.label == "session_end")
    assert "duration" not in end.body["properties"] and end.body["customer_ids"]["registered"] == "r"
    after = next(e for e in ex.requests if e.label == "after")
    assert set(after.body["customer_ids"]) == {"cookie"} and after.body["customer_ids"]["cookie"].name == "cookie#2"


def test_stop_flushes_bare_end_and_invalidation_then_quiet_and_fresh_start():
    ex = expect(
        init(MANUAL),
        ("env", "new_push_token", {"token": "A"}),
        ("call", "stopIntegration", {}),
        ("call", "trackEvent", {"eventType": "after"}),
        ("call", "flushData", {}),
        ("call", "init", {"configuration": CONFIG}),
    )
    assert "after" not in labels(ex)
    (window,) = ex.quiet
    assert window.end_host_time is not None
    installs = [e for e in ex.requests if e.label == "installation"]
    assert [i.body["customer_ids"]["cookie"].name for i in installs] == ["cookie#1", "cookie#2"]
    assert installs[1].body["properties"]["device_id"].name == "device_id#3"


def test_clear_local_customer_data_only_when_unconfigured():
    ex = expect(
        init(),
        ("call", "clearLocalCustomerData", {}),
        ("app", "kill", {}, 5.0),
        ("app", "launch", {}),
        ("call", "clearLocalCustomerData", {}),
        init(),
    )
    assert labels(ex).count("installation") == 2


def test_retries_418_five_times_500_forever_offline_nothing():
    steps = [init(MANUAL), ("call", "trackEvent", {"eventType": "e"})]
    # seconds apart: a flushData while an earlier flush may still run may be refused (FLUSH_OVERLAP)
    flushes = [("call", "flushData", {}, 3.0)] * 7
    four = expect(*steps, ("collector", "respond", {"route": "events", "status": 418}), *flushes)
    assert labels(four).count("e") == 5
    five = expect(*steps, ("collector", "respond", {"route": "events", "status": 500, "body": "oops"}), *flushes)
    assert labels(five).count("e") == 7
    off = expect(*steps, ("env", "set_network", {"online": False}), *flushes)
    assert labels(off).count("e") == 0


def test_stream_401_is_resent_once():
    ex = expect(
        init({"streamId": "S", "baseURL": "http://c", "flushMode": "MANUAL"}),
        ("call", "flushData", {}),
        ("call", "trackEvent", {"eventType": "e"}),
        # seconds after the first flush: no request of it can meet the rule, no flush refused
        ("collector", "respond", {"route": "events", "status": 401, "times": 1}, 3.0),
        ("call", "flushData", {}, 3.0),
    )
    assert labels(ex).count("e") == 2


def test_project_mapping_fans_out_with_the_main_auth():
    cfg = {**CONFIG, "projectRouteMap": {"TRACK_EVENT": [{"baseUrl": "http://c", "projectToken": "P2"}]}}
    ex = expect(init(cfg), ("call", "trackEvent", {"eventType": "e"}))
    events = [e for e in ex.requests if e.label == "e"]
    assert {e.project_token for e in events} == {"T", "P2"} and {e.authorization for e in events} == {"Token k"}


def test_unmodelled_calls_are_an_honest_error():
    with pytest.raises(SpecError, match="does not model"):
        expect(("call", "trackHmsPushToken", {"token": "x"}))


def test_checker_accepts_the_expectations_in_any_order():
    ex = expect(init(MANUAL), ("call", "trackEvent", {"eventType": "a"}), ("call", "flushData", {}))
    bodies = []
    for exp in ex.requests:
        props = {"application_id": "default-application", "device_id": "9C1B0E3A-0000-4000-8000-000000000001"}
        if exp.label != "a":
            props |= {"os_name": "iOS", "platform": "iOS", "os_version": "17.4", "sdk": "Exponea iOS SDK"}
            props |= {"sdk_version": "4.0.1", "device_model": "iPhone", "device_type": "mobile", "app_version": "1"}
        body = {
            "customer_ids": {"cookie": "3F2504E0-4F89-41D3-9A0C-0305E82C3301"},
            "properties": props,
            "timestamp": 1000.01,
            "event_type": exp.label,
        }
        bodies.append(body)
    obs = [
        Observation(
            i + 1,
            "events",
            "POST",
            "/p",
            "T",
            "Token k",
            {"content-type": "application/json", "accept": "application/json"},
            b,
            event_type=b["event_type"],
            received_at=5.0,
        )
        for i, b in enumerate(reversed(bodies))
    ]
    verdict = check(ex, obs)
    assert verdict.passed, verdict.report()


def test_an_identify_right_after_a_flush_may_reach_its_rows_but_not_after_the_race_window():
    steps = [init(), ("call", "identifyCustomer", {"customerIds": {"registered": "a"}})]
    racing = expect(*steps, ("call", "identifyCustomer", {"customerIds": {"email": "b"}}, 0.05))
    start = next(e for e in racing.requests if e.label == "session_start")
    bindings = {}
    assert not diff_value(
        start.body["customer_ids"], {"cookie": "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "registered": "a"}, bindings, "$"
    )
    assert not diff_value(
        start.body["customer_ids"],
        {"cookie": "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "registered": "a", "email": "b"},
        {},
        "$",
    )
    later = expect(*steps, ("call", "identifyCustomer", {"customerIds": {"email": "b"}}, 2.0))
    start = next(e for e in later.requests if e.label == "session_start")
    assert set(start.body["customer_ids"]) == {"cookie", "registered"}


def test_a_settle_runs_the_pending_flush_even_a_hair_before_its_due_time():
    steps = [
        init({**CONFIG, "maxTries": 2}),
        ("sync", "settle", {}, 2.999),  # the clock reading of init came after the SDK scheduled
        ("collector", "respond", {"route": "events", "status": 500, "times": 3}),
    ]
    ex = expect(*steps)
    assert sorted(labels(ex)) == ["installation", "session_start"]
    assert all("ios#68" not in e.rules for e in ex.requests)  # sent before the 500 rule existed


def test_delivered_push_not_from_exponea_is_not_tracked():
    """ExponeaNotificationService.swift:58@4.0.1 skips a push whose source is not xnpe_platform (found by
    harness explore): a foreign delivered push expects nothing, an Exponea one still a campaign event."""
    for payload in ({}, {**PUSH, "source": "other_platform"}):
        assert "campaign" not in labels(expect(init(), ("env", "deliver_push", {"payload": payload})))
    assert labels(expect(init(), ("env", "deliver_push", {"payload": PUSH})))[-1] == "campaign"


def test_a_resumed_session_keeps_its_end_time_for_the_next_start():
    """SessionManager.swift:113-122@4.0.1: a resume returns without touching sessionEndTime, so a configure
    after a kill, past the timeout from the last backgrounding, ends the session at that backgrounding."""
    ex = expect(
        init(),
        ("app", "background", {}, 5.0),
        ("app", "foreground", {}, 10.0),
        ("app", "kill", {}, 5.0),
        ("app", "launch", {}, 120.0),
        init(),
    )
    (end,) = [e for e in ex.requests if e.label == "session_end"]
    assert end.body["timestamp"].value == 1005.01  # the backgrounding, not the relaunch
    assert abs(end.body["properties"]["duration"].value - 5.0) < 1e-6


def test_a_click_in_the_background_opens_the_app_first():
    """A tap opens the app (didBecomeActive) whoever sent the push: past the timeout, the session restarts."""
    ex = expect(init(), ("app", "background", {}, 5.0), ("env", "click_push", {"payload": {}}, 100.0))
    assert labels(ex).count("session_start") == 2 and labels(ex).count("session_end") == 1
