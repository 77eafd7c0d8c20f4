"""The Android profile: flush modes, retries and drops from collector answers, order (android §2.4, §7)."""

import pytest

from harness.errors import SpecError
from tests.spec.android_trace import SETTLE, T0, call, env, expect, init, named, props


def respond(**rule):
    return ("collector", "respond", rule)


def copies(ex, event_type):
    (e,) = named(ex, event_type)
    return e.copies


def test_500_is_retried_on_every_flush_without_counting_tries():
    ex = expect(
        init(maxTries=2),
        SETTLE,
        respond(route="events", status=500, times=3),
        call("trackEvent", eventType="x"),
        SETTLE,
        *[step for _ in range(3) for step in (call("flushData"), SETTLE)],
    )
    assert copies(ex, "x") == (4, 4)
    assert "android#52" in named(ex, "x")[0].rules


def test_404_is_dropped_after_max_tries():
    flushes = [step for _ in range(11) for step in (call("flushData"), SETTLE)]
    ex = expect(
        init(), SETTLE, respond(route="events", status=404), call("trackEvent", eventType="x"), SETTLE, *flushes
    )
    assert copies(ex, "x") == (10, 10)
    assert "android#53" in named(ex, "x")[0].rules


def test_reset_counts_a_try_and_offline_counts_none():
    reset = expect(
        init(maxTries=3),
        SETTLE,
        respond(route="any", action="reset"),
        call("trackEvent", eventType="x"),
        SETTLE,
        *[step for _ in range(4) for step in (call("flushData"), SETTLE)],
    )
    assert copies(reset, "x") == (3, 3)
    offline = expect(
        init(maxTries=2),
        SETTLE,
        respond(route="events", status=400),
        env("set_network", online=False),
        call("trackEvent", eventType="x"),
        call("flushData"),
        call("flushData"),
        env("set_network", online=True),
        *[step for _ in range(3) for step in (call("flushData"), SETTLE)],
    )
    assert copies(offline, "x") == (2, 2)


def test_success_false_deletes_and_unsettled_retries_are_only_allowed():
    ok = expect(
        init(),
        SETTLE,
        respond(route="events", status=200, times=1),
        call("trackEvent", eventType="x"),
        SETTLE,
        call("flushData"),
        SETTLE,
    )
    assert copies(ok, "x") == (1, 1)
    maybe = expect(
        init(),
        SETTLE,
        respond(route="events", status=500, times=1),
        call("trackEvent", eventType="x"),
        call("trackEvent", eventType="y"),
    )
    assert copies(maybe, "x") == (1, 2)  # the second trigger may have been absorbed by the running pass


def test_manual_mode_holds_events_and_a_flush_pass_is_ordered_by_timestamp():
    ex = expect(
        init(),
        SETTLE,  # init's pass is over: a later event waits for its trigger
        call("setFlushMode", mode="MANUAL"),
        call("trackEvent", eventType="late", timestamp=1_700_000_050.0),
        call("trackEvent", eventType="early", timestamp=1_700_000_010.0),
        call("flushData"),
    )
    late, early = named(ex, "late")[0], named(ex, "early")[0]
    assert early.order_key < late.order_key and "android#4" in early.rules
    assert named(ex, "installation")[0].order_key is None  # the IMMEDIATE pass promises no order


def test_period_mode_flushes_on_the_period_and_on_app_close():
    ex = expect(
        init(),
        SETTLE,  # init's pass is over: a later event waits for its trigger
        call("setFlushPeriod", seconds=60),
        call("setFlushMode", mode="PERIOD"),
        call("trackEvent", eventType="periodic"),
        env("advance_clock", seconds=800),
        call("trackEvent", eventType="held", seconds=0),
    )
    assert named(ex, "periodic") == [] and named(ex, "held") == []  # WorkManager's 15-minute minimum
    ex = expect(
        init(),
        SETTLE,  # init's pass is over: a later event waits for its trigger
        call("setFlushMode", mode="PERIOD"),
        call("trackEvent", eventType="periodic"),
        env("advance_clock", seconds=3700),
        call("trackEvent", eventType="on_close"),
        ("app", "background", {}),
    )
    assert len(named(ex, "periodic")) == 1 and len(named(ex, "on_close")) == 1


def test_app_close_mode_and_the_session_worker_flush_even_in_manual_mode():
    ex = expect(init(), SETTLE, call("setFlushMode", mode="APP_CLOSE"), call("trackEvent", eventType="x"))
    assert named(ex, "x") == []
    ex = expect(
        init(),
        SETTLE,
        call("setFlushMode", mode="APP_CLOSE"),
        call("trackEvent", eventType="x"),
        ("app", "background", {}),
    )
    assert len(named(ex, "x")) == 1
    ex = expect(
        init(),
        SETTLE,  # init's pass is over: a later event waits for its trigger
        call("setFlushMode", mode="MANUAL"),
        call("trackEvent", eventType="x"),
        ("app", "background", {}),
        env("advance_clock", seconds=120),
    )
    (end,) = named(ex, "session_end")
    assert len(named(ex, "x")) == 1 and "android#21" in end.rules
    assert props(end)["duration"].value == 4.0  # background (T0+5) - start (T0+1), not the worker's time
    assert end.body["timestamp"].value == T0 + 5 + 60  # stamped when the worker ran


