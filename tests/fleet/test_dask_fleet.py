"""A fleet run on loopback with real parts: a ``dask scheduler`` and two ``harness worker`` processes
serving virtual devices, driven by ``harness run --scheduler`` in another process."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="fleet runs need the [fleet] extra (dask[distributed])")
import psutil
from distributed import Client

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def _run(*args, **kw):
    return subprocess.run([BIN / "harness", "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, **kw)


def _outcomes(folder):
    results = json.loads((Path(folder) / "results.json").read_text())["results"]
    return {(r["scenario"], r["device"]): r["outcome"] for r in results}


def test_a_fleet_run_reports_every_scenario_of_every_device_as_a_local_run_judges_it(cluster, tmp_path):
    address, _ = cluster
    fleet = _run("--scheduler", address, "-k", "identify", "--report", str(tmp_path / "fleet"))
    assert "dashboard: http://" in fleet.stdout
    local = _run(
        "--device", "virtual:android", "--device", "virtual:ios", "-k", "identify", "--report", str(tmp_path / "local")
    )
    assert local.returncode == 0, local.stdout + local.stderr
    assert fleet.returncode == 0, fleet.stdout + fleet.stderr
    mine = _outcomes(tmp_path / "fleet")
    theirs = _outcomes(tmp_path / "local")
    scenarios = {s for s, _ in theirs}
    assert set(mine) == {
        (s, d) for s in scenarios for d in ("virtual:android@w1", "virtual:ios@w1", "virtual:android@w2")
    }
    for (scenario, device), outcome in mine.items():
        assert outcome == theirs[(scenario, device.split("@")[0])], (scenario, device)
    assert (tmp_path / "fleet" / "report.html").is_file()
    assert "virtual:android@w2" in (tmp_path / "fleet" / "matrix.json").read_text()


def test_a_worker_killed_mid_run_ends_its_runs_as_errors_naming_it_and_the_others_go_on(cluster, tmp_path):
    address, procs = cluster
    run = subprocess.Popen(
        [BIN / "harness", "run", "--scheduler", address, "-k", "flush", "--report", str(tmp_path / "fleet")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        for line in run.stdout:  # kill w2 once it has finished one run: it is mid-run then
            lines.append(line)
            if "@w2" in line and line.startswith("["):
                children = psutil.Process(procs["w2"].pid).children(recursive=True)
                os.kill(procs["w2"].pid, signal.SIGKILL)
                procs["w2"].wait(10)
                for child in children:
                    child.kill()
                break
        lines += run.stdout.readlines()
        assert run.wait(300) == 1
    finally:
        if run.poll() is None:
            run.kill()
    output = "".join(lines)
    results = json.loads((tmp_path / "fleet" / "results.json").read_text())["results"]
    on_w2 = [r for r in results if r["device"] == "virtual:android@w2"]
    others = [r for r in results if r["device"] != "virtual:android@w2"]
    assert any(r["outcome"] == "error" and "worker w2 (127.0.0.1)" in r["error"] for r in on_w2), output
    assert others and all(r["outcome"] in ("passed", "skipped") for r in others), output
    assert len(results) == 3 * len({r["scenario"] for r in results})


def test_the_dispatcher_sees_every_live_worker_while_the_client_refreshes_its_cached_scheduler_info(cluster):
    """Dask's client refreshes its cached ``scheduler_info()`` in the background with a copy that lists
    no workers; a dispatcher reading that cache called live workers lost (a refresh every millisecond
    made one look in five see no worker at all). The dispatcher asks the scheduler itself."""
    import dask

    from harness.fleet.dispatch import fleet_devices, identity, live_workers

    address, _ = cluster
    with dask.config.set({"distributed.client.scheduler-info-interval": "1ms"}), Client(address, timeout=30) as client:
        devices = fleet_devices(identity(client))
        assert {d.label for d in devices} == {"virtual:android@w1", "virtual:ios@w1", "virtual:android@w2"}
        workers = {d.address for d in devices}
        looks = []
        for _ in range(200):
            looks.append(live_workers(client))
            time.sleep(0.005)
    assert all(look == workers for look in looks), [look for look in looks if look != workers][:3]


def test_a_lost_scheduler_ends_the_unfinished_runs_as_errors_and_the_report_is_still_written(cluster, tmp_path):
    """Dask cancels every future when the client loses the scheduler; the runs end as errors saying so."""
    address, procs = cluster
    run = subprocess.Popen(
        [BIN / "harness", "run", "--scheduler", address, "-k", "flush", "--report", str(tmp_path / "fleet")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        for line in run.stdout:  # kill the scheduler once a run has finished: the others are unfinished then
            lines.append(line)
            if line.startswith("["):
                os.kill(procs["scheduler"].pid, signal.SIGKILL)
                procs["scheduler"].wait(10)
                break
        lines += run.stdout.readlines()
        assert run.wait(120) == 1
    finally:
        if run.poll() is None:
            run.kill()
    output = "".join(lines)
    assert "internal error" not in output, output
    results = json.loads((tmp_path / "fleet" / "results.json").read_text())["results"]
    lost = [r for r in results if r["outcome"] == "error" and "unfinished when the scheduler was lost" in r["error"]]
    assert lost and all("worker w" in r["error"] for r in lost), output
    assert len(results) == 3 * len({r["scenario"] for r in results})
