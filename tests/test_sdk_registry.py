"""The SDK registry: Exponea is found through the entry point; versions are picked exactly or from below."""

import json
import subprocess
import sys

import pytest

from harness.errors import ConfigError
from harness.sdk.base import ChecklistId, Sdk
from harness.sdk.registry import get_sdk, pick_version
from harness.spec.profiles import get_profile, profile_for
from tests.conftest import ROOT


def test_harness_sdks_json_lists_the_modelled_exponea_versions():
    out = subprocess.run([sys.executable, "-m", "harness", "sdks", "--json"], capture_output=True, text=True, cwd=ROOT)
    (exponea,) = [s for s in json.loads(out.stdout) if s["name"] == "exponea"]
    assert exponea["platforms"]["android"]["versions"] == ["4.10.0"]
    assert exponea["platforms"]["ios"]["versions"] == ["3.11.0", "4.0.0", "4.0.1"]
    assert exponea["platforms"]["ios"]["profile"] == "exponea-ios"
    assert exponea["platforms"]["android"]["profile"] == "exponea-android"
    assert exponea["platforms"]["android"]["default_version"] == "4.10.0"
    assert exponea["platforms"]["ios"]["default_version"] == "4.0.1"
    assert exponea["platforms"]["android"]["checklist"] == "exponea-android"
    assert exponea["platforms"]["ios"]["checklist"] == "exponea-ios"


def test_an_unmodelled_version_falls_back_to_the_nearest_lower_one_with_a_warning():
    sdk = get_sdk("exponea")
    assert pick_version(sdk, "ios", None) == ("4.0.1", None)
    assert pick_version(sdk, "ios", "3.11.0") == ("3.11.0", None)
    used, warning = pick_version(sdk, "ios", "3.12.4")
    assert used == "3.11.0" and "3.12.4 is not modelled" in warning and "nearest lower" in warning
    used, warning = pick_version(sdk, "ios", "2.0.0")
    assert used == "3.11.0" and "oldest" in warning
    with pytest.raises(ConfigError, match="not a version"):
        pick_version(sdk, "ios", "latest")


def test_profile_for_builds_the_profile_and_names_still_resolve():
    choice = profile_for("exponea", "android", "4.11.0")
    assert choice.profile.name == "exponea-android" and choice.version == "4.10.0" and choice.warning
    assert get_profile("exponea-ios").name == "exponea-ios"


def test_unknown_sdk_gets_a_did_you_mean():
    with pytest.raises(ConfigError, match="did you mean 'exponea'"):
        get_sdk("exponae")


def test_a_broken_entry_is_refused_with_what_breaks_the_contract():
    bad = Sdk("Bad Name", "t", {"web": ()}, "m:a", "m:b", "m:c", {}, {}, "m")
    problems = bad.problems()
    assert any("lower-case" in p for p in problems) and any("unknown platform 'web'" in p for p in problems)


def test_checklist_ids_are_namespaced_with_short_aliases():
    assert ChecklistId.parse("android#5", "exponea").full == "exponea-android#5"
    assert ChecklistId.parse("exponea-ios#7", "toy").full == "exponea-ios#7"
    assert ChecklistId.parse("toy-android#1", "exponea").short == "android#1"


def test_sdk_version_goes_into_the_results_with_the_warning(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "run",
            "scenarios/exponea",
            "-k",
            "identify-customer",
            "--device",
            "virtual:android",
            "--sdk-version",
            "4.11.0",
            "--report",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "warning: exponea android SDK 4.11.0 is not modelled" in out.stdout
    results = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert results and all(r["sdk_version"] == "4.10.0" and r["warnings"] for r in results)


def test_the_pytest_option_picks_the_sdk_version_too(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "scenarios/exponea/identify.yaml",
            "-p",
            "no:xdist",
            "-q",
            "--harness-sdk-version",
            "4.11.0",
            "--harness-report",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    (result,) = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert result["sdk_version"] == "4.10.0" and "4.11.0 is not modelled" in result["warnings"][0]
