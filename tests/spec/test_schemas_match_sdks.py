"""The payload schemas accept everything the real SDKs send (a schema that rejects real traffic is a
false alarm in ``harness check``), and still reject what the SDKs never send."""

import json
import subprocess
import sys

from harness.cli import main
from tests.conftest import ROOT

ANDROID_DEVICE = {
    "os_name": "Android",
    "os_version": "14",
    "sdk": "AndroidSDK",
    "sdk_version": "4.10.0",
    "device_model": "Pixel 8",
    "device_type": "mobile",
    "app_version": "1.0.0",
}


ANDROID_HEADERS = {
    "content-type": "application/json; charset=utf-8",
    "authorization": "Token abc",
    "user-agent": "okhttp/4.12.0",
}
IOS_HEADERS = {
    "content-type": "application/json",
    "accept": "application/json",
    "authorization": "Token abc",
    "user-agent": "Shop/1 CFNetwork/1490.0.4 Darwin/23.2.0",
}


def _line(rid, path, body, headers=ANDROID_HEADERS):
    return json.dumps(
        {
            "id": rid,
            "method": "POST",
            "path": path,
            "headers": headers,
            "body": body,
            "received_at": 1712345679.0 + rid,
        }
    )


def test_android_negative_session_end_duration_passes_check(tmp_path, capsys):
    # Android 4.10.0: anonymize() in a fresh foreground session tracks session_end while the end
    # preference is unset, so duration = -1.0 - start (ExponeaComponent.kt; ExponeaPreferencesImpl.getDouble
    # falls back to -1.0); Gson writes the double in exponent form.
    body = (
        '{"event_type":"session_end","timestamp":1.712345678126E9,'
        '"customer_ids":{"cookie":"1cfbb67c-5d72-4d67-b694-d6e82cb50ed3"},"properties":'
        + json.dumps({**ANDROID_DEVICE, "application_id": "default-application"})[:-1]
        + ',"duration":-1.712345670114E9,"device_id":"8bf405ae-e34d-4571-8443-45a464626fbd"}}'
    )
    capture = tmp_path / "anonymize.jsonl"
    capture.write_text(_line(1, "/track/v2/projects/tok/customers/events", body) + "\n")
    assert main(["check", "--profile", "exponea-android", str(capture)]) == 0, capsys.readouterr().out
    assert "1 requests checked, 0 violations" in capsys.readouterr().out


def test_caller_device_id_wins_on_ios_and_is_overwritten_on_android(tmp_path, capsys):
    """iOS: caller properties > injected application_id/device_id (ios §2.3); Android sets them last
    (android §3.0, checklist 10), so a caller's device_id on the Android wire is an SDK bug."""
    ios = tmp_path / "ios.jsonl"
    ios_body = {
        "customer_ids": {"cookie": "3F2504E0-4F89-41D3-9A0C-0305E82C3301"},
        "properties": {"application_id": "default-application", "device_id": "user-supplied"},
        "timestamp": 1712345678.5,
        "event_type": "with_defaults",
    }
    ios.write_text(_line(1, "/track/v2/projects/tok/customers/events", json.dumps(ios_body), IOS_HEADERS) + "\n")
    assert main(["check", "--profile", "exponea-ios", str(ios)]) == 0, capsys.readouterr().out
    android = tmp_path / "android.jsonl"
    android_body = {**ios_body, "customer_ids": {"cookie": "1cfbb67c-5d72-4d67-b694-d6e82cb50ed3"}}
    android.write_text(_line(1, "/track/v2/projects/tok/customers/events", json.dumps(android_body)) + "\n")
    assert main(["check", "--profile", "exponea-android", str(android)]) == 1
    assert "$.properties.device_id" in capsys.readouterr().out


def test_a_fault_free_virtual_run_passes_the_schemas_of_its_profile(tmp_path):
    """The virtual SDKs (written from the research, independently of the schemas) send what the
    real ones do in the scenarios where schema and research disagreed; every capture must conform."""
    names = ("anonymize", "anonymize-project-switch", "default-properties", "sessions-manual", "ios-anonymize")
    scenarios = [f"scenarios/exponea/{n}.yaml" for n in names]
    devices = ["--device", "virtual:android", "--device", "virtual:ios"]
    args = [sys.executable, "-m", "harness.cli", "run", "--report", str(tmp_path / "run"), *scenarios, *devices]
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    for platform in ("android", "ios"):
        files = sorted((tmp_path / "run" / "captures").glob(f"virtual-{platform}/*.jsonl"))
        assert len(files) >= 4
        capture = tmp_path / f"{platform}.jsonl"
        capture.write_text("".join(f.read_text() for f in files))
        check = [sys.executable, "-m", "harness.cli", "check", "--profile", f"exponea-{platform}", str(capture)]
        out = subprocess.run(check, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
        assert " 0 violations" in out.stdout
