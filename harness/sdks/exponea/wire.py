"""The Engagement (Exponea) tracking wire format → observations.

Both SDKs post JSON, one event per request, to the project routes
``{base}/track/v2/projects/{token}/{customers|customers/events|campaigns/clicks}``; the iOS SDK in
stream mode uses ``{base}/track/u/v1/{customers|customers/events|campaigns/clicks}?stream_id={id}``
(ios §2.1). The public Tracking API also has ``batch``. Bodies are parsed with Python's ``json``,
which already reads exponent notation (``1.712345678123E9``) and ``5.0`` as numbers; what this
adapter adds is the route, token or stream id from the URL, ``ABSENT`` for missing keys, the
lower-cased headers (the iOS SDK and CFNetwork may re-case them, ios §2.2), a name for the
non-tracking endpoints the SDKs also call (in-app messages, bundles, inbox...: marked, never judged
as events), and a problem list for anything it cannot read.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qs

from harness.capture.record import CapturedRequest
from harness.wire.observation import ABSENT, Observation

__all__ = ["TRACKING_ROUTES", "decode", "endpoint_of", "observe", "observe_all"]

_PROJECT = re.compile(
    r"^(?P<prefix>.*?)/track/v2/projects/(?P<token>[^/?]+)/(?P<route>customers/events|customers|campaigns/clicks|batch)"
    r"/?(?:\?(?P<query>.*))?$"
)
_STREAM = re.compile(
    r"^(?P<prefix>.*?)/track/u/v1/(?P<route>customers/events|customers|campaigns/clicks)/?(?:\?(?P<query>.*))?$"
)
_TRACK = re.compile(r"/track/(?:v2|u/v1)/")
TRACKING_ROUTES = {
    "customers/events": "events",
    "customers": "customers",
    "campaigns/clicks": "campaign_clicks",
    "batch": "batch",
}
# Non-tracking calls a capture sees (android §2.1, §9.1; ios §2.1, §2.6), by a pattern on the path.
_ENDPOINTS = (
    ("in_app_messages", re.compile(r"/webxp/(?:s/[^/]+|streams/[^/]+)/inappmessages")),
    ("content_blocks", re.compile(r"/webxp/(?:s/[^/]+|streams/[^/]+)/inappcontentblocks")),
    ("content_block_bundle", re.compile(r"/wxstatic/(?:projects|streams)/[^/]+/bundle-")),
    ("app_inbox", re.compile(r"/webxp/(?:projects|streams)/[^/]+/appinbox/")),
    ("segments", re.compile(r"/webxp/(?:projects|streams)/[^/]+/segments")),
    ("link_ids", re.compile(r"/webxp/(?:projects|streams)/[^/]+/cookies/[^/]+/link-ids")),
    ("consents", re.compile(r"/data/v2/(?:projects|streams)/[^/]+/consent/categories")),
    ("customer_attributes", re.compile(r"/data/v2/projects/[^/]+/customers/attributes")),
    ("recommendations", re.compile(r"/optimization/streams/[^/]+/recommend")),
    ("push_self_check", re.compile(r"/campaigns/(?:streams/[^/]+/)?send-self-check-notification")),
    ("telemetry", re.compile(r"/api/\d+/envelope")),
    ("version_check", re.compile(r"/repos/exponea/[^/]+/releases")),
)


def endpoint_of(path: str) -> str:
    """The name of a non-tracking endpoint (``in_app_messages``...), or ``unknown``."""
    for name, pattern in _ENDPOINTS:
        if pattern.search(path):
            return name
    return "unknown"


def _headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    for name in headers:
        if not name.islower():
            return {str(k).lower(): v for k, v in headers.items()}
    return headers


_Route = tuple[str, str | None, str | None, tuple[str, ...], str]  # route, token, stream id, problems, endpoint
_routes: dict[tuple[str, str], _Route] = {}
_ROUTES_LIMIT = 4096


def _route(path: str, method: str) -> _Route:
    """What the path and method say (cached: a capture repeats a few paths thousands of times)."""
    problems: list[str] = []
    token: str | None = None
    stream_id: str | None = None
    m = _PROJECT.match(path)
    if m is not None:
        route = TRACKING_ROUTES[m.group("route")]
        token = m.group("token")
    else:
        m = _STREAM.match(path)
        if m is not None:
            route = TRACKING_ROUTES[m.group("route")]
            ids = parse_qs(m.group("query") or "").get("stream_id")
            stream_id = ids[0] if ids else None
            if stream_id:
                token = f"stream:{stream_id}"
            else:
                problems.append("stream route without a stream_id query parameter")
        elif _TRACK.search(path):
            route = "unknown"
            problems.append(f"unknown tracking route {path.split('?', 1)[0]}")
        else:
            route = "other"
    tracking = route != "other"
    bare_path = path.split("?", 1)[0]
    if tracking and "//" in bare_path:
        # ios#6: the iOS SDK strips one trailing '/' of the base URL; Android concatenates (android §2.1).
        problems.append(f"path {bare_path!r} has an empty segment ('//'): the base URL was not joined cleanly")
    if tracking and route != "unknown" and method.upper() != "POST":
        problems.append(f"tracking request sent with {method}, the SDKs POST")
    return route, token, stream_id, tuple(problems), "tracking" if tracking else endpoint_of(path)


# Gson's default HTML escaping (< > & ' = as \u003c...) that the Android SDK turns off
# (``ExponeaGson``'s ``disableHtmlEscaping()``, research android android#78); iOS's JSONSerialization
# never escapes them. An escape preceded by an odd number of backslashes is text the app passed in.
_HTML_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u00(?:3[cCeEdD]|26|27)")
_HTML_ESCAPED = "body escapes <, >, &, ' or = as \\u00XX: the SDK writes these characters raw (android#78)"


def observe(request: CapturedRequest) -> Observation:
    """Normalize one captured request (any route; non-tracking ones get route ``other``)."""
    path, method = request.path, request.method
    try:
        route, token, stream_id, path_problems, endpoint = _routes[(path, method)]
    except KeyError:
        if len(_routes) >= _ROUTES_LIMIT:
            _routes.clear()
        route, token, stream_id, path_problems, endpoint = _routes[(path, method)] = _route(path, method)
    problems = request.problems + path_problems if path_problems else request.problems
    tracking = route != "other"
    body = None
    text = request.body
    if text:
        try:
            body = json.loads(text)
        except ValueError as exc:
            if tracking:
                problems += (f"body is not JSON: {exc}",)
    elif tracking and route != "unknown":
        problems += ("empty body",)
    if tracking and text and "\\u00" in text and _HTML_ESCAPE.search(text):
        problems += (_HTML_ESCAPED,)
    if type(body) is dict:
        fields = body
    else:
        fields = {}
        if body is not None and tracking and route not in ("unknown", "batch"):
            problems += (f"body is a JSON {type(body).__name__}, not an object",)
    headers = _headers(request.headers)
    get = fields.get
    return Observation.fast(
        request.id,
        route,
        method,
        path,
        token,
        headers.get("authorization"),
        headers,
        body,
        get("event_type", ABSENT),
        get("timestamp", ABSENT),
        get("customer_ids", ABSENT),
        get("properties", ABSENT),
        get("url", ABSENT),
        request.received_at,
        request.device,
        problems,
        stream_id,
        endpoint,
        request.response_status,
    )


def decode(request: CapturedRequest) -> list[Observation]:
    """The SDK plug-in's decoder: one request is one observation (a batch stays one, route ``batch``)."""
    return [observe(request)]


def observe_all(requests: Iterable[CapturedRequest], tracking_only: bool = True) -> list[Observation]:
    """Observations in arrival order; by default only the tracking ones (the others are not events).

    The cyclic garbage collector is paused meanwhile, as in the checker: decoding allocates many
    small objects and no cycles, and with a large heap its passes would cost more than the work.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        out = [observe(r) for r in requests]
    finally:
        if was_enabled:
            gc.enable()
    return [o for o in out if o.route != "other"] if tracking_only else out
