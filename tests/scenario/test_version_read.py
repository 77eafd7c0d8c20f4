"""Without ``--sdk-version`` the runner reads the SDK version inside the app and picks the profile by it.

The virtual device is told the release its app embeds (``virtual:ios?sdk_version=3.11.0``, the iOS SDK
under the Flutter plugin 2.5.0) and nothing tells the judge: the runner must read 3.11.0 from the app.
"""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from harness.devices.registry import open_device
from harness.errors import DeviceNotFound
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios" / "exponea"


def test_a_run_judges_by_the_version_read_in_the_app_and_records_it(tmp_path):
    # the stream scenario first: the first scenario on a device is the one that reads the version
    out = subprocess.run(
        [sys.executable, "-m", "harness", "run",
         str(SCENARIOS / "ios-stream.yaml"), str(SCENARIOS / "custom-event.yaml"),
         "--device", "virtual:ios?sdk_version=3.11.0", "--report", str(tmp_path / "run"),
         "--junit", str(tmp_path / "junit.xml")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "needs ios SDK >=4.0.0, the profile models 3.11.0" in out.stdout  # stream mode is 4.0.0+
    results = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert {r["scenario"]: (r["outcome"], r["sdk_version"], r["warnings"]) for r in results} == {
        "ios-stream-mode": ("skipped", "3.11.0", []),
        "custom-event": ("passed", "3.11.0", []),
    }
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert [d["sdk_version"] for d in meta["devices"]] == ["3.11.0"]
    matrix = json.loads((tmp_path / "run" / "matrix.json").read_text())
    assert matrix["sdk_versions"] == {"virtual:ios?sdk_version=3.11.0": ["3.11.0"]}
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    versions = {p.get("value") for p in junit.iter("property") if p.get("name") == "sdk_version"}
    assert versions == {"3.11.0"}


def test_the_pytest_plugin_reads_it_too(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "pytest", str(SCENARIOS / "custom-event.yaml"), "-p", "no:xdist", "-q",
         "--harness-device", "virtual:ios?sdk_version=3.11.0", "--harness-report", str(tmp_path / "run"),
         "--harness-output", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    (result,) = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert result["sdk_version"] == "3.11.0" and not result["warnings"]
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert [d["sdk_version"] for d in meta["devices"]] == ["3.11.0"]


def test_an_unmodelled_version_in_the_app_is_judged_by_the_nearest_lower_with_a_warning(live_collector):
    device = open_device("virtual:android")
    device.app_args += ["--report-sdk-version", "4.12.0"]  # an app embedding a release nobody modelled
    try:
        runner = Runner(device, live_collector)
        first = runner.run(load_scenario(SCENARIOS / "custom-event.yaml"))
        second = runner.run(load_scenario(SCENARIOS / "identify.yaml"))
    finally:
        device.close()
    assert runner.app_versions == {"exponea": "4.12.0"}
    assert first.outcome == "passed", first.headline()
    assert first.sdk_version == "4.10.0" and first.profile == "exponea-android"
    (warning,) = first.warnings
    assert "android SDK 4.12.0 is not modelled" in warning and "judged by 4.10.0, the nearest lower" in warning
    assert "read inside the app" in warning
    # read once per device: the next scenario is judged by the same profile, with the same warning
    assert second.sdk_version == "4.10.0" and second.warnings == [warning]


def test_the_sdk_version_option_still_wins_over_the_app(live_collector):
    device = open_device("virtual:ios?sdk_version=3.11.0")
    try:
        runner = Runner(device, live_collector, sdk_version="4.0.1")
        result = runner.run(load_scenario(SCENARIOS / "custom-event.yaml"))
    finally:
        device.close()
    assert runner.app_versions == {} and result.sdk_version == "4.0.1"


def test_a_bad_virtual_uri_option_is_one_line():
    with pytest.raises(DeviceNotFound, match=r"unknown option flavour \(known: sdk_version, instance\)"):
        open_device("virtual:ios?flavour=x")


def test_instance_names_a_second_virtual_phone_of_one_platform():
    """``?instance=N`` only names the device (a fleet worker serves one resource per device URI)."""
    device = open_device("virtual:android?instance=2")
    assert device.uri == "virtual:android?instance=2" and device.platform == "android"
    device.close()


def test_the_terminal_matrix_names_each_device_s_sdk_version():
    from harness.report.matrix import build_matrix, format_matrix

    records = [
        {"device": "virtual:ios", "scenario": "s", "outcome": "passed", "covers": ["ios#1"], "sdk_version": "4.0.1"},
        {"device": "phone", "scenario": "s", "outcome": "passed", "covers": ["ios#1"], "sdk_version": "3.11.0"},
    ]
    lines = format_matrix(build_matrix(records)).splitlines()
    assert lines[1].split() == ["sdk", "version", "4.0.1", "3.11.0"]
