"""A real Customer.io client library (customerio-cdp-analytics, the dev extra) pointed at the collector on
loopback: it gets answers it accepts, reports no error, and its requests are stored and decoded per event."""

from __future__ import annotations

import json

import pytest

from harness.sdks.customerio.wire import decode

analytics = pytest.importorskip("customerio.analytics")

KEY = "cdp-write-key"


@pytest.mark.parametrize("gzip", [False, True])
def test_track_identify_and_a_batch_through_the_python_library(live_collector, gzip):
    errors: list[object] = []
    client = analytics.Client(
        write_key=KEY,
        host=live_collector.device_url("py"),
        sync_mode=True,
        gzip=gzip,
        max_retries=0,
        on_error=lambda error, _batch: errors.append(error),
    )
    client.identify("u1", {"plan": "pro"})
    client.track("u1", "purchase", {"price": 9.99})
    client.screen("u1", name="Home")
    client.flush()
    assert errors == []
    stored = live_collector.store.query(device="py")
    assert len(stored) == 3 and all(r.response_status == 200 and r.problems == () for r in stored)
    assert {r.path for r in stored} == {"/v1/batch"}
    observations = [o for r in stored for o in decode(r)]
    assert [o.event_type for o in observations] == ["identify", "purchase", "screen Home"]
    assert all(o.project_token == KEY and o.index == 0 for o in observations)
    assert all(isinstance(o.timestamp, float) and o.problems == () for o in observations)
    assert json.loads(stored[1].body)["batch"][0]["properties"] == {"price": 9.99}
