"""The Android profile: anonymize, payments, campaign clicks, stop and clear (android §3.6, §3.7, §5, §6)."""

from harness.spec.matchers import Absent
from tests.spec.android_trace import SETTLE, call, env, expect, init, named, props


def sequence(ex):
    return [(e.body.get("event_type"), e.project_token, e.body["customer_ids"]["cookie"].name) for e in ex.requests]


def test_anonymize_step_by_step():
    ex = expect(
        init(),
        env("new_push_token", token="A"),
        call("trackEvent", eventType="test"),
        call("anonymize"),
        call("trackEvent", eventType="test"),
    )
    assert sequence(ex) == [
        ("installation", "T", "cookie#2"),
        ("session_start", "T", "cookie#2"),
        ("notification_state", "T", "cookie#2"),
        ("test", "T", "cookie#2"),
        ("session_end", "T", "cookie#2"),
        ("notification_state", "T", "cookie#2"),
        ("installation", "T", "cookie#3"),
        ("session_start", "T", "cookie#3"),
        ("notification_state", "T", "cookie#3"),
        ("test", "T", "cookie#3"),
    ]
    states = [(props(e)["valid"], props(e)["description"]) for e in named(ex, "notification_state")]
    assert states == [(True, "Permission granted"), (False, "Invalidated"), (True, "Permission granted")]
    new_cookie = ex.requests[-1].body["customer_ids"]["cookie"]
    assert "cookie#2" in new_cookie.distinct_from
    assert props(ex.requests[0])["device_id"].name == props(ex.requests[-1])["device_id"].name  # device_id stays


def test_anonymize_with_a_project_switch_keeps_stored_rows_on_the_old_project():
    ex = expect(
        init(),
        SETTLE,
        call("setFlushMode", mode="MANUAL"),
        call("trackEvent", eventType="old"),
        call("anonymize", exponeaProject={"baseUrl": "http://c", "projectToken": "P2", "authorization": "Token 2"}),
        call("trackEvent", eventType="new"),
        call("flushData"),
    )
    where = {(e.body["event_type"], e.project_token, e.authorization) for e in ex.requests[2:]}
    assert where == {
        ("old", "T", "Token k"),
        ("session_end", "T", "Token k"),
        ("installation", "P2", "Token 2"),
        ("session_start", "P2", "Token 2"),
        ("new", "P2", "Token 2"),
    }


def test_anonymize_without_automatic_sessions_sends_only_the_installation():
    ex = expect(init(automaticSessionTracking=False), call("anonymize"))
    assert [e.body["event_type"] for e in ex.requests] == ["installation", "installation"]


def test_payment_properties():
    item = {
        "value": 200.3,
        "currency": "USD",
        "paymentSystem": "ps",
        "productId": "Item",
        "productTitle": "Speed Boost",
    }
    ex = expect(init(), call("trackPaymentEvent", purchasedItem=item))
    p = props(named(ex, "payment")[0])
    assert {k: p[k] for k in ("brutto", "currency", "payment_system", "item_id", "product_title")} == {
        "brutto": 200.3,
        "currency": "USD",
        "payment_system": "ps",
        "item_id": "Item",
        "product_title": "Speed Boost",
    }
    assert p["os_name"] == "Android" and p["sdk"] == "AndroidSDK" and "receipt" not in p


def test_campaign_click_body_and_session_amend_within_ttl():
    url = "https://s.example/x?utm_source=nl&xnpe_cmp=c1"
    ex = expect(
        init(),
        ("app", "background", {}),
        env("advance_clock", seconds=120),
        call("handleCampaignIntent", url=url),
        ("app", "foreground", {}),
    )
    (click,) = [e for e in ex.requests if e.route == "campaign_clicks"]
    assert click.body["url"] == url and click.body["properties"] == {"platform": "Android"}
    assert "customer_ids" not in click.body
    session = named(ex, "session_start")[-1]
    assert props(session)["xnpe_cmp"] == "c1" and props(session)["location"] == url


def test_campaign_without_xnpe_cmp_sends_no_click_and_expires_after_ttl():
    url = "https://s.example/x?utm_source=nl"
    ex = expect(
        init(),
        ("app", "background", {}),
        env("advance_clock", seconds=120),
        call("handleCampaignIntent", url=url),
        ("app", "foreground", {}, 30.0),
    )
    assert [e for e in ex.requests if e.route == "campaign_clicks"] == []
    assert "utm_source" not in props(named(ex, "session_start")[-1])


def test_stop_drops_queued_events_and_opens_a_quiet_window_until_init():
    ex = expect(
        init(),
        SETTLE,  # init's pass is over: "queued" waits for a trigger
        call("setFlushMode", mode="MANUAL"),
        call("trackEvent", eventType="queued"),
        call("stopIntegration"),
        call("trackEvent", eventType="after"),
        call("flushData"),
        init(),
        call("flushData"),  # the flush mode is process-global: still MANUAL after the stop
    )
    assert named(ex, "queued") == [] and named(ex, "after") == []
    (window,) = ex.quiet
    assert window.end_host_time is not None and "android#65" in window.rules
    assert named(ex, "installation")[-1].body["customer_ids"]["cookie"].name == "cookie#3"


def test_clear_local_data_is_refused_while_initialized_and_wipes_before_init():
    ex = expect(
        init(),
        call("clearLocalCustomerData"),
        call("trackEvent", eventType="same"),
        ("app", "kill", {}),
        ("app", "launch", {}),
        call("clearLocalCustomerData"),
        init(),
    )
    cookies = [e.body["customer_ids"]["cookie"].name for e in ex.requests]
    assert cookies == ["cookie#2", "cookie#2", "cookie#2", "cookie#3", "cookie#3"]
    assert props(ex.requests[-2])["device_id"].name == "device_id#3"


def test_null_timestamp_and_event_type_are_left_out():
    ex = expect(init(), call("trackEvent", eventType=None, timestamp=None))
    body = ex.requests[-1].body
    assert isinstance(body["event_type"], Absent) and isinstance(body["timestamp"], Absent)
    assert {"android#6", "android#7"} <= set(ex.requests[-1].rules)
