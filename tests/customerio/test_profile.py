"""The customerio-android profile against what a correct SDK sends (and what a broken one sends), through the
real decoder and checker."""

from __future__ import annotations

import uuid

from harness.sdks.customerio.wire import decode
from harness.spec.checker import check
from harness.spec.profiles import get_profile
from harness.spec.trace import Stimulus
from harness.wire.decode import mark_copies
from tests.customerio import wire_fixtures as w

T0 = 1_700_000_000.0
INIT = {"configuration": {"cdpApiKey": w.KEY, "apiHost": "h/v1", "cdnHost": "h/v1", "scheme": "http"}}


def trace(*steps: tuple[str, str, dict]) -> list[Stimulus]:
    out = [Stimulus(0, "app", "install", {}, T0, T0), Stimulus(1, "app", "launch", {}, T0, T0)]
    for kind, name, args in steps:
        t = T0 + 0.05 * len(out)
        out.append(Stimulus(len(out), kind, name, args, t, t))
    return out


def verdict(stimuli, requests):
    expectations = get_profile("customerio-android").expect(stimuli)
    observations = mark_copies([o for r in requests for o in decode(r)])
    return check(expectations, observations)


def test_the_seeds_purchase_passes_and_a_library_key_fails():
    stimuli = trace(
        ("call", "init", INIT),
        ("call", "track", {"name": "purchase", "properties": {"price": 9.99}}),
        ("call", "flush", {}),
    )
    anon = str(uuid.uuid4())
    events = [*w.lifecycle(T0, anon), w.track("purchase", T0, anon, {"price": 9.99})]
    ok = verdict(stimuli, [w.settings(1, T0), w.batch(2, events, T0 + 1)])
    assert ok.passed, ok.summary()
    # one batch carried the four events: the summary says so, and counts the settings fetch apart
    assert ok.summary() == "4 expected events in 1 request, and 1 other request as expected"
    events[-1]["context"]["library"] = {"name": "analytics-kotlin"}
    bad = verdict(stimuli, [w.settings(1, T0), w.batch(2, events, T0 + 1)])
    assert not bad.passed
    assert any("event 3" in v.line() and "library" in v.message for v in bad.violations), bad.summary()


def test_identify_with_a_token_then_a_profile_switch_is_judged_in_order():
    stimuli = trace(
        ("call", "init", INIT),
        ("call", "registerDeviceToken", {"token": "T"}),
        ("call", "identify", {"userId": "u1"}),
        ("call", "identify", {"userId": "u2"}),
        ("call", "flush", {}),
    )
    a = str(uuid.uuid4())
    events = [
        *w.lifecycle(T0, a),
        w.track("Device Created or Updated", T0, a, w.device_props(), token="T"),
        w.event("identify", T0, a, user="u1", token="T"),
        w.track("Device Created or Updated", T0, a, w.device_props(), user="u1", token="T"),
        w.track("Device Deleted", T0, a, {}, user="u1", token="T"),
        w.event("identify", T0, a, user="u2", token="T"),
        w.track("Device Created or Updated", T0, a, w.device_props(), user="u2", token="T"),
    ]
    ok = verdict(stimuli, [w.settings(1, T0), w.batch(2, events, T0 + 1)])
    assert ok.passed, ok.summary()
    swapped = [*events[:6], events[7], events[6], events[8]]
    bad = verdict(stimuli, [w.settings(1, T0), w.batch(2, swapped, T0 + 1)])
    assert any(v.kind == "order" for v in bad.violations), bad.summary()
    with_ip = [
        *events[:-1],
        w.track("Device Created or Updated", T0, a, w.device_props(ip="1.2.3.4"), user="u2", token="T"),
    ]
    bad = verdict(stimuli, [w.settings(1, T0), w.batch(2, with_ip, T0 + 1)])
    assert not bad.passed


def test_a_500_batch_is_resent_with_the_same_message_ids_and_a_400_batch_is_dropped():
    stimuli = trace(
        ("call", "init", {"configuration": {**INIT["configuration"], "trackApplicationLifecycleEvents": False}}),
        ("collector", "respond", {"route": "cio-batch", "status": 500, "times": 1}),
        ("call", "track", {"name": "e1"}),
        ("call", "flush", {}),
        ("call", "flush", {}),
    )
    a = str(uuid.uuid4())
    e1 = w.track("e1", T0, a)
    first = w.batch(2, [e1], T0 + 1, status=500)
    again = w.batch(3, [e1], T0 + 2, status=200, sent_at=T0 + 1)  # the same file: same ids, same sentAt
    ok = verdict(stimuli, [w.settings(1, T0), first, again])
    assert ok.passed, ok.summary()
    assert ok.summary() == "1 expected event in 2 requests (1 re-sent copy), and 1 other request as expected"
    assert not verdict(stimuli, [w.settings(1, T0), first]).passed  # the retry is missing
    dropped = [*stimuli[:3], Stimulus(3, "collector", "respond", {"route": "cio-batch", "status": 400}), *stimuli[4:]]
    bad = verdict(dropped, [w.settings(1, T0), w.batch(2, [e1], T0 + 1, status=400), again])
    assert [v.kind for v in bad.violations] == ["unexpected"], bad.summary()
    assert "repeated copy of request #" in bad.violations[0].message


