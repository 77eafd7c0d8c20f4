"""The Customer.io Flutter bridge (what the plugin hands the native SDK) and the typed facade."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.instrument.transport import CallResult
from harness.sdks.customerio.facade import CustomerIoSdk
from harness.sdks.customerio.flutter_plugin import bridge


def test_bridge_drops_nulls_and_empty_maps_like_dart_and_the_plugin():
    assert bridge("flutter", "track", {"name": "p", "properties": {"a": None}}) == {"name": "p"}
    assert bridge("flutter", "identify", {"userId": "u", "traits": {"a": 1, "b": None}}) == {
        "userId": "u",
        "traits": {"a": 1},
    }
    assert bridge("flutter", "screen", {"title": "t", "properties": {}}) == {"title": "t"}
    assert bridge("flutter", "setDeviceAttributes", {"attributes": {"k": 1, "n": None}}) == {"attributes": {"k": 1}}
    assert bridge("flutter", "init", {"configuration": {"cdpApiKey": "k"}})["configuration"]["autoTrackPushEvents"]


def test_bridge_leaves_native_calls_alone():
    args = {"name": "p", "properties": {"a": None}}
    assert bridge("native", "track", args) is args


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, method: str, args: Mapping[str, Any], timeout: float = 10.0) -> CallResult:
        self.calls.append((method, dict(args)))
        return CallResult(None, 0.0)


def test_facade_sends_the_contract_names_and_leaves_absent_maps_out():
    rec = Recorder()
    sdk = CustomerIoSdk(rec)
    sdk.identify("u")
    sdk.track("purchase", {"price": 9.5})
    sdk.track_metric("d", "t", "opened")
    sdk.flush()
    assert rec.calls == [
        ("identify", {"userId": "u"}),
        ("track", {"name": "purchase", "properties": {"price": 9.5}}),
        ("trackMetric", {"deliveryId": "d", "deviceToken": "t", "event": "opened"}),
        ("flush", {}),
    ]
