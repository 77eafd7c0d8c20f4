"""The canonical SDK call vocabulary (``docs/sdk-calls.md``), as data.

Scenarios, the typed facade and every agent use these names and argument names. Each call carries a
JSON Schema of its arguments (:attr:`CallSpec.schema`), so the scenario loader rejects a misspelled
call, a misspelled argument or an argument of the wrong type with the scenario's line number, before
anything runs (a string where ``properties`` needs an object would otherwise surface as an exception
deep inside the profile, or be blamed on a later step). ``harness/scenario/schema.json`` is generated
from this table (``python -m harness.scenario.vocabulary``), and a test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

from harness.sdk.calls import CallSpec

__all__ = ["CONFIGURATION", "SDK_CALLS", "CallSpec"]

Schema = dict[str, Any]

_OBJECT: Schema = {"type": "object"}
_STRING: Schema = {"type": "string"}
_NUMBER: Schema = {"type": "number"}
_BOOL: Schema = {"type": "boolean"}
# absent: "the SDK's default" (now); null: passed as null (trackEvent then sends no timestamp)
_TIMESTAMP: Schema = {"type": ["number", "null"]}
_PROJECT: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"baseUrl": _STRING, "projectToken": _STRING, "authorization": {"type": ["string", "null"]}},
}
_ROUTE_MAP: Schema = {"type": "object", "additionalProperties": {"type": "array", "items": _PROJECT}}
_FLUSH_MODES = ["IMMEDIATE", "PERIOD", "APP_CLOSE", "MANUAL"]

# init.configuration: ExponeaConfiguration field names (android-sdk-spec.md), the Exponea properties
# set right after init (flushMode, flushPeriod) and the iOS-only streamId (docs/sdk-calls.md).
CONFIGURATION: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "projectToken": _STRING,
        "authorization": {"type": ["string", "null"]},
        "baseURL": _STRING,
        "projectRouteMap": _ROUTE_MAP,
        "defaultProperties": _OBJECT,
        "automaticSessionTracking": _BOOL,
        "sessionTimeout": {"type": "number", "minimum": 0},
        "campaignTTL": {"type": "number", "minimum": 0},
        "tokenTrackFrequency": {"enum": ["ON_TOKEN_CHANGE", "EVERY_LAUNCH", "DAILY"]},
        "requirePushAuthorization": _BOOL,
        "allowDefaultCustomerProperties": _BOOL,
        "manualSessionAutoClose": _BOOL,
        "applicationId": _STRING,
        "maxTries": {"type": "integer", "minimum": 0},
        "automaticPushNotification": _BOOL,
        "flushMode": {"enum": _FLUSH_MODES},
        "flushPeriod": {"type": "number", "exclusiveMinimum": 0},
        "streamId": _STRING,
    },
}

_PUSH_DATA: Schema = {"type": ["object", "null"]}
_ACTION_DATA: Schema = {"type": ["object", "null"]}
_PURCHASED_ITEM: Schema = {
    "type": "object",
    "required": ["value", "currency"],
    "properties": {
        "value": _NUMBER,
        "currency": _STRING,
        "paymentSystem": _STRING,
        "productId": _STRING,
        "productTitle": _STRING,
        "receipt": {"type": ["string", "null"]},
    },
}


def _push(*names: str) -> dict[str, Schema]:
    known = {"data": _PUSH_DATA, "actionData": _ACTION_DATA, "timestamp": _TIMESTAMP}
    return {n: known[n] for n in names}


_TOKEN = {"token": {"type": "string", "minLength": 1}}

SDK_CALLS: dict[str, CallSpec] = {
    "init": CallSpec(
        optional=("configuration",), types={"configuration": {**CONFIGURATION, "type": ["object", "null"]}}
    ),
    "trackEvent": CallSpec(
        required=("eventType",),
        optional=("properties", "timestamp"),
        types={"eventType": {"type": ["string", "null"]}, "properties": _OBJECT, "timestamp": _TIMESTAMP},
    ),
    "identifyCustomer": CallSpec(
        required=("customerIds",), optional=("properties",), types={"customerIds": _OBJECT, "properties": _OBJECT}
    ),
    "anonymize": CallSpec(
        optional=("exponeaProject", "projectRouteMap"),
        types={
            "exponeaProject": {**_PROJECT, "type": ["object", "null"]},
            "projectRouteMap": {**_ROUTE_MAP, "type": ["object", "null"]},
        },
    ),
    "trackSessionStart": CallSpec(optional=("timestamp",), types={"timestamp": _TIMESTAMP}),
    "trackSessionEnd": CallSpec(optional=("timestamp",), types={"timestamp": _TIMESTAMP}),
    # iOS takes trackPushToken(nil) (ios-sdk-spec.md), so null is a token there
    "trackPushToken": CallSpec(required=("token",), types={"token": {"type": ["string", "null"]}}),
    "trackHmsPushToken": CallSpec(required=("token",), types=_TOKEN),
    "handleNewToken": CallSpec(required=("token",), types=_TOKEN),
    "handleNewHmsToken": CallSpec(required=("token",), types=_TOKEN),
    "trackDeliveredPush": CallSpec(optional=("data", "timestamp"), types=_push("data", "timestamp")),
    "trackDeliveredPushWithoutTrackingConsent": CallSpec(
        optional=("data", "timestamp"), types=_push("data", "timestamp")
    ),
    "trackClickedPush": CallSpec(
        optional=("data", "actionData", "timestamp"), types=_push("data", "actionData", "timestamp")
    ),
    "trackClickedPushWithoutTrackingConsent": CallSpec(
        optional=("data", "actionData", "timestamp"), types=_push("data", "actionData", "timestamp")
    ),
    "trackPaymentEvent": CallSpec(
        required=("purchasedItem",),
        optional=("timestamp",),
        types={"purchasedItem": _PURCHASED_ITEM, "timestamp": _TIMESTAMP},
    ),
    "handleCampaignIntent": CallSpec(required=("url",), types={"url": _STRING}),
    "handleRemoteMessage": CallSpec(
        required=("messageData",),
        optional=("showNotification",),
        types={"messageData": {"type": "object", "additionalProperties": _STRING}, "showNotification": _BOOL},
    ),
    "flushData": CallSpec(),
    "setFlushMode": CallSpec(required=("mode",), types={"mode": {"enum": _FLUSH_MODES}}),
    "setFlushPeriod": CallSpec(required=("seconds",), types={"seconds": {"type": "number", "exclusiveMinimum": 0}}),
    "setDefaultProperties": CallSpec(required=("properties",), types={"properties": _OBJECT}),
    "setSessionTimeout": CallSpec(required=("seconds",), types={"seconds": {"type": "number", "minimum": 0}}),
    "setAutomaticSessionTracking": CallSpec(required=("enabled",), types={"enabled": _BOOL}),
    "stopIntegration": CallSpec(),
    "clearLocalCustomerData": CallSpec(),
    "getCustomerCookie": CallSpec(),
    "isInitialized": CallSpec(),
}
