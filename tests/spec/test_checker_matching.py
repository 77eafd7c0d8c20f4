"""The checker's matching: optimal pairing, order without cascades, copies, clock offset, bindings."""

import json

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Approx, DeviceTime, OneOf, Var

COOKIE = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def obs(rid, event_type, ts=100.0, props=None, cookie=COOKIE, path="/track/v2/projects/T/customers/events", at=None):
    body = {"event_type": event_type, "timestamp": ts, "customer_ids": {"cookie": cookie}, "properties": props or {}}
    return observe(
        CapturedRequest(
            id=rid,
            method="POST",
            path=path,
            headers={"authorization": "Token k"},
            body=json.dumps(body),
            received_at=float(rid) if at is None else at,
        )
    )


def exp(event_type, ts=100.0, props=None, cause=0, time=DeviceTime, **kw):
    return Expected(
        route="events",
        project_token=kw.pop("project_token", "T"),
        authorization="Token k",
        cause=cause,
        label=str(event_type),
        body={
            "event_type": event_type,
            "timestamp": time(ts, 1.0),
            "customer_ids": {"cookie": Var("cookie#1", kind="uuid", case="lower")},
            "properties": props or {},
        },
        **kw,
    )


def kinds(v):
    return sorted(x.kind for x in v.violations)


def test_optimal_pairing_reports_one_mismatch_where_greedy_reports_two():
    e = [exp("p", props={"price": 1}), exp("p", props={"price": 2})]
    o = [obs(1, "p", props={"price": 2}), obs(2, "p", props={"price": 3})]
    v = check(Expectations(e), o)
    assert kinds(v) == ["mismatch"]
    (viol,) = v.violations
    assert viol.request_id == 2 and viol.path == "$.properties.price" and "expected 1, got 3" in viol.message


def test_one_request_sent_too_early_is_the_only_order_violation():
    e = [exp(f"e{i}", 100.0 + i) for i in range(10)]
    o = [obs(1, "e9", 109.0)] + [obs(i + 2, f"e{i}", 100.0 + i) for i in range(9)]
    v = check(Expectations(e, ordered=True, order_rules=("android#4",)), o)
    assert kinds(v) == ["order"]
    (viol,) = v.violations
    assert viol.request_id == 1 and viol.rules == ("android#4",)
    assert "which should come first" in viol.message
    assert check(Expectations(e, ordered=False), o).passed


def test_identical_events_close_in_time_keep_their_order():
    e = [exp("tick", 100.0 + 0.3 * i, props={"n": 1}) for i in range(6)]
    o = [obs(i + 1, "tick", 100.0 + 0.3 * i, props={"n": 1}) for i in range(6)]
    v = check(Expectations(e, ordered=True), o)
    assert v.passed, v.report()
    assert [(m.expected_index, m.request_id) for m in v.matches] == [(i, i + 1) for i in range(6)]


def test_order_keys_order_groups_on_an_unordered_platform():
    e = [exp("a", order_key=1), exp("b", order_key=1), exp("c", 105, order_key=2)]
    ok = [obs(1, "b"), obs(2, "a"), obs(3, "c", 105)]
    assert check(Expectations(e), ok).passed
    bad = [obs(1, "c", 105), obs(2, "b"), obs(3, "a")]
    v = check(Expectations(e), bad)
    assert kinds(v) == ["order"] and v.violations[0].request_id == 1


def test_retried_copies_within_bounds_pass_and_outside_are_reported():
    e = [exp("a", copies=(1, 3))]
    assert check(Expectations(e), [obs(1, "a"), obs(2, "a"), obs(3, "a")]).passed
    v = check(Expectations(e), [obs(i, "a") for i in range(1, 5)])
    assert kinds(v) == ["unexpected"] and "repeated copy of request #1" in v.violations[0].message
    v = check(Expectations([exp("a", copies=(2, 3))]), [obs(1, "a")])
    assert kinds(v) == ["missing"] and "sent 1 time(s), expected at least 2" in v.violations[0].message
    v = check(Expectations([exp("a")]), [obs(1, "a"), obs(2, "a")])
    assert kinds(v) == ["unexpected"] and "repeated copy" in v.violations[0].message
    matches = check(Expectations(e), [obs(1, "a"), obs(2, "a")]).matches
    assert [(m.request_id, m.copy, m.label) for m in matches] == [(1, 0, "a"), (2, 1, "a")]


