import threading
import time

import pytest

from harness.capture.record import CapturedRequest
from harness.capture.store import Store
from harness.errors import CaptureError


def req(i, device="d1", kind="tracking"):
    return CapturedRequest(
        method="POST",
        path=f"/p/{i}",
        headers={"a": "b"},
        body=f'{{"i":{i}}}',
        received_at=time.time(),
        device=device,
        kind=kind,
    )


def test_add_and_query_by_device_and_kind(tmp_path):
    store = Store(tmp_path / "s.db")
    ids = [store.add(req(i, device="d1" if i % 2 else "d2")) for i in range(6)]
    store.add(req(99, kind="api"))
    assert ids == sorted(ids)
    assert [r.path for r in store.query(device="d1")] == ["/p/1", "/p/3", "/p/5", "/p/99"]
    assert [r.path for r in store.query(device="d1", kinds=["tracking"])] == ["/p/1", "/p/3", "/p/5"]
    assert [r.path for r in store.query(after_id=ids[3])] == ["/p/4", "/p/5", "/p/99"]
    store.close()


def test_requests_survive_reopening(tmp_path):
    store = Store(tmp_path / "s.db")
    for i in range(50):
        store.add(req(i))
    store.close()
    again = Store(tmp_path / "s.db")
    assert again.count() == 50
    assert again.last_id == 50
    again.close()


def test_group_commit_takes_concurrent_writers_in_batches(tmp_path):
    store = Store(tmp_path / "s.db")
    futures = [store.submit(req(i)) for i in range(500)]
    ids = [f.result(10) for f in futures]
    assert len(set(ids)) == 500
    assert store.count() == 500
    store.close()


def test_wait_for_wakes_on_arrival(tmp_path):
    store = Store(tmp_path / "s.db")
    threading.Timer(0.2, lambda: [store.add(req(i)) for i in range(3)]).start()
    got = store.wait_for(lambda rs: len(rs) >= 3, timeout=10)
    assert len(got) == 3
    store.close()


def test_wait_for_times_out_with_what_arrived(tmp_path):
    store = Store(tmp_path / "s.db")
    store.add(req(1))
    with pytest.raises(TimeoutError) as info:
        store.wait_for(lambda rs: len(rs) >= 2, timeout=0.3)
    assert len(info.value.args[1]) == 1
    store.close()


def test_wait_quiet_reports_whether_traffic_stopped(tmp_path):
    store = Store(tmp_path / "s.db")
    store.add(req(1))
    assert store.wait_quiet(0.2, timeout=5)
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            store.add(req(2))
            time.sleep(0.02)

    t = threading.Thread(target=chatter)
    t.start()
    try:
        assert not store.wait_quiet(0.5, timeout=0.8)
    finally:
        stop.set()
        t.join()
    store.close()


def _row(i: int):
    """An answered row, as the collector's fast path submits them."""
    from harness.capture.store import answered_row

    return answered_row("", "d", "POST", f"/p/{i}", {"a": "b"}, "{}", b"", "tracking", [], 200)


def test_memory_store_is_refused():
    with pytest.raises(CaptureError):
        Store(":memory:")


def test_loop_commits_wait_for_a_held_lock_without_blocking_the_loop(tmp_path):
    """Another connection holds SQLite's write lock: the loop's batch stays pending (the loop keeps
    running other callbacks) and is committed, in order, once the lock is released."""
    import asyncio
    import sqlite3

    store = Store(tmp_path / "s.db")
    blocker = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    results: list[tuple[int, object]] = []

    async def main() -> int:
        loop = asyncio.get_running_loop()
        blocker.execute("BEGIN IMMEDIATE")
        for i in range(3):
            store.submit_callback(_row(i), lambda rid, error: results.append((rid, error)))
        ticks = 0
        while ticks < 30:  # the loop runs on while the batch waits for the lock
            await asyncio.sleep(0.005)
            ticks += 1
        assert results == []  # nothing committed, nothing answered, while the lock is held
        blocker.execute("COMMIT")
        while len(results) < 3:
            await asyncio.sleep(0.005)
        assert loop.is_running()
        return ticks

    try:
        assert asyncio.run(main()) == 30
        assert [error for _, error in results] == [None, None, None]
        ids = [rid for rid, _ in results]
        assert ids == sorted(ids)
        assert [r.path for r in store.query()] == ["/p/0", "/p/1", "/p/2"]
    finally:
        blocker.close()
        store.close()


