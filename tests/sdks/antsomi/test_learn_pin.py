"""The whole learn -> pin -> check flow of the issue's "Done when", on the virtual device, through the CLI.

Real ``harness`` processes, the real collector and the STAND-IN Antsomi SDK in the real virtual app:

1. record the Antsomi suite twice (``harness run --report``);
2. ``harness learn`` proposes the identity mapping and the calls' event names, and pins every field
   unreviewed; a run against that pin (``HARNESS_ANTSOMI_PIN``) fails on the unreviewed fields;
3. the test plays the person: reads ``harness learn --review`` and confirms through the CLI;
4. a second recording passes ``harness run`` and checks clean with ``harness check --pin``;
5. the stand-in's other release (``1.0.0``: ``sid`` a number, pinned a string) is reported by
   ``harness check --pin``, by ``harness diff`` between the two runs, and fails ``harness run``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SUITE = ROOT / "scenarios" / "antsomi"
SCENARIOS = list(SUITE.glob("[!_]*.yaml"))


def harness(*args: str, pin: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HARNESS_ANTSOMI_PIN"}
    if pin is not None:
        env["HARNESS_ANTSOMI_PIN"] = str(pin)
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env
    )


def record(folder: Path, *extra: str, pin: Path | None = None) -> subprocess.CompletedProcess[str]:
    return harness("run", str(SUITE), "--device", "virtual:android", "--report", str(folder), *extra, pin=pin)


def test_record_learn_review_then_a_clean_run_and_a_release_that_changes_a_field_type(tmp_path: Path) -> None:
    # 1. record twice (the committed pin judges these runs; what was sent is what is learned)
    for name in ("rec-1", "rec-2"):
        out = record(tmp_path / name)
        assert out.returncode == 0, out.stdout + out.stderr
    # 2. learn
    pin = tmp_path / "pin"
    out = harness("learn", str(tmp_path / "rec-1"), str(tmp_path / "rec-2"), "--out", str(pin), "--sdk", "antsomi")
    assert out.returncode == 0, out.stdout + out.stderr
    learned = json.loads((pin / "pin.json").read_text())
    assert learned["identity"] == {"uid": "uid", "cid": "dims.customers.customer_id", "event": ["ec", "ea"]}
    assert learned["calls"] == {"track": "custom/{en}", "trackScreen": "screen/view"}
    assert set(learned["endpoints"]) == {"POST /antsomi/v3/event"}
    assert {"custom/purchase", "screen/view"} <= set(learned["events"])
    fields = learned["endpoints"]["POST /antsomi/v3/event"]["fields"]
    assert fields["uid"]["type"] == "string" and fields["uid"]["volatile"] and not fields["uid"]["confirmed"]
    assert fields["sid"]["type"] == "string" and fields["sid"]["volatile"]

    # an unreviewed pin fails the run itself, not only harness check --pin
    one = str(SUITE / "identity-flow.yaml")
    unreviewed = harness("run", one, "--device", "virtual:android", pin=pin)
    assert unreviewed.returncode == 1, unreviewed.stdout + unreviewed.stderr
    assert "field never reviewed" in unreviewed.stdout
    assert 'identity uid = "uid" is a proposal nobody confirmed' in unreviewed.stdout

    # 3. the person: reads the proposals, agrees, confirms the identity mapping and every field
    shown = harness("learn", "--review", str(pin))
    assert shown.returncode == 0 and "UNREVIEWED" in shown.stdout, shown.stdout + shown.stderr
    assert 'track           "custom/{en}"' in shown.stdout
    done = harness("learn", "--review", str(pin), "--confirm", "identity", "--confirm-all-fields")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "UNREVIEWED" not in done.stdout

    # 4. a second recording, judged by the reviewed pin in the run, checks clean
    out = record(tmp_path / "rec-3", pin=pin)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{len(SCENARIOS)} passed, 0 failed" in out.stdout
    clean = harness("check", "--pin", str(pin), str(tmp_path / "rec-3"))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip().endswith(", 0 violations")

    # 5. the other release: sid became a number
    out = record(tmp_path / "release", "--sdk-version", "1.0.0", pin=pin)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"0 passed, {len(SCENARIOS)} failed" in out.stdout
    assert "$.sid: endpoint 'POST /antsomi/v3/event': type changed: pinned string, got number" in out.stdout
    checked = harness("check", "--pin", str(pin), str(tmp_path / "release"))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    found = [x for x in checked.stdout.splitlines() if ": type " in x]
    assert found, checked.stdout
    assert all("$.sid: endpoint 'POST /antsomi/v3/event': type changed: pinned string, got number" in x for x in found)
    assert not [x for x in checked.stdout.splitlines() if ": mismatch " in x or ": unreviewed " in x], checked.stdout
    diff = harness("diff", str(tmp_path / "rec-3"), str(tmp_path / "release"), "--json")
    assert diff.returncode == 1, diff.stdout + diff.stderr
    changes = {(c["kind"], c["path"]) for d in json.loads(diff.stdout)["differences"] for c in d["changes"]}
    assert ("type", "$.sid") in changes


def test_a_pin_folder_that_is_not_there_is_named_in_the_run(tmp_path: Path) -> None:
    out = harness("run", str(SUITE / "set-uid.yaml"), "--device", "virtual:android", pin=tmp_path / "nowhere")
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"{tmp_path / 'nowhere' / 'pin.json'}: no such file (from HARNESS_ANTSOMI_PIN)" in out.stdout


def _shape(pin: dict[str, object]) -> dict[str, object]:
    """What a relearn must reproduce: the mapping, the review state and every field's type, not when or from
    which temporary folder it was learned."""
    keep = ("format", "sdk", "name", "identity", "calls")
    out: dict[str, object] = {k: pin[k] for k in keep}
    for kind in ("endpoints", "events"):
        entries = pin[kind]
        assert isinstance(entries, dict)
        out[kind] = {n: {p: (f["type"], f["confirmed"]) for p, f in e["fields"].items()} for n, e in entries.items()}
    return out


def test_relearn_reproduces_the_committed_pin(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "harness.sdks.antsomi.relearn", "--out", str(tmp_path / "pin")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "UNREVIEWED" not in out.stdout
    committed = json.loads((ROOT / "harness/sdks/antsomi/spec/pinned/pin.json").read_text())
    assert _shape(json.loads((tmp_path / "pin" / "pin.json").read_text())) == _shape(committed)
    bad = subprocess.run(
        [sys.executable, "-m", "harness.sdks.antsomi.relearn", "--scenarios", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
