"""The Customer.io agents (native and Flutter) on the real test-bed JVM: Frida attaches, the agent calls
the Java mirrors of io.customer.sdk.CustomerIO (or hands a MethodCall to the Flutter plugin's
customer_io handler), and the canonical call reaches the virtual app's reference SDK with the right
arguments and the SDK's Java types (read from the test bed's trace).

The reference SDK here is a stand-in registered for these tests only (``cio_standin``): it accepts the
calls and the test reads what reached it, which is what the agents are responsible for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Bed, attach

from harness.errors import InstrumentError
from harness.instrument.frida_transport import FridaSdkTransport, UnsupportedCall
from harness.sdk import registry

ROOT = Path(__file__).resolve().parents[2]
D, INT, S, B, HM = "java.lang.Double", "java.lang.Integer", "java.lang.String", "java.lang.Boolean", "java.util.HashMap"
KEY = "cdp-key-1"
CONFIG = {
    "cdpApiKey": KEY,
    "region": "EU",
    "apiHost": "127.0.0.1:9/d/x/v1",
    "cdnHost": "127.0.0.1:9/d/x/v1",
    "flushAt": 5,
    "scheme": "http",
}


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Registers tests.instrument.cio_standin (entry point on sys.path and the subprocesses' PYTHONPATH)."""
    site = tmp_path_factory.mktemp("site")
    dist = site / "cio_standin-0.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cio-standin\nVersion: 0.0.0\n")
    (dist / "entry_points.txt").write_text("[harness.sdks]\ncio_standin = tests.instrument.cio_standin:SDK\n")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT), old or ""])
    sys.path.insert(0, str(site))
    registry.reset()
    yield
    sys.path.remove(str(site))
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old
    registry.reset()


