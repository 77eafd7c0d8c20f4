"""The Android profile: push tokens, delivered and clicked pushes (android §3.3-§3.5, §8)."""

import json

from harness.spec.matchers import Approx, DeviceTime, Var
from tests.spec.android_trace import SETTLE, call, env, expect, init, named, props

PUSH = {
    "source": "xnpe_platform",
    "notification_id": "1",
    "title": "T",
    "message": "M",
    "attributes": json.dumps({"event_type": "campaign", "campaign_id": "c", "action_id": 2, "platform": "android"}),
    "url_params": json.dumps({"utm_campaign": "C", "utm_source": "S"}),
}


def tokens(ex):
    return [
        (p["push_notification_token"], p["valid"], p["description"])
        for p in map(props, named(ex, "notification_state"))
    ]


def test_track_push_token_sends_exactly_the_token_properties_without_defaults():
    ex = expect(init(defaultProperties={"d": 1}), call("trackPushToken", token="tok"))
    (state,) = named(ex, "notification_state")
    p = props(state)
    assert set(p) == {"push_notification_token", "platform", "valid", "description", "application_id", "device_id"}
    assert p["platform"] == "android" and p["valid"] is True and p["description"] == "Permission granted"
    assert p["application_id"] == "default-application" and isinstance(p["device_id"], Var)
    assert state.route == "events" and "android#26" in state.rules


def test_hms_token_platform_is_huawei_and_track_push_token_sends_every_time():
    ex = expect(
        init(),
        call("trackHmsPushToken", token="h"),
        call("trackPushToken", token="f"),
        call("trackPushToken", token="f"),
    )
    assert [props(e)["platform"] for e in named(ex, "notification_state")] == ["huawei", "android", "android"]


def test_new_token_invalidates_the_old_one_and_same_token_sends_nothing():
    ex = expect(
        init(), env("new_push_token", token="A"), env("new_push_token", token="A"), env("new_push_token", token="B")
    )
    assert tokens(ex) == [
        ("A", True, "Permission granted"),
        ("A", False, "Invalidated"),
        ("B", True, "Permission granted"),
    ]


def test_unchanged_token_is_not_resent_at_the_next_init_but_is_after_an_application_id_change():
    ex = expect(
        init(),
        env("new_push_token", token="A"),
        ("app", "kill", {}),
        ("app", "launch", {}),
        init(),
        ("app", "kill", {}),
        ("app", "launch", {}),
        init(applicationId="other-app"),
    )
    assert tokens(ex) == [("A", True, "Permission granted")] * 2
    assert props(named(ex, "notification_state")[1])["application_id"] == "other-app"
    assert "android#30" in named(ex, "notification_state")[1].rules


def test_permission_denied_with_required_authorization_sends_on_every_foreground():
    ex = expect(
        env("set_push_permission", granted=False),
        init(requirePushAuthorization=True),
        env("new_push_token", token="D"),
        ("app", "background", {}),
        ("app", "foreground", {}),
    )
    assert tokens(ex) == [("D", False, "Permission denied")] * 2


def test_token_before_any_configuration_is_sent_at_init():
    ex = expect(env("new_push_token", token="early"), init())
    assert [e.body["event_type"] for e in ex.requests] == ["installation", "notification_state", "session_start"]
    assert tokens(ex) == [("early", True, "Permission granted")]


def test_daily_frequency_same_day_new_token_only_invalidates():
    ex = expect(init(tokenTrackFrequency="DAILY"), env("new_push_token", token="A"), env("new_push_token", token="B"))
    assert tokens(ex) == [("A", True, "Permission granted"), ("A", False, "Invalidated")]


def test_delivered_push_properties_and_consent():
    ex = expect(
        init(),
        call("trackDeliveredPush"),
        call("trackDeliveredPush", data={"attributes": {"event_type": "my_push_event"}}),
        call("trackDeliveredPush", data={"attributes": {"platform": "custom platform"}}),
        call("trackDeliveredPush", data={"hasTrackingConsent": False}),
        call("trackDeliveredPushWithoutTrackingConsent", data={"hasTrackingConsent": False, "attributes": {"x": 1}}),
    )
    first, custom_platform, forced = named(ex, "campaign")
    assert {k: v for k, v in props(first).items() if k not in ("device_id",)} == {
        "status": "delivered",
        "platform": "android",
        "state": "shown",
        "notification_importance": "importance_unknown",
        "application_id": "default-application",
    }
    (custom,) = named(ex, "my_push_event")
    assert "event_type" not in props(custom) and "android#36" in custom.rules
    assert props(custom_platform)["platform"] == "custom platform"
    assert props(forced)["x"] == 1


def test_clicked_push_defaults_and_forced_tracking():
    ex = expect(
        init(),
        call("trackClickedPush"),
        call("trackClickedPush", data={"hasTrackingConsent": False}),
        call(
            "trackClickedPush",
            data={"hasTrackingConsent": False},
            actionData={"actionType": "browser", "actionName": "Go", "url": "https://x?xnpe_force_track=true"},
        ),
    )
    plain, forced = named(ex, "campaign")
    assert {k: props(plain)[k] for k in ("status", "platform", "url", "cta")} == {
        "status": "clicked",
        "platform": "android",
        "url": "app",
        "cta": "notification",
    }
    assert props(forced)["tracking_forced"] is True and props(forced)["cta"] == "Go"
    assert "android#40" in forced.rules


