"""Record → harness learn → review (the test plays the person) → check against the pinned profile, on real
virtual-device runs of two SDKs (Customer.io on virtual:android, Exponea on virtual:ios): the learner knows
neither SDK's wire format, which is the proof it is generic."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.report.conftest import harness

CIO = ["scenarios/customerio/anonymous-then-identified.yaml", "scenarios/customerio/device-attributes.yaml"]
EXPONEA = ["scenarios/exponea/custom-event.yaml", "scenarios/exponea/identify.yaml", "--device", "virtual:ios"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Fault-free runs a, b (learned from) and c (checked), and runs with seeded faults that change the
    wire shape: a field's type (push-enabled-string), a field that appears (library-kept), a field that
    disappears (no-device-id)."""
    root = tmp_path_factory.mktemp("learn")
    plans = {
        "cio-a": CIO,
        "cio-b": CIO,
        "cio-c": CIO,
        "cio-type": [*CIO, "--fault", "push-enabled-string"],
        "cio-appears": [*CIO, "--fault", "library-kept"],
        "exp-a": EXPONEA,
        "exp-b": EXPONEA,
        "exp-c": EXPONEA,
        "exp-gone": [*EXPONEA, "--fault", "no-device-id"],
    }
    procs = {}
    for name, args in plans.items():
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "run", "--report", str(root / name), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    for name, proc in procs.items():
        output = proc.communicate(timeout=300)[0].decode()
        assert (root / name / "results.json").exists(), output
    return {name: root / name for name in procs}


def _learn(runs, tmp_path, prefix, *extra):
    out = tmp_path / f"{prefix}-pin"
    proc = harness("learn", str(runs[f"{prefix}-a"]), str(runs[f"{prefix}-b"]), "--out", str(out), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _review_everything(pin):
    """The person: reads the proposals, agrees with them, and confirms every field."""
    shown = harness("learn", "--review", str(pin))
    assert shown.returncode == 0 and "UNREVIEWED" in shown.stdout
    done = harness("learn", "--review", str(pin), "--confirm", "identity", "--confirm-all-fields")
    assert done.returncode == 0, done.stderr
    assert "UNREVIEWED" not in done.stdout


def _check(pin, *captures):
    return harness("check", "--pin", str(pin), *map(str, captures))


def test_learned_profile_proposes_the_identity_and_marks_generated_values(runs, tmp_path):
    pin_dir = _learn(runs, tmp_path, "cio", "--sdk", "customerio")
    pin = json.loads((pin_dir / "pin.json").read_text())
    assert pin["format"] == 1 and pin["sdk"] == "customerio"
    assert pin["identity"] == {"uid": "anonymousId", "cid": "userId", "event": ["type", "event"]}
    assert all(not r["confirmed"] and r["evidence"] for r in pin["identity_review"].values())
    assert {"track/viewed_product", "track/purchase", "identify", "screen"} <= set(pin["events"])
    fields = [f for kind in ("endpoints", "events") for e in pin[kind].values() for f in e["fields"].values()]
    assert fields and not any(f["confirmed"] for f in fields)  # every field starts unreviewed
    purchase = pin["events"]["track/purchase"]
    schema = json.loads((pin_dir / purchase["schema"]).read_text())
    assert schema["properties"]["anonymousId"]["x-volatile"] == "uuid"
    assert schema["properties"]["messageId"]["x-volatile"] == "uuid"
    assert schema["properties"]["timestamp"]["x-volatile"] == "timestamp"
    assert "x-volatile" not in schema["properties"]["event"] and "x-volatile" not in schema["properties"]["userId"]
    assert schema["additionalProperties"] is False and "userId" in schema["required"]
    example = json.loads((pin_dir / purchase["example"]).read_text())
    assert example["example"]["event"] == "purchase" and example["volatile"]["anonymousId"] == "uuid"
    assert len(pin["provenance"]["installs"]) == 4 and pin["provenance"]["compared_recordings"] == 2


def test_an_unreviewed_profile_does_not_check_clean(runs, tmp_path):
    pin = _learn(runs, tmp_path, "cio")
    out = _check(pin, runs["cio-c"])
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if "requests checked" not in line]
    assert lines and all("unreviewed" in line for line in lines)
    assert any("$.anonymousId: event 'track/purchase': field never reviewed" in line for line in lines)
    assert any('identity uid = "anonymousId" is a proposal nobody confirmed' in line for line in lines)
    # one line per schema and field, however many captures show it
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize("sdk", ["cio", "exp"])
def test_a_third_run_checks_clean_against_the_reviewed_profile(runs, tmp_path, sdk):
    pin = _learn(runs, tmp_path, sdk)
    _review_everything(pin)
    out = _check(pin, runs[f"{sdk}-c"])
    assert out.returncode == 0, out.stdout
    assert out.stdout.strip().endswith(", 0 violations")


