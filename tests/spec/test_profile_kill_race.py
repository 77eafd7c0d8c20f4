"""A kill (a relaunch, a reinstall) or a stop that races a flush: the profile accepts every outcome the real
SDK can produce and nothing else (found by ``harness explore`` on the fault-free virtual devices).

Bodies are rendered from the profile's own expectations (each matcher replaced by a value it accepts), so
each test states only which requests arrive, how often and whether one was cut on the wire.
"""

import json
import uuid
from typing import Any

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe_all
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Absent, Any_, Approx, Int, OneOf, Var
from harness.spec.profiles import get_profile
from harness.spec.trace import Stimulus

CONFIG = {"configuration": {"projectToken": "T", "authorization": "Token k", "baseURL": "http://c"}}
_IDS: dict[str, str] = {}


def _value(m: Any, platform: str) -> Any:
    if isinstance(m, Var):
        text = _IDS.setdefault(m.name, str(uuid.uuid4()))
        return text.upper() if m.case == "upper" else text
    if isinstance(m, Approx):
        return m.value
    if isinstance(m, Int):
        return m.value
    if isinstance(m, OneOf):
        return _value(m.options[0], platform)
    if isinstance(m, Any_):
        return "x"
    if isinstance(m, dict):
        return {k: _value(v, platform) for k, v in m.items() if not isinstance(v, Absent)}
    return m


def request(rid: int, e: Expected, at: float, platform: str, cut: bool = False) -> CapturedRequest:
    """What the SDK sends for ``e`` (or, ``cut``, what the collector keeps of it when the kill cuts it)."""
    path = f"/track/v2/projects/{e.project_token}/customers/events"
    headers = {"content-type": "application/json; charset=utf-8" if platform == "android" else "application/json"}
    if e.authorization is not None:
        headers["authorization"] = e.authorization
    if platform == "ios":
        headers["accept"] = "application/json"
    if cut:
        problem = "client disconnected before the body was complete (got 0 of 300 bytes)"
        return CapturedRequest(
            id=rid, method="POST", path=path, headers=headers, body="", received_at=at, problems=(problem,)
        )
    body = json.dumps(_value(e.body, platform))
    return CapturedRequest(id=rid, method="POST", path=path, headers=headers, body=body, received_at=at)


def trace(*steps: tuple[str, str, dict[str, Any], float]) -> list[Stimulus]:
    """Steps at the given host times (the device clock runs with the host's, 1000 s ahead)."""
    out = [Stimulus(0, "app", "install", {}, 1000.0, 0.0), Stimulus(1, "app", "launch", {}, 1000.0, 0.0)]
    for kind, name, args, host in steps:
        out.append(Stimulus(len(out), kind, name, args, 1000.0 + host, host, started_host_time=host - 0.001))
    return out


def verdict(platform: str, steps: list[Stimulus], arrivals: list[tuple[str | int, float, bool]]) -> tuple[bool, str]:
    """Judge ``arrivals`` (the expectation's label, or its index, host time, cut) against the profile."""
    ex: Expectations = get_profile(f"exponea-{platform}").expect(steps)
    by_label = {e.label: e for e in ex.requests}

    def pick(key: str | int) -> Expected:
        return ex.requests[key] if isinstance(key, int) else by_label[key]

    requests = [request(i + 1, pick(key), at, platform, cut) for i, (key, at, cut) in enumerate(arrivals)]
    v = check(ex, observe_all(requests, tracking_only=False))
    return v.passed, "\n".join(x.message for x in v.violations)


# init sends installation and session_start right away (IMMEDIATE); the kill comes 10 ms later
ANDROID_KILL = [("call", "init", CONFIG, 1.0), ("app", "kill", {}, 1.01)]
ANDROID_RELAUNCH = [*ANDROID_KILL, ("app", "launch", {}, 5.0), ("call", "init", CONFIG, 5.1)]


def test_android_kill_racing_a_pass_sent_deleted_or_never_sent():
    both = [("installation", 1.005, False), ("session_start", 1.008, False)]
    assert verdict("android", trace(*ANDROID_KILL), both)[0]  # the pass finished before the kill
    assert verdict("android", trace(*ANDROID_KILL), both[:1])[0]  # the kill came between the two
    assert verdict("android", trace(*ANDROID_KILL), [])[0]  # before the first left


def test_android_kill_cuts_a_request_on_the_wire():
    cut = [("installation", 1.005, False), ("session_start", 1.012, True)]
    assert verdict("android", trace(*ANDROID_KILL), cut)[0]
    # the same torn request long after the kill is the SDK's own doing: malformed
    late = [("installation", 1.005, False), ("session_start", 30.0, True)]
    ok, why = verdict("android", trace(*ANDROID_KILL), late)
    assert not ok and "client disconnected" in why


