"""virtual:ios puts exactly the research's wire format on the network (ios §2, §3; checklist ios#1..26, 71..74).

Real app process, real collector on loopback; the expected bodies are written here from the
research, not taken from harness.spec.
"""

import re

import pytest

from tests.virtual.ios_phone import AUTH, TOKEN, Phone, customers, events, tracking

UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")
DEVICE_KEYS = {"os_name", "platform", "os_version", "sdk", "sdk_version", "device_model", "device_type", "app_version"}


@pytest.fixture
def col(live_collector):
    return live_collector


@pytest.fixture
def phone(col):
    p = Phone(col.device_url("ios"))
    yield p
    p.close()


def got(col):
    return col.store.query(device="ios")


def test_fresh_configure_sends_installation_and_session_start_with_device_properties(col, phone):
    phone.init()
    phone.settle()
    reqs = got(col)
    (install,) = events(reqs, "installation")
    (start,) = events(reqs, "session_start")
    for body in (install, start):
        props = body["properties"]
        assert DEVICE_KEYS | {"application_id", "device_id"} == set(props)
        assert props["os_name"] == "iOS" and props["platform"] == "iOS"
        assert props["sdk"] == "Exponea iOS SDK" and props["sdk_version"] == "4.0.1"
        assert props["device_type"] == "mobile" and props["application_id"] == "default-application"
        assert UUID_UPPER.match(props["device_id"])
        assert set(body) == {"customer_ids", "properties", "timestamp", "event_type"}
        assert UUID_UPPER.match(body["customer_ids"]["cookie"])  # ios#14
        assert body["customer_ids"]["cookie"] == phone.call("getCustomerCookie")
    # ios#4: headers (names compared case-insensitively; the collector stores them lower-case)
    for r in reqs:
        if r.path.startswith("/track/"):
            assert r.headers["content-type"] == "application/json"
            assert r.headers["accept"] == "application/json"
            assert r.headers["authorization"] == AUTH
            assert "CFNetwork" in r.headers["user-agent"]
            assert r.path == f"/track/v2/projects/{TOKEN}/customers/events"
    bundle = [r for r in reqs if r.method == "GET"]
    assert [r.path for r in bundle] == [f"/wxstatic/projects/{TOKEN}/bundle-ios.json?v=2"]


def test_track_event_numbers_nulls_nan_defaults_and_missing_event_type(col, phone):
    phone.init(defaultProperties={"d": "v", "a": "default"})
    phone.call(
        "trackEvent",
        eventType="screen",
        properties={"a": 1, "f": 1.5, "whole": 2.0, "n": None, "nested": {"x": [1, None, "s/t"]}},
    )
    phone.call("trackEvent", properties={"k": True}, timestamp=1600000000)
    phone.settle()
    reqs = got(col)
    (screen,) = events(reqs, "screen")
    assert screen["properties"]["a"] == 1  # caller beats the defaults (ios#11)
    assert screen["properties"]["d"] == "v"  # ios#10
    assert "n" not in screen["properties"]  # NSNull dropped (ios#12)
    assert screen["properties"]["nested"] == {"x": [1, "s/t"]}
    raw = next(r.body for r in reqs if '"screen"' in r.body)
    assert '"a":1,' in raw and '"f":1.5' in raw and '"whole":2,' in raw  # JSONSerialization numbers
    assert '"s\\/t"' in raw  # slashes escaped as JSONSerialization does
    no_type = [b for b in events(reqs) if "event_type" not in b]
    assert len(no_type) == 1 and no_type[0]["timestamp"] == 1600000000  # ios#8, ios#9
    assert no_type[0]["properties"]["k"] is True


def test_nan_is_dropped_and_the_request_still_sent(col, phone):
    phone.init()
    phone.call("trackEvent", eventType="nan", properties={"ok": 1, "bad": float("nan"), "inf": float("inf")})
    phone.call("trackPaymentEvent", purchasedItem={"value": 2.5, "currency": "EUR", "productId": "p/1"})
    phone.settle()
    (nan,) = events(got(col), "nan")
    assert nan["properties"]["ok"] == 1 and "bad" not in nan["properties"] and "inf" not in nan["properties"]
    (payment,) = events(got(col), "payment")
    assert payment["properties"]["brutto"] == 2.5  # ios#22
    assert payment["properties"]["currency"] == "EUR" and payment["properties"]["item_id"] == "p/1"


