"""Exporting captures: JSONL (the design's capture format) and HAR 1.2 (opens in browser devtools).

``Authorization`` values are masked by default (the scheme is kept, the secret is not), because
exports end up attached to bug reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.capture.record import CapturedRequest

__all__ = ["NOT_SECRET", "export", "mask"]


# Values that carry no credential: Android 4.10 sends the literal ``Authorization: null`` when no
# authorization is configured (android-sdk-spec.md, ``ExponeaConfiguration.authorization``).
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
            request["postData"] = {"mimeType": headers.get("content-type", ""), "text": r.body}
        status = r.response_status or 0
        entries.append(
            {
                "startedDateTime": datetime.fromtimestamp(r.received_at, UTC).isoformat().replace("+00:00", "Z"),
                "time": 0,
                "request": request,
                "response": {
                    "status": status,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": [],
                    "content": {"size": 0, "mimeType": "application/json"},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
                "comment": "; ".join(r.problems),
            }
        )
    return {
        "log": {"version": "1.2", "creator": {"name": "engagement-harness", "version": "0.1.0"}, "entries": entries}
    }
