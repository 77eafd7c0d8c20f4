"""A toy SDK registered only through the ``harness.sdks`` entry point runs end to end on virtual:android.

The entry point is a ``*.dist-info/entry_points.txt`` in a temporary folder on the subprocesses'
``PYTHONPATH``, so ``importlib.metadata`` finds it as it finds any installed distribution: the
collector's route, the decoder, the profile, the call vocabulary and the reference SDK all come from
``tests/toy_sdk`` with no change to generic code. A seeded toy fault makes the run fail.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SCENARIO = """\
id: toy-track
sdk: toy
covers: [toy-android#1]
platforms: [android]
steps:
  - init
  - track: {name: purchase, properties: {price: 5}}
  - track: {name: view}
"""


@pytest.fixture
def toy_env(tmp_path):
    dist = tmp_path / "site" / "harness_toy_sdk-0.0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: harness-toy-sdk\nVersion: 0.0.0\n")
    (dist / "entry_points.txt").write_text("[harness.sdks]\ntoy = tests.toy_sdk:SDK\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), str(ROOT), env.get("PYTHONPATH", "")])
    (tmp_path / "toy.yaml").write_text(SCENARIO)
    return env, tmp_path


def harness(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_a_toy_sdk_from_an_entry_point_runs_end_to_end_on_the_virtual_device(toy_env):
    env, tmp = toy_env
    listed = json.loads(harness(env, "sdks", "--json").stdout)
    assert {s["name"] for s in listed} == {"antsomi", "customerio", "exponea", "toy"}
    out = harness(env, "run", str(tmp / "toy.yaml"), "--device", "virtual:android", "--report", str(tmp / "run"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 0 failed" in out.stdout
    (result,) = json.loads((tmp / "run" / "results.json").read_text())["results"]
    assert (result["profile"], result["sdk_version"], result["outcome"]) == ("toy-android", "1.0.0", "passed")
    assert "toy-android#1" in (tmp / "run" / "matrix.json").read_text()


def test_the_toy_sdks_seeded_fault_fails_the_run(toy_env):
    env, tmp = toy_env
    out = harness(env, "run", str(tmp / "toy.yaml"), "--device", "virtual:android", "--fault", "toy-shouts")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "0 passed, 1 failed" in out.stdout
    assert "PURCHASE" in out.stdout


def test_without_the_entry_point_a_toy_scenario_is_refused_with_its_line(toy_env):
    env, tmp = toy_env
    env = {**env, "PYTHONPATH": str(ROOT)}
    out = harness(env, "run", str(tmp / "toy.yaml"), "--device", "virtual:android")
    assert out.returncode == 2
    assert "toy.yaml:2" in out.stderr and "unknown SDK 'toy'" in out.stderr


RESPOND = """\
id: toy-respond
sdk: toy
covers: [toy-android#1]
platforms: [android]
steps:
  - init
  - respond: {{route: {route}, status: 200, times: 1}}
  - track: {{name: purchase, properties: {{price: 5}}}}
"""


def test_a_respond_step_names_its_own_sdks_routes(toy_env):
    """The ``respond`` step's routes come from the scenario's SDK (its aliases and route table)."""
    env, tmp = toy_env
    for name, route in [("alias", "track"), ("name", "toy-track")]:
        (tmp / f"{name}.yaml").write_text(RESPOND.format(route=route))
        out = harness(env, "run", str(tmp / f"{name}.yaml"), "--device", "virtual:android")
        assert out.returncode == 0, out.stdout + out.stderr
    (tmp / "other.yaml").write_text(RESPOND.format(route="events"))  # another SDK's short name
    out = harness(env, "run", str(tmp / "other.yaml"), "--device", "virtual:android")
    assert out.returncode == 2, out.stdout + out.stderr
    want = "other.yaml:7: step 2 'respond': " + 'route must be one of "track", "any", "toy-track", got "events"'
    assert want in out.stderr
