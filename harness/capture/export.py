"""Exporting captures: JSONL (the design's capture format) and HAR 1.2 (opens in browser devtools).

``Authorization`` values and the body keys a route declares secret (``RouteRule.secrets``, e.g. a write
key) are masked by default (the scheme is kept, the secret is not), because
exports end up attached to bug reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.capture.record import CapturedRequest
from harness.capture.routing import match_route

__all__ = ["NOT_SECRET", "export", "har_response", "mask", "mask_body"]


# Values that carry no credential: Android 4.10 sends the literal ``Authorization: null`` when no
# authorization is configured (android-sdk-spec.md, the configuration's ``authorization``).
NOT_SECRET = frozenset({"", "null"})


def mask(value: str) -> str:
    """The Authorization value with its credential hidden: ``Token ****``, ``Basic ****``, ``****``.

    The scheme is kept (it says which form the SDK chose); a value that holds no credential
    (``null``, empty, a scheme alone) is kept as sent, because hiding it would hide the very thing a
    reader checks.
    """
    scheme, sep, credential = value.strip().partition(" ")
    if not sep:
        return value if scheme.lower() in NOT_SECRET else "****"
    return value if credential.strip().lower() in NOT_SECRET else f"{scheme} ****"


def mask_body(req: CapturedRequest) -> str:
    """The body with the string values of its route's secret keys (``RouteRule.secrets``) masked, the rest
    kept byte for byte (a regex over the JSON text, so nothing else is re-serialized)."""
    secrets = match_route(req.method, urlsplit(req.path).path).secrets
    body = req.body
    for key in secrets:
        pattern = '("' + re.escape(key) + r'"\s*:\s*)"(?:[^"\\]|\\.)*"'
        body = re.sub(pattern, r'\1"****"', body)
    return body


def _headers(req: CapturedRequest, mask_authorization: bool) -> dict[str, str]:
    headers = dict(req.headers)
    if mask_authorization and "authorization" in headers:
        headers["authorization"] = mask(headers["authorization"])
    return headers


def export(requests: Sequence[CapturedRequest], fmt: str, mask_authorization: bool = True) -> str:
    if fmt == "jsonl":
        lines = []
        for r in requests:
            obj = r.as_json()
            obj["headers"] = _headers(r, mask_authorization)
            if mask_authorization:
                obj["body"] = mask_body(r)
            lines.append(json.dumps(obj, ensure_ascii=False))
        return "".join(line + "\n" for line in lines)
    if fmt == "har":
        return json.dumps(to_har(requests, mask_authorization), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown export format {fmt!r}")


def to_har(requests: Sequence[CapturedRequest], mask_authorization: bool = True) -> dict[str, Any]:
    entries = []
    for r in requests:
        headers = _headers(r, mask_authorization)
        host = headers.get("host", "collector")
        url = f"http://{host}{'/d/' + r.device if r.device else ''}{r.path}"
        request: dict[str, Any] = {
            "method": r.method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in headers.items()],
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(r.path).query)],
            "headersSize": -1,
            "bodySize": len(r.body.encode()),
        }
        if r.body:
            text = mask_body(r) if mask_authorization else r.body
            request["postData"] = {"mimeType": headers.get("content-type", ""), "text": text}
        response, notes = har_response(r)
        wait = _wait_ms(r)
        entries.append(
            {
                "startedDateTime": datetime.fromtimestamp(r.received_at, UTC).isoformat().replace("+00:00", "Z"),
                "time": wait,
                "request": request,
                "response": response,
                "cache": {},
                "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": wait, "receive": 0},
                "comment": "; ".join([*r.problems, *notes]),
            }
        )
    return {
        "log": {"version": "1.2", "creator": {"name": "engagement-harness", "version": "0.1.0"}, "entries": entries}
    }


def _wait_ms(r: CapturedRequest) -> float:
    """Milliseconds from the request being received whole to its answer being ready: an answer rule's delay or an
    upstream's time (``answered_at``); 0 for answers ready on receipt, which are sent right after the store's commit
    (that commit is not timed per request)."""
    if r.answered_at is None or r.response_status is None:
        return 0
    return round(max(0.0, r.answered_at - r.received_at) * 1000, 3)


def har_response(r: CapturedRequest) -> tuple[dict[str, Any], list[str]]:
    """The HAR ``response`` of ``r`` as the collector answered it, and notes for the entry's comment.

    Why some of it is rebuilt rather than stored: the fast path (``fastpath.py``) answers the common request
    with its route's fixed answer (``routes.py``: status, ``content-type: application/json``, the route's body)
    after uvicorn's default headers (``date``, ``server``), so storing those bytes with every request would only
    make the hot path and the store heavier to say what the route table already says. The store keeps what the
    route table cannot tell (``Collector``): an upstream's headers and decoded body, an answer rule's body,
    error answers (413, 408, malformed HTTP), and bodies that depend on the request (the batch route's results,
    ``system/time``'s time). ``date`` is rebuilt from the time the request was received; uvicorn refreshes its
    date once a second, so it may read one second earlier than the one sent.
    """
    notes: list[str] = []
    if r.response_status is None:
        notes.append(f"never answered ({r.rule})" if r.rule else "never answered (the client went away)")
        return (
            {
                "status": 0,
                "statusText": "",
                "httpVersion": "",
                "cookies": [],
                "headers": [],
                "content": {"size": 0, "mimeType": "x-unknown"},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
                "_error": notes[0],
            },
            notes,
        )
    if r.origin:  # the in-app capture: the app's view has the status, not the answer's headers or body
        notes.append("captured in the app: the answer's headers and body were not seen")
        return (
            {
                "status": r.response_status,
                "statusText": _status_text(r.response_status),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": [],
                "content": {"size": 0, "mimeType": "x-unknown"},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
            },
            notes,
        )
    route = match_route(r.method, urlsplit(r.path).path)
    stored = dict(r.response_headers) if r.response_headers is not None else None
    body = r.response_body
    if body is None:
        if route.answer is not None:
            notes.append("answer body not stored (captured by an older collector)")
            body = ""
        else:
            body = route.body.decode("utf-8", "replace")
    answer_headers = stored if stored is not None else {"content-type": "application/json"}
    encoded = "content-encoding" in answer_headers  # an upstream's body, stored decoded: its wire size is unknown
    close = answer_headers.pop("connection", None)
    out = [("date", formatdate(r.answered_at or r.received_at, usegmt=True)), ("server", "uvicorn")]
    out += answer_headers.items()
    size = len(body.encode())
    if not encoded:
        out.append(("content-length", str(size)))
    if close is not None:
        out.append(("connection", close))
    if r.rule:
        notes.append(f"answered by rule {r.rule}")
    content: dict[str, Any] = {"size": size, "mimeType": answer_headers.get("content-type", ""), "text": body}
    return (
        {
            "status": r.response_status,
            "statusText": _status_text(r.response_status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in out],
            "content": content,
            "redirectURL": answer_headers.get("location", ""),
            "headersSize": -1,
            "bodySize": -1 if encoded else size,
        },
        notes,
    )


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
