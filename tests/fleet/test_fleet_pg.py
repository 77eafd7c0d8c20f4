"""A fleet run on one PostgreSQL database, end to end with real parts: a ``dask scheduler``, two
``harness worker`` processes whose collectors both write to one database of a private PostgreSQL cluster
(tests/pgcluster.py), and ``harness run --scheduler --store postgresql://...`` twice, then ``harness runs``
and ``harness diff`` reading the two recorded runs back from that database.

One broad test on purpose: starting the cluster, the scheduler and the workers is most of its time.
Skipped only without Dask (the [fleet] extra) or without PostgreSQL's server binaries (``pg_server``)."""

import json
import re
import subprocess

import pytest

pytest.importorskip("distributed", reason="fleet runs need the [fleet] extra (dask[distributed])")
psycopg = pytest.importorskip("psycopg", reason="the postgresql:// store needs psycopg (the [fleet] extra)")

from harness.report.folder import load_run  # noqa: E402
from tests.conftest import ROOT  # noqa: E402
from tests.fleet.parts import BIN  # noqa: E402

SCENARIOS = [f"scenarios/exponea/{name}.yaml" for name in ("identify", "custom-event", "ios-identify-rules")]
LABELS = ("virtual:android@w1", "virtual:ios@w1", "virtual:android@w2")


def _harness(*args):
    return subprocess.run([BIN / "harness", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_two_workers_on_one_database_give_one_report_one_capture_and_a_run_history(pg_cluster, tmp_path):
    address, _, url = pg_cluster
    run_ids = []
    for name in ("a", "b"):
        run = _harness("run", "--scheduler", address, "--store", url, "--report", str(tmp_path / name), *SCENARIOS)
        assert run.returncode == 0, run.stdout + run.stderr
        stored = re.findall(r"^run (\d+) stored", run.stdout, re.MULTILINE)
        assert len(stored) == 1, run.stdout
        run_ids.append(stored[0])

    # one report with every scenario of every device, from both workers
    results = json.loads((tmp_path / "a" / "results.json").read_text())["results"]
    scenarios = {r["scenario"] for r in results}
    assert len(scenarios) == len(SCENARIOS)
    assert sorted((r["scenario"], r["device"]) for r in results) == sorted((s, d) for s in scenarios for d in LABELS)
    assert all(r["outcome"] in ("passed", "skipped") for r in results), [(r["device"], r["error"]) for r in results]
    for label in LABELS:
        assert any(r["outcome"] == "passed" and r["device"] == label for r in results), label
    assert (tmp_path / "a" / "report.html").is_file()

    # the captures the runs were judged on were written by both workers' collectors into the one database
    # (ids from one shared sequence, so the two collectors' ids never collide)
    captured = {label: {} for label in LABELS}
    for run in ("a", "b"):
        for r in load_run(tmp_path / run)[1]:
            for request in r["requests"]:
                captured[r["device"]][request["id"]] = request["device"]
    assert all(captured.values()), {label: len(ids) for label, ids in captured.items()}
    on_w1 = captured["virtual:android@w1"].keys() | captured["virtual:ios@w1"].keys()
    assert not on_w1 & captured["virtual:android@w2"].keys()
    wanted = {rid: device for ids in captured.values() for rid, device in ids.items()}
    with psycopg.connect(url) as conn:
        rows = dict(conn.execute("SELECT id, device FROM requests WHERE id = ANY(%s)", (list(wanted),)).fetchall())
    assert rows == wanted

    # both runs recorded: harness runs lists them, harness diff compares them by id
    listed = _harness("runs", "--store", url, "--json")
    assert listed.returncode == 0, listed.stderr
    runs = {str(r["id"]): r for r in json.loads(listed.stdout)}
    assert set(runs) == set(run_ids)
    passed = sum(r["outcome"] == "passed" for r in results)
    for run_id in run_ids:
        assert sorted(runs[run_id]["devices"]) == sorted(LABELS)
        assert (runs[run_id]["passed"], runs[run_id]["failed"]) == (passed, 0)
    diff = _harness("diff", "--store", url, *run_ids)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert f"run {run_ids[0]}" in diff.stdout, diff.stdout
    missing = _harness("diff", "--store", url, run_ids[0], "999999")
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr
    assert "no run 999999" in missing.stderr
