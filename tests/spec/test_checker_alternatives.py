"""Variables inside alternatives (``OneOf``) are bound and held like any other variable.

The iOS profile gives a request built while an identify raced a flush two possible id sets
(``FlushMixin.race_ids``), and the Customer.io profile gives ``Device Deleted`` either anonymousId
(``clearIdentify``); both hold the same ``Var`` the other requests bind. The checker used to judge
a ``OneOf`` with empty bindings and record no sighting, so a cookie seen only through alternatives
was never compared with the one the other requests carried: with the seeded fault
``ios-identify-cookie-kept`` the first three requests carried the SDK's cookie and the later ones
the app's, and the run passed.
"""

import json

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import DeviceTime, OneOf, Var, diff_value
from harness.spec.plan import compile_general, compile_value

REAL = "19504983-7A63-41B3-BC45-0D129B4CF0FB"  # the cookie the iOS SDK made at init
APPS = "11111111-2222-3333-4444-555555555555"  # the cookie the app passed to identifyCustomer
OTHER = "7C9E6679-7425-40DE-944B-E07FC1F90AE7"
T0 = 1796473191.6


def cookie(n: int = 1) -> Var:
    return Var(f"cookie#{n}", kind="uuid", case="upper", distinct_from=tuple(f"cookie#{g}" for g in range(1, n)))


FIRST = {"cookie": cookie(), "registered": "jane@example.com"}
BOTH = {**FIRST, "email": "jane.doe@example.com"}


def captured(rid: int, route: str, ids: dict, ts: float, event_type: str | None = None) -> object:
    """A request as the collector stored it (the bodies of the ios-identify-cookie-kept run)."""
    body: dict = {"customer_ids": ids, "properties": {}, "timestamp": ts}
    if event_type is not None:
        body["event_type"] = event_type
    path = "/track/v2/projects/T/customers" + ("/events" if route == "events" else "")
    return observe(
        CapturedRequest(
            id=rid,
            method="POST",
            path=path,
            headers={"authorization": "Token k"},
            body=json.dumps(body),
            received_at=T0 + rid / 100,
        )
    )


def expected(route: str, ids: object, ts: float, event_type: str | None = None) -> Expected:
    body: dict = {"customer_ids": ids, "properties": {}, "timestamp": DeviceTime(ts, 1.0)}
    if event_type is not None:
        body["event_type"] = event_type
    return Expected(
        route=route, project_token="T", authorization="Token k", body=body, cause=0, label=event_type or route
    )


def identify_scenario() -> list[Expected]:
    """What the iOS profile expects for scenarios/exponea/identify.yaml when the second identify races
    the first identify's flush: the rows that flush built may carry the ids from before or after it."""
    race = OneOf((FIRST, BOTH))
    return [
        expected("customers", race, T0),
        expected("events", race, T0 + 0.01, "installation"),
        expected("events", race, T0 + 0.02, "session_start"),
        expected("customers", BOTH, T0 + 0.03),
        expected("events", BOTH, T0 + 0.04, "after_identify"),
        expected("events", BOTH, T0 + 0.05, "after_second_identify"),
    ]


def sent(first: str, later: str) -> list[object]:
    a = {"cookie": first, "registered": "jane@example.com"}
    b = {"cookie": later, "registered": "jane@example.com", "email": "jane.doe@example.com"}
    return [
        captured(1, "customers", a, T0),
        captured(2, "events", a, T0 + 0.01, "installation"),
        captured(3, "events", a, T0 + 0.02, "session_start"),
        captured(4, "customers", b, T0 + 0.03),
        captured(5, "events", b, T0 + 0.04, "after_identify"),
        captured(6, "events", b, T0 + 0.05, "after_second_identify"),
    ]


def test_the_cookie_inside_alternatives_must_match_the_later_requests():
    v = check(Expectations(identify_scenario()), sent(REAL, APPS))
    assert not v.passed
    cookies = {x.path for x in v.violations}
    assert cookies == {"$.customer_ids.cookie"}, v.report()
    assert all("same cookie#1" in x.message for x in v.violations)


def test_one_cookie_throughout_passes_whichever_alternative_was_sent():
    assert check(Expectations(identify_scenario()), sent(REAL, REAL)).passed
    both = [captured(i + 1, *args) for i, args in enumerate(_all_with_both_ids())]
    assert check(Expectations(identify_scenario()), both).passed


def _all_with_both_ids() -> list[tuple]:
    b = {"cookie": REAL, "registered": "jane@example.com", "email": "jane.doe@example.com"}
    return [
        ("customers", b, T0),
        ("events", b, T0 + 0.01, "installation"),
        ("events", b, T0 + 0.02, "session_start"),
        ("customers", b, T0 + 0.03),
        ("events", b, T0 + 0.04, "after_identify"),
        ("events", b, T0 + 0.05, "after_second_identify"),
    ]


def test_a_variable_only_an_alternative_names_binds_when_one_alternative_holds():
    """Customer.io's ``Device Deleted`` carries the old or the new anonymousId: each alternative binds
    a different variable, so neither is bound at the alternative, but the one that holds must agree
    with the requests that name its variable alone."""
    old, new = Var("a#1", "uuid", "upper"), Var("a#2", "uuid", "upper", ("a#1",))
    either = OneOf(({"cookie": old}, {"cookie": new}))
    exps = [
        expected("events", {"cookie": old}, T0, "before"),
        expected("events", either, T0 + 0.01, "deleted"),
        expected("events", {"cookie": new}, T0 + 0.02, "after"),
    ]

    def run(deleted: str) -> object:
        return check(
            Expectations(exps),
            [
                captured(1, "events", {"cookie": REAL}, T0, "before"),
                captured(2, "events", {"cookie": deleted}, T0 + 0.01, "deleted"),
                captured(3, "events", {"cookie": OTHER}, T0 + 0.02, "after"),
            ],
        )

    assert run(REAL).passed and run(OTHER).passed
    v = run(APPS)  # neither the old nor the new one
    assert not v.passed and [x.path for x in v.violations] == ["$.customer_ids"], v.report()
    assert "a#1" in v.violations[0].message and "a#2" in v.violations[0].message


def test_plans_record_what_every_matching_alternative_binds():
    race = {"customer_ids": OneOf((FIRST, BOTH)), "properties": {}}
    body = {"customer_ids": {"cookie": REAL, "registered": "jane@example.com"}, "properties": {}}
    for plan in (compile_value(race), compile_general(race)):
        seen: list = []
        assert plan(body, seen, 0.0)
        assert [(var.name, value) for var, value, _ in seen] == [("cookie#1", REAL)]


def test_one_of_binds_in_diff_value_what_the_matching_alternatives_agree_on():
    bindings: dict = {}
    assert diff_value(OneOf((FIRST, BOTH)), {"cookie": REAL, "registered": "jane@example.com"}, bindings, "$") == []
    assert bindings == {"cookie#1": REAL}
    assert diff_value(OneOf((FIRST, BOTH)), {"cookie": APPS, "registered": "jane@example.com"}, bindings, "$")
