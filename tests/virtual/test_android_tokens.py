"""Push token tracking of the reference Android SDK, checked on the wire (research android §3.3, §8)."""

from __future__ import annotations

import pytest

from tests.virtual.conftest import AUTH, TOKEN


def _state(sent):
    """(token, platform, valid, description) of each notification_state, in send order."""
    return [
        (s.props["push_notification_token"], s.props["platform"], s.props["valid"], s.props["description"])
        for s in sent
    ]


def test_track_push_token_sends_exactly_the_token_properties(phone):
    """android#26: properties are exactly the four token keys plus application_id and device_id."""
    phone.init(defaultProperties={"d": 1})
    phone.call("trackPushToken", token="tok")
    phone.settle()
    [sent] = phone.sent("notification_state")
    assert sent.method == "POST"
    assert sent.path.endswith(f"/track/v2/projects/{TOKEN}/customers/events")
    assert sent.headers["authorization"] == AUTH
    device_id = phone.sent("installation")[0].props["device_id"]
    assert sent.props == {
        "push_notification_token": "tok",
        "platform": "android",
        "valid": True,
        "description": "Permission granted",
        "application_id": "default-application",
        "device_id": device_id,
    }
    assert set(sent.body) == {"event_type", "timestamp", "customer_ids", "properties"}


def test_hms_token_platform_is_huawei_and_manual_tracking_is_every_launch(phone):
    """android#27, #28: HMS is "huawei"; the same token tracked twice is sent twice."""
    phone.init()
    phone.call("trackHmsPushToken", token="h1")
    phone.call("trackPushToken", token="f1")
    phone.call("trackPushToken", token="f1")
    phone.settle()
    assert _state(phone.sent("notification_state")) == [
        ("h1", "huawei", True, "Permission granted"),
        ("f1", "android", True, "Permission granted"),
        ("f1", "android", True, "Permission granted"),
    ]


def test_on_token_change_does_not_resend_at_the_next_launch(phone):
    """android#29: same token, version, applicationId and permission: nothing at init or foreground."""
    phone.init()
    phone.rpc("env.new_push_token", token="A")
    phone.settle()
    phone.relaunch()
    phone.init()
    phone.device.app.background()
    phone.device.app.foreground()
    phone.settle()
    assert _state(phone.sent("notification_state")) == [("A", "android", True, "Permission granted")]


def test_a_new_app_version_or_application_id_resends_the_token(phone):
    """android#30: the 4.10.0 re-send on versionName or applicationId change."""
    phone.init()
    phone.rpc("env.new_push_token", token="A")
    phone.settle()
    phone.relaunch("--app-version", "2.0.0")
    phone.init()
    phone.settle()
    phone.relaunch("--app-version", "2.0.0")
    phone.init(applicationId="other-app")
    phone.settle()
    sent = phone.sent("notification_state")
    assert [s.props["application_id"] for s in sent] == ["default-application", "default-application", "other-app"]
    assert len(_state(sent)) == 3


def test_permission_denied_with_require_authorization_sends_invalid_every_time(phone):
    """android#31: valid:false "Permission denied" on every token track, including each foreground."""
    phone.rpc("env.set_push_permission", granted=False)
    phone.init(requirePushAuthorization=True)
    phone.rpc("env.new_push_token", token="A")
    phone.device.app.background()
    phone.device.app.foreground()
    phone.settle()
    assert _state(phone.sent("notification_state")) == [("A", "android", False, "Permission denied")] * 2


def test_permission_denied_without_require_authorization_is_still_valid(phone):
    phone.rpc("env.set_push_permission", granted=False)
    phone.init()
    phone.rpc("env.new_push_token", token="A")
    phone.settle()
    assert _state(phone.sent("notification_state")) == [("A", "android", True, "Permission granted")]


def test_a_new_token_invalidates_the_old_one_first(phone):
    """android#32: notification_state{A, false, Invalidated} then {B, true}; same token again: nothing."""
    phone.init()
    phone.rpc("env.new_push_token", token="A")
    phone.rpc("env.new_push_token", token="B")
    phone.rpc("env.new_push_token", token="B")
    phone.settle()
    assert _state(phone.sent("notification_state")) == [
        ("A", "android", True, "Permission granted"),
        ("A", "android", False, "Invalidated"),
        ("B", "android", True, "Permission granted"),
    ]


def test_a_token_before_any_configuration_is_sent_after_init(phone):
    """android#33: nothing is sent before init; init sends the stored token (it was never tracked)."""
    phone.rpc("env.new_push_token", token="early")
    phone.settle()
    assert phone.all_sent() == []
    phone.init()
    phone.settle()
    assert phone.types()[:2] == ["installation", "notification_state"]
    assert _state(phone.sent("notification_state")) == [("early", "android", True, "Permission granted")]


def test_daily_frequency_sends_once_a_day(phone):
    """android#34 and the DAILY quirk: a new token the same day only invalidates the old one."""
    phone.init(tokenTrackFrequency="DAILY")
    phone.rpc("env.new_push_token", token="A")
    phone.settle()
    phone.relaunch()
    phone.init(tokenTrackFrequency="DAILY")
    phone.rpc("env.new_push_token", token="B")
    phone.settle()
    assert _state(phone.sent("notification_state")) == [
        ("A", "android", True, "Permission granted"),
        ("A", "android", False, "Invalidated"),
    ]
    phone.relaunch()
    phone.device.env.advance_clock(86400 * 1.5)
    phone.init(tokenTrackFrequency="DAILY")
    phone.settle()
    assert _state(phone.sent("notification_state"))[-1] == ("A", "android", True, "Permission granted")
    assert len(phone.sent("notification_state")) == 3


@pytest.mark.parametrize("frequency", ["EVERY_LAUNCH"])
def test_every_launch_resends_at_init(phone, frequency):
    phone.init(tokenTrackFrequency=frequency)
    phone.rpc("env.new_push_token", token="A")
    phone.settle()
    phone.relaunch()
    phone.init(tokenTrackFrequency=frequency)
    phone.settle()
    assert len(phone.sent("notification_state")) == 2


def test_stop_integration_forgets_the_token(phone):
    """android#67: after stop and init, a new install and device_id and no notification_state."""
    phone.init()
    phone.rpc("env.new_push_token", token="A")
    phone.settle()
    first_install = phone.sent("installation")[0]
    phone.call("stopIntegration")
    phone.init()
    phone.settle()
    installs = phone.sent("installation")
    assert len(installs) == 2
    assert installs[1].body["customer_ids"]["cookie"] != first_install.body["customer_ids"]["cookie"]
    assert installs[1].props["device_id"] != first_install.props["device_id"]
    assert len(phone.sent("notification_state")) == 1