def test_android_after_a_racing_kill_the_next_launch_sends_what_is_left_at_least_once_at_most_twice():
    steps = trace(*ANDROID_RELAUNCH)
    first: list[tuple[str | int, float, bool]] = [(0, 1.005, False), (1, 1.008, False)]
    again: list[tuple[str | int, float, bool]] = [(0, 5.15, False), (1, 5.16, False)]
    new_session: list[tuple[str | int, float, bool]] = [(2, 5.17, False)]  # the second init's own
    assert verdict("android", steps, first + new_session)[0]  # both sent and deleted before the kill
    assert verdict("android", steps, again + new_session)[0]  # neither left before the kill: sent now
    assert verdict("android", steps, first + again + new_session)[0]  # answers never read: sent again
    # but never lost: a later pass runs, so each arrives at least once, and at most twice
    ok, why = verdict("android", steps, first[:1] + new_session)
    assert not ok and "session_start" in why
    assert not verdict("android", steps, first + again + again[:1] + new_session)[0]


def test_android_without_a_race_every_request_stays_required():
    settled = trace(("call", "init", CONFIG, 1.0), ("sync", "settle", {}, 1.5), ("app", "kill", {}, 1.6))
    ok, why = verdict("android", settled, [("installation", 1.005, False)])
    assert not ok and "session_start" in why  # a settle ended the pass: the kill raced nothing
    later = trace(("call", "init", CONFIG, 1.0), ("app", "kill", {}, 30.0))
    assert not verdict("android", later, [("installation", 1.005, False)])[0]


def test_android_stop_racing_a_pass_may_drop_what_was_not_sent():
    steps = trace(("call", "init", CONFIG, 1.0), ("call", "stopIntegration", {}, 1.01))
    assert verdict("android", steps, [("installation", 1.005, False), ("session_start", 1.02, False)])[0]
    assert verdict("android", steps, [("installation", 1.005, False)])[0]
    assert not verdict("android", steps, [("installation", 1.005, False), ("installation", 1.02, False)])[0]


# iOS flushes 3 s after tracking; flushData starts one at once, and every row's request leaves together
IOS_KILL = [("call", "init", CONFIG, 1.0), ("call", "flushData", {}, 1.01), ("app", "kill", {}, 1.02)]
IOS_RELAUNCH = [*IOS_KILL, ("app", "launch", {}, 5.0), ("call", "init", CONFIG, 5.1)]


def test_ios_kill_racing_a_flush_sent_cut_or_never_sent():
    both: list[tuple[str | int, float, bool]] = [("installation", 1.015, False), ("session_start", 1.015, False)]
    assert verdict("ios", trace(*IOS_KILL), both)[0]
    assert verdict("ios", trace(*IOS_KILL), both[:1])[0]
    assert verdict("ios", trace(*IOS_KILL), [("installation", 1.015, False), ("session_start", 1.021, True)])[0]
    assert verdict("ios", trace(*IOS_KILL), [])[0]


def test_ios_after_a_racing_kill_the_next_flush_sends_what_is_left_at_least_once_at_most_twice():
    steps = trace(*IOS_RELAUNCH)
    first: list[tuple[str | int, float, bool]] = [(0, 1.015, False), (1, 1.015, False)]
    again: list[tuple[str | int, float, bool]] = [(0, 5.2, False), (1, 5.2, False)]
    assert verdict("ios", steps, first)[0]
    assert verdict("ios", steps, again)[0]
    assert verdict("ios", steps, first + again)[0]
    ok, why = verdict("ios", steps, first[:1])
    assert not ok and "session_start" in why  # lost although the next flush ran
    assert not verdict("ios", steps, first + again + again[:1])[0]


def test_ios_stop_while_a_flush_runs_may_delete_its_final_events_unsent():
    racing = trace(
        ("call", "init", CONFIG, 1.0), ("call", "flushData", {}, 1.01), ("call", "stopIntegration", {}, 1.02)
    )
    sent: list[tuple[str | int, float, bool]] = [("installation", 1.015, False), ("session_start", 1.015, False)]
    assert verdict("ios", racing, sent)[0]  # flushAlreadyInProgress: session_end deleted unsent
    assert verdict("ios", racing, [*sent, ("session_end", 1.03, False)])[0]  # the flush had ended
    assert not verdict("ios", racing, sent[:1])[0]  # what was on the wire still arrives
    settled = trace(
        ("call", "init", CONFIG, 1.0),
        ("call", "flushData", {}, 1.01),
        ("sync", "settle", {}, 1.5),
        ("call", "stopIntegration", {}, 1.6),
    )
    ok, why = verdict("ios", settled, sent)
    assert not ok and "session_end" in why  # no flush running: the stop's flush sends it


def test_android_going_offline_under_a_pass_leaves_what_did_not_get_through_for_the_next_pass():
    steps = trace(
        ("call", "init", CONFIG, 1.0),
        ("env", "set_network", {"online": False}, 1.01),
        ("env", "set_network", {"online": True}, 2.0),
        ("call", "flushData", {}, 2.1),
    )
    first: list[tuple[str | int, float, bool]] = [(0, 1.005, False), (1, 1.008, False)]
    again: list[tuple[str | int, float, bool]] = [(0, 2.15, False), (1, 2.16, False)]
    assert verdict("android", steps, first)[0]
    assert verdict("android", steps, first[:1] + again[1:])[0]  # the second failed, flushData sent it
    ok, why = verdict("android", steps, first[:1])
    assert not ok and "session_start" in why  # flushData ran again online: it must arrive
