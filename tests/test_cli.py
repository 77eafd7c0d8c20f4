"""The console script, run as users run it."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def harness(*args, cwd=ROOT, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_run_prints_one_verdict_line_per_scenario_and_exits_0(tmp_path):
    out = harness("run", "--device", "virtual:android", "--junit", str(tmp_path / "j.xml"))
    assert out.returncode == 0, out.stdout + out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == len([p for p in (ROOT / "scenarios").rglob("*.yaml") if not p.name.startswith("_")])
    assert all(" PASS " in line or (" SKIP " in line and "not for android" in line) for line in lines)
    assert sum(" PASS " in line for line in lines) >= 10
    assert "<testsuite" in (tmp_path / "j.xml").read_text()


def test_run_with_a_fault_exits_non_zero_with_a_diff():
    out = harness("run", "--device", "virtual:android", "--fault", "sends-after-stop", "-k", "stop")
    assert out.returncode == 1
    assert "FAIL" in out.stdout and "after-stop" in out.stdout and "+++ captured" in out.stdout


def test_malformed_scenario_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ncovers: []\nplatforms: [android]\nsteps:\n  - trackEvnt: {}\n")
    out = harness("run", str(bad))
    assert out.returncode == 2
    assert out.stderr.splitlines() == [f"error: {bad}:5: step 1: unknown step 'trackEvnt'; did you mean 'trackEvent'?"]


def test_devices_json_lists_the_virtual_device():
    out = harness("devices", "--json")
    assert out.returncode == 0
    devices = json.loads(out.stdout)
    assert {"uri": "virtual:android", "platform": "android"}.items() <= devices[0].items()
    assert set(devices[0]) >= {"uri", "platform", "model", "os_version", "frida"}


def test_unknown_device_is_a_clear_error():
    out = harness("run", "--device", "virtual:windows-phone")
    assert out.returncode == 2 and "virtual:windows-phone" in out.stderr.splitlines()[0]


def test_coverage_json_has_the_contract_shape():
    out = harness("coverage", "--json")
    data = json.loads(out.stdout)["checklists"]
    assert data["android"]["total"] == 78 and "android#5" in data["android"]["covered"]
    assert "android#70" in data["android"]["out_of_scope"] and "android#26" in data["android"]["covered"]


def test_collector_serve_and_export(tmp_path):
    import httpx

    store = tmp_path / "c.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "collector", "serve", "--port", "0", "--store", str(store)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:")
        url = first.split()[-1]
        httpx.post(
            url + "/track/v2/projects/t/customers/events",
            json={"event_type": "x"},
            headers={"authorization": "Token s3cret"},
        )
    finally:
        proc.terminate()
        proc.wait(10)
    out = harness("collector", "export", "--store", str(store), "--format", "jsonl")
    (line,) = out.stdout.splitlines()
    obj = json.loads(line)
    assert obj["headers"]["authorization"] == "Token ****" and json.loads(obj["body"]) == {"event_type": "x"}
    har = harness("collector", "export", "--store", str(store), "--format", "har", "-o", str(tmp_path / "c.har"))
    assert har.returncode == 0 and json.loads((tmp_path / "c.har").read_text())["log"]["version"] == "1.2"


def test_check_accepts_good_traffic_and_names_the_bad_field(tmp_path):
    good = {
        "method": "POST",
        "path": "/track/v2/projects/t/customers/events",
        "headers": {"content-type": "application/json; charset=utf-8", "authorization": "null"},
        "body": json.dumps(
            {
                "event_type": "session_end",
                "timestamp": 1.7e9,
                "customer_ids": {"cookie": "0f8fad5b-d9cb-469f-a165-70867728950e"},
                "properties": {
                    "application_id": "a",
                    "device_id": "8ae1e7f7-53a3-47f8-a631-23e5205812bf",
                    "os_name": "Android",
                    "os_version": "14",
                    "sdk": "AndroidSDK",
                    "sdk_version": "4.10.0",
                    "device_model": "m",
                    "device_type": "mobile",
                    "app_version": "1",
                    "duration": 3.0,
                },
            }
        ),
    }
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(good) + "\n")
    assert harness("check", "--profile", "exponea-android", str(f)).returncode == 0
    bad = json.loads(good["body"])
    bad["properties"]["duration"] = "3"
    f.write_text(json.dumps({**good, "body": json.dumps(bad)}) + "\n")
    out = harness("check", "--profile", "exponea-android", str(f))
    assert out.returncode == 1 and "properties.duration" in out.stdout
