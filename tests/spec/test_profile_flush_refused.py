"""iOS flushes that may be refused: a flush that starts while another still runs gets
``.flushAlreadyInProgress`` (FlushingManager.swift:99-105@4.0.1), and every tracking call asks for its own
flush 3 s later (TrackingManager.swift:270-275), so the rows ``configure`` stores fire several flushes at
once. A row the collector keeps is sent once per flush that ran: the profile accepts each count the
SDK can produce and no more, and never lets a first send go missing (found by ``harness explore``).
"""

from typing import Any

from tests.spec.test_profile_kill_race import CONFIG, trace, verdict

SERVER_DOWN = ("collector", "respond", {"route": "events", "status": 500}, 1.01)


def test_ios_rows_init_stores_are_sent_once_per_flush_that_ran():
    """init schedules three flushes (the flush mode, installation, session_start) at the same moment."""
    steps = trace(("call", "init", CONFIG, 1.0), SERVER_DOWN)
    for count in (1, 2, 3):
        arrivals: list[tuple[str | int, float, bool]] = [("installation", 4.1, False), ("session_start", 4.1, False)]
        ok, why = verdict("ios", steps, arrivals * count)
        assert ok, why
    assert not verdict("ios", steps, [("installation", 4.1, False), ("session_start", 4.1, False)] * 4)[0]
    ok, why = verdict("ios", steps, [("installation", 4.1, False)])
    assert not ok and "session_start" in why  # never sent at all


def test_ios_a_row_stored_while_a_flush_runs_is_still_sent():
    """flushData, trackEvent, flushData at once: the second flushData may be refused; the event then goes
    with a flush 3 s later, so it arrives once or more (kept by the 500), never not at all. The three
    flushes init scheduled fire 3 s after it, seconds after the flushData calls: the first of them surely
    runs and sends init's rows again."""
    steps = trace(
        ("call", "init", CONFIG, 1.0),
        SERVER_DOWN,
        ("call", "flushData", {}, 1.02),
        ("call", "trackEvent", {"eventType": "between"}, 1.03),
        ("call", "flushData", {}, 1.04),
    )
    init_rows: list[tuple[str | int, float, bool]] = [
        ("installation", 1.03, False),
        ("session_start", 1.03, False),
        ("installation", 4.1, False),
        ("session_start", 4.1, False),
    ]
    for count in (1, 2, 3):
        ok, why = verdict("ios", steps, [*init_rows, *[("between", 4.2, False)] * count])
        assert ok, why
    ok, why = verdict("ios", steps, init_rows)
    assert not ok and "between" in why


def test_ios_flushes_far_apart_each_send_again():
    """Flushes seconds apart never overlap: each re-sends what the collector kept (no optional copies)."""
    steps: list[Any] = trace(
        ("call", "init", {"configuration": {**CONFIG["configuration"], "flushMode": "MANUAL"}}, 1.0),
        SERVER_DOWN,
        ("call", "flushData", {}, 1.02),
        ("call", "flushData", {}, 6.0),
    )
    once: list[tuple[str | int, float, bool]] = [("installation", 1.03, False), ("session_start", 1.03, False)]
    assert verdict("ios", steps, once * 2)[0]
    assert not verdict("ios", steps, once)[0]


def test_ios_a_row_a_possibly_refused_flush_sends_with_success_goes_exactly_once():
    """MANUAL mode: the second flushData may be refused; then the next flush that runs sends the event.
    Sent by one or the other, never both; with no later flush it may stay queued (nothing else flushes)."""
    manual = {"configuration": {**CONFIG["configuration"], "flushMode": "MANUAL"}}
    quick = [
        ("call", "init", manual, 1.0),
        ("call", "flushData", {}, 1.02),
        ("call", "trackEvent", {"eventType": "between"}, 1.03),
        ("call", "flushData", {}, 1.04),
    ]
    init_rows: list[tuple[str | int, float, bool]] = [("installation", 1.03, False), ("session_start", 1.03, False)]
    later = trace(*quick, ("call", "flushData", {}, 6.0))
    assert verdict("ios", later, [*init_rows, ("between", 1.05, False)])[0]
    assert verdict("ios", later, [*init_rows, ("between", 6.1, False)])[0]
    assert not verdict("ios", later, [*init_rows, ("between", 1.05, False), ("between", 6.1, False)])[0]
    assert not verdict("ios", later, init_rows)[0]
    alone = trace(*quick)
    assert verdict("ios", alone, init_rows)[0]
    assert verdict("ios", alone, [*init_rows, ("between", 1.05, False)])[0]
