"""The generic Flutter channel agent (``_flutter.js`` through ``harness.instrument.flutter_channel``) on the
real test-bed JVM: it finds a plugin's handler by channel name alone, in the bed's mirror of the Flutter
engine (DartMessenger's handler map, filled by MethodChannel.setMethodCallHandler), and hands it
MethodCalls whose arguments have the standard codec's Java types.

Proven for two plugins the agent knows nothing of: the Antsomi plugin mirror (``antsomisdk``; its
mirror records the types and values it received, and hands each call to the stand-in SDK in a virtual
app started with ``--sdk antsomi``) and Exponea's (``com.exponea``, on a bed of its own whose virtual
app runs the Exponea reference SDK), whose call ends as a real request in a real collector.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Bed

from harness.errors import InstrumentError
from harness.instrument.flutter_channel import (
    FLUTTER_AGENTS,
    Float32List,
    Float64List,
    FlutterChannel,
    Int32List,
    Int64List,
    PlatformError,
    decode,
    encode,
    flutter_channel,
)
from harness.instrument.frida_session import FridaSession

S, INT, LONG, D, B, HM, AL = (
    "java.lang.String",
    "java.lang.Integer",
    "java.lang.Long",
    "java.lang.Double",
    "java.lang.Boolean",
    "java.util.HashMap",
    "java.util.ArrayList",
)


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    """The bed whose virtual app runs the STAND-IN Antsomi SDK behind the plugin mirror."""
    b = Bed(tmp_path_factory.mktemp("flutter-bed"), app_args=["--sdk", "antsomi"])
    yield b
    b.stop()


@pytest.fixture(scope="module")
def session(bed: Bed) -> Iterator[FridaSession]:
    s = FridaSession(list(FLUTTER_AGENTS), target=bed.pid, uri="jvm:android")
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def antsomi(session: FridaSession) -> FlutterChannel:
    return FlutterChannel(session, "antsomisdk")


def received(bed: Bed, method: str) -> tuple[Any, Any]:
    """(Java types, values) of the arguments the Antsomi mirror's ``method`` received last."""
    found = [t for t in bed.lines() if t.get("method") == "antsomi:" + method]
    assert found, f"antsomisdk.{method} never reached the plugin"
    return found[-1]["args"]["arguments"], found[-1]["values"]["arguments"]


def test_config_reaches_the_plugin_as_a_string_map_and_answers_true(bed, antsomi):
    # url: the stand-in SDK's (the runner's connect adds it); port 9 refuses, and the stand-in drops what fails
    url = "http://127.0.0.1:9/antsomi/v3/event"
    args = {"portalId": "564892334", "propsId": "565018501", "appGroupId": None, "applicationId": "app.id", "url": url}
    assert antsomi.call("config", args) is True
    types, values = received(bed, "config")
    assert types == {"@": HM, "portalId": S, "propsId": S, "appGroupId": "null", "applicationId": S, "url": S}
    assert values == args
    assert antsomi.call("getPortalId") == "564892334"
    assert antsomi.call("getPropsId") == "565018501"


def test_customer_is_set_read_and_reset_both_ways(bed, antsomi):
    props = {"name": "Ann", "email": "ann@example.com"}
    assert antsomi.call("setCustomerProperties", {"customerId": "C-1", "customerProperties": props}) is None
    types, values = received(bed, "setCustomerProperties")
    assert types == {"@": HM, "customerId": S, "customerProperties": {"@": HM, "name": S, "email": S}}
    assert values == {"customerId": "C-1", "customerProperties": props}
    assert antsomi.call("getCustomerId") == "C-1"
    antsomi.call("resetCustomer")
    assert received(bed, "resetCustomer") == ("null", None)
    assert antsomi.call("getCustomerId") is None
    antsomi.call("setCustomerProperties", {"customerId": "C-2"})
    antsomi.call("removeCustomer")
    assert antsomi.call("getCustomerId") is None


def test_uid_get_set_reset(bed, antsomi):
    first = antsomi.call("getUid")
    assert isinstance(first, str) and first
    assert antsomi.call("setUid", "uid-X") is None
    assert received(bed, "setUid") == (S, "uid-X")
    assert antsomi.call("getUid") == "uid-X"
    antsomi.call("resetUid")
    assert antsomi.call("getUid") not in ("uid-X", first)


