"""A collector on a host whose clock is off gives the same verdicts as one on the runner's host.

The collector stamps ``received_at`` with its own clock; the runner stamps steps with its own. A
collector started with ``clock_offset`` plays a host whose clock is an hour ahead or behind: the after-stop
check, quiet windows and ``expect_nothing`` must judge exactly as they do without the offset.
"""

import pytest

from harness.capture.client import CollectorClient
from harness.capture.server import CollectorServer
from harness.devices.registry import open_device
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from tests.conftest import ROOT

HOUR = 3600.0
EXPECT_NOTHING = (
    "id: skew-expect-nothing\ncovers: []\nplatforms: [android]\nsteps:\n  - init: {}\n"
    "  - trackEvent: {eventType: purchase, properties: {price: 9.5}}\n"
    "  - expect: {event: purchase, within: 5}\n"
    "  - settle\n"
    "  - expect_nothing: {seconds: 30}\n"
    "  - wait: 60\n"
    "  - trackEvent: {eventType: later}\n"
    "  - settle\n"
)


@pytest.fixture
def device():
    dev = open_device("virtual:android")
    yield dev
    dev.close()


def _verdict(result):
    kinds = sorted(v.kind for v in result.verdict.violations) if result.verdict else []
    return result.outcome, kinds


@pytest.mark.parametrize("offset", [HOUR, -HOUR])
@pytest.mark.parametrize(
    ("scenario", "fault", "outcome"),
    [("stop-integration", None, "passed"), ("stop-integration", "sends-after-stop", "failed")],
)
def test_a_skewed_collector_gives_the_verdict_of_a_local_one(tmp_path, device, offset, scenario, fault, outcome):
    loaded = load_scenario(ROOT / f"scenarios/exponea/{scenario}.yaml")
    verdicts = []
    for name, skew in (("local", 0.0), ("skewed", offset)):
        with CollectorServer(tmp_path / f"{name}.sqlite", clock_offset=skew) as server:
            result = Runner(device, CollectorClient(server.url), fault=fault).run(loaded)
            assert result.requests and all(
                abs(r.received_at - result.trace[0].host_time) < HOUR / 2 for r in result.requests
            )
            verdicts.append(_verdict(result))
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0] == outcome, verdicts
    if fault:
        assert "after-stop" in verdicts[1][1]


@pytest.mark.parametrize("offset", [HOUR, -HOUR])
def test_expect_nothing_windows_hold_against_a_skewed_collector(tmp_path, device, offset):
    path = tmp_path / "skew.yaml"
    path.write_text(EXPECT_NOTHING)
    with CollectorServer(tmp_path / "capture.sqlite", clock_offset=offset) as server:
        result = Runner(device, server.url).run(load_scenario(path))
    assert result.outcome == "passed", result.headline() + "\n" + result.details()


def test_the_client_measures_the_collector_clock_offset(tmp_path):
    with (
        CollectorServer(tmp_path / "a.sqlite", clock_offset=-HOUR) as skewed,
        CollectorServer(tmp_path / "b.sqlite") as same,
    ):
        assert abs(CollectorClient(skewed.url).clock_offset() + HOUR) < 1.0
        assert CollectorClient(same.url).clock_offset() == 0.0
