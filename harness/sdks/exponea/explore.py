"""What ``harness explore`` draws for the Exponea calls: each call's vocabulary schema, narrowed.

The vocabulary schemas (``calls.py``) say what is *well formed*; drawn as they are they give project
tokens and base URLs that point the SDK away from the collector, timestamps a million years off and
campaign URLs without a campaign. Each schema here is a subset of the call's vocabulary schema (a test
checks that every drawn value passes the loader), chosen so a random sequence looks like an app's:
small alphabets for names (so identical names meet), values the app passes in around now, and the
configuration keys that do not repoint the SDK (the runner fills ``projectToken``, ``authorization``
and ``baseURL``). A call missing here is drawn from its vocabulary schema.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PLATFORM_SKIP", "SCHEMAS", "SKIP"]

Schema = dict[str, Any]

_NAME: Schema = {"enum": ["purchase", "view_item", "login", "a", "b"]}
_VALUE: Schema = {
    "anyOf": [
        {"enum": ["x", "y", "long text value", ""]},
        {"type": "integer", "minimum": -5, "maximum": 1000},
        {"type": "boolean"},
    ]
}
_PROPERTIES: Schema = {
    "type": "object",
    "maxProperties": 3,
    "propertyNames": {"enum": ["price", "item", "count", "flag", "os_version"]},
    "additionalProperties": _VALUE,
}
# values the app passes in: around 2024 (seconds), or null (trackEvent then sends none)
_TIMESTAMP: Schema = {"anyOf": [{"type": "integer", "minimum": 1_700_000_000, "maximum": 1_700_100_000}]}
_CONFIGURATION: Schema = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "properties": {
        "defaultProperties": _PROPERTIES,
        "automaticSessionTracking": {"type": "boolean"},
        "sessionTimeout": {"enum": [5, 20, 60, 600]},
        "campaignTTL": {"enum": [10, 600]},
        "tokenTrackFrequency": {"enum": ["ON_TOKEN_CHANGE", "EVERY_LAUNCH", "DAILY"]},
        "requirePushAuthorization": {"type": "boolean"},
        "allowDefaultCustomerProperties": {"type": "boolean"},
        "manualSessionAutoClose": {"type": "boolean"},
        "applicationId": {"enum": ["app-one", "app-two"]},
        "maxTries": {"enum": [1, 3, 10]},
        "automaticPushNotification": {"type": "boolean"},
        "flushMode": {"enum": ["IMMEDIATE", "PERIOD", "APP_CLOSE", "MANUAL"]},
        "flushPeriod": {"enum": [60, 900, 3600]},
    },
}
_IDS: Schema = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 2,
    "propertyNames": {"enum": ["registered", "email"]},
    "additionalProperties": {"enum": ["joe", "ann", "joe@example.com"]},
}
_PUSH: Schema = {
    "enum": [
        None,
        {"campaign_id": "c1", "action_id": 1, "platform": "android", "url_params": {"utm_source": "exponea"}},
        {"notification_id": "7", "attributes": {"campaign_id": "c2", "campaign_name": "spring"}},
        {},
    ]
}
# What the phone delivers (deliver_push, click_push): payloads in FCM form (nested objects as JSON
# strings), mostly Exponea's own (``source: xnpe_platform``; both SDKs ignore any other push, so
# without it no delivered or clicked push rule is reached from the phone), one without consent, one
# silent, one from another platform.
_PHONE_PUSH: Schema = {
    "enum": [
        {
            "source": "xnpe_platform",
            "notification_id": "21",
            "title": "Hi",
            "message": "Spring sale",
            "attributes": '{"campaign_id": "c1", "campaign_name": "spring", "action_id": 2}',
            "url_params": '{"utm_source": "exponea", "utm_campaign": "spring", "xnpe_cmp": "abc"}',
        },
        {
            "source": "xnpe_platform",
            "notification_id": "22",
            "title": "Hi",
            "message": "Custom",
            "attributes": '{"event_type": "my_push", "campaign_id": "c2", "sent_timestamp": 1700000000.5}',
        },
        {
            "source": "xnpe_platform",
            "notification_id": "23",
            "title": "Hi",
            "message": "No consent",
            "has_tracking_consent": "false",
            "attributes": '{"campaign_id": "c3"}',
        },
        {"source": "xnpe_platform", "notification_id": "24", "silent": "true", "attributes": '{"campaign_id": "c4"}'},
        {"source": "other_platform", "notification_id": "25", "title": "Hi", "message": "Not ours"},
    ]
}
_ACTION: Schema = {"enum": [None, {"action": "app", "url": "https://example.com/a"}]}
_PHONE_ACTION: Schema = {
    "enum": [
        None,
        {"actionType": "app", "actionName": "Open", "url": "https://example.com/a"},
        {"actionType": "browser", "actionName": "B1", "url": "https://example.com/b?xnpe_force_track=true", "index": 0},
    ]
}
_MESSAGE: Schema = {
    "enum": [
        {
            "source": "xnpe_platform",
            "notification_id": "11",
            "title": "Hi",
            "message": "Ours",
            "attributes": '{"campaign_id": "ours"}',
        },
        {"source": "other_platform", "notification_id": "12", "title": "Hi", "message": "Not ours"},
    ]
}
_PAYMENT: Schema = {
    "enum": [
        {"value": 9.5, "currency": "EUR", "paymentSystem": "card", "productId": "p1", "productTitle": "Book"},
        {"value": 0, "currency": "USD"},
    ]
}
_TOKEN: Schema = {"enum": ["token-1", "token-2"]}


def _args(required: dict[str, Schema], optional: dict[str, Schema] | None = None, *, bare: bool = False) -> Schema:
    return {
        "type": ["object", "null"] if bare else "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


SCHEMAS: dict[str, Schema] = {
    "init": _args({}, {"configuration": _CONFIGURATION}, bare=True),
    "trackEvent": _args({"eventType": _NAME}, {"properties": _PROPERTIES, "timestamp": _TIMESTAMP}),
    "identifyCustomer": _args({"customerIds": _IDS}, {"properties": _PROPERTIES}),
    "anonymize": {"type": "null"},
    "trackSessionStart": _args({}, {"timestamp": _TIMESTAMP}, bare=True),
    "trackSessionEnd": _args({}, {"timestamp": _TIMESTAMP}, bare=True),
    "trackPushToken": _args({"token": _TOKEN}),
    "trackHmsPushToken": _args({"token": _TOKEN}),
    "handleNewToken": _args({"token": _TOKEN}),
    "handleNewHmsToken": _args({"token": _TOKEN}),
    "trackDeliveredPush": _args({}, {"data": _PUSH, "timestamp": _TIMESTAMP}, bare=True),
    "trackDeliveredPushWithoutTrackingConsent": _args({}, {"data": _PUSH, "timestamp": _TIMESTAMP}, bare=True),
    "trackClickedPush": _args({}, {"data": _PUSH, "actionData": _ACTION, "timestamp": _TIMESTAMP}, bare=True),
    "trackClickedPushWithoutTrackingConsent": _args(
        {}, {"data": _PUSH, "actionData": _ACTION, "timestamp": _TIMESTAMP}, bare=True
    ),
    "trackPaymentEvent": _args({"purchasedItem": _PAYMENT}, {"timestamp": _TIMESTAMP}),
    "handleCampaignIntent": _args(
        {
            "url": {
                "enum": [
                    "https://example.com/p?utm_source=news&utm_campaign=spring&xnpe_cmp=abc",
                    "https://example.com/",
                ]
            }
        }
    ),
    "handleRemoteMessage": _args({"messageData": _MESSAGE}, {"showNotification": {"type": "boolean"}}),
    "setFlushMode": _args({"mode": {"enum": ["IMMEDIATE", "PERIOD", "APP_CLOSE", "MANUAL"]}}),
    "setFlushPeriod": _args({"seconds": {"enum": [60, 900, 3600]}}),
    "setDefaultProperties": _args({"properties": _PROPERTIES}),
    "setSessionTimeout": _args({"seconds": {"enum": [5, 20, 60, 600]}}),
    "setAutomaticSessionTracking": _args({"enabled": {"type": "boolean"}}),
    # the phone's and the collector's steps (harness/scenario/vocabulary.py)
    "wait": {"enum": [1, 5, 30, 120, 1000, 3600, 90000]},
    "push_token": _TOKEN,
    "deliver_push": {
        "type": "object",
        "required": ["payload"],
        "additionalProperties": False,
        "properties": {"payload": _PHONE_PUSH},
    },
    "click_push": {
        "type": "object",
        "required": ["payload"],
        "additionalProperties": False,
        "properties": {"payload": _PHONE_PUSH, "action": _PHONE_ACTION},
    },
    # each answer class the SDKs tell apart: 2xx, 4xx (402 and 403 are special on iOS), 5xx, and a
    # connection reset (Android counts it as a failed try, iOS keeps the row)
    "respond": {
        "anyOf": [
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["route", "status"],
                "properties": {
                    "route": {"enum": ["events", "customers", "campaigns", "any"]},
                    "status": {"enum": [200, 400, 401, 402, 403, 404, 429, 500, 503]},
                    "times": {"enum": [1, 2, 5]},
                },
            },
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["route", "action"],
                "properties": {
                    "route": {"enum": ["events", "customers", "any"]},
                    "action": {"const": "reset"},
                    "times": {"enum": [1, 2]},
                },
            },
        ]
    },
    "settle": {"type": "null"},
}

# Steps exploration never draws: the user's own expectations (the profile judges a random sequence) and
# calls whose answer only the app reads.
SKIP: frozenset[str] = frozenset({"expect", "expect_nothing", "getCustomerCookie", "isInitialized"})
# Calls a platform's SDK does not have (the profile refuses them, so a sequence with one is wasted as
# "unmodelled"): Huawei tokens and FCM's remote message are Android's.
PLATFORM_SKIP: dict[str, frozenset[str]] = {
    "ios": frozenset({"trackHmsPushToken", "handleNewHmsToken", "handleRemoteMessage"}),
}
