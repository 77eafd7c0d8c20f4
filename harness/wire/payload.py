"""Any SDK's captured request as plain data, without knowing its wire format: the decoded payload,
the endpoint it went to (method and path template) and the event units it carries.

This is what ``harness learn`` infers schemas from and what a pinned profile
(:mod:`harness.spec.pinned`) checks, so both read a request the same way. Nothing here is specific
to a vendor: a body is JSON, gzip JSON, a form, or (for a GET) the query string; a body that holds a
list of objects beside scalar keys only (``{"batch": [...], "sentAt": ...}``) or is such a list carries
one event per item, any other body is one event.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.capture.record import CapturedRequest

__all__ = ["Unit", "decode_payload", "endpoint_of", "event_name", "path_template", "units_of", "value_at"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-fA-F]{16,}|[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*)$")
_FORM = re.compile(r"^[^=&\s{}\[\]]+=[^&]*(&[^=&\s]+=[^&]*)*$")

Unit = tuple[int | None, Any]  # (place inside the request, None for the whole payload; the event's data)


def path_template(path: str) -> str:
    """The path with ids replaced by ``{id}``: UUIDs, numbers, long hex, and segments of 16 or more
    characters that hold a digit (tokens, keys), so one endpoint has one name across installs."""
    segments = urlsplit(path).path.split("/")
    out = []
    for seg in segments:
        if _UUID.match(seg) or (seg.isdigit()) or (len(seg) >= 16 and _ID_SEGMENT.match(seg)):
            out.append("{id}")
        else:
            out.append(seg)
    return "/".join(out)


def endpoint_of(request: CapturedRequest) -> str:
    """``METHOD /path/{id}/template``: the name of the endpoint a request went to."""
    return f"{request.method.upper()} {path_template(request.path)}"


def _text(request: CapturedRequest) -> str:
    raw = request.raw_body
    if raw[:2] == b"\x1f\x8b":  # a body stored before content decoding (a HAR from elsewhere)
        try:
            return gzip.decompress(raw).decode("utf-8")
        except (OSError, EOFError, zlib.error, UnicodeDecodeError):
            return request.body
    return request.body


def _form(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parsed: Any = value
        if value[:1] in ("{", "["):  # form fields that hold JSON (common in older tracking SDKs)
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = value
        out[key] = parsed
    return out


def decode_payload(request: CapturedRequest) -> Any:
    """The request's data: the body as JSON (gzip undone), a form as an object, else the query string as
    an object when the body is empty (a GET pixel), else the body text; None when there is nothing."""
    text = _text(request).strip()
    if text:
        try:
            return json.loads(text)
        except ValueError:
            ctype = request.headers.get("content-type", "")
            if "form" in ctype or _FORM.match(text):
                return _form(text)
            return text
    query = urlsplit(request.path).query
    return _form(query) if query else None


def _items(payload: Any) -> list[Any] | None:
    """The event list a payload carries, or None when the payload is one event."""
    if isinstance(payload, list) and payload and all(isinstance(x, dict) for x in payload):
        return payload
    if isinstance(payload, dict):
        lists = [v for v in payload.values() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        others = [v for v in payload.values() if not isinstance(v, list)]
        if len(lists) == 1 and all(not isinstance(v, dict) for v in others):
            return lists[0]  # the list itself: units_of empties exactly this one in the envelope
    return None


def units_of(payload: Any) -> tuple[Any, list[Unit], bool]:
    """``(envelope, units, split)`` of one decoded payload. A payload that carries an event list is
    split: its units are the list's items and its envelope is the payload with that list emptied (the
    endpoint's own keys, ``sentAt``, ``writeKey``...). Any other payload is one unit and its own envelope."""
    if payload is None:
        return None, [], False
    items = _items(payload)
    if items is None:
        return payload, [(None, payload)], False
    if isinstance(payload, list):
        return [], list(enumerate(items)), True
    envelope = {k: ([] if v is items else v) for k, v in payload.items()}
    return envelope, list(enumerate(items)), True


def value_at(value: Any, path: str) -> Any:
    """The value at a dotted path (``dims.customers.customer_id``), or None when a part is missing."""
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def event_name(data: Any, paths: Sequence[str]) -> str | None:
    """An event's name under an identity mapping: the values at ``paths`` joined by ``/`` (missing
    parts left out, so ``["type", "event"]`` names an identify ``identify`` and a track ``track/purchase``);
    None when none is there."""
    parts = [value_at(data, p) for p in paths]
    shown = [str(v) for v in parts if v is not None and not isinstance(v, dict | list)]
    return "/".join(shown) or None
