"""The reference Customer.io SDK's main flows on the wire (research other-sdks.md A3-A6)."""

from __future__ import annotations

import re

from tests.sdks.customerio.conftest import KEY

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_fresh_install_track_is_one_gzip_batch_with_the_segment_shape(phone):
    phone.init()
    phone.call("track", name="purchase", properties={"price": 5})
    phone.flush()
    (settings,) = phone.requests("/settings")
    assert settings.method == "GET" and settings.path.endswith(f"/v1/projects/{KEY}/settings")
    (upload,) = phone.requests("/v1/b")
    assert upload.method == "POST"
    assert upload.headers["content-type"] == "text/plain"
    assert upload.headers["content-encoding"] == "gzip"
    assert upload.headers["user-agent"] == "analytics-kotlin/1.24.1"
    assert "authorization" not in upload.headers
    (body,) = phone.batches()
    assert set(body) == {"batch", "sentAt", "writeKey"} and body["writeKey"] == KEY and TS.match(body["sentAt"])
    names = [e.get("event") for e in body["batch"]]
    assert names == ["Application Installed", "Application Opened", "Application Foregrounded", "purchase"]
    installed, opened, _, purchase = body["batch"]
    assert installed["properties"] == {"version": "1.0.0", "build": "10000"}
    assert opened["properties"] == {"version": "1.0.0", "build": "10000", "from_background": False}
    assert purchase["type"] == "track" and purchase["properties"] == {"price": 5}
    assert "userId" not in purchase and purchase["integrations"] == {}
    assert UUID4.match(purchase["messageId"]) and UUID4.match(purchase["anonymousId"])
    assert TS.match(purchase["timestamp"])
    assert len({e["messageId"] for e in body["batch"]}) == 4
    context = purchase["context"]
    assert "library" not in context and "token" not in context["device"]
    assert context["userAgent"].startswith("Customer.io Android Client/4.19.0 (")
    assert {"app", "device", "os", "screen", "network", "locale", "timezone", "instanceId"} <= set(context)
    assert context["device"]["id"] == purchase["anonymousId"] and context["device"]["type"] == "android"


def test_flush_at_count_and_the_interval_timer_on_the_virtual_clock(phone):
    phone.init(flushAt=2, trackApplicationLifecycleEvents=False)
    phone.call("track", name="a")
    phone.settle()
    assert phone.requests("/v1/b") == []
    phone.call("track", name="b")
    phone.settle()
    assert phone.names() == ["a", "b"]
    phone.call("track", name="c")
    phone.settle()
    assert phone.names() == ["a", "b"]
    phone.rpc("env.advance_clock", seconds=31)
    phone.settle()
    assert phone.names() == ["a", "b", "c"]


def test_background_sends_backgrounded_and_flushes(phone):
    phone.init()
    phone.device.app.background()
    phone.settle()
    assert phone.names()[-1] == "Application Backgrounded"
    phone.device.app.foreground()
    phone.flush()
    opened = [e for e in phone.events() if e.get("event") == "Application Opened"]
    assert opened[-1]["properties"] == {"from_background": True}
    assert phone.names()[-1] == "Application Foregrounded"


