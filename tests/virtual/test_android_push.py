"""Push delivered and clicked on the reference Android SDK (research android §3.4, §3.5; android#35-45)."""

from __future__ import annotations

import json

PAYLOAD = {
    "source": "xnpe_platform",
    "notification_id": "1",
    "title": "Hello",
    "message": "World",
    "action": "app",
    "attributes": json.dumps(
        {"event_type": "campaign", "campaign_id": "c1", "action_id": 2, "sent_timestamp": 1614585422.2, "type": "push"}
    ),
    "url_params": json.dumps({"utm_campaign": "C", "utm_source": "exponea", "xnpe_cmp": "X1"}),
}


def _base(phone):
    install = phone.sent("installation")[0]
    return {"application_id": "default-application", "device_id": install.props["device_id"]}


def test_delivered_push_without_data(phone):
    """android#35."""
    phone.init()
    phone.call("trackDeliveredPush")
    phone.settle()
    [sent] = phone.sent("campaign")
    assert sent.path.endswith("/customers/events")
    assert sent.props == {
        "status": "delivered",
        "platform": "android",
        "state": "shown",
        "notification_importance": "importance_unknown",
        **_base(phone),
    }


def test_delivered_push_custom_event_type_and_platform(phone):
    """android#36, #37: the payload's event_type names the event; its platform overrides android."""
    phone.init()
    phone.call(
        "trackDeliveredPush",
        data={"attributes": {"event_type": "my_push_event", "platform": "custom platform", "n": 3}},
        timestamp=1700000000.5,
    )
    phone.settle()
    [sent] = phone.sent("my_push_event")
    assert sent.body["timestamp"] == 1700000000.5
    assert sent.props["platform"] == "custom platform"
    assert "event_type" not in sent.props
    assert sent.props["n"] == 3.0 and '"n":3.0' in sent.raw


def test_delivered_push_consent(phone):
    """android#38: without consent nothing; the WithoutTrackingConsent variant sends."""
    phone.init()
    data = {"attributes": {"campaign_id": "c"}, "hasTrackingConsent": False, "consentCategoryTracking": "cat"}
    phone.call("trackDeliveredPush", data=data)
    phone.settle()
    assert phone.sent("campaign") == []
    phone.call("trackDeliveredPushWithoutTrackingConsent", data=data)
    phone.settle()
    [sent] = phone.sent("campaign")
    assert sent.props["consent_category_tracking"] == "cat" and sent.props["campaign_id"] == "c"


def test_clicked_push_without_data(phone):
    """android#39."""
    phone.init()
    phone.call("trackClickedPush")
    phone.settle()
    [sent] = phone.sent("campaign")
    assert sent.props == {
        "status": "clicked",
        "platform": "android",
        "url": "app",
        "cta": "notification",
        **_base(phone),
    }


def test_clicked_push_forced_tracking(phone):
    """android#40: xnpe_force_track in the action URL overrides a missing consent."""
    phone.init()
    data = {"attributes": {}, "hasTrackingConsent": False}
    phone.call(
        "trackClickedPush", data=data, actionData={"actionType": "browser", "actionName": "B", "url": "https://x"}
    )
    url = "https://x?xnpe_force_track=true"
    phone.call("trackClickedPush", data=data, actionData={"actionType": "browser", "actionName": "B", "url": url})
    phone.settle()
    [sent] = phone.sent("campaign")
    assert sent.props["tracking_forced"] is True
    assert sent.props["url"] == url and sent.props["cta"] == "B"


def test_handled_push_delivered_and_clicked(phone):
    """android#41, #42, #51: sent_timestamp rule, url_params, routing of event_type "campaign"."""
    phone.init()
    phone.device.env.advance_clock(0)
    payload = dict(PAYLOAD)
    sent_ts = phone.now() + 100  # the phone's clock is behind the sender's
    payload["attributes"] = json.dumps({**json.loads(PAYLOAD["attributes"]), "sent_timestamp": sent_ts})
    phone.rpc("env.deliver_push", payload=payload)
    phone.rpc("env.click_push", payload=payload)
    phone.settle()
    delivered, clicked = phone.sent("campaign")
    assert delivered.body["timestamp"] == sent_ts + 1
    assert clicked.body["timestamp"] > delivered.body["timestamp"]
    expected_common = {
        "campaign_id": "c1",
        "action_id": 2.0,
        "sent_timestamp": sent_ts,
        "type": "push",
        "utm_campaign": "C",
        "utm_source": "exponea",
        "xnpe_cmp": "X1",
        **_base(phone),
    }
    assert delivered.props == {
        "status": "delivered",
        "platform": "android",
        "state": "shown",
        "notification_importance": "importance_default",
        **expected_common,
    }
    assert clicked.props == {"status": "clicked", "platform": "android", "url": "app", "cta": "notification"} | (
        expected_common
    )


def test_click_inherits_campaign_into_session_start(phone):
    """android#42: a session_start within campaignTTL of the click carries the utm values."""
    phone.init()
    phone.device.app.background()
    phone.device.env.advance_clock(120)
    phone.rpc("env.click_push", payload=PAYLOAD)
    phone.device.app.foreground()
    phone.settle()
    start = phone.sent("session_start")[-1]
    assert start.props["utm_campaign"] == "C" and start.props["xnpe_cmp"] == "X1"
    assert "utm_campaign" not in phone.sent("session_start")[0].props


def test_button_click_uses_title_and_adjusted_url(phone):
    phone.init()
    payload = dict(PAYLOAD, actions=json.dumps([{"action": "browser", "title": "Open", "url": "example.com/x"}]))
    phone.rpc("env.click_push", payload=payload, action={"index": 0})
    phone.settle()
    [clicked] = phone.sent("campaign")
    assert clicked.props["cta"] == "Open" and clicked.props["url"] == "http://example.com/x"


def test_foreign_push_and_disabled_automatic_handling(phone):
    """android#43, #44."""
    phone.init(automaticPushNotification=False)
    assert phone.call("handleRemoteMessage", messageData=dict(PAYLOAD, source="other")) is False
    assert phone.call("handleRemoteMessage", messageData=PAYLOAD) is True
    phone.settle()
    assert phone.sent("campaign") == []


def test_silent_push_and_duplicates_and_denied_consent(phone):
    """android#45; a repeated notification_id is ignored; has_tracking_consent false sends nothing."""
    phone.init()
    phone.rpc("env.deliver_push", payload=dict(PAYLOAD, silent="true", notification_id="7"))
    phone.rpc("env.deliver_push", payload=dict(PAYLOAD, silent="true", notification_id="7"))
    phone.rpc("env.deliver_push", payload=dict(PAYLOAD, notification_id="8", has_tracking_consent="false"))
    phone.settle()
    [sent] = phone.sent("campaign")
    assert sent.props["state"] == "not_shown"


def test_push_before_init_uses_the_stored_configuration(phone):
    """§9.2: a push in a cold process (no init yet) is tracked with the configuration of the last run."""
    phone.init()
    phone.settle()
    phone.relaunch()
    phone.rpc("env.deliver_push", payload=PAYLOAD)
    phone.settle()
    [sent] = phone.sent("campaign")
    assert sent.props["status"] == "delivered"