def test_copies_of_a_wrong_body_are_one_mismatch_not_more():
    e = [exp("a", props={"x": 1}, copies=(1, 3))]
    v = check(Expectations(e), [obs(1, "a", props={"x": 2}), obs(2, "a", props={"x": 2})])
    assert kinds(v) == ["mismatch"]


def test_optional_expectation_takes_only_an_exact_match_and_is_never_missing():
    e = [exp("a", optional=True), exp("a", props={"n": 1})]
    assert check(Expectations(e), [obs(1, "a", props={"n": 1})]).passed
    v = check(Expectations(e), [obs(1, "a", props={"n": 1}), obs(2, "a", props={"n": 2})])
    assert kinds(v) == ["unexpected"]  # the optional one does not take a mismatching request
    assert check(Expectations(e), [obs(1, "a", props={"n": 1}), obs(2, "a")]).passed


def test_clock_offset_is_estimated_applied_and_reported():
    e = [exp(f"e{i}", 100.0 + 10 * i) for i in range(9)]
    o = [obs(i + 1, f"e{i}", 103.2 + 10 * i) for i in range(9)]
    v = check(Expectations(e, max_clock_offset=5.0), o)
    assert v.passed, v.report()
    assert v.clock_offset is not None and abs(v.clock_offset - 3.2) < 1e-6 and v.clock_offset_applied
    assert "offset estimated at +3.200s" in v.report()
    # Beyond the profile's limit: reported, not applied, so every timestamp is a mismatch.
    v = check(Expectations(e, max_clock_offset=1.0), o)
    assert kinds(v) == ["mismatch"] * 9 and all(x.path == "$.timestamp" for x in v.violations)
    assert "not applied" in v.report()


def test_one_outlier_timestamp_does_not_move_the_estimate():
    e = [exp(f"e{i}", 100.0 + 10 * i) for i in range(9)]
    o = [obs(i + 1, f"e{i}", 102.0 + 10 * i + (40.0 if i == 4 else 0.0)) for i in range(9)]
    v = check(Expectations(e), o)
    assert kinds(v) == ["mismatch"] and v.violations[0].request_id == 5
    assert v.violations[0].path == "$.timestamp" and "clock offset" in v.violations[0].message
    assert v.clock_offset == 2.0


def test_explicit_timestamps_are_not_shifted_by_the_clock_offset():
    e = [exp(f"e{i}", 100.0 + 10 * i) for i in range(5)] + [exp("old", 50.0, time=Approx)]
    o = [obs(i + 1, f"e{i}", 103.0 + 10 * i) for i in range(5)] + [obs(6, "old", 50.0)]
    assert check(Expectations(e), o).passed
    o[-1] = obs(6, "old", 53.0)
    assert kinds(check(Expectations(e), o)) == ["mismatch"]


def test_a_wrong_timestamp_reads_as_a_mismatch_not_missing_and_unexpected():
    v = check(Expectations([exp("a", 100.0)]), [obs(1, "a", 500.0)])
    assert kinds(v) == ["mismatch"] and v.violations[0].path == "$.timestamp"


def test_the_cookie_most_requests_agree_on_wins():
    e = [exp(f"e{i}", 100.0 + i) for i in range(5)]
    o = [obs(1, "e0", 100.0, cookie=OTHER)] + [obs(i + 1, f"e{i}", 100.0 + i) for i in range(1, 5)]
    v = check(Expectations(e), o)
    assert kinds(v) == ["mismatch"]
    (viol,) = v.violations
    assert viol.request_id == 1 and viol.path == "$.customer_ids.cookie" and COOKIE in viol.message


def test_a_new_cookie_must_differ_from_the_old_one():
    def e2(name, ts):
        x = exp(name, ts)
        x.body["customer_ids"] = {"cookie": Var("cookie#2", kind="uuid", distinct_from=("cookie#1",))}
        return x

    e = [exp("a", 100), exp("b", 101), e2("c", 102), e2("d", 103)]
    ok = [obs(1, "a", 100), obs(2, "b", 101), obs(3, "c", 102, cookie=OTHER), obs(4, "d", 103, cookie=OTHER)]
    assert check(Expectations(e), ok).passed
    bad = [obs(1, "a", 100), obs(2, "b", 101), obs(3, "c", 102), obs(4, "d", 103)]
    v = check(Expectations(e), bad)
    assert kinds(v) == ["mismatch", "mismatch"] and all("expected a new cookie#2" in x.message for x in v.violations)


