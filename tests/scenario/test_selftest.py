"""``harness selftest`` on the real virtual device: catches, NOTHING, ordering by violates, the grid.

The scenario folder is written here (two tiny event scenarios), not taken from ``scenarios/``, so the
assertions hold whatever the shipped suite grows into. ``timestamp-millis`` breaks android#5 and any
scenario that tracks an event sees it; only ``b-timestamps`` *covers* android#5, and it sorts second,
so a first catch by ``b-timestamps`` proves covering scenarios run first. ``ids-merged`` only shows
on a second identify, which neither scenario does: nothing can catch it.
"""

import json
import subprocess
import sys

import pytest

from harness.cli import main
from harness.errors import ConfigError
from harness.scenario.selftest import list_faults, selftest

ANY_EVENT = """\
id: a-any-event
covers: [android#16]
platforms: [android]
steps:
  - init: {}
  - trackEvent: {eventType: purchase, properties: {item: boost}}
"""

TIMESTAMPS = """\
id: b-timestamps
covers: [android#5]
platforms: [android]
steps:
  - init: {}
  - trackEvent: {eventType: viewed, properties: {screen: home}}
"""


@pytest.fixture
def suite(tmp_path):
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "a-any-event.yaml").write_text(ANY_EVENT)
    (folder / "b-timestamps.yaml").write_text(TIMESTAMPS)
    return folder


def test_a_covering_scenario_runs_first_and_the_search_stops_at_its_catch(suite):
    report = selftest([suite], ["virtual:android"], workers=2, only_faults=["timestamp-millis"])
    plat = report.platforms["virtual:android"]
    assert plat.baseline_passed == ["a-any-event", "b-timestamps"]
    assert not plat.baseline_failed
    outcome = plat.faults["timestamp-millis"]
    assert outcome.covering == ["b-timestamps"]
    assert outcome.tried == ["b-timestamps"]
    assert outcome.caught_by == ["b-timestamps"]
    assert not outcome.fallback
    assert "b-timestamps" in outcome.reasons["b-timestamps"]
    assert plat.runs == 3
    assert report.ok


def test_an_uncatchable_fault_shows_nothing_and_exits_1(suite, capsys, tmp_path):
    out_json = tmp_path / "selftest.json"
    argv = ["selftest", str(suite), "--device", "virtual:android", "--fault", "ids-merged"]
    code = main([*argv, "--json", str(out_json)])
    out = capsys.readouterr().out
    assert code == 1
    assert any(line.split() == ["ids-merged", "NOTHING"] for line in out.splitlines()), out
    assert "selftest FAILED" in out
    data = json.loads(out_json.read_text())
    fault = data["platforms"]["virtual:android"]["faults"]["ids-merged"]
    assert fault["caught_by"] == [] and fault["fallback"] is True
    assert sorted(fault["tried"]) == ["a-any-event", "b-timestamps"]  # fell back to the whole suite
    assert data["platforms"]["virtual:android"]["uncaught"] == ["ids-merged"]
    assert data["ok"] is False


