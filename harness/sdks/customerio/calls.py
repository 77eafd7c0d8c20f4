"""The canonical Customer.io call vocabulary, as data (CIO_CONTRACT: names and argument keys are fixed).

Each call carries a JSON Schema of its arguments, so the scenario loader rejects a misspelled call or
argument, or one of the wrong type, with the scenario's line number before anything runs. The names
are the public API of ``io.customer.sdk.CustomerIO`` 4.19.0 (research other-sdks.md A2); ``flush`` is
the internal Segment ``Analytics.flush()`` (no public API), ``init`` takes ``CustomerIOConfigBuilder``'s
settings by their builder names.
"""

from __future__ import annotations

from typing import Any

from harness.sdk.calls import CallSpec

__all__ = ["CONFIGURATION", "METRICS", "SDK_CALLS"]

Schema = dict[str, Any]

_OBJECT: Schema = {"type": "object"}
_STRING: Schema = {"type": "string"}
_BOOL: Schema = {"type": "boolean"}

# Metric (android:core/.../events/Metric.kt): the wire names are lower case (A3 "Report Delivery Event")
METRICS = ("delivered", "opened", "converted", "clicked")

CONFIGURATION: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "cdpApiKey": _STRING,
        "region": {"enum": ["US", "EU"]},
        "apiHost": _STRING,
        "cdnHost": _STRING,
        "flushAt": {"type": "integer", "minimum": 1},
        "flushInterval": {"type": "number", "exclusiveMinimum": 0},
        "trackApplicationLifecycleEvents": _BOOL,
        "autoTrackDeviceAttributes": _BOOL,
        "screenViewUse": {"enum": ["All", "InApp"]},
        "autoTrackPushEvents": _BOOL,
        "scheme": {"enum": ["https", "http"]},
    },
}

SDK_CALLS: dict[str, CallSpec] = {
    "init": CallSpec(
        optional=("configuration",), types={"configuration": {**CONFIGURATION, "type": ["object", "null"]}}
    ),
    "identify": CallSpec(required=("userId",), optional=("traits",), types={"userId": _STRING, "traits": _OBJECT}),
    "track": CallSpec(required=("name",), optional=("properties",), types={"name": _STRING, "properties": _OBJECT}),
    "screen": CallSpec(required=("title",), optional=("properties",), types={"title": _STRING, "properties": _OBJECT}),
    "clearIdentify": CallSpec(),
    "setProfileAttributes": CallSpec(required=("attributes",), types={"attributes": _OBJECT}),
    "setDeviceAttributes": CallSpec(required=("attributes",), types={"attributes": _OBJECT}),
    "registerDeviceToken": CallSpec(required=("token",), types={"token": _STRING}),
    "deleteDeviceToken": CallSpec(),
    "trackMetric": CallSpec(
        required=("deliveryId", "deviceToken", "event"),
        types={"deliveryId": _STRING, "deviceToken": _STRING, "event": {"enum": list(METRICS)}},
    ),
    "flush": CallSpec(),
}