def test_upper_case_cookie_against_a_lower_case_expectation():
    v = check(Expectations([exp("a")]), [obs(1, "a", cookie=COOKIE.upper())])
    assert kinds(v) == ["mismatch"] and "lower-case UUID" in v.violations[0].message


def test_non_tracking_requests_are_not_judged():
    bundle = observe(
        CapturedRequest(
            id=9,
            method="GET",
            path="/wxstatic/projects/T/bundle-android.json?v=2",
            headers={},
            body="",
            received_at=1.0,
        )
    )
    v = check(Expectations([exp("a")]), [obs(1, "a"), bundle])
    assert v.passed and "1 non-tracking requests not judged" in v.notes


def test_stream_routes_and_wildcard_event_types():
    stream = obs(1, "a", path="/track/u/v1/customers/events?stream_id=S")
    assert check(Expectations([exp("a", project_token="", stream_id="S")]), [stream]).passed
    assert check(Expectations([exp("a", project_token="stream:S")]), [stream]).passed
    assert kinds(check(Expectations([exp("a")]), [stream])) == ["missing", "unexpected"]
    either = exp(OneOf(("x", "y")))
    assert check(Expectations([either]), [obs(1, "y")]).passed


def test_not_before_rejects_an_early_request():
    v = check(Expectations([exp("a", not_before=10.0)]), [obs(1, "a", at=7.0)])
    assert kinds(v) == ["mismatch"] and v.violations[0].path == "received_at"


def test_many_missing_and_unexpected_of_one_kind_pair_in_time_order():
    e = [exp("a", 100.0 + i, props={"i": i}) for i in range(300)]
    o = [obs(i + 1, "a", 5000.0 + i, props={"i": i}) for i in range(300)]
    v = check(Expectations(e, max_clock_offset=0.0), o)
    assert len(v.violations) == 300 and {x.path for x in v.violations} == {"$.timestamp"}


def test_grouped_order_checks_each_group_on_its_own():
    e = [exp("a", 100, order_group=1), exp("b", 101, order_group=1), exp("c", 50, time=Approx, order_group=2)]
    o = [obs(1, "a", 100), obs(2, "c", 50), obs(3, "b", 101)]
    assert check(Expectations(e, grouped_order=True), o).passed
    v = check(Expectations(e, grouped_order=True), [obs(1, "b", 101), obs(2, "a", 100), obs(3, "c", 50)])
    assert kinds(v) == ["order"]


def test_violations_carry_the_request_and_the_field_values():
    v = check(Expectations([exp("a", props={"price": 9.5})]), [obs(1, "a", props={"price": 10}), obs(2, "zzz")])
    mismatch = next(x for x in v.violations if x.kind == "mismatch")
    assert (mismatch.expected, mismatch.actual) == (9.5, 10)
    unexpected = next(x for x in v.violations if x.kind == "unexpected")
    assert unexpected.request_id == 2


def _with_cookie(e, name, distinct_from=()):
    body = dict(e.body)
    body["customer_ids"] = {"cookie": Var(name, kind="uuid", case="lower", distinct_from=distinct_from)}
    return Expected(**{**e.__dict__, "body": body})


def test_a_lone_request_of_two_optional_twins_goes_to_the_twin_whose_cookie_it_carries():
    # a race made both session_starts optional (one before anonymize, one after) and only the second arrived
    first = _with_cookie(exp("s", 100.0, copies=(0, 1)), "cookie#1")
    second = _with_cookie(exp("s", 100.0, copies=(0, 1)), "cookie#2", ("cookie#1",))
    bound = _with_cookie(exp("x", 99.0), "cookie#1")
    v = check(Expectations([bound, first, second]), [obs(1, "x", 99.0, cookie=COOKIE), obs(2, "s", cookie=OTHER)])
    assert v.violations == []
    # without a twin it matches, the old cookie is still a mismatch
    v = check(Expectations([bound, second]), [obs(1, "x", 99.0, cookie=COOKIE), obs(2, "s", cookie=COOKIE)])
    assert kinds(v) == ["mismatch"]
