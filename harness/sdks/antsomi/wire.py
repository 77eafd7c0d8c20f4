"""The Antsomi wire decoder: one JSON event per request, named by the pinned identity fields.

The real mobile wire is not public (research other-sdks.md B1); this decoder reads JSON bodies (the
shape the stand-in sends, the historical V3 iOS shape of B4) and names each observation by the
pinned profile's ``identity.event`` paths, so a shape learned from a real app needs only a new
``pin.json``. The project token is ``portal_id/prop_id`` from the query (B5 #3); route ``events``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.capture.record import CapturedRequest
from harness.spec.identity import IdentityFields, read_path
from harness.wire.observation import ABSENT, Observation

__all__ = ["decode", "identity_fields", "pin"]


@cache
def pin() -> dict[str, Any]:
    """The committed pinned profile's ``pin.json``."""
    text = resources.files("harness.sdks.antsomi.spec").joinpath("pinned/pin.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def identity_fields() -> IdentityFields:
    """The pinned identity fields; a bad ``pin.json`` is one ValueError naming the file."""
    try:
        return IdentityFields.from_json(pin().get("identity"))
    except ValueError as exc:
        raise ValueError(f"harness/sdks/antsomi/spec/pinned/pin.json: {exc}") from None


def decode(request: CapturedRequest) -> list[Observation]:
    split = urlsplit(request.path)
    query = parse_qs(split.query)
    if request.method != "POST" or not split.path.endswith("/antsomi/v3/event"):
        return [
            Observation(
                request.id,
                "other",
                request.method,
                request.path,
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
        body: Any = json.loads(request.body or "")
    except (ValueError, RecursionError) as exc:
        body = None
        problems.append(f"body is not JSON: {exc}")
    if body is not None and not isinstance(body, dict):
        problems.append("body is not a JSON object")
    portal, props = query.get("portal_id", [""])[0], query.get("prop_id", [""])[0]
    if not portal or not props:
        problems.append("query lacks portal_id or prop_id")
    fields = identity_fields()
    if isinstance(body, dict) and read_path(body, fields.uid) in (None, ""):
        # a UID key holding nothing: the identity layer's UID variable would bind it (B5 #1 wants a value)
        problems.append(f"the UID field {fields.uid!r} is empty")
    return [
        Observation(
            request.id,
            "events",
            request.method,
            request.path,
            f"{portal}/{props}",
            request.headers.get("authorization"),
            request.headers,
            body,
            event_type=fields.event_name(body) if isinstance(body, dict) else ABSENT,
            received_at=request.received_at,
            device=request.device,
            problems=tuple(problems),
            response_status=request.response_status,
        )
    ]
