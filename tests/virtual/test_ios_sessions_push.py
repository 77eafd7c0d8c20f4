"""virtual:ios sessions (ios §4) and push tokens / push events (ios §3.5..3.7, §8)."""

import json

from tests.virtual.ios_phone import customers, events


def test_session_end_at_relaunch_carries_the_background_time(server, phone_on):
    phone = phone_on()
    phone.init()
    phone.settle()
    start = events(server.requests(), "session_start")[0]["timestamp"]
    phone.advance(10)
    phone.dev.app.background()
    background_at = phone.now()
    phone.advance(120)  # the 60 s work item is cancelled by the ~30 s background-task expiry
    phone.settle()
    assert not events(server.requests(), "session_end")
    phone.dev.app.foreground()
    phone.settle()
    (end,) = events(server.requests(), "session_end")
    assert abs(end["timestamp"] - background_at) < 0.5  # ios#50
    assert abs(end["properties"]["duration"] - (background_at - start)) < 0.5
    assert len(events(server.requests(), "session_start")) == 2


def test_configure_in_the_background_starts_a_session(server, phone_on):
    # TrackingManager.initialSetup calls sessionManager.applicationDidBecomeActive() whatever the app's
    # state (TrackingManager.swift:124-133@4.0.1): the session starts at configure, and the foreground
    # two minutes later (past the 60 s timeout, measured from the start) ends it and starts another
    # (SessionManager.swift:94-148).
    phone = phone_on()
    phone.dev.app.background()
    phone.init()
    configured_at = phone.now()
    phone.settle()
    (start,) = events(server.requests(), "session_start")
    assert abs(start["timestamp"] - configured_at) < 0.5  # ios#2
    phone.advance(120)
    phone.dev.app.foreground()
    foreground_at = phone.now()
    phone.settle()
    (end,) = events(server.requests(), "session_end")
    assert abs(end["timestamp"] - foreground_at) < 0.5  # ios#50: no background time known, so now
    assert abs(end["properties"]["duration"] - (foreground_at - start["timestamp"])) < 0.5
    assert len(events(server.requests(), "session_start")) == 2


def test_resume_within_the_timeout_and_manual_calls_ignored(server, phone_on):
    phone = phone_on()
    phone.init()
    phone.dev.app.background()
    phone.advance(20)
    phone.dev.app.foreground()
    phone.call("trackSessionStart")
    phone.call("trackSessionEnd")
    phone.settle()
    assert len(events(server.requests(), "session_start")) == 1  # ios#51, #52
    assert not events(server.requests(), "session_end")


def test_manual_sessions_with_and_without_autoclose(server, phone_on):
    phone = phone_on()
    phone.init(automaticSessionTracking=False)
    phone.call("trackSessionStart")
    phone.advance(10)
    phone.call("trackSessionStart")  # within the timeout: ignored (ios#54)
    phone.advance(70)
    phone.call("trackSessionStart")  # past it: end + start (ios#55)
    phone.advance(5)
    phone.call("trackSessionEnd")
    phone.settle()
    ordered = sorted(events(server.requests()), key=lambda b: (b["timestamp"], b["event_type"] != "session_end"))
    types = [b["event_type"] for b in ordered]
    assert types == ["installation", "session_start", "session_end", "session_start", "session_end"]
    ends = sorted(events(server.requests(), "session_end"), key=lambda b: b["timestamp"])
    assert abs(ends[0]["properties"]["duration"] - 80) < 0.5 and abs(ends[1]["properties"]["duration"] - 5) < 0.5


def test_first_token_new_token_and_manual_token(server, phone_on):
    phone = phone_on()
    phone.init(defaultProperties={"d": "v"})
    phone.dev.env.new_push_token("6D6F")
    phone.settle()
    (state,) = events(server.requests(), "notification_state")
    props = dict(state["properties"])
    assert props.pop("device_id") and props == {
        "application_id": "default-application",
        "platform": "ios",
        "description": "Permission granted",
        "push_notification_token": "6D6F",
        "valid": True,
    }  # ios#27, no default properties
    assert [c["properties"] for c in customers(server.requests())] == [{}]  # ios#28
    phone.dev.env.new_push_token("BEEF")
    phone.call("trackPushToken", token=None)  # ios#38
    phone.settle()
    states = sorted(events(server.requests(), "notification_state"), key=lambda b: b["timestamp"])[1:]
    assert [(s["properties"]["push_notification_token"], s["properties"]["valid"]) for s in states] == [
        ("6D6F", False),
        ("BEEF", True),
    ]  # ios#30
    assert states[0]["properties"]["description"] == "Invalidated"
    assert "apple_push_notification_id" not in json.dumps([r.body for r in server.requests()])  # ios#39


