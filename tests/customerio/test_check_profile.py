"""``harness check --profile customerio-android``: what the real SDK sends passes; deviations are named per event."""

from __future__ import annotations

import json
import uuid

from harness.spec.lint import lint
from tests.customerio import wire_fixtures as w

T0 = 1_700_000_000.0


def _capture() -> list:
    a = str(uuid.uuid4())
    events = [
        *w.lifecycle(T0, a),
        w.track("purchase", T0, a, {"price": 9.99}),
        w.event("identify", T0, a, user="u1", traits={"plan": "pro"}),
        w.event("screen", T0, a, user="u1", name="Home", category="", properties={}),
        w.track("Device Created or Updated", T0, a, w.device_props(), user="u1", token="T"),
    ]
    return [w.settings(1, T0), w.batch(2, events, T0 + 1), w.delivered(3, T0 + 2, "D", "T")]


def test_what_the_real_sdk_sends_passes_the_schemas_and_header_rules():
    lines, total = lint("customerio-android", _capture())
    assert lines == [] and total == 9  # settings, 7 events of the batch, the delivery


def test_a_library_key_and_a_json_content_type_are_named_on_their_event():
    requests = _capture()
    doc = json.loads(requests[1].body)
    doc["batch"][4]["context"]["library"] = {"name": "analytics-kotlin"}
    headers = {**requests[1].headers, "content-type": "application/json"}
    requests[1] = type(requests[1])(**{**requests[1].__dict__, "body": json.dumps(doc), "headers": headers})
    lines, _ = lint("customerio-android", requests)
    assert any("request #2 event 4 $.context" in line and "analytics-kotlin" in line for line in lines), lines
    assert any("request #2 event 0" in line and "content-type" in line for line in lines), lines
    assert len(lines) == 2, lines