@pytest.fixture(scope="module")
def bed(standin: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    b = Bed(tmp_path_factory.mktemp("cio-bed"), ["--sdk", "cio_standin"])
    yield b
    b.stop()


def session(bed: Bed, agent: str) -> Iterator[FridaSdkTransport]:
    s = attach(bed, agent)
    try:
        yield FridaSdkTransport(s)
    finally:
        s.stop()


@pytest.fixture(scope="module")
def native(bed: Bed) -> Iterator[FridaSdkTransport]:
    yield from session(bed, "customerio_android")


@pytest.fixture(scope="module")
def flutter(bed: Bed, native: FridaSdkTransport) -> Iterator[FridaSdkTransport]:
    yield from session(bed, "customerio_flutter_android")


def sent(bed: Bed, sdk: FridaSdkTransport, method: str, args: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    mark = bed.mark()
    sdk.call(method, args, timeout=15)
    return bed.sdk_calls(mark)


def test_sdk_call_before_initialize_is_the_sdks_error(bed, standin):
    s = attach(bed, "customerio_android")
    try:
        with pytest.raises(InstrumentError, match=r"^track: .*CustomerIO is not initialized"):
            FridaSdkTransport(s).call("track", {"name": "early"}, timeout=15)
    finally:
        s.stop()


def test_native_init_builds_config_with_builder_and_push_module(bed, native):
    calls = sent(bed, native, "init", {"configuration": {**CONFIG, "autoTrackPushEvents": False}})
    assert calls == [
        (
            "init",
            {
                "configuration": {
                    "cdpApiKey": KEY,
                    "region": "EU",
                    "apiHost": CONFIG["apiHost"],
                    "cdnHost": CONFIG["cdnHost"],
                    "flushAt": 5,
                    "flushInterval": 30,
                    "trackApplicationLifecycleEvents": True,
                    "autoTrackDeviceAttributes": True,
                    "screenViewUse": "All",
                    "autoTrackPushEvents": False,
                    "scheme": "http",  # Segment's RequestFactory.openConnection, rewritten by the agent's hook
                }
            },
        )
    ]
    assert bed.last_trace("initialize")["applicationContext"] == "android.app.Application"


@pytest.mark.parametrize(
    ("method", "args", "expected", "types"),
    [
        ("identify", {"userId": "u1"}, {"userId": "u1"}, {"traits": "absent"}),
        (
            "identify",
            {"userId": "u1", "traits": {"n": 2, "s": "x"}},
            {"userId": "u1", "traits": {"n": 2.0, "s": "x"}},
            {"traits": {"@": HM, "n": D, "s": S}},
        ),
        (
            "track",
            {"name": "purchase", "properties": {"price": 9.5, "ok": True, "tags": ["a", 1]}},
            {"name": "purchase", "properties": {"price": 9.5, "ok": True, "tags": ["a", 1.0]}},
            {"name": S, "properties": {"@": HM, "price": D, "ok": B, "tags": ["java.util.ArrayList", S, D]}},
        ),
        ("track", {"name": "bare"}, {"name": "bare"}, {"properties": "absent"}),
        (  # a canonical date is a java.util.Date in the SDK's map (docs/sdk-calls.md), handed on as the canonical value
            "track",
            {"name": "renewal", "properties": {"due": {"$date": "2024-06-01T00:00:00.000Z"}, "n": 1}},
            {"name": "renewal", "properties": {"due": {"$date": "2024-06-01T00:00:00.000Z"}, "n": 1.0}},
            {"properties": {"@": HM, "due": "java.util.Date", "n": D}},
        ),
        ("screen", {"title": "Home", "properties": {"a": 1}}, {"title": "Home", "properties": {"a": 1.0}}, {}),
        ("screen", {"title": "Home"}, {"title": "Home"}, {"properties": "absent"}),
        ("clearIdentify", {}, {}, {}),
        (
            "setProfileAttributes",
            {"attributes": {"plan": "pro"}},
            {"attributes": {"plan": "pro"}},
            {"attributes": {"@": HM, "plan": S}},
        ),
        (
            "setDeviceAttributes",
            {"attributes": {"n": 1}},
            {"attributes": {"n": 1.0}},
            {"attributes": {"@": HM, "n": D}},
        ),
        ("registerDeviceToken", {"token": "tok"}, {"token": "tok"}, {"deviceToken": S}),
        ("deleteDeviceToken", {}, {}, {}),
        (
            "trackMetric",
            {"deliveryId": "d1", "deviceToken": "tok", "event": "opened"},
            {"deliveryId": "d1", "deviceToken": "tok", "event": "opened"},
            {"event": "io.customer.sdk.events.TrackMetric$Push"},
        ),
        ("flush", {}, {}, {}),
    ],
)
def test_native_call_reaches_sdk(bed, native, method, args, expected, types):
    native.call("init", {"configuration": CONFIG}, timeout=15)
    assert sent(bed, native, method, args) == [(method, expected)]
    seen = bed.last_trace(method)
    for key, value in types.items():
        if isinstance(value, dict):
            assert {k: seen[key].get(k) for k in value} == value, (key, seen[key])
        else:
            assert seen[key] == value, (key, seen[key])


def test_native_sdk_version_is_the_version_constant(native):
    assert native.sdk_version() == "4.19.0"  # io.customer.sdk.Version.version (core/.../Version.kt:10)


def test_bad_metric_and_unknown_config_key_are_refused(native):
    with pytest.raises(InstrumentError, match="event must be delivered"):
        native.call("trackMetric", {"deliveryId": "d", "deviceToken": "t", "event": "bounced"}, timeout=15)
    with pytest.raises(InstrumentError, match="unknown configuration field siteId"):
        native.call("init", {"configuration": {**CONFIG, "siteId": "x"}}, timeout=15)


def flutter_args(bed: Bed, channel_method: str) -> Any:
    return bed.last_trace("flutter:" + channel_method)["arguments"]


def test_flutter_initialize_sends_the_dart_config_map(bed, flutter):
    calls = sent(bed, flutter, "init", {"configuration": {**CONFIG, "flushInterval": 10, "screenViewUse": "InApp"}})
    args = flutter_args(bed, "initialize")
    assert args["flushAt"] == INT and args["flushInterval"] == INT and args["migrationSiteId"] == "null"
    config = calls[-1][1]["configuration"]
    assert calls[-1][0] == "init" and config["region"] == "EU" and config["flushAt"] == 5
    assert config["flushInterval"] == 10 and config["screenViewUse"] == "InApp" and config["scheme"] == "http"
    assert config["autoTrackPushEvents"] is True  # the plugin's push module, default config


@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        # Dart drops nulls; the plugin calls the overload without a map when it is empty
        ("identify", {"userId": "u", "traits": {"a": None}}, [("identify", {"userId": "u"})]),
        (
            "identify",
            {"userId": "u", "traits": {"a": 1, "b": None}},
            [("identify", {"userId": "u", "traits": {"a": 1}})],
        ),
        (
            "track",
            {"name": "purchase", "properties": {"price": 9.5, "n": 2}},
            [("track", {"name": "purchase", "properties": {"price": 9.5, "n": 2}})],
        ),
        ("track", {"name": "bare", "properties": {}}, [("track", {"name": "bare"})]),
        ("screen", {"title": "Home"}, [("screen", {"title": "Home"})]),
        ("clearIdentify", {}, [("clearIdentify", {})]),
        (
            "setProfileAttributes",
            {"attributes": {"plan": "pro"}},
            [("setProfileAttributes", {"attributes": {"plan": "pro"}})],
        ),
        ("setProfileAttributes", {"attributes": {}}, []),  # the plugin logs and calls nothing
        ("setDeviceAttributes", {"attributes": {"k": None}}, []),
        ("registerDeviceToken", {"token": "tok"}, [("registerDeviceToken", {"token": "tok"})]),
        ("deleteDeviceToken", {}, [("deleteDeviceToken", {})]),
        (
            "trackMetric",
            {"deliveryId": "d", "deviceToken": "t", "event": "delivered"},
            [("trackMetric", {"deliveryId": "d", "deviceToken": "t", "event": "delivered"})],
        ),
        ("flush", {}, [("flush", {})]),
    ],
)
def test_flutter_call_reaches_sdk_as_the_plugin_hands_it(bed, flutter, method, args, expected):
    flutter.call("init", {"configuration": CONFIG}, timeout=15)
    assert sent(bed, flutter, method, args) == expected


