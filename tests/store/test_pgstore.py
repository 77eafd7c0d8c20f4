"""The capture store on a real PostgreSQL server (a private cluster, tests/pgcluster.py), beside SQLite."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import psycopg
import pytest

from harness.capture.pgstore import SCHEMA_VERSION, PgStore, migrate
from harness.capture.record import CapturedRequest
from harness.capture.server import CollectorServer
from harness.capture.store import open_store
from harness.errors import CaptureError
from tests.conftest import ROOT

EVENTS = "/track/v2/projects/t/customers/events"


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """Where a store goes: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "capture.sqlite")
    return request.getfixturevalue("pg_url")


def req(i, device="d1", kind="tracking"):
    return CapturedRequest(
        method="POST", path=f"/p/{i}", headers={"a": "b"}, body=f'{{"i":{i}}}', received_at=time.time(),
        device=device, kind=kind,
    )


def test_add_query_and_wait_on_both_backends(location):
    store = open_store(location)
    try:
        ids = [store.add(req(i, device="d1" if i % 2 else "d2")) for i in range(6)]
        assert ids == sorted(ids) and store.last_id == ids[-1]
        assert [r.path for r in store.query(device="d1")] == ["/p/1", "/p/3", "/p/5"]
        assert [r.path for r in store.query(after_id=ids[3])] == ["/p/4", "/p/5"]
        futures = [store.submit(req(i, device="many")) for i in range(300)]
        assert len({f.result(10) for f in futures}) == 300
        threading.Timer(0.2, lambda: store.add(req(7, device="late"))).start()
        assert len(store.wait_for(lambda rs: len(rs) == 1, timeout=10, device="late")) == 1
        assert store.count() == 307
    finally:
        store.close()


def test_requests_submitted_together_on_a_loop_are_stored_in_their_order_on_both_backends(location):
    """The loop hands its requests over in batches (PgStore: gathered over a few iterations, committed
    by whichever writer connection is free): ids still ascend in the order the requests were submitted."""
    store = open_store(location)

    async def submit_all():
        first = await asyncio.gather(*(store.submit_async(req(i)) for i in range(150)))
        await asyncio.sleep(0)
        return first + list(await asyncio.gather(*(store.submit_async(req(i)) for i in range(150, 300))))

    try:
        ids = asyncio.run(submit_all())
        assert ids == sorted(ids) and len(set(ids)) == 300
        assert [r.path for r in store.query()] == [f"/p/{i}" for i in range(300)]
    finally:
        store.close()


def test_the_store_opens_new_connections_when_the_server_closed_its_own(pg_url):
    """A restart, a failover or an idle timeout closes the store's connections: the batches that were on
    them fail (never answered as stored), and the next ones, and reads, go through new connections."""
    store = open_store(pg_url)
    try:
        first = store.add(req(0))
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        assert [r.id for r in store.query()] == [first]  # the read connection opened again
        failed = 0
        for i in range(1, 30):  # each writer connection finds out once
            try:
                store.add(req(i), timeout=10)
            except CaptureError:
                failed += 1
        assert failed <= 4
        later = [store.add(req(100 + i), timeout=10) for i in range(20)]
        assert later == sorted(later)
        stored = {r.id: r.path for r in store.query()}
        assert len(stored) == 30 - failed + 20 and all(stored[i] == f"/p/{100 + n}" for n, i in enumerate(later))
    finally:
        store.close()


def test_a_loop_goes_on_when_the_server_closed_its_connections(pg_url):
    """The collector's loop stores its batches on connections of its own (``_LoopCopier``): when the server
    closes them, no batch is answered as stored unless it is, and the later ones are stored (by the writer
    threads once the loop has no connection left), ids still ascending."""
    store = open_store(pg_url)

    def terminate() -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    async def submit(i):
        try:
            return await asyncio.wait_for(store.submit_async(req(i)), 10)
        except CaptureError:
            return None

    async def scenario():
        first = await submit(0)
        await asyncio.to_thread(terminate)
        middle = [await submit(i) for i in range(1, 30)]
        later = list(await asyncio.gather(*(submit(100 + i) for i in range(20))))
        return first, middle, later

    try:
        first, middle, later = asyncio.run(scenario())
        assert first is not None and None not in later and later == sorted(later)
        answered = [i for i in middle if i is not None]
        # each connection finds out once: the loop's four, the writer threads' four, the one ids come from
        assert len(answered) >= 29 - 9 and answered == sorted(answered) and answered[0] > first
        stored = {r.id: r.path for r in store.query()}
        assert all(rid in stored for rid in [first, *answered, *later])
        assert [stored[rid] for rid in later] == [f"/p/{100 + n}" for n in range(20)]
    finally:
        store.close()


def test_collector_round_trip_and_malformed_request_on_both_backends(location):
    with CollectorServer(location) as server:
        good = httpx.post(server.url + "/d/phone/" + EVENTS.lstrip("/"), json={"event_type": "x"})
        bad = httpx.post(server.url + EVENTS, content=b'{"broken": \x00', headers={"content-type": "application/json"})
        assert good.status_code == bad.status_code == 200
        stored = server.store.query()
    first, second = stored
    assert first.device == "phone" and json.loads(first.body) == {"event_type": "x"} and not first.problems
    assert first.response_status == 200 and first.kind == "tracking"
    assert any("malformed JSON" in p for p in second.problems), second.problems
    if location.startswith("postgresql://"):  # the NUL the text column cannot hold: its bytes kept
        with psycopg.connect(location) as conn:
            (raw,) = conn.execute("SELECT raw_body FROM requests WHERE id = %s", (second.id,)).fetchone()
        assert bytes(raw) == b'{"broken": \x00'


