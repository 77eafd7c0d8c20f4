"""The Flutter (Android) agent on the real test-bed JVM: it builds io.flutter.plugin.common.MethodCall
with the codec's types and hands it to com.exponea.ExponeaMethodHandler.onMethodCall; the mirror
handler parses it as ExponeaPlugin.kt does and the canonical call reaches the real virtual app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import Bed, attach

from harness.errors import InstrumentError
from harness.instrument.frida_transport import FridaSdkTransport

D, INT, S, HM = "java.lang.Double", "java.lang.Integer", "java.lang.String", "java.util.HashMap"


@pytest.fixture(scope="module")
def sdk(module_testbed: Bed) -> Iterator[FridaSdkTransport]:
    session = attach(module_testbed, "exponea_flutter_android")
    transport = FridaSdkTransport(session)
    routed = {"baseUrl": "http://127.0.0.1:9/d/2", "projectToken": "t2", "authorization": "Token k2"}
    config = {
        "projectToken": "tok-1",
        "authorization": "Token key",
        "baseURL": "http://127.0.0.1:9/d/1",
        "maxTries": 4,
        "sessionTimeout": 30,
        "projectRouteMap": {"TRACK_EVENT": [routed]},
    }
    transport.call("init", {"configuration": config}, timeout=15)
    yield transport
    session.stop()


def flutter_args(bed: Bed, channel_method: str):
    return bed.last_trace("flutter:" + channel_method)["arguments"]


def test_configure_map_has_codec_types_and_plugin_adds_token_prefix(sdk, module_testbed):
    args = flutter_args(module_testbed, "configure")
    assert args["@"] == HM
    assert args["authorizationToken"] == S and args["flushMaxRetries"] == D and args["sessionTimeout"] == D
    assert args["projectMapping"]["TRACK_EVENT"][0] == "java.util.ArrayList"
    init = [p for m, p in module_testbed.sdk_calls() if m == "init"][-1]["configuration"]
    assert (
        init["authorization"] == "Token key" and init["maxTries"] == 4 and init["baseURL"] == "http://127.0.0.1:9/d/1"
    )
    assert init["projectRouteMap"]["TRACK_EVENT"][0]["authorization"] == "Token k2"


def test_track_event_without_timestamp_reaches_native_with_explicit_null(sdk, module_testbed):
    sdk.call("trackEvent", {"eventType": "view", "properties": {"n": 1, "x": 1.5}})
    args = flutter_args(module_testbed, "trackEvent")
    assert args["name"] == S and "timestamp" not in args
    assert args["properties"] == {"@": HM, "n": INT, "x": D}  # Dart int -> Integer, double -> Double
    # ExponeaPlugin.kt passes the missing timestamp through as null (flutter-sdk-bridge.md §3).
    expected = {"eventType": "view", "properties": {"n": 1, "x": 1.5}, "timestamp": None}
    assert module_testbed.sdk_calls()[-1] == ("trackEvent", expected)


def test_track_event_with_timestamp_sends_a_double(sdk, module_testbed):
    sdk.call("trackEvent", {"eventType": "view", "properties": {}, "timestamp": 100})
    assert flutter_args(module_testbed, "trackEvent")["timestamp"] == D
    assert module_testbed.sdk_calls()[-1][1]["timestamp"] == 100.0


def test_session_start_argument_is_a_bare_double(sdk, module_testbed):
    sdk.call("trackSessionStart", {"timestamp": 7})
    assert flutter_args(module_testbed, "trackSessionStart") == D
    sdk.call("trackSessionStart", {})
    assert flutter_args(module_testbed, "trackSessionStart") == "null"
    assert module_testbed.sdk_calls()[-1] == ("trackSessionStart", {})


def test_payment_value_is_a_double_and_timestamp_key_is_always_sent(sdk, module_testbed):
    item = {"value": 10, "currency": "EUR", "paymentSystem": "gp", "productId": "p", "productTitle": "t"}
    sdk.call("trackPaymentEvent", {"purchasedItem": item})
    args = flutter_args(module_testbed, "trackPaymentEvent")
    assert args["purchasedItem"]["value"] == D and args["timestamp"] == "null"
    assert module_testbed.sdk_calls()[-1][1]["purchasedItem"]["value"] == 10.0


def test_flush_period_is_an_integer_and_needs_period_mode(sdk, module_testbed):
    not_periodic = r"PlatformException\(ExponeaPlugin, Flush mode is not periodic"
    with pytest.raises(InstrumentError, match=not_periodic):
        sdk.call("setFlushPeriod", {"seconds": 60})
    sdk.call("setFlushMode", {"mode": "PERIOD"})
    sdk.call("setFlushPeriod", {"seconds": 60})
    assert flutter_args(module_testbed, "setFlushPeriod") == INT
    assert module_testbed.sdk_calls()[-1] == ("setFlushPeriod", {"seconds": 60.0})


def test_identify_anonymize_push_and_cookie(sdk, module_testbed):
    sdk.call("identifyCustomer", {"customerIds": {"registered": "r"}, "properties": {}})
    expected = {"customerIds": {"registered": "r"}, "properties": {}}
    assert module_testbed.sdk_calls()[-1] == ("identifyCustomer", expected)
    sdk.call("anonymize", {})
    assert module_testbed.sdk_calls()[-1] == ("anonymize", {})
    sdk.call("trackPushToken", {"token": "t"})
    assert flutter_args(module_testbed, "trackPushToken") == S
    sdk.call(
        "trackClickedPush", {"data": {"attributes": {"a": "b"}}, "actionData": {"actionType": "app"}, "timestamp": 5}
    )
    clicked = module_testbed.sdk_calls()[-1][1]
    assert clicked["data"]["attributes"] == {"a": "b"} and clicked["actionData"]["actionType"] == "app"
    assert clicked["timestamp"] == 5.0
    cookie = sdk.call("getCustomerCookie", {}).value
    assert isinstance(cookie, str) and len(cookie) == 36
    assert sdk.call("isInitialized", {}).value is True


def test_plugin_default_timestamps_come_from_the_device_clock(sdk, module_testbed):
    """The plugin's "now" (receivedSeconds ?: now) is the device's clock: the virtual app's, moved here."""
    before = module_testbed.rpc.call("app.ping").device_time
    module_testbed.rpc.call("env.advance_clock", {"seconds": 7200})
    sdk.call("trackDeliveredPush", {"data": {"attributes": {}}})
    sent = module_testbed.sdk_calls()[-1]
    assert sent[0] == "trackDeliveredPush" and sent[1]["timestamp"] >= before + 7200


def test_not_configured_is_the_plugins_error(testbed):
    session = attach(testbed, "exponea_flutter_android")
    try:
        with pytest.raises(InstrumentError, match=r"PlatformException\(ExponeaPlugin, Exponea SDK is not configured"):
            FridaSdkTransport(session).call("trackEvent", {"eventType": "e", "properties": {}}, timeout=15)
        assert not [c for c in testbed.sdk_calls() if c[0] == "trackEvent"]  # stopped at the plugin
    finally:
        session.stop()


def test_the_flutter_agent_reads_the_native_sdk_version_under_the_plugin(sdk):
    assert sdk.sdk_version() == "4.10.0"  # the Exponea Android SDK the plugin bundles
