"""The collector's request rate with the PostgreSQL store next to the SQLite store, then a kill -9.

    python benchmarks/store.py [--duration 6] [--rounds 3] [--connections 32] [--server-fsync on|off]
                               [--synchronous-commit on|off]

One run, over loopback, with the same tracking POST as ``benchmarks/collector.py`` (wrk + a Lua script):

- ``harness collector serve --store capture.sqlite``: the reference, SQLite (the default store);
- ``harness collector serve --store postgresql://...``: a private PostgreSQL cluster started for the run
  (initdb into a temporary folder, ``fsync`` on unless ``--server-fsync off``, the server's defaults
  otherwise), stopped at the end. The store's own ``synchronous_commit`` is on in both cases.

Both collectors stay up and are loaded in alternation, ``--rounds`` times each, each reported by its median
round (a shared machine's speed drifts; alternating puts both under the same drift). Every request is
stored before it is answered in both. It prints req/s, p50/p99 latency and the ratio PostgreSQL / SQLite
(goal ≥ 0.5, issue 19), the CPU time per request of each collector process and of the PostgreSQL server
(a shared machine blurs req/s far more than CPU per request), and the server's WAL flushes during the
PostgreSQL rounds (``pg_stat_wal`` with ``track_wal_io_timing``): how many, how long each, how many answered
requests each covered. Every PostgreSQL answer waits for one flush (``synchronous_commit=on``), while
SQLite's WAL with ``synchronous=NORMAL`` does not flush per commit: that is the part of the gap a faster
client cannot close.

``--synchronous-commit off`` gives the collector's connections ``synchronous_commit=off`` through the URL
(``?options=-c synchronous_commit=off``, plain libpq, nothing in the harness changes): a batch is committed
in the server, visible to every reader, before its requests are answered, but the answer does not wait for
the WAL flush. That is SQLite's durability class with ``synchronous=NORMAL``: an answered request survives a
``kill -9`` of the collector (the kill below checks it), not a crash of the database host. The default
(``on``) is stronger than SQLite's: it also survives the database host's crash.

Then the kill: a fresh database, a PostgreSQL collector under the same wrk load, ``kill -9`` of the
collector halfway through; wrk's count of answered requests against the rows in the database (every
answered request must be there).

Needs ``wrk`` (Debian: ``apt-get install -y wrk``; installed when missing and run as root) and PostgreSQL's
server binaries (Debian's ``postgresql``; scripts/test.sh installs it), and ``psycopg`` (the fleet extra).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from collector import LUA, Result, cpu_seconds, free_port, median, run_wrk, stop, wait_port  # noqa: E402

from tests.pgcluster import cluster, new_database  # noqa: E402


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise SystemExit("missing wrk: apt-get install -y wrk")
    print("installing wrk (apt-get install -y wrk)", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)


def start_collector(store: str) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "collector", "serve", "--port", str(port), "--quiet", "--store", store],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    wait_port(port)
    return port, proc


def pg_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0])  # type: ignore[index]


def sqlite_rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
    finally:
        conn.close()


def wal_syncs(url: str) -> tuple[int, float]:
    """The server's WAL flushes so far and their total time in ms (``pg_stat_wal``; the time needs
    ``track_wal_io_timing``, which the benchmark turns on). With ``synchronous_commit=on`` every answer
    waits for one: their time is the floor of the PostgreSQL store's latency."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT wal_sync, wal_sync_time FROM pg_stat_wal").fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


