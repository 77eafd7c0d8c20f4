"""Each seeded fault of the reference Customer.io SDK changes what it claims on the wire.

Every fault runs a short flow twice, clean and with the fault; one observation of the wire (written
from research other-sdks.md Part A) has the research's value in the clean run and another with the
fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from harness.scenario.coverage import checklist
from harness.sdks.customerio.virtual.faults import FAULTS
from tests.scenario.test_committed_selftest import suite_proved
from tests.sdks.customerio.conftest import Phone

PUSH = {"CIO-Delivery-ID": "D1", "CIO-Delivery-Token": "T"}
NO_LIFECYCLE = {"trackApplicationLifecycleEvents": False}


def identity_flow(p: Phone) -> None:
    p.init(screenViewUse="InApp", **NO_LIFECYCLE)
    p.call("registerDeviceToken", token="T1")
    p.call("identify", userId="u1")
    p.call("identify", userId="u1")
    p.call("identify", userId=" ")
    p.call("identify", userId="u2")
    p.call("registerDeviceToken", token="T2")
    p.call("registerDeviceToken", token="")
    p.call("screen", title="Home")
    p.call("trackMetric", deliveryId="D", deviceToken="T2", event="opened")
    p.call("track", name="t")
    p.call("clearIdentify")
    p.call("track", name="after")
    p.flush()


def lifecycle_flow(p: Phone, **config: Any) -> None:
    p.init(**config)
    p.flush()
    p.relaunch()
    p.init(**config)
    p.call("track", name="second-launch")
    p.flush()


def retry_flow(status: int) -> Callable[[Phone], None]:
    def flow(p: Phone) -> None:
        p.init(**NO_LIFECYCLE)
        p.collector.rules.add("any", method="POST", status=status, times=1)
        p.call("track", name="e")
        p.flush()
        p.rpc("env.advance_clock", seconds=2)
        p.flush()

    return flow


def push_flow(p: Phone) -> None:
    p.init(**NO_LIFECYCLE)
    p.device.app.background()
    p.rpc("env.deliver_push", payload=PUSH)
    p.rpc("env.deliver_push", payload=PUSH)
    p.settle()


def click_flow(p: Phone) -> None:
    p.init(autoTrackPushEvents=False, **NO_LIFECYCLE)
    p.rpc("env.click_push", payload=PUSH)
    p.call("track", name="t")
    p.flush()


def date_flow(p: Phone) -> None:
    """A java.util.Date property (canonical ``{"$date": ISO}``), which A6 says is sent as null."""
    p.init(**NO_LIFECYCLE)
    p.call("track", name="renewal", properties={"due": {"$date": "2024-06-01T00:00:00.000Z"}, "n": 1})
    p.flush()


def token_at_init_flow(p: Phone) -> None:
    """FCM issues a token; after a relaunch the push module's init fetch registers it again (android#42)."""
    p.init(**NO_LIFECYCLE)
    p.rpc("env.new_push_token", token="F")
    p.flush()
    p.relaunch()
    p.init(**NO_LIFECYCLE)
    p.call("track", name="after")
    p.flush()


def _tokens(p: Phone) -> list[tuple[str, Any]]:
    return [(e.get("event") or e["type"], e["context"].get("device", {}).get("token")) for e in p.events()]


def _named(p: Phone, name: str) -> list[dict[str, Any]]:
    return [e for e in p.events() if (e.get("event") or e["type"]) == name]


def _kinds(p: Phone) -> list[tuple[str, Any]]:
    return [(e.get("event") or e["type"], e.get("userId")) for e in p.events()]


def _anonymous_ids(p: Phone) -> int:
    return len({e["anonymousId"] for e in p.events()})


ID_KINDS = [
    ("Device Created or Updated", None),
    ("identify", "u1"),
    ("Device Created or Updated", "u1"),
    ("Device Deleted", "u1"),
    ("identify", "u2"),
    ("Device Created or Updated", "u2"),
    ("Device Deleted", "u2"),
    ("Device Created or Updated", "u2"),
    ("Report Delivery Event", "u2"),
    ("t", "u2"),
    ("Device Deleted", "u2"),
    ("after", None),
]

