"""customerio-android#1: the SDK's pipeline posts batches to ``{apiHost}/b``. ``/batch`` (which Segment's API
also takes, and other Segment clients use) decodes cleanly, and the SDK's request rules flag it."""

from __future__ import annotations

import json

from harness.capture.record import CapturedRequest
from harness.sdks.customerio.headers import rules_for
from harness.sdks.customerio.wire import decode

BODY = json.dumps(
    {
        "batch": [{"type": "track", "event": "e", "messageId": "m1", "timestamp": "2024-01-01T00:00:00.000Z"}],
        "sentAt": "2024-01-01T00:00:00.000Z",
        "writeKey": "k",
    }
)
HEADERS = {"content-type": "text/plain", "content-encoding": "gzip", "user-agent": "analytics-kotlin/1.24.1"}


def _judged(path: str) -> list[str]:
    request = CapturedRequest(id=1, method="POST", path=path, headers=HEADERS, body=BODY, received_at=1.0)
    (obs,) = decode(request)
    assert obs.problems == ()
    return [f"{v.path}: {v.message} {v.rules}" for v in rules_for("android").violations(obs)]


def test_a_batch_on_b_passes_and_one_on_batch_breaks_android_1() -> None:
    assert _judged("/v1/b") == []
    (violation,) = _judged("/v1/batch")
    assert violation.startswith("path:") and "android#1" in violation
