"""customerio-android#1: the SDK's pipeline posts batches to ``{apiHost}/b``; ``/batch`` (which Segment's API
also takes) is flagged, since this SDK never sends it."""

from __future__ import annotations

import json

from harness.capture.record import CapturedRequest
from harness.sdks.customerio.wire import decode

BODY = json.dumps(
    {
        "batch": [{"type": "track", "event": "e", "messageId": "m1", "timestamp": "2024-01-01T00:00:00.000Z"}],
        "sentAt": "2024-01-01T00:00:00.000Z",
        "writeKey": "k",
    }
)


def _problems(path: str) -> list[str]:
    request = CapturedRequest(id=1, method="POST", path=path, headers={}, body=BODY, received_at=1.0)
    return [p for o in decode(request) for p in o.problems]


def test_a_batch_on_b_is_clean_and_one_on_batch_is_flagged() -> None:
    assert _problems("/v1/b") == []
    (problem,) = _problems("/v1/batch")
    assert "customerio-android#1" in problem
