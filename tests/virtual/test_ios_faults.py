"""Every fault that applies to iOS changes what virtual:ios sends (so a scenario can catch it).

Each case runs a short stimulus with the fault and asserts the research's rule is broken; the
same rules hold on the fault-free app (test_ios_wire/flush/sessions_push/identity).
"""

import json
import time

import pytest

from harness.sdks.exponea.virtual.faults import FAULTS
from tests.scenario.test_committed_selftest import suite_proved
from tests.virtual.ios_phone import TOKEN, Phone, customers, events

TOKEN_PAYLOAD = {
    "source": "xnpe_platform",
    "attributes": json.dumps({"campaign_id": "c", "sent_timestamp": 4102444800}),
}


def _track(p, _s):
    p.init(defaultProperties={"a": "default"})
    p.call("trackEvent", eventType="e", properties={"a": "own", "x": float("nan")}, timestamp=1600000000)
    p.settle()


def _relaunch(p, _s):
    p.init()
    p.settle()
    p.relaunch()
    p.init()
    p.settle()


def _token_change(p, _s):
    p.init(defaultProperties={"d": "v"})
    p.dev.env.new_push_token("AA")
    p.dev.env.new_push_token("BB")
    p.settle()


def _ids(p, _s):
    p.init(flushMode="MANUAL")
    p.call("trackEvent", eventType="e")
    p.call("identifyCustomer", customerIds={"registered": "r"}, properties={"platform": "p", "x": 1})
    p.call("flushData")
    p.settle()


def _identify_cookie(p, _s):
    p.init()
    p.call("identifyCustomer", customerIds={"registered": "r", "cookie": "APP-COOKIE"}, properties={})
    p.settle()


def _identify_relaunch(p, _s):
    p.init()
    p.call("identifyCustomer", customerIds={"registered": "r"}, properties={})
    p.settle()
    p.relaunch()
    p.init()
    p.call("trackEvent", eventType="after_relaunch")
    p.settle()


def _stream_token(p, _s):
    p.init(streamId="S", projectToken=None, authorization=None)
    p.dev.env.new_push_token("AA")
    p.settle()


def _anonymize_switch(p, _s):
    p.init(flushMode="MANUAL")
    p.call("trackEvent", eventType="old_project")
    p.call("anonymize", exponeaProject={"projectToken": "P2", "authorization": "Token T2"})
    p.call("flushData")
    p.settle()


def _two_identifies(p, _s):
    p.init()
    p.settle()
    p.call("identifyCustomer", customerIds={"registered": "first"}, properties={})
    p.advance(1.0)
    p.call("identifyCustomer", customerIds={"registered": "second"}, properties={})
    p.settle()


def _anonymize_manual(p, _s):
    p.init(flushMode="MANUAL")
    p.call("trackEvent", eventType="before")
    p.call("anonymize")
    p.settle()


def _retries(p, s):
    p.init(flushMode="MANUAL")
    p.call("flushData")
    p.settle()
    s.respond("/customers/events", 418)
    s.respond("/customers", 500, b"oops")
    p.call("trackEvent", eventType="e")
    p.call("identifyCustomer", customerIds={"registered": "r"}, properties={})
    p.settle()  # identify flushes at once in immediate mode only; this app is manual
    p.dev.env.set_network(False)
    p.call("trackEvent", eventType="offline_e")
    for _ in range(6):
        p.call("flushData")
        p.settle()
    p.dev.env.set_network(True)
    for _ in range(8):
        p.call("flushData")
        p.settle()


def _stream_401(p, s):
    p.init(streamId="S", projectToken=None, authorization=None, flushMode="MANUAL")
    p.call("flushData")
    p.settle()
    s.respond("/customers/events", 401, times=1)
    p.call("trackEvent", eventType="e")
    p.call("flushData")
    p.settle()


def _sessions(p, _s):
    p.init()
    p.advance(10)
    p.dev.app.background()
    p.advance(100)
    p.dev.app.foreground()
    p.settle()


def _everylaunch(p, _s):
    p.init(tokenTrackFrequency="EVERY_LAUNCH")
    p.dev.env.new_push_token("AA")
    p.dev.app.background()
    p.dev.app.foreground()
    p.settle()


def _push(p, _s):
    p.init()
    p.dev.env.deliver_push(TOKEN_PAYLOAD)
    p.settle()


def _campaign(p, s):
    p.init()
    deadline = time.monotonic() + 1.0  # give a (faulty) at-once flush the time to send session_start
    while time.monotonic() < deadline and not events(s.requests(), "session_start"):
        p.call("trackEvent", eventType="nudge")  # each track flushes at once with the fault
        time.sleep(0.05)
    p.call("handleCampaignIntent", url="https://x/p?utm_source=s&xnpe_cmp=c")
    p.settle()


def _stop(p, _s):
    p.init(flushMode="MANUAL")
    p.dev.env.new_push_token("AA")
    p.call("stopIntegration")
    p.call("trackEvent", eventType="after_stop")
    p.call("flushData")
    p.settle()
    p.init()
    p.settle()


def _anonymize(p, _s):
    p.init()
    p.call("anonymize")
    p.settle()


def _all(s):
    return events(s.requests())


