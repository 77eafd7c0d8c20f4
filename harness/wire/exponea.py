"""The Engagement (Exponea) tracking wire format → observations.

Both SDKs post JSON to ``{base}/track/v2/projects/{token}/{customers|customers/events|campaigns/clicks}``
(one event per request; the public Tracking API also has ``batch``). Bodies are parsed with Python's
``json``, which already reads exponent notation and ``5.0`` as numbers; what this adapter adds is the
route and token from the path, ``ABSENT`` for missing keys, and a problem list for anything it
cannot read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from harness.capture.record import CapturedRequest
from harness.wire.observation import ABSENT, Observation

__all__ = ["TRACKING_ROUTES", "observe", "observe_all"]

_PATH = re.compile(
    r"^(?P<prefix>.*?)/track/v2/projects/(?P<token>[^/?]+)/(?P<route>customers/events|customers|campaigns/clicks|batch)"
    r"(?:\?.*)?$"
)
# iOS stream integrations (ios §2.1): ``/track/u/v1/{route}?stream_id=S``; the token is ``stream:S``.
_STREAM_PATH = re.compile(
    r"^(?P<prefix>.*?)/track/u/v1/(?P<route>customers/events|customers|campaigns/clicks)"
    r"\?(?:.*&)?stream_id=(?P<token>[^&]+)(?:&.*)?$"
)
TRACKING_ROUTES = {
    "customers/events": "events",
    "customers": "customers",
    "campaigns/clicks": "campaign_clicks",
    "batch": "batch",
}


def observe(request: CapturedRequest) -> Observation:
    """Normalize one captured request (any route; non-tracking ones get route ``other``)."""
    m = _PATH.match(request.path)
    stream = None if m else _STREAM_PATH.match(request.path)
    route = TRACKING_ROUTES[m.group("route")] if m else TRACKING_ROUTES[stream.group("route")] if stream else "other"
    problems = list(request.problems)
    bare_path = request.path.split("?", 1)[0]
    if route != "other" and "//" in bare_path:
        problems.append(f"path {bare_path!r} has an empty segment ('//'): the base URL was not joined cleanly")
    body = None
    if request.body:
        try:
            body = json.loads(request.body)
        except ValueError as exc:
            if route != "other":
                problems.append(f"body is not JSON: {exc}")
    elif route != "other":
        problems.append("empty body")
    fields = body if isinstance(body, dict) else {}
    if body is not None and not isinstance(body, dict) and route not in ("other", "batch"):
        problems.append(f"body is a JSON {type(body).__name__}, not an object")
    return Observation(
        request_id=request.id,
        route=route,
        method=request.method,
        path=request.path,
        project_token=m.group("token") if m else f"stream:{stream.group('token')}" if stream else None,
        authorization=request.headers.get("authorization"),
        headers=request.headers,
        body=body,
        event_type=fields.get("event_type", ABSENT),
        timestamp=fields.get("timestamp", ABSENT),
        customer_ids=fields.get("customer_ids", ABSENT),
        properties=fields.get("properties", ABSENT),
        url=fields.get("url", ABSENT),
        received_at=request.received_at,
        device=request.device,
        problems=tuple(problems),
    )


def observe_all(requests: Iterable[CapturedRequest], tracking_only: bool = True) -> list[Observation]:
    out = [observe(r) for r in requests]
    return [o for o in out if o.route != "other"] if tracking_only else out