def test_wal_is_started_over_under_steady_loop_load(tmp_path, monkeypatch):
    """Commits back to back on the loop while the writer thread checkpoints: without the FULL step the
    WAL is never fully copied and grows with every commit; with it, it is started over."""
    import asyncio

    import harness.capture.store as store_module
    from harness.capture.store import answered_row

    monkeypatch.setattr(store_module, "_CHECKPOINT_EVERY", 10)
    monkeypatch.setattr(store_module, "_WAL_FRAMES_FULL", 64)
    store = Store(tmp_path / "s.db")
    body = "x" * 2000
    sizes: list[int] = []

    async def main() -> None:
        for batch in range(600):
            done = asyncio.get_running_loop().create_future()
            for i in range(10):
                row = answered_row("", "d", "POST", f"/p/{batch}/{i}", {"a": "b"}, body, b"", "tracking", [], 200)
                store.submit_callback(row, lambda rid, error, done=done: None if done.done() else done.set_result(rid))
            await done
            await asyncio.sleep(0.001)  # a server's loop also reads and answers between two commits
            if batch % 50 == 49:
                sizes.append((tmp_path / "s.db-wal").stat().st_size)

    try:
        asyncio.run(main())
        assert store.count() == 6000
        written = 6000 * len(body)
        # without restarts the WAL would hold every page written (more than the 12 MB of bodies)
        assert max(sizes) < written / 3, sizes
    finally:
        store.close()


def test_a_store_written_by_an_older_collector_keeps_working(tmp_path):
    """Stores created before the schema lost AUTOINCREMENT and the run index are read and appended to."""
    import sqlite3

    from harness.capture.store import _SCHEMA

    old_schema = _SCHEMA.replace("id INTEGER PRIMARY KEY,", "id INTEGER PRIMARY KEY AUTOINCREMENT,")
    old_schema += "CREATE INDEX IF NOT EXISTS requests_run ON requests(run, id);"
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.executescript(old_schema)
    conn.execute(
        "INSERT INTO requests (run, device, received_at, method, path, headers, body, kind)"
        " VALUES ('r', 'd1', 1.0, 'POST', '/old', '{\"a\": \"b\"}', '{}', 'tracking')"
    )
    conn.commit()
    conn.close()
    store = Store(tmp_path / "old.db")
    try:
        new_id = store.add(req(1))
        stored = store.query(device="d1")
        assert [r.path for r in stored] == ["/old", "/p/1"]
        assert new_id == stored[0].id + 1
        assert store.query(run="r")[0].headers == {"a": "b"}
    finally:
        store.close()


def test_loop_commit_gathers_requests_that_keep_arriving(tmp_path):
    """Rows submitted over successive loop iterations (answers going out, the next requests coming back
    one by one) go into one commit instead of one commit each; all of them are answered with their ids."""
    import asyncio

    store = Store(tmp_path / "s.db")
    answered: list[int] = []

    async def main() -> int:
        writer = store._loop_writer()
        for i in range(3):
            store.submit_callback(_row(i), lambda rid, error: answered.append(rid))
            await asyncio.sleep(0)  # one loop iteration between two arrivals
        while len(answered) < 3:
            await asyncio.sleep(0)
        return writer.commits

    try:
        assert asyncio.run(main()) == 1
        assert answered == sorted(answered) and len(set(answered)) == 3
        assert [r.path for r in store.query()] == ["/p/0", "/p/1", "/p/2"]
    finally:
        store.close()


def test_loop_commit_is_put_off_a_bounded_number_of_iterations(tmp_path):
    """A row arriving on every iteration does not hold the commit back for ever: the first commit comes
    after _GATHER_ROUNDS extra iterations, with the rows that came meanwhile; a lone row is committed
    after one extra iteration."""
    import asyncio

    from harness.capture.store import _GATHER_ROUNDS

    store = Store(tmp_path / "s.db")
    answered: list[int] = []

    async def main() -> tuple[int, int]:
        first_commit = 0
        for i in range(4 * _GATHER_ROUNDS):
            store.submit_callback(_row(i), lambda rid, error: answered.append(rid))
            await asyncio.sleep(0)
            if answered and not first_commit:
                first_commit = len(answered)
        while len(answered) < 4 * _GATHER_ROUNDS:
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        lone: list[int] = []
        store.submit_callback(_row(99), lambda rid, error: lone.append(rid))
        iterations = 0
        while not lone:
            await asyncio.sleep(0)
            iterations += 1
        return first_commit, iterations

    try:
        first_commit, iterations = asyncio.run(main())
        assert first_commit == _GATHER_ROUNDS + 1
        assert iterations == 2  # the iteration _gather first looks in, and the one it looks again in
        assert store.count() == 4 * _GATHER_ROUNDS + 1
    finally:
        store.close()
