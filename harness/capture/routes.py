"""The Engagement API surface the SDKs call, and how the real API answers each route.

The collector must answer like the real backend so an SDK proceeds normally: tracking calls get
``{"success": true}`` with 200 (the Android SDK ignores the body, the iOS SDK decodes it), fetches
get an empty but well-formed document. Anything else is stored too and answered 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.capture.record import RequestKind

__all__ = ["Route", "match_route", "route_names"]


@dataclass(frozen=True)
class Route:
    name: str
    kind: str
    status: int
    body: bytes


_SUCCESS = b'{"success":true,"errors":[]}'

# (name, method or None for any, path regex, kind, status, body)
_TABLE: list[tuple[str, str | None, re.Pattern[str], str, int, bytes]] = [
    (
        "track-events",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/customers/events$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
    ),
    (
        "track-customers",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/customers$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
    ),
    (
        "track-campaign-clicks",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/campaigns/clicks$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
    ),
    (
        "track-batch",
        "POST",
        re.compile(r"^/track/v2/projects/[^/]+/batch$"),
        RequestKind.TRACKING,
        200,
        b'{"success":true,"results":[]}',
    ),
    ("system-time", "GET", re.compile(r"^/track/v2/projects/[^/]+/system/time$"), RequestKind.API, 200, b""),
    (
        "inapp-messages",
        "POST",
        re.compile(r"^/webxp/s/[^/]+/inappmessages$"),
        RequestKind.API,
        200,
        b'{"success":true,"data":[]}',
    ),
    (
        "content-block-bundle",
        "GET",
        re.compile(r"^/wxstatic/projects/[^/]+/bundle-(android|ios)\.json$"),
        RequestKind.API,
        200,
        b'{"data":[]}',
    ),
    (
        "content-blocks-personal",
        "POST",
        re.compile(r"^/webxp/s/[^/]+/inappcontentblocks$"),
        RequestKind.API,
        200,
        b'{"success":true,"data":[]}',
    ),
    (
        "app-inbox-fetch",
        "POST",
        re.compile(r"^/webxp/projects/[^/]+/appinbox/fetch$"),
        RequestKind.API,
        200,
        b'{"success":true,"messages":[],"sync_token":"harness"}',
    ),
    (
        "app-inbox-read",
        "POST",
        re.compile(r"^/webxp/projects/[^/]+/appinbox/markasread$"),
        RequestKind.API,
        200,
        _SUCCESS,
    ),
    (
        "segments",
        "GET",
        re.compile(r"^/webxp/projects/[^/]+/segments$"),
        RequestKind.API,
        200,
        b'{"success":true,"data":{}}',
    ),
    (
        "link-ids",
        "POST",
        re.compile(r"^/webxp/projects/[^/]+/cookies/[^/]+/link-ids$"),
        RequestKind.API,
        200,
        _SUCCESS,
    ),
    (
        "consent-categories",
        None,
        re.compile(r"^/data/v2/projects/[^/]+/consent/categories$"),
        RequestKind.API,
        200,
        b'{"success":true,"results":[]}',
    ),
    (
        "customer-attributes",
        "POST",
        re.compile(r"^/data/v2/projects/[^/]+/customers/attributes$"),
        RequestKind.API,
        200,
        b'{"success":true,"results":[]}',
    ),
    (
        "push-self-check",
        "POST",
        re.compile(r"^/campaigns/send-self-check-notification$"),
        RequestKind.API,
        200,
        _SUCCESS,
    ),
    # The iOS SDK's stream mode (StreamSettings, research ios §2.1) tracks through /track/u/v1/... with
    # ?stream_id=S; same routes for answer rules, same kind.
    ("track-events", "POST", re.compile(r"^/track/u/v1/customers/events$"), RequestKind.TRACKING, 200, _SUCCESS),
    ("track-customers", "POST", re.compile(r"^/track/u/v1/customers$"), RequestKind.TRACKING, 200, _SUCCESS),
    (
        "track-campaign-clicks",
        "POST",
        re.compile(r"^/track/u/v1/campaigns/clicks$"),
        RequestKind.TRACKING,
        200,
        _SUCCESS,
    ),
    (
        "ios-stream",
        None,
        re.compile(r"^/track/u/v1/.+$"),
        RequestKind.API,
        200,
        _SUCCESS,
    ),
]

NOT_FOUND = Route("unknown", RequestKind.UNKNOWN, 404, b'{"success":false,"errors":["not found"]}')


def match_route(method: str, path: str) -> Route:
    """The route for ``method`` and ``path`` (without query string or device prefix)."""
    for name, want_method, pattern, kind, status, body in _TABLE:
        if pattern.match(path) and (want_method is None or want_method == method):
            return Route(name, kind, status, body)
    return NOT_FOUND


def route_names() -> list[str]:
    """Every route name the collector knows (what answer rules can name), ``unknown`` included."""
    return [*dict.fromkeys(row[0] for row in _TABLE), NOT_FOUND.name]
