"""The toy wire format: ``POST /toy/v1/{token}/track`` with ``{"event", "ts": ISO-8601, "props"}``."""

import json
import re

from harness.capture.record import CapturedRequest
from harness.wire.observation import ABSENT, Observation, epoch_seconds

_TRACK = re.compile(r"/toy/v1/(?P<token>[^/?]+)/track")


def decode(request: CapturedRequest) -> list[Observation]:
    m = _TRACK.search(request.path)
    if m is None:
        return [
            Observation(
                request.id,
                "other",
                request.method,
                request.path,
                None,
                None,
                request.headers,
                None,
                received_at=request.received_at,
                device=request.device,
                endpoint="unknown",
            )
        ]
    problems = list(request.problems)
    try:
        doc = json.loads(request.body or "")
    except ValueError as exc:
        doc, problems = None, [*problems, f"body is not JSON: {exc}"]
    doc = doc if isinstance(doc, dict) else {}
    ts = doc.get("ts", ABSENT)
    try:
        ts = epoch_seconds(ts) if ts is not ABSENT else ABSENT
    except ValueError as exc:
        problems.append(str(exc))
    body = {"event_type": doc.get("event", ABSENT), "timestamp": ts, "properties": doc.get("props", ABSENT)}
    body = {k: v for k, v in body.items() if v is not ABSENT}
    return [
        Observation(
            request.id,
            "events",
            request.method,
            request.path,
            m["token"],
            request.headers.get("authorization"),
            request.headers,
            body,
            event_type=body.get("event_type", ABSENT),
            timestamp=body.get("timestamp", ABSENT),
            properties=body.get("properties", ABSENT),
            received_at=request.received_at,
            device=request.device,
            problems=tuple(problems),
            response_status=request.response_status,
        )
    ]
