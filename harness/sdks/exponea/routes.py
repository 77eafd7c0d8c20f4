"""The Engagement API surface the SDKs call, and how the real API answers each route.

The collector must answer like the real backend so an SDK (or any client of the public API) proceeds
normally: each route's answer below has the shape the real clients parse, and the comment above it names
where that shape comes from: the public API docs, the real SDKs' response models (Android
``exponea/exponea-android-sdk`` @ 348cfd05, iOS ``exponea/exponea-ios-sdk`` @ f76c0c21) and the public API
client ``exponea-python-sdk`` 0.2.0 (``exponea_python_sdk/*.py``, and its fixtures ``tests/data/*.json``
in ``exponea/exponea-python-sdk``, recorded from the API). Fetches answer an empty but well-formed
document. Anything else is stored too and answered 404 (``harness/capture/routing.py``).

Most answers are fixed per route (``RouteRule.body``). Three depend on the request (``RouteRule.answer``): the
batch route answers one result per command, ``customers/attributes`` one result per requested attribute,
and ``system/time`` the current time. They are pure functions of the request body and the clock, cheap
enough for the fast path (no route of the SDKs' common tracking traffic has one).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from harness.capture.record import RequestKind
from harness.sdk.base import RouteRule

__all__ = ["ROUTES", "attributes_answer", "batch_answer", "time_answer"]

Answer = Callable[[str], bytes]  # the request body (text) -> the answer body


def _dumps(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def time_answer(_: str = "") -> bytes:
    """``GET /track/v2/projects/{token}/system/time``: ``{"errors":[],"success":true,"time":T}`` (epoch seconds,
    float). Source: exponea-python-sdk ``tracking.py`` ``get_system_time`` reads ``response['time']``; its
    fixture ``tests/data/test_system_time.json`` is ``{"errors": [], "success": true, "time": 1533663283.89}``."""
    return _dumps({"errors": [], "success": True, "time": time.time()})


# Batch commands (public docs, "Batch commands", documentation.bloomreach.com/engagement/reference/batch-commands-2):
# the body is ``{"commands": [{"name", "data", "command_id"?}, ...]}``, names ``customers`` and ``customers/events``
# (plus ``system/time``, which the docs' example sends), ``data`` "same format as if tracked individually", and
# ``command_id`` "will be returned in response". The answer, as recorded in exponea-python-sdk's fixture
# ``tests/data/test_batch_command.json``: ``{"start_time": T0, "end_time": T1, "results": [{"success": true}, ...,
# {"success": true, "time": T}], "success": true}``, one result per command, in order; ``batch_commands`` in
# ``tracking.py`` reads each result's ``time``, else its ``success``. A command that cannot be executed gets
# ``{"success": false, "errors": [...]}`` in its place (the API's error shape for a single tracking call, as the
# Android SDK's fixture ``sdk/src/test/resources/tracking/track_event_failed.json`` has it:
# ``{"errors":["Field 'event_type' is required."],"success":false}``); the others still run.
_BATCH_COMMANDS = ("customers", "customers/events", "system/time")


def _command_errors(command: object) -> list[str]:
    """What is wrong with one batch command (empty: it would be executed)."""
    if not isinstance(command, dict):
        return ["Command must be an object."]
    name = command.get("name")
    if not isinstance(name, str):
        return ["Field 'name' is required."]
    if name not in _BATCH_COMMANDS:
        return [f"Unknown command '{name}'."]
    if name == "system/time":
        return []
    data = command.get("data")
    if not isinstance(data, dict):
        return ["Field 'data' is required."]
    errors = []
    if not isinstance(data.get("customer_ids"), dict) or not data["customer_ids"]:
        errors.append("Field 'customer_ids' is required.")
    if name == "customers/events" and not isinstance(data.get("event_type"), str):
        errors.append("Field 'event_type' is required.")
    if "properties" in data and data["properties"] is not None and not isinstance(data["properties"], dict):
        errors.append("Field 'properties' must be an object.")
    return errors


def batch_answer(text: str) -> bytes:
    """The answer to ``POST /track/v2/projects/{token}/batch`` with body ``text`` (see the comment above)."""
    start = time.time()
    try:
        doc: Any = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    commands = doc.get("commands") if isinstance(doc, dict) else None
    if not isinstance(commands, list) or not commands:
        return _dumps({"errors": ["Field 'commands' is required: a list of at least one command."], "success": False})
    results: list[dict[str, Any]] = []
    for command in commands:
        errors = _command_errors(command)
        result: dict[str, Any] = {"errors": errors, "success": False} if errors else {"success": True}
        if not errors and command["name"] == "system/time":
            result["time"] = time.time()
        if isinstance(command, dict) and isinstance(command.get("command_id"), str):
            result["command_id"] = command["command_id"]
        results.append(result)
    return _dumps({"end_time": time.time(), "results": results, "start_time": start, "success": True})


# Customer attributes (``POST /data/v2/projects/{token}/customers/attributes``, body ``{"customer_ids", "attributes":
# [{"type": ...}, ...]}``): ``{"success": true, "results": [...]}``, one result per requested attribute, in order.
# Sources: exponea-python-sdk ``customer.py`` (``get_customer_attributes``, ``get_customer_consents`` index
# ``results`` by attribute and read ``success`` and ``value``; fixture ``test_customer_consents.json`` is
# ``{"results": [{"success": true, "value": false}], "success": true}``); the iOS SDK's
# ``WrappedRecommendationResponse {success, results: [RecommendationResponse {success, error?, value?}]}``
# (``Models/Responses/RecommendationResponse.swift``), which fails a recommendation fetch when ``results`` is empty
# (``ServerRepository+FetchingRepository.swift`` ``fetchRecommendation``); Android's
# ``FetchManagerImpl.fetchRecommendation`` likewise takes ``results[0]`` and needs ``success`` and a non-null
# ``value``. Empty values: a recommendation has none (``[]``), a consent is not given (``false``), anything else
# is unknown (``null``). An attribute the API cannot read gets ``{"success": false, "error": "..."}`` (the
# ``error`` field of ``RecommendationResponse``).
_EMPTY_VALUES: dict[str, object] = {"recommendation": [], "consent": False}


def attributes_answer(text: str) -> bytes:
    """The answer to ``POST /data/v2/projects/{token}/customers/attributes`` (see the comment above)."""
    try:
        doc: Any = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    attributes = doc.get("attributes") if isinstance(doc, dict) else None
    if not isinstance(attributes, list):
        return _dumps({"errors": ["Field 'attributes' is required."], "success": False})
    results: list[dict[str, Any]] = []
    for attribute in attributes:
        kind = attribute.get("type") if isinstance(attribute, dict) else None
        if not isinstance(kind, str):
            results.append({"error": "Attribute must be an object with a 'type'.", "success": False})
        else:
            results.append({"success": True, "value": _EMPTY_VALUES.get(kind)})
    return _dumps({"results": results, "success": True})


# Tracking answers: ``{"errors":[],"success":true}``. Sources: the Android SDK's fixture
# ``sdk/src/test/resources/tracking/track_event_success.json`` (Android never reads it: research android §2.4); the iOS
# SDK deletes an event on any 2xx with a body (research ios §2.4); exponea-python-sdk reads ``success``
# (``client.py`` ``request``), fixture ``tests/data/test_tracking.json``.
_SUCCESS = b'{"success":true,"errors":[]}'

# (name, method or None for any, path regex, kind, status, body, answer)
ROUTES: list[RouteRule] = [
    RouteRule(
        "track-events",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/customers/events$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
        None,
    ),
    RouteRule(
        "track-customers",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/customers$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
        None,
    ),
    RouteRule(
        "track-campaign-clicks",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/campaigns/clicks$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
        None,
    ),
    # one result per command: batch_answer
    RouteRule(
        "track-batch",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/batch$"),
        RequestKind.TRACKING,
        200,
        b'{"success":true,"results":[]}',
        batch_answer,
    ),
    # the current time: time_answer
    RouteRule(
        "system-time",
        "GET",
        re.compile(r"^/track/v2/projects/[^/]+/system/time$"),
        RequestKind.API,
        200,
        b'{"errors":[],"success":true}',
        time_answer,
    ),
    # ``{"success": true, "data": [...]}``: iOS ``InAppMessagesResponse {success, data?}``
    # (``Models/Responses/InAppMessagesResponse.swift``); Android ``Result`` (``models/Result.kt``: ``success`` and
    # ``results`` alias ``data``), which ``FetchManagerImpl.parseStandardResult`` rejects without ``success``.
    RouteRule(
        "inapp-messages",
        "POST",
        re.compile(r"^/webxp/s/[^/]+/inappmessages$"),
        RequestKind.API,
        200,
        b'{"success":true,"data":[]}',
        None,
    ),
    # ``{"success": true, "in_app_content_blocks": [...]}``: iOS ``InAppContentBlocksDataResponse`` decodes ``data``
    # from the key ``in_app_content_blocks`` and needs ``success``
    # (``InAppContentBlocks/Model/InAppContentBlockResponse.swift``); Android's ``Result`` takes
    # ``in_app_content_blocks`` as ``results`` and needs ``success`` (``parseStandardResult``).
    RouteRule(
        "content-block-bundle",
        "GET",
        re.compile(r"^/wxstatic/projects/[^/]+/bundle-(android|ios)\.json$"),
        RequestKind.API,
        200,
        b'{"success":true,"in_app_content_blocks":[]}',
        None,
    ),
    # ``{"success": true, "data": [...]}``: iOS ``PersonalizedInAppContentBlockResponseData {data}``
    # (``PersonalizedInAppContentBlockResponse.swift``); Android ``Result`` with ``data`` and ``success``.
    RouteRule(
        "content-blocks-personal",
        "POST",
        re.compile(r"^/webxp/s/[^/]+/inappcontentblocks$"),
        RequestKind.API,
        200,
        b'{"success":true,"data":[]}',
        None,
    ),
    # ``{"success", "messages"?, "sync_token"?}``: iOS ``AppInboxResponse``
    # (``Models/Responses/AppInboxResponse.swift``); Android ``Result`` (``messages`` alias, ``sync_token``).
    RouteRule(
        "app-inbox-fetch",
        "POST",
        re.compile(r"^/webxp/projects/[^/]+/appinbox/fetch$"),
        RequestKind.API,
        200,
        b'{"success":true,"messages":[],"sync_token":"harness"}',
        None,
    ),
    # Android ``FetchManagerImpl.markAppInboxAsRead`` -> ``getVoidCallback``: a ``Result`` that needs ``success``.
    RouteRule(
        "app-inbox-read",
        "POST",
        re.compile(r"^/webxp/projects/[^/]+/appinbox/markasread$"),
        RequestKind.API,
        200,
        _SUCCESS,
        None,
    ),
    # A bare map of category -> list of segments, no envelope: Android ``FetchManagerImpl.fetchSegments`` parses the
    # whole body as ``Map<String, ArrayList<Map<String, String>>>`` (a ``"success": true`` in it fails the fetch);
    # iOS ``SegmentDataDTO`` decodes the body as ``[String: [[String: String]]]``
    # (``Segmentation/Model/SegmentDTO.swift``).
    # The categories are those of the Android SDK's ``SegmentTest.SEGMENTATIONS_JSON``, each empty.
    RouteRule(
        "segments",
        "GET",
        re.compile(r"^/webxp/projects/[^/]+/segments$"),
        RequestKind.API,
        200,
        b'{"discovery":[],"merchandising":[],"content":[]}',
        None,
    ),
    # Neither SDK reads the answer's fields: Android ``linkCustomerIdsSync`` parses it as ``Any?``; iOS decodes a
    # lenient ``SegmentDataDTO``. The API's usual success document.
    RouteRule(
        "link-ids",
        "POST",
        re.compile(r"^/webxp/projects/[^/]+/cookies/[^/]+/link-ids$"),
        RequestKind.API,
        200,
        _SUCCESS,
        None,
    ),
    # ``{"success": true, "results": [categories]}``: iOS ``ConsentsResponse`` (``results`` -> ``consents``,
    # ``Models/Responses/ConsentsResponse.swift``); Android ``fetchConsents`` reads ``results`` (and reports "Server
    # returned empty results" for an empty list, as it would for a real project without consent categories).
    RouteRule(
        "consent-categories",
        None,
        re.compile(r"^/data/v2/projects/[^/]+/consent/categories$"),
        RequestKind.API,
        200,
        b'{"success":true,"results":[]}',
        None,
    ),
    # one result per requested attribute: attributes_answer
    RouteRule(
        "customer-attributes",
        "POST",
        re.compile(r"^/data/v2/projects/[^/]+/customers/attributes$"),
        RequestKind.API,
        200,
        b'{"success":true,"results":[]}',
        attributes_answer,
    ),
    # Neither SDK reads the body (the self-check waits for the push itself). The API's usual success document.
    RouteRule(
        "push-self-check",
        "POST",
        re.compile(r"^/campaigns/send-self-check-notification$"),
        RequestKind.API,
        200,
        _SUCCESS,
        None,
    ),
    # The iOS SDK's stream mode (StreamSettings, research ios §2.1) tracks through /track/u/v1/... with
    # ?stream_id=S; same routes for answer rules, same kind, same answers.
    RouteRule(
        "track-events", "POST", re.compile(r"^/track/u/v1/customers/events$"), RequestKind.TRACKING, 200, _SUCCESS, None
    ),
    RouteRule(
        "track-customers", "POST", re.compile(r"^/track/u/v1/customers$"), RequestKind.TRACKING, 200, _SUCCESS, None
    ),
    RouteRule(
        "track-campaign-clicks",
        "POST",
        re.compile(r"^/track/u/v1/campaigns/clicks$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
        None,
    ),
    RouteRule(
        "ios-stream",
        None,
        re.compile(r"^/track/u/v1/.+$"),
        RequestKind.API,
        200,
        _SUCCESS,
        None,
    ),
]
