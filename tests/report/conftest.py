"""Recorded runs made once per test module: real virtual-device runs through the real CLI."""

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def harness(*args, timeout=300, env=None):
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def chromium_binary():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory):
    """identify.yaml with the ids-merged fault (fails) and custom-event.yaml (passes)."""
    out = tmp_path_factory.mktemp("run") / "failing"
    proc = harness(
        "run",
        "--fault",
        "ids-merged",
        "--report",
        str(out),
        "scenarios/exponea/identify.yaml",
        "scenarios/exponea/custom-event.yaml",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return out