def track_wal_timing(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET track_wal_io_timing = on")
        conn.execute("SELECT pg_reload_conf()")


def server_pid(url: str) -> int:
    """The PostgreSQL server's main process (its backends are its children: ``cpu_seconds`` counts them)."""
    import psutil
    import psycopg

    with psycopg.connect(url) as conn:
        backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
    return int(psutil.Process(backend).ppid())


def median_of(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def line(r: Result) -> str:
    return f"{r.name:<28} {r.rps:>9.0f} req/s   p50 {r.p50_ms:6.2f} ms   p99 {r.p99_ms:7.2f} ms   errors {r.errors}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=6.0, help="seconds per round (default 6)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per store (default 3)")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    ap.add_argument(
        "--server-fsync",
        choices=("on", "off"),
        default="on",
        help="the PostgreSQL server's fsync (default on: durable commits; off shows the collector's own cost"
        " when the disk's flush is not the limit; the store's synchronous_commit stays on either way)",
    )
    ap.add_argument(
        "--synchronous-commit",
        choices=("on", "off"),
        default="on",
        help="the collector's synchronous_commit, set through the store URL (default on: an answer waits for the"
        " WAL flush; off: SQLite's durability class, committed in the server but not flushed)",
    )
    args = ap.parse_args()
    ensure_wrk()
    options = "" if args.synchronous_commit == "on" else "?options=-c%20synchronous_commit%3Doff"
    print(
        f"cores: {os.cpu_count()}; wrk -t1 -c{args.connections} -d{args.duration:g}s, {args.rounds} rounds each;"
        f" PostgreSQL server fsync={args.server_fsync}, collector synchronous_commit={args.synchronous_commit}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-store-") as tmp_name,
        cluster(fsync=args.server_fsync == "on") as server,
    ):
        tmp = Path(tmp_name)
        track_wal_timing(server)
        script = tmp / "post.lua"
        script.write_text(LUA)
        sqlite_path = tmp / "capture.sqlite"
        pg_url = new_database(server)
        (sq_port, sq_proc), (pg_port, pg_proc) = start_collector(str(sqlite_path)), start_collector(pg_url + options)
        try:
            sq_warm = run_wrk("warm-up", sq_port, script, 1, args.connections)
            pg_warm = run_wrk("warm-up", pg_port, script, 1, args.connections)
            sq_runs, pg_runs, server_us = [], [], []
            syncs = [0, 0.0]  # WAL flushes and their ms during the PostgreSQL rounds
            postmaster = server_pid(server)
            for _ in range(args.rounds):
                sq_runs.append(
                    run_wrk("collector, SQLite store", sq_port, script, args.duration, args.connections, sq_proc.pid)
                )
                before, syncs_before = cpu_seconds(postmaster), wal_syncs(server)
                pg_runs.append(
                    run_wrk("collector, PostgreSQL", pg_port, script, args.duration, args.connections, pg_proc.pid)
                )
                server_us.append((cpu_seconds(postmaster) - before) * 1e6 / max(1, pg_runs[-1].answered))
                syncs_after = wal_syncs(server)
                syncs[0] += syncs_after[0] - syncs_before[0]
                syncs[1] += syncs_after[1] - syncs_before[1]
        finally:
            stop(sq_proc)
            stop(pg_proc)
        sq, pg = median(sq_runs), median(pg_runs)
        sq_stored = sqlite_rows(sqlite_path) - sq_warm.answered
        pg_stored = pg_rows(pg_url) - pg_warm.answered
        print(line(sq))
        print(line(pg))
        per_round = ", ".join(f"{p.rps / s.rps:.2f}" for s, p in zip(sq_runs, pg_runs, strict=True))
        print(f"ratio PostgreSQL / SQLite: {pg.rps / sq.rps:.2f} (per round {per_round}; goal >= 0.5)")
        print(
            f"CPU per request (median round): SQLite collector {sq.cpu_us or 0:.1f} us;"
            f" PostgreSQL collector {pg.cpu_us or 0:.1f} us + server {median_of(server_us):.1f} us"
        )
        pg_answered = sum(r.answered for r in pg_runs)
        if syncs[0]:
            print(
                f"WAL flushes in the PostgreSQL rounds: {syncs[0]}, {syncs[1] / syncs[0]:.2f} ms each on average"
                f" ({syncs[1] / 1000 / (args.rounds * args.duration):.0%} of the time flushing),"
                f" {pg_answered / syncs[0]:.1f} answered requests per flush"
            )
        print(
            f"answered / stored: SQLite {sum(r.answered for r in sq_runs)} / {sq_stored},"
            f" PostgreSQL {sum(r.answered for r in pg_runs)} / {pg_stored}"
        )

        kill_url = new_database(server)
        port, proc = start_collector(kill_url + options)
        killer = threading.Timer(args.duration / 2, lambda: os.kill(proc.pid, signal.SIGKILL))
        killer.start()
        try:
            killed = run_wrk("PostgreSQL, kill -9 mid-load", port, script, args.duration, args.connections)
        finally:
            killer.join()
            proc.wait()
        stored = pg_rows(kill_url)
        verdict = "every answered request stored" if stored >= killed.answered else "ANSWERED REQUESTS LOST"
        print(f"kill -9 after {args.duration / 2:g}s of load: {killed.answered} answered, {stored} stored: {verdict}")
        return 0 if stored >= killed.answered and sq_stored >= 0 else 1


if __name__ == "__main__":
    started = time.monotonic()
    status = main()
    print(f"({time.monotonic() - started:.0f}s)")
    sys.exit(status)
