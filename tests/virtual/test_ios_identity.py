"""virtual:ios anonymize (ios §5.3), stopIntegration and clearLocalCustomerData (ios §6)."""

from tests.virtual.ios_phone import TOKEN, customers, events, tracking


def test_anonymize_switches_customer_keeps_device_id_and_reissues_the_token(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL")
    phone.dev.env.new_push_token("AA")
    phone.call("identifyCustomer", customerIds={"registered": "r"}, properties={})
    phone.call("trackEvent", eventType="before")
    c1 = phone.call("getCustomerCookie")
    phone.call("anonymize", exponeaProject={"baseUrl": server.url, "projectToken": "P2", "authorization": "Token T2"})
    c2 = phone.call("getCustomerCookie")
    phone.call("trackEvent", eventType="after")
    phone.call("flushData")
    phone.settle()
    reqs = server.requests()
    assert c1 != c2
    by_cookie = lambda c: [b for b in events(reqs) if b["customer_ids"]["cookie"] == c]  # noqa: E731
    old = {b["event_type"]: b for b in by_cookie(c1)}
    new = [b["event_type"] for b in by_cookie(c2)]
    assert old["before"]["customer_ids"] == {"cookie": c1, "registered": "r"}  # ios#58
    assert "duration" not in old["session_end"]["properties"]  # ios#56
    assert "os_name" not in old["session_end"]["properties"]
    assert sorted(new) == ["after", "installation", "notification_state", "session_start"]
    assert all(b["customer_ids"] == {"cookie": c2} for b in by_cookie(c2))
    states = {b["customer_ids"]["cookie"]: b["properties"] for b in events(reqs, "notification_state")}
    assert states[c2]["description"] == "Permission granted" and states[c2]["push_notification_token"] == "AA"
    assert {b["properties"]["device_id"] for b in events(reqs)} == {old["before"]["properties"]["device_id"]}
    paths = {b["event_type"]: p for p, b in tracking(reqs) if "event_type" in b}
    assert paths["after"] == "/track/v2/projects/P2/customers/events"  # ios#59
    before = next(r for r in reqs if '"before"' in r.body)
    assert before.path == f"/track/v2/projects/{TOKEN}/customers/events"
    assert before.headers["authorization"] == "Token T2"  # the auth quirk: current main project's auth


def test_stop_integration_sends_final_events_then_nothing(server, phone_on):
    phone = phone_on()
    phone.init(flushMode="MANUAL")
    phone.dev.env.new_push_token("AA")
    phone.call("trackEvent", eventType="queued_then_stopped")
    device_id_before = phone.call("getCustomerCookie")
    phone.call("stopIntegration")
    count = len(server.requests())
    types = [b.get("event_type") for b in events(server.requests())]
    assert "queued_then_stopped" in types and "session_end" in types  # ios#62: the stop flush runs
    (invalid,) = [b for b in events(server.requests(), "notification_state") if not b["properties"]["valid"]]
    assert invalid["properties"]["description"] == "Invalidated"
    assert len(customers(server.requests())) == 2  # the two companion updates
    phone.call("trackEvent", eventType="after_stop")
    phone.call("identifyCustomer", customerIds={"registered": "x"}, properties={})
    phone.call("flushData")
    phone.settle()
    assert len(server.requests()) == count  # ios#63
    phone.init()
    phone.settle()
    install = events(server.requests(), "installation")
    assert len(install) == 2 and install[0]["properties"]["device_id"] != install[1]["properties"]["device_id"]
    assert phone.call("getCustomerCookie") != device_id_before  # ios#65
    assert not events(server.requests(), "after_stop")


def test_clear_local_customer_data_only_when_unconfigured(server, phone_on):
    phone = phone_on()
    phone.init()
    phone.settle()
    first = phone.call("getCustomerCookie")
    phone.call("clearLocalCustomerData")  # configured: nothing
    phone.relaunch()
    phone.call("clearLocalCustomerData")  # unconfigured with a saved config: wipe, send nothing
    count = len(server.requests())
    phone.init()
    phone.settle()
    assert phone.call("getCustomerCookie") != first  # ios#66: a fresh install
    assert len(events(server.requests()[count:], "installation")) == 1