def test_clear_identify_sends_device_deleted_with_the_old_user_and_rotates_the_anonymous_id():
    stimuli = trace(
        ("call", "init", {"configuration": {**INIT["configuration"], "trackApplicationLifecycleEvents": False}}),
        ("call", "identify", {"userId": "u1"}),
        ("call", "registerDeviceToken", {"token": "T"}),
        ("call", "clearIdentify", {}),
        ("call", "track", {"name": "after"}),
        ("call", "flush", {}),
    )
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    events = [
        w.event("identify", T0, a, user="u1"),
        w.track("Device Created or Updated", T0, a, w.device_props(), user="u1", token="T"),
        w.track("Device Deleted", T0, b, {}, user="u1", token="T"),
        w.track("after", T0, b, token="T"),  # the token stays after clearIdentify (A6)
    ]
    ok = verdict(stimuli, [w.settings(1, T0), w.batch(2, events, T0 + 1)])
    assert ok.passed, ok.summary()
    events[3] = w.track("after", T0, a, token="T")  # the anonymousId was not rotated
    assert not verdict(stimuli, [w.settings(1, T0), w.batch(2, events, T0 + 1)]).passed


def test_a_background_push_is_delivered_through_basic_auth_track():
    stimuli = trace(
        ("call", "init", {"configuration": {**INIT["configuration"], "trackApplicationLifecycleEvents": False}}),
        ("app", "background", {}),
        ("env", "deliver_push", {"data": {"CIO-Delivery-ID": "D", "CIO-Delivery-Token": "T"}}),
        ("env", "deliver_push", {"data": {"CIO-Delivery-ID": "D", "CIO-Delivery-Token": "T"}}),
    )
    ok = verdict(stimuli, [w.settings(1, T0), w.delivered(2, T0 + 1, "D", "T")])
    assert ok.passed, ok.summary()
    twice = verdict(stimuli, [w.settings(1, T0), w.delivered(2, T0 + 1, "D", "T"), w.delivered(3, T0 + 1, "D", "T")])
    assert not twice.passed


def test_a_retry_with_new_message_ids_or_a_new_sent_at_is_not_a_copy():
    stimuli = trace(
        ("call", "init", {"configuration": {**INIT["configuration"], "trackApplicationLifecycleEvents": False}}),
        ("collector", "respond", {"route": "cio-batch", "status": 500, "times": 1}),
        ("call", "track", {"name": "e1"}),
        ("call", "flush", {}),
        ("call", "flush", {}),
    )
    e1 = w.track("e1", T0, str(uuid.uuid4()))
    first = w.batch(2, [e1], T0 + 1, status=500)
    new_id = w.batch(3, [{**e1, "messageId": str(uuid.uuid4())}], T0 + 2, sent_at=T0 + 1)
    bad = verdict(stimuli, [w.settings(1, T0), first, new_id])
    assert any("copy 1" in v.message and "messageId" in v.path for v in bad.violations), bad.summary()
    new_sent_at = w.batch(3, [e1], T0 + 2, sent_at=T0 + 2)
    bad = verdict(stimuli, [w.settings(1, T0), first, new_sent_at])
    assert any("copy 1" in v.message and "sentAt" in v.path for v in bad.violations), bad.summary()


def test_every_init_registers_the_fcm_token_the_phone_has_and_an_app_token_is_not_fetched():
    """android#42: the push module fetches FCM's current token at init (ModuleMessagingPushFCM.kt:50-54,
    181-187); a token the app passed to registerDeviceToken is not FCM's and is not registered again."""
    quiet = {"configuration": {**INIT["configuration"], "trackApplicationLifecycleEvents": False}}
    stimuli = trace(
        ("call", "init", quiet),
        ("env", "new_push_token", {"token": "F"}),
        ("call", "flush", {}),
        ("app", "kill", {}),
        ("app", "launch", {}),
        ("call", "init", quiet),
        ("call", "track", {"name": "after"}),
        ("call", "flush", {}),
    )
    a = str(uuid.uuid4())
    t = [s.device_time for s in stimuli]  # each event stamped at its step's time
    first = w.batch(2, [w.track("Device Created or Updated", t[3], a, w.device_props(), token="F")], t[4])
    fetched = w.track("Device Created or Updated", t[7], a, w.device_props(), token="F")
    after = w.track("after", t[8], a, {}, token="F")
    ok = verdict(stimuli, [w.settings(1, t[2]), first, w.settings(3, t[7]), w.batch(4, [fetched, after], t[9])])
    assert ok.passed, ok.report()
    not_fetched = [w.settings(1, t[2]), first, w.settings(3, t[7]), w.batch(4, [w.track("after", t[8], a)], t[9])]
    bad = verdict(stimuli, not_fetched)
    assert {v.kind for v in bad.violations} == {"missing", "mismatch"}, bad.report()
    assert any("android#42" in v.rules for v in bad.violations if v.kind == "missing"), bad.report()

    app_token = trace(
        ("call", "init", quiet),
        ("call", "registerDeviceToken", {"token": "T"}),
        ("app", "kill", {}),
        ("app", "launch", {}),
        ("call", "init", quiet),
        ("call", "track", {"name": "after"}),
        ("call", "flush", {}),
    )
    device = w.track("Device Created or Updated", T0, a, w.device_props(), token="T")
    ok = verdict(
        app_token, [w.settings(1, T0), w.settings(2, T0), w.batch(3, [device, w.track("after", T0, a)], T0 + 1)]
    )
    assert ok.passed, ok.report()