# fault -> (flow, observation, the research's value in a clean run)
CASES: dict[str, tuple[Callable[[Phone], None], Callable[[Phone], Any], Any]] = {
    "identify-not-deduped": (identity_flow, lambda p: len(_named(p, "identify")), 2),
    "blank-user-identified": (identity_flow, lambda p: len(_named(p, "identify")), 2),
    "device-deleted-new-user": (identity_flow, lambda p: _kinds(p)[3], ("Device Deleted", "u1")),
    "no-device-update-on-identify": (identity_flow, lambda p: _kinds(p)[2], ("Device Created or Updated", "u1")),
    "no-delete-on-token-refresh": (
        identity_flow,
        lambda p: [e["context"]["device"]["token"] for e in _named(p, "Device Deleted")],
        ["T1", "T1", "T2"],
    ),
    "blank-token-registered": (identity_flow, _kinds, ID_KINDS),
    "no-device-deleted-on-clear": (identity_flow, _kinds, ID_KINDS),
    "anonymous-id-kept-on-clear": (
        identity_flow,
        lambda p: _named(p, "after")[0]["anonymousId"] == p.events()[0]["anonymousId"],
        False,
    ),
    "token-missing-in-context": (identity_flow, lambda p: _named(p, "t")[0]["context"]["device"].get("token"), "T2"),
    "push-enabled-string": (
        identity_flow,
        lambda p: _named(p, "Device Created or Updated")[0]["properties"]["push_enabled"],
        True,
    ),
    "ip-in-device-attributes": (
        identity_flow,
        lambda p: len(_named(p, "Device Created or Updated")[0]["properties"]),
        13,
    ),
    "library-kept": (identity_flow, lambda p: any("library" in e["context"] for e in p.events()), False),
    "timestamp-no-millis": (
        identity_flow,
        lambda p: all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["timestamp"]) for e in p.events()),
        True,
    ),
    "empty-traits-sent": (identity_flow, lambda p: ["traits" in e for e in _named(p, "identify")], [False, False]),
    "anonymous-blank-user-id": (identity_flow, lambda p: "userId" in _named(p, "after")[0], False),
    "metric-capitalized": (
        identity_flow,
        lambda p: _named(p, "Report Delivery Event")[0]["properties"]["metric"],
        "opened",
    ),
    "screen-under-inapp": (identity_flow, lambda p: len(_named(p, "screen")), 0),
    "lifecycle-when-disabled": (
        lambda p: lifecycle_flow(p, **NO_LIFECYCLE),
        lambda p: [n for n in p.names() if n.startswith("Application")],
        [],
    ),
    "installed-every-launch": (lifecycle_flow, lambda p: p.names().count("Application Installed"), 1),
    "anonymous-id-rotated-on-launch": (lifecycle_flow, _anonymous_ids, 1),
    "retries-400": (retry_flow(400), lambda p: len(p.requests("/v1/b")), 1),
    "drops-on-500": (retry_flow(500), lambda p: len(p.requests("/v1/b")), 2),
    "new-message-ids-on-retry": (retry_flow(500), lambda p: len({e["messageId"] for e in p.events()}), 1),
    "sent-at-rewritten": (retry_flow(500), lambda p: len({b["sentAt"] for b in p.batches()}), 1),
    "batch-not-gzipped": (retry_flow(200), lambda p: p.requests("/v1/b")[0].headers.get("content-encoding"), "gzip"),
    "authorization-on-batch": (retry_flow(200), lambda p: "authorization" in p.requests("/v1/b")[0].headers, False),
    "push-delivered-twice": (push_flow, lambda p: len(p.requests("/v1/track")), 1),
    "push-track-no-auth": (
        push_flow,
        lambda p: p.requests("/v1/track")[0].headers.get("authorization"),
        "Basic aGFybmVzcy1jZHAta2V5Og==",
    ),
    "opened-when-autotrack-off": (click_flow, lambda p: p.names(), ["t"]),
    "date-as-string": (date_flow, lambda p: _named(p, "renewal")[0]["properties"], {"due": None, "n": 1}),
    "no-token-fetch-at-init": (
        token_at_init_flow,
        _tokens,
        [("Device Created or Updated", "F"), ("Device Created or Updated", "F"), ("after", "F")],
    ),
}


def test_every_fault_has_a_case_and_names_a5_rules():
    # the faults seeded for fault-backed coverage (issue 17) are proved by the suite itself: the committed
    # selftest result (tests/scenario/test_committed_selftest.py) names the covering scenario catching each
    assert set(CASES) <= set(FAULTS) and set(FAULTS) - set(CASES) <= suite_proved() and len(FAULTS) >= 20
    for fault in FAULTS.values():
        assert fault.violates and fault.platforms == ("android",)
        for rule in fault.violates:
            number = int(rule.removeprefix("customerio-android#"))
            assert 1 <= number <= len(checklist("android", "customerio")), rule


@pytest.mark.parametrize("fault", sorted(CASES))
def test_the_fault_changes_what_it_claims(phone_factory, fault):
    flow, observe, expected = CASES[fault]
    clean = phone_factory()
    flow(clean)
    assert observe(clean) == expected
    faulty = phone_factory(fault)
    flow(faulty)
    assert observe(faulty) != expected, json.dumps(faulty.events())[:2000]