def test_full_runs_the_grid_and_every_catching_scenario_is_named(suite, capsys, tmp_path):
    out_json = tmp_path / "full.json"
    argv = ["selftest", str(suite), "--device", "virtual:android", "--fault", "timestamp-millis", "--full", "-j", "2"]
    code = main([*argv, "--json", str(out_json)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert any(line.split()[:2] == ["timestamp-millis", "XX"] for line in out.splitlines()), out
    assert "a-any-event" in out and "b-timestamps" in out  # the legend
    fault = json.loads(out_json.read_text())["platforms"]["virtual:android"]["faults"]["timestamp-millis"]
    assert fault["caught_by"] == ["a-any-event", "b-timestamps"]


def test_the_app_lists_its_faults_with_their_metadata_and_keeps_the_names_only_form():
    names = subprocess.run(
        [sys.executable, "-m", "harness.virtual", "--list-faults", "--platform", "ios"],
        capture_output=True,
        text=True,
        check=True,
    )
    plain = json.loads(names.stdout)
    assert all(isinstance(n, str) for n in plain) and "timestamp-millis" in plain
    ios = list_faults("ios")
    assert [f.name for f in ios] == plain
    assert "ids-merged" not in plain  # android only
    millis = {f.name: f for f in list_faults("android")}["timestamp-millis"]
    assert "android#5" in millis.violates and "android" in millis.platforms and millis.area


def test_only_virtual_devices_and_known_faults(suite):
    with pytest.raises(ConfigError, match="virtual devices only"):
        selftest([suite], ["android:emulator-5554"])
    with pytest.raises(ConfigError, match="no-such-fault"):
        selftest([suite], ["virtual:android"], only_faults=["no-such-fault"])


def test_run_ends_with_its_wall_time_and_the_device_time_it_simulated(tmp_path, capsys):
    (tmp_path / "hour.yaml").write_text(
        "id: an-hour-later\ncovers: []\nplatforms: [android]\nsteps:\n"
        "  - init: {}\n  - wait: 3600\n  - trackEvent: {eventType: later}\n"
    )
    assert main(["run", str(tmp_path / "hour.yaml"), "--device", "virtual:android"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("wall time ") and "device time simulated 1.0 h" in last, last


DENIED = """\
id: a-denied
covers: []
platforms: [android]
steps:
  - push_permission: denied
  - init: {}
"""

SHOWN = """\
id: b-push-shown
covers: []
platforms: [android]
steps:
  - init: {}
  - settle
  - deliver_push:
      payload: {source: xnpe_platform, notification_id: "7", title: "Hi", attributes: '{"campaign_id": "c1"}'}
"""


def test_no_run_inherits_the_phone_state_an_earlier_run_left(tmp_path):
    # One worker plays both in suite order; the denied permission must not reach b's delivery.
    (tmp_path / "a.yaml").write_text(DENIED)
    (tmp_path / "b.yaml").write_text(SHOWN)
    report = selftest([tmp_path], ["virtual:android"], workers=1, only_faults=["timestamp-millis"])
    plat = report.platforms["virtual:android"]
    assert plat.baseline_failed == {}
    assert plat.baseline_passed == ["a-denied", "b-push-shown"]


def test_each_sdks_faults_are_tried_on_its_own_scenarios_through_short_ids(suite):
    """A second SDK's fault is listed from that SDK's reference implementation, is tried only on that
    SDK's scenarios, and a scenario's short id (android#29 of a customerio scenario) meets the fault's
    namespaced one (customerio-android#29): caught by a covering scenario, not by the fallback."""
    import shutil

    from tests.conftest import ROOT

    shutil.copy(ROOT / "scenarios" / "customerio" / "drop-400.yaml", suite / "c-drop-400.yaml")
    report = selftest([suite], ["virtual:android"], workers=2, only_faults=["retries-400", "timestamp-millis"])
    plat = report.platforms["virtual:android"]
    outcome = plat.faults["retries-400"]
    assert outcome.fault.sdk == "customerio"
    assert outcome.covering == ["cio-drop-400"] and outcome.caught_by == ["cio-drop-400"]
    assert set(outcome.tried) == {"cio-drop-400"} and not outcome.fallback
    assert plat.faults["timestamp-millis"].fault.sdk == "exponea"
    assert "cio-drop-400" not in plat.faults["timestamp-millis"].tried
    assert report.ok


TOKEN = """\
id: {id}
covers: [{item}]
platforms: [android]
steps:
  - push_permission: granted
  - init: {{}}
  - trackPushToken: {{token: "fcm-token-1"}}
"""


def test_the_search_goes_on_until_each_item_the_fault_breaks_is_caught_by_a_scenario_covering_it(tmp_path):
    """legacy-token-property breaks android#26 and android#27; one scenario covers each. Stopping at the
    first catch would leave the other item without a caught fault of its own (issue 17)."""
    folder = tmp_path / "suite"
    folder.mkdir()
    for sid, item in (("c-token-26", "android#26"), ("d-token-27", "android#27")):
        (folder / f"{sid}.yaml").write_text(TOKEN.format(id=sid, item=item))
    report = selftest([folder], ["virtual:android"], workers=1, only_faults=["legacy-token-property"])
    outcome = report.platforms["virtual:android"].faults["legacy-token-property"]
    assert outcome.caught_by == ["c-token-26", "d-token-27"]
    assert not outcome.fallback
