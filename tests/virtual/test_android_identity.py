"""Payments, campaign clicks, anonymize and project routing on the reference Android SDK.

Research android §3.6, §3.7, §5, §2.5; android#46-51, #61-64.
"""

from __future__ import annotations

import json

from tests.virtual.conftest import AUTH, TOKEN

DEVICE_KEYS = {"os_name", "os_version", "sdk", "sdk_version", "device_model", "device_type", "app_version"}


def test_payment_event_properties(phone):
    """android#46."""
    phone.init()
    item = {
        "value": 200.3,
        "currency": "USD",
        "paymentSystem": "ps",
        "productId": "Item",
        "productTitle": "Speed Boost",
    }
    phone.call("trackPaymentEvent", purchasedItem=item)
    phone.settle()
    [sent] = phone.sent("payment")
    assert sent.path.endswith("/customers/events")
    props = sent.props
    assert {k: props[k] for k in ("brutto", "currency", "payment_system", "item_id", "product_title")} == {
        "brutto": 200.3,
        "currency": "USD",
        "payment_system": "ps",
        "item_id": "Item",
        "product_title": "Speed Boost",
    }
    assert set(props) == DEVICE_KEYS | {"brutto", "currency", "payment_system", "item_id", "product_title"} | {
        "application_id",
        "device_id",
    }
    assert props["sdk"] == "AndroidSDK" and props["sdk_version"] == "4.10.0"


def test_campaign_click_body(phone):
    """android#47: POST campaigns/clicks with {url, timestamp, properties:{platform:"Android"}} only."""
    phone.init()
    url = "https://example.com/p?utm_campaign=C&xnpe_cmp=CMP1"
    assert phone.call("handleCampaignIntent", url=url) is True
    phone.settle()
    [click] = [s for s in phone.sent() if s.path.endswith(f"/track/v2/projects/{TOKEN}/campaigns/clicks")]
    assert click.headers["authorization"] == AUTH
    assert set(click.body) == {"url", "timestamp", "properties"}
    assert click.body["url"] == url and click.body["properties"] == {"platform": "Android"}
    assert isinstance(click.body["timestamp"], float)


def test_campaign_without_cmp_amends_the_next_session_start(phone):
    """android#48: no click request, but the next session_start within campaignTTL has location and utm."""
    phone.init()
    phone.device.app.background()
    phone.device.env.advance_clock(90)
    url = "app://deep/link?utm_source=news&utm_campaign=C"
    assert phone.call("handleCampaignIntent", url=url) is True
    phone.device.app.foreground()
    phone.settle()
    assert not [s for s in phone.sent() if s.path.endswith("/campaigns/clicks")]
    start = phone.sent("session_start")[-1]
    assert start.props["location"] == url and start.props["url"] == url
    assert start.props["utm_source"] == "news" and start.props["utm_campaign"] == "C"


def test_campaign_older_than_ttl_is_not_used(phone):
    phone.init()
    phone.device.app.background()
    phone.call("handleCampaignIntent", url="app://x?utm_campaign=C")
    phone.device.env.advance_clock(90)
    phone.device.app.foreground()
    phone.settle()
    assert "utm_campaign" not in phone.sent("session_start")[-1].props
    assert phone.call("handleCampaignIntent", url="no-scheme") is False


def _project(phone, token, auth):
    return {"baseUrl": phone.base_url, "projectToken": token, "authorization": auth}


def test_route_map_fans_out_and_deduplicates(phone):
    """android#49, #50: main + P1 + P2 with identical bodies; an entry equal to main is not repeated."""
    p1, p2 = _project(phone, "P1", "Token one"), _project(phone, "P2", None)
    main = _project(phone, TOKEN, AUTH)
    phone.init(projectRouteMap={"TRACK_EVENT": [p1, p2, main]})
    phone.call("trackEvent", eventType="x", properties={"a": "b"})
    phone.settle()
    sent = phone.sent("x")
    assert [s.path.split("/projects/")[1] for s in sent] == [f"{t}/customers/events" for t in (TOKEN, "P1", "P2")]
    assert [s.headers["authorization"] for s in sent] == [AUTH, "Token one", "null"]
    assert sent[0].raw == sent[1].raw == sent[2].raw


def test_a_handled_push_with_event_type_campaign_routes_as_track_event(phone):
    """android#51."""
    p1 = _project(phone, "P1", "Token one")
    phone.init(projectRouteMap={"TRACK_EVENT": [p1]})
    payload = {"source": "xnpe_platform", "title": "t", "attributes": json.dumps({"event_type": "campaign"})}
    phone.rpc("env.deliver_push", payload=payload)
    phone.settle()
    assert sorted(s.path.split("/projects/")[1].split("/")[0] for s in phone.sent("campaign")) == ["P1", TOKEN]


def test_anonymize_step_by_step(phone):
    """android#61, #63: old project gets session_end and the invalidated token, then the new cookie's events."""
    phone.init()
    phone.rpc("env.new_push_token", token="A")
    phone.call("identifyCustomer", customerIds={"registered": "r@x"}, properties={})
    phone.settle()
    mark = len(phone.sent())
    old_cookie = phone.call("getCustomerCookie")
    old_device = phone.sent("installation")[0].props["device_id"]
    phone.call("anonymize")
    phone.call("trackEvent", eventType="after")
    phone.settle()
    after = phone.sent()[mark:]
    assert [s.event_type for s in after] == [
        "session_end",
        "notification_state",
        "installation",
        "session_start",
        "notification_state",
        "after",
    ]
    assert [s.body["customer_ids"] for s in after[:2]] == [{"cookie": old_cookie, "registered": "r@x"}] * 2
    assert after[1].props["valid"] is False and after[1].props["description"] == "Invalidated"
    new_ids = [s.body["customer_ids"] for s in after[2:]]
    assert all(ids == new_ids[0] for ids in new_ids) and set(new_ids[0]) == {"cookie"}
    assert new_ids[0]["cookie"] != old_cookie
    assert after[4].props["valid"] is True and after[4].props["push_notification_token"] == "A"
    assert {s.props["device_id"] for s in after} == {old_device}


def test_anonymize_switches_project(phone):
    """android#62: new events go to P2; rows queued before stay with the old project."""
    phone.init(flushMode="MANUAL", automaticSessionTracking=False)
    phone.call("trackEvent", eventType="before")
    phone.call("anonymize", exponeaProject=_project(phone, "P2", "Token two"))
    phone.call("trackEvent", eventType="after")
    phone.call("flushData")
    phone.settle()
    where = [
        (s.event_type, s.path.split("/projects/")[1].split("/")[0], s.headers["authorization"]) for s in phone.sent()
    ]
    assert where == [
        ("installation", TOKEN, AUTH),
        ("before", TOKEN, AUTH),
        ("installation", "P2", "Token two"),
        ("after", "P2", "Token two"),
    ]


def test_anonymize_without_automatic_sessions_sends_no_session_events(phone):
    """android#64."""
    phone.init(automaticSessionTracking=False)
    phone.call("anonymize")
    phone.settle()
    assert phone.types() == ["installation", "installation"]