def _serve(url):
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "collector", "serve", "--port", "0", "--quiet", "--store", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    line = proc.stdout.readline()
    assert line.startswith("listening on "), line + proc.stderr.read()
    return proc, line.split()[-1] + EVENTS


def _load(url, worker, answered, lock, stop, limit):
    with httpx.Client(timeout=5) as client:
        for i in range(limit):
            if stop.is_set():
                return
            marker = f"w{worker}-{i}"
            try:
                r = client.post(url, json={"marker": marker})
            except httpx.HTTPError:
                return
            if r.status_code == 200:
                with lock:
                    answered.append(marker)


def _stored_markers(url):
    with psycopg.connect(url) as conn:
        return [json.loads(b)["marker"] for (b,) in conn.execute("SELECT body FROM requests")]


def test_two_collectors_writing_one_database_lose_nothing(pg_url):
    (a, url_a), (b, url_b) = _serve(pg_url), _serve(pg_url)
    answered, lock, stop = [], threading.Lock(), threading.Event()
    try:
        threads = [
            threading.Thread(target=_load, args=(url_a if w % 2 else url_b, w, answered, lock, stop, 150))
            for w in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for proc in (a, b):
            proc.terminate()
            proc.wait(10)
    stored = _stored_markers(pg_url)
    assert len(answered) == 8 * 150
    assert sorted(stored) == sorted(answered)  # every one, none twice


@pytest.mark.parametrize(
    "options", ["", "?options=-c%20synchronous_commit%3Doff"], ids=["flushed", "synchronous-commit-off"]
)
def test_answered_requests_survive_kill_9_of_a_collector(pg_url, options):
    """With the default commit an answer waits for the WAL flush; with ``synchronous_commit=off`` in the URL
    (SQLite's durability class, documented in the README) it waits for the commit in the server, which is
    still enough for a request answered before the collector's ``kill -9`` to be in the database."""
    proc, url = _serve(pg_url + options)
    answered, lock, stop = [], threading.Lock(), threading.Event()
    try:
        threads = [threading.Thread(target=_load, args=(url, w, answered, lock, stop, 5000)) for w in range(8)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(answered) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # mid-load: the workers are still sending
        for t in threads:
            t.join(30)
    finally:
        stop.set()
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = set(_stored_markers(pg_url))
    missing = set(answered) - stored
    assert not missing, f"{len(missing)} answered requests not in the database, e.g. {sorted(missing)[:5]}"
    assert len(stored) >= len(answered) >= 300


def test_an_older_schema_is_migrated_on_open(pg_url):
    assert migrate(pg_url, target=1) == 0  # a database written by a harness of schema version 1
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "INSERT INTO requests (received_at, method, path, headers, body, kind)"
            " VALUES (1, 'POST', '/old', '{}', '', 'api')"
        )
    store = PgStore(pg_url)
    try:
        assert [r.path for r in store.query()] == ["/old"]
        assert store.add(req(1)) > 1
    finally:
        store.close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM harness_schema").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
    assert SCHEMA_VERSION == 2 and migrate(pg_url) == SCHEMA_VERSION  # a second open changes nothing


def harness(*args):
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    "command", [["collector", "serve", "--port", "0"], ["runs"], ["collector", "export", "--format", "jsonl"]]
)
def test_a_bad_url_is_one_clear_line_and_exit_2(pg_server, command):
    bad = pg_server.rsplit(":", 1)[0] + ":1/nowhere"  # nothing listens on port 1
    out = harness(*command, "--store", bad)
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot open capture store" in lines[0] and "Traceback" not in out.stderr, lines


def test_runs_are_listed_and_diffed_by_id(pg_url):
    first = harness("run", "--device", "virtual:android", "-k", "stop", "--store", pg_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "run 1 stored" in first.stdout
    second = harness(
        "run", "--device", "virtual:android", "--fault", "sends-after-stop", "-k", "stop", "--store", pg_url
    )
    assert second.returncode == 1 and "run 2 stored" in second.stdout, second.stdout + second.stderr
    listed = harness("runs", "--store", pg_url, "--json")
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert [r["id"] for r in runs] == [1, 2]
    assert runs[0]["failed"] == 0 and runs[0]["passed"] >= 1 and runs[1]["failed"] >= 1
    assert runs[0]["devices"] == ["virtual:android"] and runs[0]["host"] and runs[0]["sdk"]
    table = harness("runs", "--store", pg_url)
    assert table.returncode == 0 and len(table.stdout.splitlines()) == 3
    same = harness("diff", "--store", pg_url, "1", "1")
    assert same.returncode == 0, same.stdout + same.stderr
    worse = harness("diff", "--store", pg_url, "1", "2")
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "passed -> failed" in worse.stdout
    missing = harness("diff", "--store", pg_url, "1", "9")
    assert missing.returncode == 2 and "no run 9" in missing.stderr