def test_track_cdp_event_map_keeps_every_dart_type(bed, antsomi):
    event = {
        "en": "view_product",
        "items": [{"type": "product", "id": "sku-1", "price": 9.5, "qty": 2}],
        "eventProps": {"big": 2**40, "whole": 3.0, "flag": True, "nothing": None, "neg": -(2**31)},
        "customerProps": {"customer_id": "C-1"},
        "objectProps": {},
        "userProps": {},
        "propsId": "565018501",
    }
    assert antsomi.call("track", event) is None
    types, values = received(bed, "track")
    assert types["items"] == [AL, {"@": HM, "type": S, "id": S, "price": D, "qty": INT}]
    # a Dart int within 32 bits is Integer, beyond is Long; a double stays Double even when integral
    assert types["eventProps"] == {"@": HM, "big": LONG, "whole": D, "flag": B, "nothing": "null", "neg": INT}
    assert types["objectProps"] == {"@": HM} and types["customerProps"] == {"@": HM, "customer_id": S}
    assert values == event


def test_track_screen(bed, antsomi):
    antsomi.call("trackScreen", {"name": "Home", "title": "Home title", "type": "home"})
    types, values = received(bed, "trackScreen")
    assert types == {"@": HM, "name": S, "title": S, "type": S}
    assert values == {"name": "Home", "title": "Home title", "type": "home"}


def test_typed_lists_bytes_and_non_string_keys_arrive_as_the_codec_makes_them(bed, antsomi):
    props = {
        "bytes": b"\x00\x7f\x80\xff",
        "i32": Int32List((1, -2, 2**31 - 1)),
        "i64": Int64List((2**40, -1)),
        "f32": Float32List((0.5, 2.0)),
        "f64": Float64List((1.25, 3.0)),
        "byId": {7: "seven", 2**35: "big"},
        "literal": {"$double": 1},
        "huge": 2**63 - 1,
    }
    antsomi.call("track", {"en": "typed", "eventProps": props})
    types, values = received(bed, "track")
    got = types["eventProps"]
    assert [got[k] for k in ("bytes", "i32", "i64", "f32", "f64")] == ["[B", "[I", "[J", "[F", "[D"]
    assert got["byId"]["@"] == HM and got["byId"]["7"] == S and got["byId"]["@key"] in (INT, LONG)
    assert got["literal"] == {"@": HM, "$double": INT} and got["huge"] == LONG
    v = values["eventProps"]
    assert v["bytes"] == [0, 127, -128, -1]  # Java bytes are signed: the same four octets
    assert v["i32"] == [1, -2, 2**31 - 1] and v["i64"] == [2**40, -1]
    assert v["f32"] == [0.5, 2.0] and v["f64"] == [1.25, 3.0]
    assert sorted(v["byId"]) == [[7, "seven"], [2**35, "big"]] and v["huge"] == 2**63 - 1


def test_errors_and_missing_methods_come_back_as_dart_would_see_them(antsomi):
    outcome = antsomi.invoke("setCustomerProperties", {"customerId": 42})
    assert outcome.kind == "error" and outcome.code == "antsomisdk"
    assert "customerId must be a java.lang.String, not java.lang.Integer" in (outcome.message or "")
    assert outcome.details == "setCustomerProperties"
    assert antsomi.invoke("getDeviceToken").kind == "notImplemented"
    with pytest.raises(PlatformError, match=r"MissingPluginException"):
        antsomi.call("getDeviceToken")
    with pytest.raises(PlatformError, match=r"PlatformException\(antsomisdk, en is required\)"):
        antsomi.call("track", {"items": []})


def test_an_unknown_channel_names_the_channels_that_have_a_handler(session):
    with pytest.raises(InstrumentError) as err:
        flutter_channel(session, "antsomi_sdk", "getUid")
    assert 'no Flutter plugin registered a handler for channel "antsomi_sdk"' in str(err.value)
    assert "antsomisdk, com.exponea, customer_io, harness/raw_messages)" in str(err.value)