def test_identify_switch_with_a_token_orders_the_semantic_events(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.call("registerDeviceToken", token="T1")
    phone.call("identify", userId="u1", traits={"plan": "pro"})
    phone.call("identify", userId="u1")  # dedup (4.18.0+): nothing
    phone.call("identify", userId="u2")
    phone.flush()
    ev = phone.events()
    assert [(e.get("event") or e["type"], e.get("userId")) for e in ev] == [
        ("Device Created or Updated", None),
        ("identify", "u1"),
        ("Device Created or Updated", "u1"),
        ("Device Deleted", "u1"),
        ("identify", "u2"),
        ("Device Created or Updated", "u2"),
    ]
    assert len({e["anonymousId"] for e in ev}) == 1
    assert all(e["context"]["device"]["token"] == "T1" for e in ev)
    attrs = ev[0]["properties"]
    assert set(attrs) == {
        "device_os", "device_model", "device_manufacturer", "app_version", "cio_sdk_version", "device_locale",
        "push_enabled", "network_bluetooth", "network_cellular", "network_wifi", "screen_width", "screen_height",
        "timezone",
    }  # fmt: skip
    assert attrs["push_enabled"] is True and attrs["cio_sdk_version"] == "4.19.0"
    assert ev[1]["traits"] == {"plan": "pro"} and "traits" not in ev[4]
    assert ev[3]["properties"] == {}


def test_token_refresh_and_clear_identify(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.call("identify", userId="u1")
    phone.call("registerDeviceToken", token="T1")
    phone.call("registerDeviceToken", token="T2")
    phone.call("clearIdentify")
    phone.call("track", name="after")
    phone.flush()
    ev = phone.events()
    assert [e.get("event") or e["type"] for e in ev] == [
        "identify", "Device Created or Updated", "Device Deleted", "Device Created or Updated", "Device Deleted",
        "after",
    ]  # fmt: skip
    a1 = ev[0]["anonymousId"]
    assert ev[2]["context"]["device"]["token"] == "T1" and ev[3]["context"]["device"]["token"] == "T2"
    cleared, after = ev[4], ev[5]
    assert cleared["userId"] == "u1" and cleared["context"]["device"]["token"] == "T2"
    assert cleared["anonymousId"] != a1 and after["anonymousId"] == cleared["anonymousId"]
    assert "userId" not in after and after["context"]["device"]["token"] == "T2"  # the token stays (A6)


def test_clear_identify_without_token_sends_nothing_but_rotates(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.call("track", name="before")
    phone.call("clearIdentify")
    phone.call("track", name="after")
    phone.flush()
    before, after = phone.events()
    assert before["anonymousId"] != after["anonymousId"]


def test_kill_relaunch_keeps_the_queue_and_the_anonymous_id_but_not_the_context_token(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.call("registerDeviceToken", token="T")
    phone.call("track", name="queued")
    phone.settle()
    assert phone.requests("/v1/b") == []
    phone.relaunch()
    phone.init(trackApplicationLifecycleEvents=False)
    phone.call("track", name="second")
    phone.flush()
    (body,) = phone.batches()  # the open file survives the kill and the next launch appends to it
    ev = body["batch"]
    assert [e.get("event") for e in ev] == ["Device Created or Updated", "queued", "second"]
    assert len({e["anonymousId"] for e in ev}) == 1
    assert ev[1]["context"]["device"]["token"] == "T" and "token" not in ev[2]["context"]["device"]


def test_relaunch_after_version_bump_sends_application_updated(phone):
    phone.init()
    phone.flush()
    phone.device.app.kill()
    phone.device.app_args = ["--app-version", "1.1.0"]
    phone.device.app.launch()
    phone.init()
    phone.flush()
    updated = [e for e in phone.events() if e.get("event") == "Application Updated"]
    assert updated[0]["properties"] == {
        "version": "1.1.0", "build": "10100", "previous_version": "1.0.0", "previous_build": "10000",
    }  # fmt: skip
    assert phone.names().count("Application Installed") == 1


def test_screen_and_metric_shapes(phone):
    phone.init(trackApplicationLifecycleEvents=False)
    phone.call("screen", title="Home", properties={"a": 1})
    phone.call("trackMetric", deliveryId="D", deviceToken="T", event="opened")
    phone.flush()
    screen, metric = phone.events()
    assert (screen["type"], screen["name"], screen["category"]) == ("screen", "Home", "")
    assert screen["properties"] == {"a": 1}
    assert metric["event"] == "Report Delivery Event"
    assert metric["properties"] == {"metric": "opened", "deliveryId": "D", "recipient": "T"}


def test_blank_identify_and_inapp_screens_send_nothing(phone):
    phone.init(trackApplicationLifecycleEvents=False, screenViewUse="InApp")
    phone.call("identify", userId="  ")
    phone.call("screen", title="Home")
    phone.call("registerDeviceToken", token="")
    phone.call("track", name="only")
    phone.flush()
    assert phone.names() == ["only"]
