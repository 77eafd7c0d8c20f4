"""The checker's vocabulary, one violation kind at a time, on hand-built observations."""

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected, QuietWindow
from harness.spec.matchers import Approx, Var

COOKIE = "0f8fad5b-d9cb-469f-a165-70867728950e"


def obs(rid, event_type, ts=100.0, props=None, auth="Token k", received_at=None, cookie=COOKIE):
    body = {"event_type": event_type, "timestamp": ts, "customer_ids": {"cookie": cookie}, "properties": props or {}}
    import json

    return observe(
        CapturedRequest(
            id=rid,
            method="POST",
            path="/track/v2/projects/T/customers/events",
            headers={"authorization": auth},
            body=json.dumps(body),
            received_at=received_at or float(rid),
        )
    )


def exp(event_type, ts=100.0, props=None, cause=0):
    return Expected(
        route="events",
        project_token="T",
        authorization="Token k",
        cause=cause,
        label=event_type,
        body={
            "event_type": event_type,
            "timestamp": Approx(ts, 1.0),
            "customer_ids": {"cookie": Var("cookie#1", kind="uuid")},
            "properties": props or {},
        },
    )


def kinds(verdict):
    return sorted(v.kind for v in verdict.violations)


def test_all_expected_and_nothing_else_passes():
    v = check(Expectations([exp("a"), exp("b", 101)], ordered=True), [obs(1, "a"), obs(2, "b", 101)])
    assert v.passed and len(v.matches) == 2
    assert v.summary() == "2 requests as expected"  # one event a request (Exponea): counted as requests


def test_missing_and_unexpected():
    v = check(Expectations([exp("a"), exp("b")]), [obs(1, "a"), obs(2, "c")])
    assert kinds(v) == ["missing", "unexpected"]
    assert "never sent" in v.report()


def test_field_mismatch_names_the_path_and_both_values():
    v = check(Expectations([exp("a", props={"price": 9.5})]), [obs(1, "a", props={"price": 10})])
    (viol,) = v.violations
    assert viol.kind == "mismatch" and viol.path == "$.properties.price"
    assert "expected 9.5, got 10" in viol.message
    assert '-    "price": 9.5' in v.report() and '+    "price": 10' in v.report()


def test_type_violation():
    v = check(Expectations([exp("a", props={"valid": True})]), [obs(1, "a", props={"valid": "true"})])
    assert kinds(v) == ["type"]


def test_wrong_authorization_header():
    v = check(Expectations([exp("a")]), [obs(1, "a", auth="Bearer x")])
    assert [x.path for x in v.violations] == ["headers.authorization"]


def test_the_same_cookie_is_required_across_requests():
    other = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    v = check(Expectations([exp("a"), exp("b")]), [obs(1, "a"), obs(2, "b", cookie=other)])
    assert kinds(v) == ["mismatch"] and "same cookie#1" in v.violations[0].message


def test_order_is_checked_only_when_the_platform_guarantees_it():
    e = [exp("a", 100), exp("b", 105)]
    o = [obs(1, "b", 105), obs(2, "a", 100)]
    assert kinds(check(Expectations(e, ordered=True), o)) == ["order"]
    assert check(Expectations(e, ordered=False), o).passed


def test_traffic_inside_a_quiet_window_is_after_stop():
    quiet = [QuietWindow(cause=3, start_host_time=10.0, reason="stopIntegration()", end_host_time=20.0)]
    v = check(Expectations([exp("a")], quiet=quiet), [obs(1, "a"), obs(12, "leak"), obs(25, "later")])
    assert kinds(v) == ["after-stop", "unexpected"]


def test_malformed_request_is_reported_not_dropped():
    bad = observe(
        CapturedRequest(
            id=1, method="POST", path="/track/v2/projects/T/customers/events", headers={}, body="{oops", received_at=1.0
        )
    )
    v = check(Expectations([]), [bad])
    assert "malformed" in kinds(v)
