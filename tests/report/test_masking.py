"""Only secrets are masked: ``Authorization: null`` is not one, a real credential is one everywhere."""

import json
import os

import pytest

from harness.capture.export import mask
from tests.report.conftest import harness

TOKEN = "9f2c4e7a1b3d5f8e0a6c2b4d7e9f1a3c"  # shaped like a real private API key
MARKED = "jane.doe+vip@example.com"  # a value the user marks secret (HARNESS_SECRETS)


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def test_authorization_null_is_not_a_secret_ids_titles_paths_and_file_names_stay(tmp_path):
    out = tmp_path / "run"
    proc = harness(
        "run", "--device", "virtual:android", "--report", str(out), "scenarios/exponea/authorization-null.yaml"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = _files(out)
    assert "captures/virtual-android/authorization-null.jsonl" in files
    assert "captures/virtual-android/authorization-null.har" in files
    for name, text in files.items():
        assert "****" not in text, f"{name} masks something that is not a secret"
    (rec,) = json.loads(files["results.json"])["results"]
    assert rec["scenario"] == "authorization-null" and rec["path"].endswith("authorization-null.yaml")
    assert rec["title"] == 'Without authorization the SDK sends the literal header "Authorization: null"'
    sent = [json.loads(line) for line in files["captures/virtual-android/authorization-null.jsonl"].splitlines()]
    tracking = [q for q in sent if q["kind"] == "tracking"]
    assert tracking and all(q["headers"]["authorization"] == "null" for q in tracking)
    assert all(q["device"].endswith("-authorization-null") for q in tracking)
    har = json.loads(files["captures/virtual-android/authorization-null.har"])
    assert all("-authorization-null/" in e["request"]["url"] for e in har["log"]["entries"])


def test_a_real_credential_and_a_marked_secret_are_masked_in_every_file(tmp_path):
    scenario = tmp_path / "scenarios" / "token-auth.yaml"
    scenario.parent.mkdir()
    scenario.write_text(
        "id: token-auth\ntitle: A real private key is never written out\ncovers: [android#5]\nplatforms: [android]\n"
        f"steps:\n  - init: {{configuration: {{authorization: 'Token {TOKEN}'}}}}\n"
        f"  - trackEvent: {{eventType: vip, properties: {{email: '{MARKED}'}}}}\n"
    )
    out = tmp_path / "run"
    env = {**os.environ, "HARNESS_SECRETS": MARKED}
    proc = harness("run", "--device", "virtual:android", "--report", str(out), str(scenario), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    files = _files(out)
    assert "captures/virtual-android/token-auth.jsonl" in files
    for name, text in files.items():
        assert TOKEN not in text and TOKEN[:16] not in text, f"the credential leaked into {name}"
        assert MARKED not in text, f"the marked secret leaked into {name}"
    sent = [json.loads(line) for line in files["captures/virtual-android/token-auth.jsonl"].splitlines()]
    tracking = [q for q in sent if q["kind"] == "tracking"]
    assert tracking and all(q["headers"]["authorization"] == "Token ****" for q in tracking)
    (rec,) = json.loads(files["results.json"])["results"]
    (init,) = [s for s in rec["trace"] if s["name"] == "init"]
    assert init["args"]["configuration"]["authorization"] == "Token ****"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("null", "null"),
        ("", ""),
        ("Token null", "Token null"),
        ("Token abc123", "Token ****"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "Bearer ****"),
        ("Basic dXNlcjpwYXNz", "Basic ****"),
        ("rawkey123", "****"),
    ],
)
def test_mask_keeps_the_scheme_and_hides_only_a_credential(value, shown):
    assert mask(value) == shown


def test_a_short_secret_is_scrubbed_where_it_stands_alone_not_inside_ids():
    from harness.report.record import _scrub

    doc = {"id": "push-events-mapping", "path": "scenarios/push-events.yaml", "header": "Token push-events"}
    doc["message"] = "sent push-events, then push-events-2"
    assert _scrub(doc, {"push-events"}) == {
        "id": "push-events-mapping",
        "path": "scenarios/push-events.yaml",
        "header": "Token ****",
        "message": "sent ****, then push-events-2",
    }
    assert _scrub({"id": "x-" + TOKEN + "-y"}, {TOKEN}) == {"id": "x-****-y"}
