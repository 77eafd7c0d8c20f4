"""Requests for the inspector's tests: a session_end the exponea-android profile accepts, and variants."""

import copy
import json

EVENTS = "/track/v2/projects/t/customers/events"

GOOD_EVENT = {
    "event_type": "session_end",
    "timestamp": 1.7e9,
    "customer_ids": {"cookie": "0f8fad5b-d9cb-469f-a165-70867728950e"},
    "properties": {
        "application_id": "a",
        "device_id": "8ae1e7f7-53a3-47f8-a631-23e5205812bf",
        "os_name": "Android",
        "os_version": "14",
        "sdk": "AndroidSDK",
        "sdk_version": "4.10.0",
        "device_model": "m",
        "device_type": "mobile",
        "app_version": "1",
        "duration": 3.0,
    },
}


# the headers the Android SDK sends on a tracking POST (harness check judges them too)
ANDROID_HEADERS = {
    "content-type": "application/json; charset=utf-8",
    "authorization": "Token k",
    "user-agent": "okhttp/4.12.0",
}


def bad_event():
    """GOOD_EVENT with one wrong field: ``$.properties.duration`` a string."""
    event = copy.deepcopy(GOOD_EVENT)
    event["properties"]["duration"] = "3"
    return event


def post(client, base, body, device="", headers=None):
    """POST an event to the collector at ``base`` (``body``: a dict, or raw text sent as it is)."""
    prefix = f"/d/{device}" if device else ""
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        base + prefix + EVENTS,
        content=text.encode(),
        headers={**ANDROID_HEADERS, **(headers or {})},
    )