def test_flutter_channel_types(bed, flutter):
    flutter.call("init", {"configuration": CONFIG}, timeout=15)
    flutter.call("track", {"name": "t", "properties": {"n": 1, "x": 1.5}}, timeout=15)
    assert flutter_args(bed, "track") == {"@": HM, "name": S, "properties": {"@": HM, "n": INT, "x": D}}
    flutter.call("clearIdentify", {}, timeout=15)
    assert flutter_args(bed, "clearIdentify") == {"@": HM}
    flutter.call("trackMetric", {"deliveryId": "d", "deviceToken": "t", "event": "opened"}, timeout=15)
    assert flutter_args(bed, "trackMetric") == {"@": HM, "deliveryId": S, "deliveryToken": S, "metricEvent": S}


def test_flutter_refuses_what_dart_cannot_say(flutter):
    with pytest.raises(UnsupportedCall, match='event "clicked" has no Flutter form'):
        flutter.call("trackMetric", {"deliveryId": "d", "deviceToken": "t", "event": "clicked"}, timeout=15)
    refused = r"configuration\.autoTrackPushEvents false is not expressible through the customer_io Flutter plugin"
    with pytest.raises(UnsupportedCall, match=refused):
        flutter.call("init", {"configuration": {**CONFIG, "autoTrackPushEvents": False}}, timeout=15)
    with pytest.raises(UnsupportedCall, match="a date value is not expressible through the customer_io Flutter plugin"):
        flutter.call("track", {"name": "d", "properties": {"due": {"$date": "2024-06-01T00:00:00.000Z"}}}, timeout=15)


def test_flutter_agent_reads_the_native_sdk_version(flutter):
    assert flutter.sdk_version() == "4.19.0"