CASES = {
    "ios-cookie-lowercase": (_track, lambda s: any(b["customer_ids"]["cookie"].islower() for b in _all(s))),
    "ios-ids-at-track-time": (_ids, lambda s: "registered" not in events(s.requests(), "e")[0]["customer_ids"]),
    "ios-no-companion-update": (_token_change, lambda s: not customers(s.requests())),
    "ios-no-token-invalidation": (
        _token_change,
        lambda s: all(b["properties"]["valid"] for b in events(s.requests(), "notification_state")),
    ),
    "ios-everylaunch-no-foreground": (_everylaunch, lambda s: len(events(s.requests(), "notification_state")) == 1),
    "ios-retries-beyond-max": (_retries, lambda s: len(events(s.requests(), "e")) > 5),
    "ios-stream-401-no-resend": (_stream_401, lambda s: len(events(s.requests(), "e")) == 1),
    "ios-nan-breaks-request": (_track, lambda s: any(r.body == "" for r in s.requests() if r.method == "POST")),
    "ios-session-duration-to-relaunch": (
        _sessions,
        lambda s: events(s.requests(), "session_end")[0]["properties"]["duration"] > 50,
    ),
    "ios-delivered-timestamp-not-plus-one": (
        _push,
        lambda s: events(s.requests(), "campaign")[0]["timestamp"] == 4102444800,
    ),
    "ios-no-flush-delay": (
        _campaign,
        lambda s: "xnpe_cmp" not in events(s.requests(), "session_start")[0]["properties"],
    ),
    "ios-500-dropped": (_retries, lambda s: len(customers(s.requests())) < 8),
    "ios-offline-counts-retry": (_retries, lambda s: not events(s.requests(), "offline_e")),
    "ios-identify-cookie-kept": (
        _identify_cookie,
        lambda s: customers(s.requests())[0]["customer_ids"]["cookie"] == "APP-COOKIE",
    ),
    "ios-identified-ids-not-persisted": (
        _identify_relaunch,
        lambda s: "registered" not in events(s.requests(), "after_relaunch")[0]["customer_ids"],
    ),
    "ios-stream-empty-update-sent": (
        _stream_token,
        lambda s: any(set(c["customer_ids"]) == {"cookie"} and not c["properties"] for c in customers(s.requests())),
    ),
    "ios-row-project-not-stored": (
        _anonymize_switch,
        lambda s: (
            any("/projects/P2/" in r.path for r in s.requests() if r.path.endswith("/customers/events"))
            and not any("/projects/" + TOKEN + "/" in r.path for r in s.requests() if "/track/" in r.path)
        ),
    ),
    "ios-identify-waits-for-delay": (
        _two_identifies,
        lambda s: [c["customer_ids"]["registered"] for c in customers(s.requests())] == ["second", "second"],
    ),
    "ios-anonymize-flushes-first": (_anonymize_manual, lambda s: bool(events(s.requests(), "before"))),
    "ios-customer-props-not-stripped": (_ids, lambda s: "platform" in customers(s.requests())[0]["properties"]),
    "ios-defaults-on-notification-state": (
        _token_change,
        lambda s: "d" in events(s.requests(), "notification_state")[0]["properties"],
    ),
    "ios-stop-no-final-events": (_stop, lambda s: not events(s.requests(), "session_end")),
    "ios-device-id-reset-on-anonymize": (
        _anonymize,
        lambda s: len({b["properties"]["device_id"] for b in _all(s)}) == 2,
    ),
    "sends-after-stop": (_stop, lambda s: bool(events(s.requests(), "after_stop"))),
    "tracks-after-stop": (_stop, lambda s: bool(events(s.requests(), "after_stop"))),
    "timestamp-millis": (_track, lambda s: events(s.requests(), "e")[0]["timestamp"] == 1600000000000),
    "defaults-override": (_track, lambda s: events(s.requests(), "e")[0]["properties"]["a"] == "default"),
    "no-device-id": (_track, lambda s: "device_id" not in events(s.requests(), "e")[0]["properties"]),
    "installation-every-launch": (_relaunch, lambda s: len(events(s.requests(), "installation")) == 2),
    "wrong-event-route": (_track, lambda s: not events(s.requests(), "e")),
    "fetch-basic-auth": (
        _track,
        lambda s: any(
            v.startswith("Basic ") for r in s.requests() for k, v in r.headers.items() if k.lower() == "authorization"
        ),
    ),
}
IOS_FAULTS = sorted(n for n, f in FAULTS.items() if "ios" in f.platforms and n in CASES)


def test_every_ios_fault_has_a_case():
    # the faults seeded for fault-backed coverage (issue 17) are proved by the suite itself: the committed
    # selftest result (tests/scenario/test_committed_selftest.py) names the covering scenario catching each
    seeded = {n for n, f in FAULTS.items() if "ios" in f.platforms}
    assert set(CASES) <= seeded and seeded - set(CASES) <= suite_proved()
    assert len([n for n in IOS_FAULTS if FAULTS[n].platforms == ("ios",)]) >= 10


@pytest.mark.parametrize("fault", IOS_FAULTS)
def test_the_fault_is_visible_on_the_wire(server, fault):
    stimulus, broken = CASES[fault]
    phone = Phone(server.url, fault)
    try:
        assert phone.dev.rpc("app.ping").value["fault"] == [fault]
        stimulus(phone, server)
    finally:
        phone.close()
    assert broken(server), f"{fault}: the wire looks fault-free"


@pytest.mark.parametrize("stimulus", sorted({c[0] for c in CASES.values()}, key=lambda f: f.__name__))
def test_the_fault_free_app_passes_the_same_checks(server, stimulus):
    phone = Phone(server.url)
    try:
        stimulus(phone, server)
    finally:
        phone.close()
    broken = [name for name, (s, check) in CASES.items() if s is stimulus and _safe(check, server)]
    assert not broken, f"the fault-free app looks like {broken}"


def _safe(check, server):
    try:
        return check(server)
    except (IndexError, KeyError):
        return True  # an expected event is missing: that is broken too