def test_a_channel_dart_only_sent_on_has_no_handler_yet(session):
    """The engine buffers messages for a channel without a handler, in another map keyed by channel name:
    that is no handler, and the agent says so."""
    with pytest.raises(
        InstrumentError, match='no Flutter plugin registered a handler for channel "harness/not_registered_yet"'
    ):
        flutter_channel(session, "harness/not_registered_yet", "anything")


def test_a_handler_that_is_not_a_method_channel_is_named(session):
    with pytest.raises(
        InstrumentError, match=r'channel "harness/raw_messages" is not a MethodChannel: its handler is a '
    ):
        flutter_channel(session, "harness/raw_messages", "anything")


def test_values_round_trip_through_the_agents_java_objects(tmp_path, bed):
    """toDart then fromDart inside the app: what the plugin would answer comes back with its Dart type."""
    probe = tmp_path / "probe.js"
    probe.write_text(
        "rpc.exports.roundTrip = function (v) { var out; Java.performNow(function () "
        "{ out = F.fromDart(F.toDart(v)); }); return out; };\n"
    )
    s = FridaSession([*FLUTTER_AGENTS, probe], target=bed.pid, uri="jvm:android")
    s.start()
    try:
        value = {
            "i": 5,
            "d": 5.0,
            "f": 0.25,
            "l": 2**40,
            "huge": 2**62 + 1,
            "s": "x",
            "b": False,
            "n": None,
            "list": [1, [2.0]],
            "bytes": b"\x01\xfe",
            "i32": Int32List((3,)),
            "i64": Int64List((4,)),
            "f64": Float64List((1.5,)),
            "keys": {1: "a"},
            "literal": {"$long": "x"},
        }
        back = decode(s.call("roundTrip", encode(value), timeout=15))
        assert back == value
        assert type(back["d"]) is float and type(back["i"]) is int and type(back["l"]) is int
    finally:
        s.stop()


def test_bad_typed_json_is_refused_with_the_reason(session):
    with pytest.raises(InstrumentError, match=r"\$bytes holds 0\.\.255, not 300"):
        session.call("flutterChannel", "antsomisdk", "track", {"en": "x", "eventProps": {"b": {"$bytes": [300]}}})
    with pytest.raises(ValueError, match="finite"):
        encode(float("nan"))


def test_exponea_plugin_driven_by_channel_name_sends_a_real_request(tmp_path, live_collector):
    bed = Bed(tmp_path)  # its virtual app runs the Exponea reference SDK
    session = FridaSession(list(FLUTTER_AGENTS), target=bed.pid, uri="jvm:android")
    session.start()
    try:
        _exponea_sends(bed, session, live_collector)
    finally:
        session.stop()
        bed.stop()


def _exponea_sends(bed: Bed, session: FridaSession, live_collector: Any) -> None:
    exponea = FlutterChannel(session, "com.exponea")
    url = live_collector.device_url("generic-flutter")
    exponea.call("configure", {"projectToken": "tok-g", "authorizationToken": "key-g", "baseUrl": url})
    assert exponea.call("isConfigured") is True
    exponea.call("trackEvent", {"name": "through_channel", "properties": {"n": 1, "x": 1.5}})  # flush mode: immediate
    bodies: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("through_channel" in b for b in bodies):
        time.sleep(0.1)
        bodies = [r.body for r in live_collector.store.query(device="generic-flutter", kinds=["tracking"])]
    sent = [b for b in bodies if '"through_channel"' in b]
    assert sent, f"no tracking request reached the collector; saw {bodies}"
    assert '"n":1' in sent[0] and '"x":1.5' in sent[0]


def test_an_agent_file_that_is_not_loaded_is_named(bed):
    s = FridaSession(["_java"], target=bed.pid, uri="jvm:android")
    s.start()
    try:
        with pytest.raises(InstrumentError, match="exports no flutterChannel"):
            flutter_channel(s, "antsomisdk", "getUid")
    finally:
        s.stop()


def test_the_typed_json_helpers_are_inverse(tmp_path: Path):
    value = {"a": [1, 2.0, b"\x00"], 3: Int64List((1,)), "$map": None}
    assert decode(encode(value)) == value
    assert encode({"$double": 1}) == {"$map": [["$double", 1]]}
