"""The Antsomi suite on ``jvm:android`` through the generic Flutter agent (``--agent flutter``).

A real ``harness run``: the test-bed JVM with the Antsomi plugin mirror (``antsomisdk``), the agents
``_java`` + ``_flutter`` + ``antsomi_flutter_android`` attached with Frida, each call sent on the
channel as Dart would, the mirror handing it to the bed's STAND-IN SDK, which forwards it to the
virtual app's stand-in reference SDK; its HTTP leaves through the bed's OkHttp to the real collector,
and the run is judged by the identity layer and the committed pinned profile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SUITE = ROOT / "scenarios" / "antsomi"


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HARNESS_ANTSOMI_PIN"}
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env
    )


def test_identity_flow_passes_through_the_flutter_channel_and_the_plugin_mirror(tmp_path: Path) -> None:
    scenario = str(SUITE / "identity-flow.yaml")
    out = harness("run", scenario, "--device", "jvm:android", "--agent", "flutter", "--report", str(tmp_path / "run"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASS  antsomi-identity-flow" in out.stdout
    runs = json.loads((tmp_path / "run" / "results.json").read_text())["results"]
    assert [(r["device"], r["sdk"], r["outcome"]) for r in runs] == [("jvm:android", "antsomi", "passed")]
    # the same pinned wire shape as on virtual:android: it came through the bed's OkHttp, checked clean
    pin = ROOT / "harness" / "sdks" / "antsomi" / "spec" / "pinned"
    clean = harness("check", "--pin", str(pin), str(tmp_path / "run"))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip().endswith(f"5 requests checked against {pin}, 0 violations")


def test_a_seeded_identity_fault_is_caught_through_the_flutter_agent() -> None:
    scenario = str(SUITE / "relaunch-keeps-uid.yaml")
    fault = "uid-rotates-on-relaunch"
    out = harness("run", scenario, "--device", "jvm:android", "--agent", "flutter", "--fault", fault)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAIL  antsomi-relaunch-keeps-uid" in out.stdout
    assert "$.uid: second (step 8): expected the same uid#1 as before" in out.stdout