def test_automatic_push_routes_as_track_event_and_url_params_reach_the_session():
    routed = {
        "TRACK_EVENT": [{"baseUrl": "http://c", "projectToken": "EV", "authorization": "Token e"}],
        "PUSH_DELIVERED": [{"baseUrl": "http://c", "projectToken": "PD", "authorization": "Token p"}],
    }
    ex = expect(
        init(projectRouteMap=routed),
        env("deliver_push", payload=PUSH),
        ("app", "background", {}),
        env("advance_clock", seconds=120),
        env("click_push", payload=PUSH, action={}),
        ("app", "foreground", {}),
    )
    delivered = [e for e in named(ex, "campaign") if props(e)["status"] == "delivered"]
    assert sorted(e.project_token for e in delivered) == ["EV", "T"]  # android#51: not PD
    p = props(delivered[0])
    assert p["utm_campaign"] == "C" and p["action_id"] == 2 and p["campaign_id"] == "c" and p["state"] == "shown"
    assert p["notification_importance"] == "importance_default"
    clicked = [e for e in named(ex, "campaign") if props(e)["status"] == "clicked"]
    assert props(clicked[0])["utm_source"] == "S"
    session = named(ex, "session_start")[-1]
    assert props(session)["utm_campaign"] == "C" and "android#42" in session.rules


def test_sent_timestamp_ahead_of_the_clock_and_click_after_delivery():
    payload = {**PUSH, "attributes": json.dumps({"sent_timestamp": 4102444800.5})}
    ex = expect(init(), env("deliver_push", payload=payload), env("click_push", payload=payload, action={}))
    delivered, clicked = named(ex, "campaign")
    assert delivered.body["timestamp"] == Approx(4102444801.5, 1e-6)  # from the payload: exact
    assert clicked.body["timestamp"] == Approx(4102444802.5, 2.0)  # from the delivery time the SDK took


def test_foreign_silent_repeated_and_disabled_pushes():
    ex = expect(
        init(),
        call("handleRemoteMessage", messageData={**PUSH, "source": "other"}),
        env("deliver_push", payload={**PUSH, "notification_id": "9", "silent": "true"}),
        env("deliver_push", payload={**PUSH, "notification_id": "9"}),
    )
    (silent,) = named(ex, "campaign")
    assert props(silent)["state"] == "not_shown" and "android#45" in silent.rules
    off = expect(init(automaticPushNotification=False), env("deliver_push", payload=PUSH))
    assert named(off, "campaign") == []


def test_device_clock_timestamps_are_device_time():
    ex = expect(init(), call("trackPushToken", token="t"))
    assert isinstance(named(ex, "notification_state")[0].body["timestamp"], DeviceTime)


def test_settle_is_ignored_by_push_paths():
    assert tokens(expect(init(), SETTLE, call("trackPushToken", token="s"))) == [("s", True, "Permission granted")]


def test_a_click_with_data_replaces_the_stored_campaign_consent_or_not():
    # TrackingConsentManagerImpl.kt:63-67@4.10.0: campaignRepository.set before the consent decides
    link = "https://example.com/p?utm_source=news&xnpe_cmp=abc"

    def session_after(*click):
        ex = expect(
            init(),
            ("app", "background", {}),
            env("advance_clock", seconds=120),
            call("handleCampaignIntent", url=link),
            *click,
            ("app", "foreground", {}),
        )
        return props(named(ex, "session_start")[-1])

    assert session_after()["utm_source"] == "news"
    assert session_after(call("trackClickedPush"))["utm_source"] == "news"  # no data: the deep link's stays
    assert "utm_source" not in session_after(call("trackClickedPush", data={}))
    assert "utm_source" not in session_after(call("trackClickedPush", data={"hasTrackingConsent": False}))


def test_the_last_push_id_is_process_state_kept_by_anonymize():
    # FcmManagerImpl.kt:55, 197-201; NotificationPayload.kt:11@4.10.0
    push = env("deliver_push", payload={"source": "xnpe_platform", "notification_id": "7", "title": "t"})
    no_id = env("deliver_push", payload={"source": "xnpe_platform", "title": "t"})
    delivered = lambda ex: [e for e in named(ex, "campaign") if props(e)["status"] == "delivered"]  # noqa: E731
    assert len(delivered(expect(init(), push, call("anonymize"), push))) == 1
    assert len(delivered(expect(init(), push, ("app", "kill", {}), ("app", "launch", {}), init(), push))) == 2
    assert len(delivered(expect(init(), no_id, no_id))) == 1  # a missing id is 0 both times
    assert len(delivered(expect(init(), env("set_push_permission", granted=False), push, push))) == 2  # blocked
