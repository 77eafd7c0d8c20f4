"""The Customer.io (Segment) wire format: one observation per event.

``POST /v1/b`` (and ``/v1/batch``) carries ``{"batch": [event, ...], "sentAt", "writeKey"}`` (gzip, already
undone by the collector); each event becomes one observation with the batch's request id and the event's
``index``, ``event_id`` = its ``messageId`` (a re-sent batch repeats them: ``harness.wire.decode`` marks
the repeats as copies), ``project_token`` = the body's ``writeKey``, and ISO-8601 timestamps as epoch
seconds. ``POST /v1/track`` and the other single-event routes carry one event; their project is the
Basic user name. Route names: ``batch`` for an event in a batch, ``single`` for a single-event call,
``settings`` for the settings fetch (its project is the key in the path), ``other`` for anything else.
The observation's body is the event with ``timestamp`` in seconds, plus the envelope's ``sentAt``
(seconds) so a profile can judge it per event.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from harness.capture.record import CapturedRequest
from harness.wire.observation import ABSENT, Observation, epoch_seconds

__all__ = ["decode", "event_name", "write_key"]

_BATCH = re.compile(r"^(?:.*?)/v1/b(?:atch)?(?:\?.*)?$")
_SINGLE = re.compile(r"^(?:.*?)/v1/(?P<type>track|identify|screen|page|group|alias)(?:\?.*)?$")
_SETTINGS = re.compile(r"^(?:.*?)/v1/projects/(?P<key>[^/?]+)/settings(?:\?.*)?$")


def event_name(event: Any) -> Any:
    """What an event is called in messages: a track's ``event``, a screen's ``name``, else its ``type``."""
    if not isinstance(event, dict):
        return ABSENT
    if event.get("type", "track") == "track" and "event" in event:  # R3 bodies carry no ``type``
        return event["event"]
    if event.get("type") == "screen":
        return f"screen {event.get('name')}"
    return event.get("type", ABSENT)


def write_key(authorization: str | None) -> str | None:
    """The user name of ``Basic base64(key:)``, or None."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        user, _, _ = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user


def _seconds(doc: dict[str, Any], key: str, problems: list[str], where: str) -> None:
    if key in doc:
        try:
            doc[key] = epoch_seconds(doc[key])
        except ValueError as exc:
            problems.append(f"{where}{key}: {exc}")


def _observation(
    request: CapturedRequest,
    route: str,
    token: str | None,
    body: Any,
    problems: list[str],
    index: int | None = None,
) -> Observation:
    event = body if isinstance(body, dict) else {}
    message_id = event.get("messageId")
    return Observation(
        request.id,
        route,
        request.method,
        request.path,
        token,
        request.headers.get("authorization"),
        request.headers,
        body,
        event_type=event_name(body),
        timestamp=event.get("timestamp", ABSENT),
        customer_ids=event.get("userId", ABSENT),
        properties=event.get("properties", ABSENT),
        received_at=request.received_at,
        device=request.device,
        problems=tuple(problems),
        response_status=request.response_status,
        index=index,
        event_id=message_id if isinstance(message_id, str) else None,
    )


def decode(request: CapturedRequest) -> list[Observation]:
    path = request.path
    batch = _BATCH.match(path) is not None and request.method == "POST"
    single = _SINGLE.match(path) if request.method == "POST" else None
    settings = _SETTINGS.match(path) if request.method == "GET" else None
    if settings is not None:  # judged like tracking: init must fetch it with the cdpApiKey (android#2)
        return [
            Observation(
                request.id,
                "settings",
                request.method,
                path,
                settings["key"],
                request.headers.get("authorization"),
                request.headers,
                {},
                event_type="settings",
                received_at=request.received_at,
                device=request.device,
                problems=tuple(request.problems),
                response_status=request.response_status,
            )
        ]
    if not batch and single is None:
        return [
            Observation(
                request.id,
                "other",
                request.method,
                path,
                None,
                request.headers.get("authorization"),
                request.headers,
                None,
                received_at=request.received_at,
                device=request.device,
                endpoint="unknown",
                response_status=request.response_status,
            )
        ]
    problems = list(request.problems)
    try:
        doc: Any = json.loads(request.body or "")
    except (ValueError, RecursionError) as exc:
        doc = None
        problems.append(f"body is not JSON: {exc}")
    if single is not None:
        body = dict(doc) if isinstance(doc, dict) else doc
        if isinstance(body, dict):
            _seconds(body, "timestamp", problems, "")
        elif doc is not None:
            problems.append("body is not a JSON object")
        key = write_key(request.headers.get("authorization"))
        if key is None and isinstance(body, dict) and isinstance(body.get("writeKey"), str):
            key = body["writeKey"]
        return [_observation(request, "single", key, body, problems)]
    envelope = doc if isinstance(doc, dict) else {}
    events = envelope.get("batch")
    # the SDK puts the key in the body; server libraries (customerio-cdp-analytics) send it as the Basic user
    token = envelope.get("writeKey") if isinstance(envelope.get("writeKey"), str) else None
    if token is None:
        token = write_key(request.headers.get("authorization"))
    if not isinstance(events, list) or not events:
        if doc is not None:
            problems.append("batch body has no non-empty `batch` array")
        return [_observation(request, "batch", token, doc, problems)]
    sent_at: Any = envelope.get("sentAt", ABSENT)
    if sent_at is not ABSENT:
        try:
            sent_at = epoch_seconds(sent_at)
        except ValueError as exc:
            problems.append(f"sentAt: {exc}")
    out = []
    for i, event in enumerate(events):
        mine = list(problems)
        if isinstance(event, dict):
            event = dict(event)
            _seconds(event, "timestamp", mine, f"batch[{i}].")
            if sent_at is not ABSENT:
                event["sentAt"] = sent_at
        else:
            mine.append(f"batch[{i}] is not a JSON object")
        out.append(_observation(request, "batch", token, event, mine, index=i))
    return out