def test_a_field_whose_type_changed_is_reported(runs, tmp_path):
    pin = _learn(runs, tmp_path, "cio")
    _review_everything(pin)
    out = _check(pin, runs["cio-type"])
    assert out.returncode == 1
    bad = [line for line in out.stdout.splitlines() if "requests checked" not in line]
    assert bad and all("$.properties.push_enabled" in line for line in bad)
    assert all("type changed: pinned boolean, got string" in line for line in bad)
    # harness diff shows the same change between the two "releases"
    diff = harness("diff", str(runs["cio-a"]), str(runs["cio-type"]))
    assert diff.returncode == 1 and "push_enabled: type boolean -> string" in diff.stdout


def test_a_field_that_appears_or_disappears_is_reported(runs, tmp_path):
    cio = _learn(runs, tmp_path, "cio")
    _review_everything(cio)
    out = _check(cio, runs["cio-appears"])
    assert out.returncode == 1 and "$.context.library" in out.stdout and "field appeared" in out.stdout
    exp = _learn(runs, tmp_path, "exp")
    _review_everything(exp)
    out = _check(exp, runs["exp-gone"])
    assert out.returncode == 1
    bad = [line for line in out.stdout.splitlines() if "requests checked" not in line]
    assert bad and all("$.properties.device_id" in line and "field disappeared" in line for line in bad)


def test_an_unknown_event_and_an_unknown_endpoint_are_reported(runs, tmp_path):
    pin = _learn(runs, tmp_path, "cio")
    _review_everything(pin)
    capture = next((runs["cio-c"] / "captures").glob("*/cio-anonymous-then-identified.jsonl"))
    lines = []
    for line in capture.read_text().splitlines():
        req = json.loads(line)
        req["body"] = req["body"].replace('"event":"purchase"', '"event":"refund"')
        lines.append(json.dumps(req))
    lines.append(json.dumps({"method": "POST", "path": "/v2/new-endpoint", "headers": {}, "body": "{}"}))
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines) + "\n")
    out = _check(pin, tampered)
    assert out.returncode == 1
    assert "event 'track/refund' is not in the pinned profile" in out.stdout
    assert "endpoint POST /v2/new-endpoint is not in the pinned profile" in out.stdout


def test_har_exports_and_capture_stores_are_read_like_run_folders(runs, tmp_path):
    from harness.capture.record import CapturedRequest
    from harness.capture.store import Store

    pin = _learn(runs, tmp_path, "cio")
    _review_everything(pin)
    hars = sorted((runs["cio-c"] / "captures").glob("*/*.har"))
    assert len(hars) == 2
    out = _check(pin, *hars)
    assert out.returncode == 0, out.stdout
    store = Store(tmp_path / "capture.sqlite")
    try:
        for jsonl in sorted((runs["cio-c"] / "captures").glob("*/*.jsonl")):
            for line in jsonl.read_text().splitlines():
                store.add(CapturedRequest.from_json({**json.loads(line), "id": 0}))
    finally:
        store.close()
    out = _check(pin, tmp_path / "capture.sqlite")
    assert out.returncode == 0, out.stdout
    assert ", 0 violations" in out.stdout


def test_the_reviewer_can_correct_a_proposal(runs, tmp_path):
    pin = _learn(runs, tmp_path, "cio")
    out = harness("learn", "--review", str(pin), "--set", "cid=traits.plan", "--confirm", "uid")
    assert out.returncode == 0, out.stderr
    data = json.loads((pin / "pin.json").read_text())
    assert data["identity"]["cid"] == "traits.plan" and data["identity_review"]["cid"]["confirmed"]
    assert data["identity_review"]["uid"]["confirmed"] and not data["identity_review"]["event"]["confirmed"]
    check = _check(pin, runs["cio-c"])
    assert "identity event" in check.stdout and "identity cid" not in check.stdout


def test_a_run_recorded_to_the_real_backend_is_read_from_its_in_app_capture(runs, tmp_path):
    """With --base-url and --in-app-capture the collector sees nothing and the run folder's in-app
    capture holds the traffic: that is what is learned from and checked."""
    import shutil

    pin = _learn(runs, tmp_path, "cio")
    _review_everything(pin)
    moved = tmp_path / "real-backend"
    shutil.copytree(runs["cio-c"], moved)
    for jsonl in list((moved / "captures").glob("*/*.jsonl")):
        jsonl.rename(jsonl.with_name(jsonl.stem + ".in-app.jsonl"))
        jsonl.write_text("")
    out = _check(pin, moved)
    assert out.returncode == 0, out.stdout
    assert out.stdout.strip() == f"4 requests checked against {pin}, 0 violations"