def test_identify_overwrites_cookie_strips_keys_and_later_events_carry_the_id(col, phone):
    phone.init(flushMode="MANUAL", defaultProperties={"d": "v"})
    cookie = phone.call("getCustomerCookie")
    phone.call("trackEvent", eventType="before")
    phone.call(
        "identifyCustomer",
        customerIds={"registered": "r@x", "cookie": "NOT-MINE"},
        properties={"first_name": "J", "platform": "p", "description": "d", "valid": True, "x": 1},
    )
    phone.call("flushData")
    phone.settle()
    reqs = got(col)
    (update,) = customers(reqs)
    assert update["customer_ids"] == {"cookie": cookie, "registered": "r@x"}  # ios#15, #16
    assert update["properties"] == {"first_name": "J", "x": 1, "d": "v"}  # ios#17, defaults (ios#18 off)
    assert "event_type" not in update
    (before,) = events(reqs, "before")
    assert before["customer_ids"] == {"cookie": cookie, "registered": "r@x"}  # resolved at flush (ios#20)
    assert any(r.path == f"/webxp/s/{TOKEN}/inappmessages?compatibility=3" for r in reqs)


def test_no_default_customer_properties_when_not_allowed(col, phone):
    phone.init(defaultProperties={"d": "v"}, allowDefaultCustomerProperties=False)
    phone.call("identifyCustomer", customerIds={"registered": "r"}, properties={"p": 1})
    phone.settle()
    assert customers(got(col))[0]["properties"] == {"p": 1}


def test_campaign_click_body_and_session_start_amend(col, phone):
    phone.init()
    url = "https://app.example.com/p?utm_source=s&utm_campaign=c&xnpe_cmp=X&utm_source=second"
    phone.call("handleCampaignIntent", url=url)
    phone.settle()
    reqs = got(col)
    clicks = [(p, b) for p, b in tracking(reqs) if p.endswith("/campaigns/clicks")]
    assert len(clicks) == 1
    path, body = clicks[0]
    assert path == f"/track/v2/projects/{TOKEN}/campaigns/clicks"
    assert set(body) == {"customer_ids", "url", "properties", "timestamp", "event_type"}
    assert body["url"] == url and body["properties"] == {"platform": "ios"} and body["event_type"] == "campaign_click"
    (start,) = events(reqs, "session_start")  # amended while pending within 3 s (ios#26)
    assert start["properties"]["utm_source"] == "s" and start["properties"]["xnpe_cmp"] == "X"
    assert start["properties"]["url"] == url


def test_campaign_click_without_xnpe_cmp_sends_no_click(col, phone):
    phone.init()
    phone.call("handleCampaignIntent", url="https://app.example.com/p?utm_source=s")
    phone.settle()
    reqs = got(col)
    assert not [p for p, _ in tracking(reqs) if p.endswith("/campaigns/clicks")]  # ios#25
    assert events(reqs, "session_start")[0]["properties"]["utm_source"] == "s"


def test_project_mapping_fans_out_with_the_main_authorization(col, phone):
    other = col.device_url("ios") + "/"
    phone.init(projectRouteMap={"TRACK_EVENT": [{"baseUrl": other, "projectToken": "P2", "authorization": "Token T2"}]})
    phone.call("trackEvent", eventType="mapped")
    phone.settle()
    mapped = [r for r in got(col) if '"mapped"' in r.body]
    assert sorted(r.path for r in mapped) == [
        "/track/v2/projects/P2/customers/events",  # trailing slash stripped (ios#6)
        f"/track/v2/projects/{TOKEN}/customers/events",
    ]
    assert {r.headers["authorization"] for r in mapped} == {AUTH}  # ios#71: main project's auth


def test_bearer_and_stream_and_no_authorization(col):
    bearer = Phone(col.device_url("ios"))
    try:
        bearer.init(authorization="Bearer X")
        bearer.settle()
        assert {r.headers.get("authorization") for r in got(col) if r.path.startswith("/track/")} == {"Bearer X"}
    finally:
        bearer.close()
    stream = Phone(col.device_url("ios-stream"))
    try:
        stream.init(streamId="S1", projectToken=None, authorization=None)
        stream.call("trackEvent", eventType="streamed")
        stream.settle()
        reqs = col.store.query(device="ios-stream")
        paths = {r.path for r in reqs if r.method == "POST"}
        assert "/track/u/v1/customers/events?stream_id=S1" in paths  # ios#72
        assert not any("authorization" in r.headers for r in reqs)
    finally:
        stream.close()
    none = Phone(col.device_url("ios-none"))
    try:
        none.init(authorization=None)
        none.call("trackEvent", eventType="refused")
        none.settle()
        reqs = col.store.query(device="ios-none")
        types = {b.get("event_type") for b in events(reqs)}
        assert types == {"installation", "session_start"}  # ios#74
        assert not any("authorization" in r.headers for r in reqs)
    finally:
        none.close()