def test_concurrent_flushes_send_each_event_once():
    ex = expect(
        init(),
        call("setFlushMode", mode="MANUAL"),
        call("trackEvent", eventType="a"),
        call("flushData"),
        call("flushData"),
    )
    assert copies(ex, "a") == (1, 1)


def test_route_map_fans_out_and_deduplicates():
    route_map = {
        "TRACK_EVENT": [
            {"baseUrl": "http://c", "projectToken": "P1", "authorization": "Token 1"},
            {"baseUrl": "http://c", "projectToken": "T", "authorization": "Token k"},
        ]
    }
    ex = expect(init(projectRouteMap=route_map), call("trackEvent", eventType="x"))
    sent = named(ex, "x")
    assert [(e.project_token, e.authorization) for e in sent] == [("T", "Token k"), ("P1", "Token 1")]
    assert sent[0].body is sent[1].body


def test_answer_rules_the_profile_cannot_predict_are_refused():
    """A random share or an unknown action cannot be replayed; the profile says so instead of guessing."""
    for rule in ({"route": "events", "status": 500, "share": 0.5}, {"route": "events", "action": "teapot"}):
        with pytest.raises(SpecError, match=r"share|action"):
            expect(init(), SETTLE, respond(**rule), call("trackEvent", eventType="x"), SETTLE)


def test_a_rule_with_share_1_answers_every_matching_request():
    ex = expect(
        init(maxTries=2),
        SETTLE,
        respond(route="events", status=404, share=1),
        call("trackEvent", eventType="x"),
        SETTLE,
        *[step for _ in range(3) for step in (call("flushData"), SETTLE)],
    )
    assert copies(ex, "x") == (2, 2)


def test_an_event_stored_while_a_pass_may_run_goes_now_or_at_the_next_pass_once():
    # FlushManagerImpl.kt:70-114@4.10.0: the running pass re-reads the queue after every answer
    ex = expect(init(), call("setFlushMode", mode="MANUAL"), call("trackEvent", eventType="x"))
    assert [e.copies for e in named(ex, "x")] == [(0, 1)]
    ex = expect(init(), call("setFlushMode", mode="MANUAL"), call("trackEvent", eventType="x"), call("flushData"))
    assert [e.copies for e in named(ex, "x")] == [(1, 1)]
    ex = expect(init(), SETTLE, call("setFlushMode", mode="MANUAL"), call("trackEvent", eventType="x"))
    assert named(ex, "x") == []


def test_a_failing_answer_rule_racing_inits_pass_makes_inits_events_ghosts():
    # only a 2xx deletes (FlushManagerImpl.kt:222-239@4.10.0): init's events may have got the 402
    ex = expect(init(), respond(route="any", status=402), call("trackEvent", eventType="y"))
    (start,) = named(ex, "session_start")
    assert start.copies[0] == 1 and start.copies[1] >= 2
    ex = expect(init(), SETTLE, respond(route="any", status=402), call("trackEvent", eventType="y"))
    assert [e.copies for e in named(ex, "session_start")] == [(1, 1)]


def test_a_click_before_init_in_a_later_process_is_tracked_sdkless_and_sends_only_itself():
    # Exponea.kt:684-727, 778-795; TemporaryEventRepositoryImpl.kt:10-21@4.10.0
    ex = expect(
        init(),
        SETTLE,
        respond(route="events", status=500, times=1),
        call("trackEvent", eventType="left"),
        SETTLE,
        ("app", "kill", {}),
        ("app", "launch", {}),
        call("trackClickedPush", data={}),
    )
    assert [e.copies for e in named(ex, "left")] == [(1, 1)]  # kept by the 500, not re-sent by the click's pass
    (click,) = named(ex, "campaign")
    assert props(click)["status"] == "clicked" and click.copies == (1, 1)


def test_a_kill_undoes_a_certain_attempt_even_after_later_re_sends():
    # each tracked event's pass re-sends what failed (a reset counts a try); a kill ends the pass anywhere
    steps = (init(), SETTLE, respond(route="events", action="reset"), call("trackEvent", eventType="a"))
    ex = expect(*steps, call("trackEvent", eventType="b"), call("trackEvent", eventType="c"), ("app", "kill", {}))
    assert [e.copies[0] for e in named(ex, "b")] == [0]  # its certain attempt was raced, not only its last
    ex = expect(
        *steps, call("trackEvent", eventType="b"), call("trackEvent", eventType="c"), SETTLE, ("app", "kill", {})
    )
    assert [e.copies[0] for e in named(ex, "b")] == [1]
