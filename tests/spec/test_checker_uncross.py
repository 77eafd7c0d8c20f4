"""Two expectations that differ only in a variable, whose requests arrive in either order: the pairing
follows the bindings (found by ``harness explore`` on iOS: the two customers' empty updates that
``anonymize`` sends with the token, one per cookie, at the same moment)."""

import json

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe_all
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Approx, Var

A = "6F1D2A8E-0C0B-4C1E-9A53-1E0E3C6B7A11"
B = "0B7C4E2D-9F3A-4D5B-8C6E-2A1B3C4D5E6F"


def _var(n: int) -> Var:
    return Var(f"cookie#{n}", kind="uuid", case="upper", distinct_from=tuple(f"cookie#{g}" for g in range(1, n)))


def _update(n: int) -> Expected:
    body = {"customer_ids": {"cookie": _var(n)}, "properties": {}, "timestamp": Approx(100.0, 1.0)}
    return Expected(route="customers", project_token="T", authorization=None, body=body, cause=1, label=f"u{n}")


def _event(n: int, name: str) -> Expected:
    body = {"customer_ids": {"cookie": _var(n)}, "properties": {}, "timestamp": Approx(100.0, 1.0), "event_type": name}
    return Expected(route="events", project_token="T", authorization=None, body=body, cause=1, label=name)


def _request(rid: int, route: str, cookie: str, event: str | None = None) -> CapturedRequest:
    body: dict[str, object] = {"customer_ids": {"cookie": cookie}, "properties": {}, "timestamp": 100.0}
    path = "/track/v2/projects/T/customers"
    if event is not None:
        body["event_type"] = event
        path += "/events"
    return CapturedRequest(
        id=rid, method="POST", path=path, headers={"content-type": "application/json"}, body=json.dumps(body),
        received_at=1000.0 + rid,
    )  # fmt: skip


def _verdict(first: str, second: str) -> bool:
    ex = Expectations(ordered=False)
    ex.requests.extend([_event(1, "one"), _event(1, "one_more"), _event(2, "two"), _update(1), _update(2)])
    requests = [
        _request(1, "events", A, "one"),
        _request(2, "events", A, "one_more"),
        _request(3, "events", B, "two"),
        _request(4, "customers", first),
        _request(5, "customers", second),
    ]
    return check(ex, observe_all(requests, tracking_only=False)).passed


def test_updates_in_either_order_pass():
    assert _verdict(A, B)
    assert _verdict(B, A)


def test_a_wrong_cookie_still_fails():
    assert not _verdict(A, A)
    assert not _verdict(B, B)