def test_permission_denied_and_frequencies(server, phone_on):
    phone = phone_on()
    phone.dev.env.set_push_permission(False)
    phone.init(tokenTrackFrequency="EVERY_LAUNCH")
    phone.dev.env.new_push_token("AA")
    phone.settle()
    (denied,) = events(server.requests(), "notification_state")
    assert denied["properties"]["valid"] is False and denied["properties"]["description"] == "Permission denied"
    phone.dev.app.background()
    phone.dev.app.foreground()  # everyLaunch also tracks on every foreground (ios#34)
    phone.relaunch()
    phone.init(tokenTrackFrequency="EVERY_LAUNCH", requirePushAuthorization=False)
    phone.settle()
    states = events(server.requests(), "notification_state")
    assert len(states) == 3
    relaxed = [s for s in states if s["properties"]["valid"] is True]
    assert [s["properties"]["description"] for s in relaxed] == ["Permission denied"]  # ios#32


def test_on_token_change_and_daily(server, phone_on):
    phone = phone_on()
    phone.init(tokenTrackFrequency="DAILY")
    phone.dev.env.new_push_token("AA")
    phone.dev.app.background()
    phone.dev.app.foreground()
    phone.settle()
    assert len(events(server.requests(), "notification_state")) == 1  # ios#35 (< 24 h)
    phone.dev.app.background()
    phone.advance(86400)
    phone.dev.app.foreground()
    phone.settle()
    assert len(events(server.requests(), "notification_state")) == 2  # ios#35 (>= 24 h)
    phone.relaunch()
    phone.init()  # onTokenChange with the same token, same app version: nothing (ios#33)
    phone.settle()
    assert len(events(server.requests(), "notification_state")) == 2


PAYLOAD = {
    "source": "xnpe_platform",
    "action": "app",
    "attributes": json.dumps(
        {"event_type": "campaign", "campaign_id": "c", "action_id": 2, "sent_timestamp": 4102444800.0}
    ),
    "url_params": json.dumps({"utm_source": "u", "other": "x"}),
    "actions": json.dumps([{"title": "B1", "action": "app"}, {"title": "B2", "action": "browser", "url": "https://b"}]),
}


def test_delivered_and_clicked_push(server, phone_on):
    phone = phone_on()
    phone.init()
    phone.dev.env.deliver_push(PAYLOAD)
    phone.dev.env.click_push(PAYLOAD, {"actionType": "browser", "index": 1})
    phone.dev.env.click_push({**PAYLOAD, "source": "elsewhere"})  # ios#48
    phone.settle()
    campaigns = events(server.requests(), "campaign")
    (delivered,) = [c for c in campaigns if c["properties"]["status"] == "delivered"]
    assert delivered["timestamp"] == 4102444801  # sent_timestamp + 1 (ios#40)
    props = delivered["properties"]
    assert props["state"] == "shown" and props["campaign_id"] == "c" and props["action_id"] == 2
    assert props["utm_source"] == "u" and "other" not in props and "event_type" not in props
    assert props["platform"] == "ios"
    (clicked,) = [c for c in campaigns if c["properties"]["status"] == "clicked"]
    assert clicked["properties"]["cta"] == "B2" and clicked["properties"]["url"] == "https://b"  # ios#44
    assert clicked["properties"]["action_type"] == "mobile notification" and "state" not in clicked["properties"]


def test_push_consent_custom_type_force_track_and_delivered_timestamp(server, phone_on):
    phone = phone_on()
    phone.init()
    no_consent = {**PAYLOAD, "has_tracking_consent": "false"}
    phone.dev.env.deliver_push(no_consent)  # ios#42: nothing
    phone.dev.env.click_push(
        {**no_consent, "action": "deeplink", "url": "app://x?xnpe_force_track=true", "delivered_timestamp": 4102444900}
    )
    custom = {**PAYLOAD, "attributes": json.dumps({"event_type": "my_evt", "campaign_id": "c"})}
    phone.dev.env.deliver_push(custom)
    phone.settle()
    (forced,) = events(server.requests(), "campaign")
    assert forced["properties"]["tracking_forced"] is True and forced["properties"]["url"].startswith("app://")
    assert forced["timestamp"] == 4102444901  # ios#47
    (mine,) = events(server.requests(), "my_evt")
    assert mine["properties"]["status"] == "delivered"  # ios#41
