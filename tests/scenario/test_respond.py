"""A scenario's ``respond`` step installs an answer rule for that run's device only, on the real collector."""

import json

import pytest

from harness.devices.registry import open_device
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner

SCENARIO = """\
id: respond-500-then-retry
covers: []
platforms: [android]
steps:
  - init: {}
  - settle
  - respond: {route: events, status: 500, times: 1}
  - trackEvent: {eventType: purchase, properties: {item: boost}}
  - settle
  - flushData
"""


@pytest.fixture
def device():
    dev = open_device("virtual:android")
    yield dev
    dev.close()


def test_respond_500_is_stored_with_its_rule_and_the_event_is_retried(tmp_path, live_collector, device):
    path = tmp_path / "respond.yaml"
    path.write_text(SCENARIO)
    result = Runner(device, live_collector).run(load_scenario(path))
    assert result.error is None, result.error
    purchases = [
        r
        for r in result.requests
        if r.path.endswith("/customers/events") and json.loads(r.body)["event_type"] == "purchase"
    ]
    assert [r.response_status for r in purchases] == [500, 200], [(r.response_status, r.rule) for r in purchases]
    assert purchases[0].rule.startswith("#") and "status=500" in purchases[0].rule
    assert purchases[0].body == purchases[1].body  # the same event, sent again
    assert not purchases[1].rule
    (rule,) = live_collector.rules.history
    assert rule.device == result.requests[0].device  # for that run's device key only
