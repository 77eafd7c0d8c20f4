"""The Android agent on the real test-bed JVM: Frida attaches, the Java bridge loads from
frida-tools, and every canonical call reaches the SDK mirror with the SDK's Java types and then the
real virtual app as the canonical call (the Java -> RPC hop, read from the test bed's RPC trace)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Bed, attach

from harness.errors import InstrumentError
from harness.instrument.frida_session import FridaSession
from harness.instrument.frida_transport import FridaSdkTransport

D, S, B, HM = "java.lang.Double", "java.lang.String", "java.lang.Boolean", "java.util.HashMap"
M = "com.exponea.sdk.models."
LHM = "java.util.LinkedHashMap"
PROJECT = {"baseUrl": "http://b", "projectToken": "t2", "authorization": None}
ITEM = {"value": 9.99, "currency": "EUR", "paymentSystem": "gp", "productId": "p", "productTitle": "t"}
NO_CAMPAIGN = {"campaignData": {}, "consentCategoryTracking": None}


CONFIG = {
    "projectToken": "tok-1",
    "authorization": "Token k",
    "baseURL": "http://127.0.0.1:9/d/x",
    "defaultProperties": {"n": 1, "s": "x"},
    "sessionTimeout": 20,
    "tokenTrackFrequency": "DAILY",
    "projectRouteMap": {"TRACK_EVENT": [PROJECT]},
    "maxTries": 3,
    "flushMode": "MANUAL",
    "flushPeriod": 90,
}


@pytest.fixture(scope="module")
def sdk(module_testbed: Bed) -> Iterator[FridaSdkTransport]:
    session = attach(module_testbed, "exponea_android")
    transport = FridaSdkTransport(session)
    transport.call("init", {"configuration": CONFIG}, timeout=30)
    yield transport
    session.stop()


def run(sdk: FridaSdkTransport, bed: Bed, method: str, args: dict[str, Any]) -> tuple[Any, dict]:
    mark = bed.mark()
    result = sdk.call(method, args, timeout=15)
    sent = bed.sdk_calls(mark)
    return result, sent[-1][1] if sent else {}


def test_init_builds_configuration_with_setters_and_sets_flush_properties(sdk, module_testbed):
    calls = module_testbed.sdk_calls()
    names = [m for m, _ in calls]
    assert names[:3] == ["init", "setFlushMode", "setFlushPeriod"]
    init_params = calls[0][1]["configuration"]
    assert init_params["projectToken"] == "tok-1" and init_params["tokenTrackFrequency"] == "DAILY"
    assert init_params["maxTries"] == 3 and init_params["sessionTimeout"] == 20.0
    assert init_params["applicationId"] == "default-application"  # untouched SDK default
    assert calls[2][1] == {"seconds": 90.0}
    types = module_testbed.last_trace("init")
    assert types["context"] == "android.app.Application"
    cfg = types["configuration"]
    assert cfg["@"] == M + "ExponeaConfiguration"
    assert cfg["defaultProperties"] == {"@": HM, "n": D, "s": S}
    assert cfg["projectRouteMap"]["@key"] == M + "EventType"
    assert cfg["projectRouteMap"]["TRACK_EVENT"][0] == "java.util.ArrayList"
    assert module_testbed.last_trace("setFlushMode")["mode"] == M + "FlushMode"


def test_track_event_converts_json_to_kotlin_any_types(sdk, module_testbed):
    props = {"price": 10, "ok": True, "tags": ["a", 2], "nested": {"x": None}}
    result, sent = run(sdk, module_testbed, "trackEvent", {"eventType": "buy", "properties": props})
    assert result.value is None and result.device_time > 1.6e9
    converted = {"price": 10.0, "ok": True, "tags": ["a", 2.0], "nested": {"x": None}}
    assert sent == {"eventType": "buy", "properties": converted}
    types = module_testbed.last_trace("trackEvent")
    assert types["properties"]["@"] == M + "PropertiesList"
    assert types["properties"]["@map"] == HM
    assert types["properties"]["price"] == D and types["properties"]["ok"] == B
    assert types["properties"]["tags"] == ["java.util.ArrayList", S, D]
    assert types["eventType"] == S


def test_absent_timestamp_goes_through_kotlin_default_and_stays_absent(sdk, module_testbed):
    _, sent = run(sdk, module_testbed, "trackEvent", {"eventType": "e", "properties": {}})
    assert "timestamp" not in sent
    _, sent = run(sdk, module_testbed, "trackEvent", {"eventType": "e", "properties": {}, "timestamp": None})
    assert sent["timestamp"] is None
    _, sent = run(sdk, module_testbed, "trackEvent", {"eventType": "e", "properties": {}, "timestamp": 12.5})
    assert sent["timestamp"] == 12.5
    assert module_testbed.last_trace("trackEvent")["timestamp"] == D
    _, sent = run(sdk, module_testbed, "trackSessionStart", {})
    assert sent == {}
    _, sent = run(sdk, module_testbed, "trackSessionEnd", {"timestamp": 5})
    assert sent == {"timestamp": 5.0}


@pytest.mark.parametrize(
    ("method", "args", "expected", "types"),
    [
        (
            "identifyCustomer",
            {"customerIds": {"registered": "r1"}, "properties": {"n": 2}},
            {"customerIds": {"registered": "r1"}, "properties": {"n": 2.0}},
            {"customerIds": {"@": M + "CustomerIds", "@map": HM, "registered": S}},
        ),
        ("anonymize", {}, {}, {"exponeaProject": "null", "projectRouteMap": "null"}),
        ("anonymize", {"exponeaProject": PROJECT}, {"exponeaProject": PROJECT}, {"projectRouteMap": "null"}),
        ("trackPushToken", {"token": "t"}, {"token": "t"}, {"token": S}),
        ("handleNewToken", {"token": "t"}, {"token": "t"}, {"context": "android.app.Application"}),
        (
            "trackPaymentEvent",
            {"purchasedItem": ITEM},
            {"purchasedItem": ITEM},
            {
                "purchasedItem": {
                    "@": M + "PurchasedItem",
                    "@map": LHM,
                    "value": D,
                    "currency": S,
                    "paymentSystem": S,
                    "productId": S,
                    "productTitle": S,
                }
            },
        ),
        (
            "trackDeliveredPush",
            {"data": {"attributes": {"a": "b"}, "hasTrackingConsent": False}},
            {"data": {"attributes": {"a": "b"}, **NO_CAMPAIGN, "hasTrackingConsent": False}},
            {"timestamp": "absent"},
        ),
        (
            "trackClickedPush",
            {"data": {"attributes": {}}, "actionData": {"actionType": "app", "url": "u"}, "timestamp": 3},
            {
                "data": {"attributes": {}, **NO_CAMPAIGN, "hasTrackingConsent": True},
                "actionData": {"actionType": "app", "actionName": None, "url": "u"},
                "timestamp": 3.0,
            },
            {
                "actionData": {
                    "@": M + "NotificationAction",
                    "@map": LHM,
                    "actionType": S,
                    "actionName": "null",
                    "url": S,
                },
                "timestamp": D,
            },
        ),
        (
            "handleCampaignIntent",
            {"url": "https://a/b?xnpe_cmp=1"},
            {"url": "https://a/b?xnpe_cmp=1"},
            {"intent": "android.content.Intent"},
        ),
        (
            "handleRemoteMessage",
            {"messageData": {"source": "xnpe_platform"}},
            {"messageData": {"source": "xnpe_platform"}, "showNotification": True},
            {"manager": "android.app.NotificationManager", "showNotification": B},
        ),
        ("setFlushMode", {"mode": "PERIOD"}, {"mode": "PERIOD"}, {"mode": M + "FlushMode"}),
        ("setFlushPeriod", {"seconds": 120}, {"seconds": 120.0}, {"period": M + "FlushPeriod"}),
        (
            "setDefaultProperties",
            {"properties": {"k": 1}},
            {"properties": {"k": 1.0}},
            {"properties": {"@": HM, "k": D}},
        ),
        ("setSessionTimeout", {"seconds": 30}, {"seconds": 30.0}, {"seconds": D}),
        ("setAutomaticSessionTracking", {"enabled": False}, {"enabled": False}, {"enabled": B}),
        ("flushData", {}, {}, {"onFlushFinished": "null"}),
    ],
)
def test_canonical_call_reaches_sdk_with_java_types(sdk, module_testbed, method, args, expected, types):
    _, sent = run(sdk, module_testbed, method, args)
    assert sent == expected
    seen = module_testbed.last_trace(method)
    for key, value in types.items():
        if isinstance(value, dict) and isinstance(seen[key], dict):
            assert {k: seen[key].get(k) for k in value} == value, (key, seen[key])
        else:
            assert seen[key] == value, (key, seen[key])


def test_return_values_come_back_as_json(sdk, module_testbed):
    cookie = sdk.call("getCustomerCookie", {}).value
    assert isinstance(cookie, str) and len(cookie) == 36  # the reference SDK's cookie UUID
    assert sdk.call("isInitialized", {}).value is True


def test_sdk_exception_comes_back_naming_method_and_exception(testbed):
    session = attach(testbed, "exponea_android")
    try:
        bad = {"configuration": {"projectToken": "not a token!", "baseURL": "http://127.0.0.1:9/d/x"}}
        with pytest.raises(InstrumentError, match=r"^init: .*RuntimeException.*InvalidConfigurationException"):
            FridaSdkTransport(session).call("init", bad, timeout=15)
        assert FridaSdkTransport(session).call("isInitialized", {}, timeout=15).value is False
    finally:
        session.stop()


def test_unknown_method_is_an_instrument_error(sdk):
    with pytest.raises(InstrumentError, match=r"^nope: unknown SDK call"):
        sdk.call("nope", {})


def test_bare_ping_round_trip(sdk):
    sdk.ping()
    assert isinstance(sdk.session, FridaSession) and sdk.session.is_alive()


def test_the_agent_reads_the_sdk_version_from_buildconfig(sdk):
    # com.exponea.sdk.BuildConfig.EXPONEA_VERSION_NAME, mirrored from sdk/build.gradle:22 (4.10.0)
    assert sdk.sdk_version() == "4.10.0"
