"""iOS SDK 3.11.0 vs 4.0.1 end to end: the virtual app playing one release, judged by the profile of
each. Same release: passes. The other release: fails on exactly the scenarios where the notes say
they differ (beyond the ``sdk_version`` string, which differs everywhere), which proves the delta is
real in both the profile and the reference SDK, each written on its own."""

import subprocess
import sys

import pytest

from harness.devices.virtual import VirtualDevice
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from harness.sdks.exponea.spec.profiles.ios import IosProfile
from tests.conftest import ROOT

OLD, NEW = "3.11.0", "4.0.1"
# scenario -> the violation kinds a cross-judged run must show besides the sdk_version mismatch
DIFFERING = {
    "stop-integration.yaml": {"missing", "unexpected", "mismatch"},  # D2: queued rows sent or wiped
    "ios-stop-with-token.yaml": {"missing", "unexpected"},  # D2: final events
    "ios-403-retry.yaml": {"missing", "unexpected"},  # D3
    "ios-project-mapping.yaml": {"header"},  # D4, ios#71
    "ios-anonymize-switch.yaml": {"header"},  # D4, ios#59
    "ios-authorization-after-relaunch.yaml": {"header"},  # D4, ios#4
}
SAME = ["ios-payment.yaml", "ios-402-is-success.yaml"]  # only the sdk_version string differs


@pytest.fixture(scope="module")
def device():
    dev = VirtualDevice("virtual:ios", "ios")
    yield dev
    dev.close()


def run(device, collector, app_version, profile_version, scenario_file):
    runner = Runner(device, collector, profile=IosProfile(profile_version), options={"sdk_version": app_version})
    return runner.run(load_scenario(ROOT / "scenarios" / "exponea" / scenario_file))


def beyond_version_string(result):
    return [v for v in result.verdict.violations if v.path != "$.properties.sdk_version"]


@pytest.mark.parametrize("scenario_file", [*DIFFERING, *SAME])
@pytest.mark.parametrize("version", [OLD, NEW])
def test_a_release_passes_its_own_profile(live_collector, device, version, scenario_file):
    result = run(device, live_collector, version, version, scenario_file)
    assert result.outcome == "passed", result.details()


@pytest.mark.parametrize("scenario_file", list(DIFFERING))
@pytest.mark.parametrize(("app", "judge"), [(OLD, NEW), (NEW, OLD)])
def test_the_other_release_fails_where_they_differ(live_collector, device, app, judge, scenario_file):
    result = run(device, live_collector, app, judge, scenario_file)
    assert result.outcome == "failed"
    kinds = {v.kind for v in beyond_version_string(result)}
    assert kinds & DIFFERING[scenario_file], result.details()


@pytest.mark.parametrize("scenario_file", SAME)
def test_elsewhere_only_the_version_string_differs(live_collector, device, scenario_file):
    result = run(device, live_collector, OLD, NEW, scenario_file)
    assert result.outcome == "failed" and not beyond_version_string(result), result.details()


def test_a_stream_scenario_is_skipped_for_3_11_0_with_the_reason(live_collector, device):
    result = run(device, live_collector, OLD, OLD, "ios-stream.yaml")
    assert result.outcome == "skipped"
    assert result.error == "needs ios SDK >=4.0.0, the profile models 3.11.0"


def test_the_app_reports_the_release_it_plays_and_refuses_one_it_does_not(tmp_path):
    app = [sys.executable, "-m", "harness.virtual", "--platform", "ios", "--data", str(tmp_path)]
    bad = subprocess.run([*app, "--sdk-version", "3.10.0"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --sdk-version: the virtual iOS SDK plays 3.11.0, 4.0.0, 4.0.1, not '3.10.0'"
    android = subprocess.run(
        [*app[:4], "android", *app[5:], "--sdk-version", "3.11.0"], capture_output=True, text=True, timeout=30
    )
    assert android.returncode == 2 and "plays 4.10.0" in android.stderr


@pytest.mark.parametrize(
    ("platform", "option", "expected"), [("ios", OLD, OLD), ("ios", None, NEW), ("android", None, "4.10.0")]
)
def test_the_virtual_device_answers_which_release_it_plays(live_collector, platform, option, expected):
    from harness.devices.base import AppTarget

    dev = VirtualDevice(f"virtual:{platform}", platform)
    try:
        dev.open(AppTarget(base_url=live_collector.device_url("v"), options={"sdk_version": option} if option else {}))
        dev.app.launch()
        assert dev.sdk.sdk_version() == expected
        assert dev.rpc("app.ping").value["sdk_version"] == expected
    finally:
        dev.close()
