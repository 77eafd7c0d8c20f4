"""The capture store: every request the collector sees, in SQLite.

Why SQLite: one file per run that survives a crash of the collector (WAL mode, ``synchronous=NORMAL``
is enough because WAL fsyncs at checkpoints and a committed transaction survives a process kill),
that other tools can open, and that tests can query by device and run.

Why a writer thread: the collector must have a request on disk *before* it answers, yet a commit per
request would cap throughput at the disk's fsync rate. All writes go through one thread that takes
every request waiting in its queue, inserts them in one transaction, commits once, and only then
releases the waiters (group commit). Readers use their own connections.

Waiting without sleeping: each commit notifies a condition variable, so ``wait_for`` wakes on
arrivals instead of polling.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from itertools import chain, groupby
from pathlib import Path

import orjson

from harness.capture.record import CapturedRequest
from harness.errors import CaptureError

__all__ = ["Row", "Store", "answered_row", "open_store", "row_values"]

# ``id`` is the rowid without AUTOINCREMENT: the store never deletes a row, so a new id (largest + 1)
# can never repeat an old one, and AUTOINCREMENT's bookkeeping (an update of sqlite_sequence for every
# row) cost about 0.9 us per request. Stores created with AUTOINCREMENT before keep it; both read alike.
# Device and id are what the harness looks requests up by (``requests_device``).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    run TEXT NOT NULL DEFAULT '',
    device TEXT NOT NULL DEFAULT '',
    received_at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    raw_body BLOB,
    kind TEXT NOT NULL,
    problems TEXT NOT NULL DEFAULT '[]',
    response_status INTEGER,
    rule TEXT NOT NULL DEFAULT '',
    response_headers TEXT,
    response_body TEXT,
    answered_at REAL,
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_device ON requests(device, id);
"""
# No index on run: nothing looks requests up by run alone (``query(run=)`` scans from ``after_id``), and
# a second index cost about 0.75 us per row and a fifth of the WAL written. Older stores keep theirs.

_COLUMNS = (
    "id, run, device, received_at, method, path, headers, body, kind, problems, response_status,"
    " rule, response_headers, response_body, answered_at, origin"
)
# Columns added after the first release: a store written by an older collector gets them on open.
_ADDED_COLUMNS = {
    "rule": "TEXT NOT NULL DEFAULT ''",
    "response_headers": "TEXT",
    "response_body": "TEXT",
    "answered_at": "REAL",
    "origin": "TEXT NOT NULL DEFAULT ''",
}

_STOP = object()

_CHECKPOINT = object()
_CHECKPOINT_EVERY = 200  # loop-side commits between two checkpoints (run on the writer thread)
_WAL_FRAMES_FULL = 16384  # a WAL this long (64 MiB of 4 KiB pages) is copied in full and started over
_GATHER_ROUNDS = 4  # loop iterations a commit may be put off while requests keep arriving (_LoopWriter)
_LOCK_PATIENCE = 30.0  # seconds a write waits for SQLite's lock before it fails
_INSERT = (
    "INSERT INTO requests (run, device, received_at, method, path, headers, body, raw_body,"
    " kind, problems, response_status, rule, response_headers, response_body, answered_at, origin)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _json_text(value: object) -> str:
    """JSON text for a TEXT column: orjson (about 10x faster than json.dumps here; non-ASCII kept as UTF-8
    instead of ``\\u`` escapes, which ``json.loads`` and SQLite's JSON functions read the same)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson will not write (a lone surrogate, ...) json.dumps escapes
        return json.dumps(value)


def _row_values(req: CapturedRequest) -> tuple[object, ...]:
    return (
        req.run,
        req.device,
        req.received_at,
        req.method,
        req.path,
        _json_text(dict(req.headers)),
        req.body,
        req.raw_body or None,
        req.kind,
        _json_text(list(req.problems)),
        req.response_status,
        req.rule,
        None if req.response_headers is None else _json_text(dict(req.response_headers)),
        req.response_body,
        req.answered_at,
        req.origin,
    )


def row_values(req: CapturedRequest) -> tuple[object, ...]:
    """The stored row of ``req``, every column: the fast path's row for an answer it keeps (a batch's, ...)."""
    return _row_values(req)


Row = tuple[object, ...]

# The fast path's rows name only the columns they fill: every bound None or bytes value goes through
# the sqlite3 module's adapter lookup (a tuple, a dict lookup, two attribute lookups), which cost about
# a third of a microsecond each; the omitted columns take their defaults (NULL, '', '[]').
_INSERT_CLEAN = (
    "INSERT INTO requests (run, device, received_at, method, path, headers, body, kind, response_status)"
    " VALUES (?,?,?,?,?,?,?,?,?)"
)
_INSERT_FLAGGED = (
    "INSERT INTO requests (run, device, received_at, method, path, headers, body, kind, response_status,"
    " raw_body, problems) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_PLAIN = (  # a clean row of no run and no device: those two at their default ('') too
    "INSERT INTO requests (received_at, method, path, headers, body, kind, response_status) VALUES (?,?,?,?,?,?,?)"
)
_INSERT_BY_LENGTH = {7: _INSERT_PLAIN, 9: _INSERT_CLEAN, 11: _INSERT_FLAGGED, 16: _INSERT}


def answered_row(
    run: str,
    device: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str,
    raw_body: bytes,
    kind: str,
    problems: list[str],
    status: int,
    received_at: float | None = None,
) -> Row:
    """The stored row of a request answered with its route's usual answer (no rule, no upstream), built
    without an intermediate :class:`CapturedRequest`: the collector's fast path, where every microsecond
    per request counts. Same encodings as ``_row_values``; only the columns it fills (``_INSERT_BY_LENGTH``).
    ``received_at`` is now on this host's clock unless given (the collector's clock, see ``Collector.now``)."""
    now = time.time() if received_at is None else received_at
    try:
        header_text = orjson.dumps(headers).decode()  # _json_text, inline
    except TypeError:
        header_text = json.dumps(headers)
    if raw_body or problems:
        return (
            run,
            device,
            now,
            method,
            path,
            header_text,
            body,
            kind,
            status,
            raw_body or None,
            _json_text(problems),
        )
    if run or device:
        return (run, device, now, method, path, header_text, body, kind, status)
    return (now, method, path, header_text, body, kind, status)


_MAX_ROWS_PER_INSERT = 64  # rows per multi-row INSERT (at most 64 * 16 bound values; SQLite allows 32766)


@functools.cache
def _insert_sql(size: int, rows: int) -> str:
    """One INSERT of ``rows`` rows of ``size`` values (``_INSERT_BY_LENGTH``'s columns)."""
    head, values = _INSERT_BY_LENGTH[size].split(" VALUES ")
    return f"{head} VALUES {','.join([values] * rows)}"


def _insert(cur: sqlite3.Cursor, rows: list[Row]) -> list[int]:
    """Insert rows (``_row_values`` or ``answered_row``) in one transaction, in order; returns the ids.
    Raises ``sqlite3.Error`` after rolling back.

    Rows go in as multi-row INSERTs (one statement for up to 64 rows of the same shape, in power-of-two
    chunks so that few distinct statements exist): ``executemany`` steps a statement once per row and
    the sqlite3 module's per-row work (reset, bind, step, checks) cost about a fifth of the commit. One
    cursor per writer, kept: ``Connection.execute`` makes a new one for every statement.
    """
    try:
        cur.execute("BEGIN IMMEDIATE")
        for size, same_shape in groupby(rows, len):  # consecutive rows of one shape (usually one run)
            run = list(same_shape)
            while run:
                count = min(_MAX_ROWS_PER_INSERT, 1 << (len(run).bit_length() - 1))
                cur.execute(_insert_sql(size, count), list(chain.from_iterable(run[:count])))
                run = run[count:]
        # One writer holds the lock for the whole transaction, so the new ids are consecutive.
        last = int(cur.lastrowid or 0)
        cur.execute("COMMIT")
    except sqlite3.Error:
        with suppress(sqlite3.Error):
            cur.execute("ROLLBACK")
        raise
    return list(range(last - len(rows) + 1, last + 1))


class LoopBatcher:
    """Requests submitted on an event loop, gathered into one batch while they keep arriving.

    ``_gather`` puts the batch off by one loop iteration, a poll of the sockets that does not block, for
    as long as the last iteration brought new requests, at most ``_GATHER_ROUNDS`` times, then calls
    ``flush``. Shared by the SQLite store's loop writer and the PostgreSQL store's hand-off to its writer
    threads: both pay nearly as much per batch as per row, so batches should hold what is arriving.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[Row] = []
        self.waiters: list[Callable[[int, BaseException | None], object]] = []
        self.gathered = 0  # pending rows when _gather last looked
        self.gather_rounds = 0

    def _add(self, row: Row, done: Callable[[int, BaseException | None], object]) -> None:
        if not self.pending:
            self.loop.call_soon(self._gather)
        self.pending.append(row)
        self.waiters.append(done)

    def _gather(self) -> None:
        """Flush, unless the last loop iteration brought more requests: then look again after the next
        (at most ``_GATHER_ROUNDS`` times)."""
        pending = len(self.pending)
        if pending != self.gathered and self.gather_rounds < _GATHER_ROUNDS:
            self.gathered = pending
            self.gather_rounds += 1
            self.loop.call_soon(self._gather)
            return
        self.gathered = self.gather_rounds = 0
        self.flush()

    def flush(self) -> None:
        raise NotImplementedError


class _LoopWriter(LoopBatcher):
    """Group commit on an event loop's own thread, for the collector's hot path.

    Requests submitted on the loop are inserted in one transaction by a callback scheduled on it, and
    their futures resolved (their callbacks called) right there. Doing the (short, fsync-free in WAL)
    commit on the loop thread avoids handing every request to another thread, whose GIL hand-offs cost
    more than the commit. Checkpoints, which do fsync, are left to the store's writer thread
    (``wal_autocheckpoint=0`` on this connection).

    The commit waits while requests are still arriving (``_gather``): it is put off by one loop
    iteration, a poll of the sockets that does not block, for as long as the last iteration brought
    new requests, at most ``_GATHER_ROUNDS`` times. Why: a commit costs much the same for 10 rows as
    for 30 (it rewrites the table's last leaf and interior pages and the index's leaf, takes SQLite's
    file locks); under load, answers go out one by one and the clients' next requests come back spread
    over the next iteration or two, so committing at the first chance split 32 busy connections into
    batches of ~19 rows (on average, measured). Gathered, they hold all 32, and a request costs
    ~12 % less CPU under the benchmark's load. A lone request pays one extra non-blocking poll, a few
    microseconds.

    The loop never waits for SQLite's lock: this connection's busy timeout is 0, and a batch that finds
    the lock taken (the writer thread finishing a checkpoint, or committing requests of other threads)
    stays pending and is tried again a millisecond later, while the loop goes on reading requests.
    """

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.store = store
        self.conn = store._connect()
        self.cursor = self.conn.cursor()
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self.conn.execute("PRAGMA busy_timeout=0")
        self.commits = 0
        self.busy_since: float | None = None
        self.retry: asyncio.TimerHandle | None = None

    def submit(self, request: CapturedRequest) -> asyncio.Future[int]:
        fut: asyncio.Future[int] = self.loop.create_future()
        self._add(_row_values(request), functools.partial(_resolve, fut))
        return fut

    def submit_callback(
        self, request: CapturedRequest | Row, done: Callable[[int, BaseException | None], object]
    ) -> None:
        """Call ``done(id, None)`` right after the commit (``done(0, error)`` if it failed), on the loop."""
        self._add(request if isinstance(request, tuple) else _row_values(request), done)

    def flush(self) -> None:
        self.retry = None
        batch, waiters = self.pending, self.waiters
        if not batch:
            return
        self.pending, self.waiters = [], []
        try:
            ids = _insert(self.cursor, batch)
        except sqlite3.Error as exc:
            if _is_busy(exc) and self._retry_later():
                self.pending, self.waiters = batch + self.pending, waiters + self.waiters
                return
            self.busy_since = None
            error = CaptureError(f"capture store write failed: {exc}")
            for waiter in waiters:
                self._call(waiter, 0, error)
            return
        self.busy_since = None
        self.store._committed(ids)
        for waiter, rid in zip(waiters, ids, strict=True):
            try:
                waiter(rid, None)
            except Exception as exc:  # one answer's failure must not keep the others from being sent
                self.loop.call_exception_handler({"message": "capture store callback failed", "exception": exc})
        self.commits += 1
        if self.commits % _CHECKPOINT_EVERY == 0:
            self.store._queue.put(_CHECKPOINT)

    def _call(self, waiter: Callable[[int, BaseException | None], object], rid: int, error: BaseException) -> None:
        try:
            waiter(rid, error)
        except Exception as exc:
            self.loop.call_exception_handler({"message": "capture store callback failed", "exception": exc})

    def _retry_later(self) -> bool:
        """Schedule another try of the pending batch; False once the lock has been taken for 30 s."""
        now = self.loop.time()
        if self.busy_since is None:
            self.busy_since = now
        elif now - self.busy_since > _LOCK_PATIENCE:
            return False
        self.retry = self.loop.call_later(0.001, self.flush)
        return True

    def close(self) -> None:
        if self.retry is not None:
            self.retry.cancel()
            self.retry = None
        self.conn.execute(f"PRAGMA busy_timeout={int(_LOCK_PATIENCE * 1000)}")  # closing: waiting is fine now
        self.flush()
        self.conn.close()


def _resolve(fut: asyncio.Future[int], rid: int, error: BaseException | None) -> None:
    """A future's side of the loop writer's callbacks (``_LoopWriter.submit``)."""
    if fut.done():
        return
    if error is None:
        fut.set_result(rid)
    else:
        fut.set_exception(error)


def _is_busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY (or one of its extended codes): another connection holds the write lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_BUSY


def _checkpoint(conn: sqlite3.Connection, path: Path) -> None:
    """Copy the WAL into the database file, and see that the WAL is started over now and then.

    A PASSIVE checkpoint does not block the loop's commits, but under steady load it never catches up
    (the loop appends while it copies), so the WAL is never restarted and grows without end (400 MB in
    6 s of benchmark, every append extending the file). So once the WAL is ``_WAL_FRAMES_FULL`` frames
    long: two more PASSIVE passes, each copying what arrived during the one before; an fsync of both
    files without any lock (passes that do not catch up leave the database file unsynced, and FULL's
    own sync of 64 MB of pages held the lock, and every answer, for ~20 ms); then a FULL checkpoint,
    which copies the little left and syncs while holding the write lock for 2-4 ms (the loop keeps its
    batch pending meanwhile, ``_LoopWriter``) and gives up after 50 ms if a reader keeps an old
    snapshot. The next commit then starts the WAL over, reusing the file's blocks.
    """
    with suppress(sqlite3.Error):
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if row is None or int(row[1]) < _WAL_FRAMES_FULL:
            return
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        for name in (path, path.with_name(path.name + "-wal")):
            with suppress(OSError):
                fd = os.open(name, os.O_RDONLY)
                try:
                    os.fsync(fd)  # syncs the file's pages whichever descriptor wrote them
                finally:
                    os.close(fd)
        conn.execute("PRAGMA busy_timeout=50")
        try:
            conn.execute("PRAGMA wal_checkpoint(FULL)")
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(_LOCK_PATIENCE * 1000)}")


class Store:
    """Append-only request store with group commit and arrival notifications.

    Args:
        path: the SQLite file (created if missing); ``":memory:"`` is refused because readers
            need their own connections to the same data.
    """

    def __init__(self, path: str | Path) -> None:
        if str(path) == ":memory:":
            raise CaptureError("the capture store needs a file path, not :memory:")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._arrived = threading.Condition()
        self._last_id = 0
        self._last_arrival = time.monotonic()
        self._closed = False
        self._listeners: list[Callable[[int], object]] = []
        self._loop_writers: dict[asyncio.AbstractEventLoop, _LoopWriter] = {}
        try:
            conn = self._connect()
            conn.executescript(_SCHEMA)
            have = {str(r[1]) for r in conn.execute("PRAGMA table_info(requests)")}
            for name, decl in _ADDED_COLUMNS.items():
                if name not in have:
                    conn.execute(f"ALTER TABLE requests ADD COLUMN {name} {decl}")
            row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM requests").fetchone()
            self._last_id = int(row[0])
            conn.close()
        except sqlite3.Error as exc:
            raise CaptureError(f"cannot open capture store {self.path}: {exc}") from exc
        self._writer = threading.Thread(target=self._write_loop, name="capture-store-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    # -- writing ---------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[int], object]) -> None:
        """Call ``listener(last_id)`` on the writer thread after every commit (keep it short)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[int], object]) -> None:
        with suppress(ValueError):
            self._listeners.remove(listener)

    @property
    def last_arrival(self) -> float:
        """``time.monotonic()`` of the newest commit (or of opening the store)."""
        with self._arrived:
            return self._last_arrival

    def submit(self, request: CapturedRequest) -> Future[int]:
        """Queue ``request`` for the next group commit; the future resolves to its id once durable."""
        if self._closed:
            raise CaptureError("the capture store is closed")
        fut: Future[int] = Future()
        self._queue.put((request, fut))
        return fut

    def submit_async(self, request: CapturedRequest) -> asyncio.Future[int]:
        """Like :meth:`submit`, for a coroutine: committed on the caller's event loop, in one
        transaction with the other requests submitted on that loop meanwhile (``_LoopWriter``)."""
        return self._loop_writer().submit(request)

    def submit_callback(
        self, request: CapturedRequest | Row, done: Callable[[int, BaseException | None], object]
    ) -> None:
        """Like :meth:`submit_async` without a future (``request`` may be an ``answered_row``):
        ``done(id, error)`` is called on the running loop right after the group commit (the collector's
        fast path answers from there, in the same iteration)."""
        self._loop_writer().submit_callback(request, done)

    def callback_submitter(
        self,
    ) -> Callable[[Row, Callable[[int, BaseException | None], object]], None]:
        """:meth:`submit_callback` for rows (``answered_row``), bound to the running loop's group commit, for
        a caller that submits many from that loop (the fast path keeps one per connection, saving the lookup
        per request)."""
        return self._loop_writer()._add  # submit_callback's body, one call less per request

    def _loop_writer(self) -> _LoopWriter:
        """The group-commit writer of the running event loop (made on first use)."""
        if self._closed:
            raise CaptureError("the capture store is closed")
        loop = asyncio.get_running_loop()
        writer = self._loop_writers.get(loop)
        if writer is None:
            writer = self._loop_writers[loop] = _LoopWriter(self, loop)
        return writer

    def add(self, request: CapturedRequest, timeout: float = 30.0) -> int:
        """Store ``request`` and wait until it is committed; returns its id."""
        return self.submit(request).result(timeout)

    def _write_loop(self) -> None:
        conn = self._connect()
        while True:
            item = self._queue.get()
            batch: list[tuple[CapturedRequest, Future[int]]] = []
            stop = False
            while True:
                if item is _STOP:
                    stop = True
                elif item is _CHECKPOINT:
                    _checkpoint(conn, self.path)
                else:
                    batch.append(item)  # type: ignore[arg-type]
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._commit(conn, batch)
            if stop:
                conn.close()
                return

    def _commit(self, conn: sqlite3.Connection, batch: list[tuple[CapturedRequest, Future[int]]]) -> None:
        try:
            ids = _insert(conn.cursor(), [_row_values(r) for r, _ in batch])
        except sqlite3.Error as exc:
            for _, fut in batch:
                fut.set_exception(CaptureError(f"capture store write failed: {exc}"))
            return
        self._committed(ids)
        for (_, fut), rid in zip(batch, ids, strict=True):
            fut.set_result(rid)

    def _committed(self, ids: list[int]) -> None:
        """After a commit: move the arrival mark, wake waiters and listeners."""
        with self._arrived:
            self._last_id = max(self._last_id, ids[-1])  # ids ascend
            self._last_arrival = time.monotonic()
            self._arrived.notify_all()
            last = self._last_id
        for listener in list(self._listeners):
            with suppress(Exception):  # a listener's bug must not stop the writer
                listener(last)

    # -- reading ---------------------------------------------------------------------------

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def query(
        self,
        *,
        device: str | None = None,
        run: str | None = None,
        after_id: int = 0,
        kinds: Sequence[str] | None = None,
    ) -> list[CapturedRequest]:
        """Requests in arrival order, filtered by device, run, kind, and id greater than ``after_id``."""
        sql = f"SELECT {_COLUMNS} FROM requests WHERE id > ?"
        params: list[object] = [after_id]
        if device is not None:
            sql += " AND device = ?"
            params.append(device)
        if run is not None:
            sql += " AND run = ?"
            params.append(run)
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params.extend(kinds)
        sql += " ORDER BY id"
        with self._reader() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [self._row(r) for r in rows]

    def count(self) -> int:
        with self._reader() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0])

    @staticmethod
    def _row(r: tuple[object, ...]) -> CapturedRequest:
        return CapturedRequest(
            id=int(r[0]),  # type: ignore[call-overload]
            run=str(r[1]),
            device=str(r[2]),
            received_at=float(r[3]),  # type: ignore[arg-type]
            method=str(r[4]),
            path=str(r[5]),
            headers=json.loads(str(r[6])),
            body=str(r[7]),
            kind=str(r[8]),
            problems=tuple(json.loads(str(r[9]))),
            response_status=None if r[10] is None else int(r[10]),  # type: ignore[call-overload]
            rule=str(r[11] or ""),
            response_headers=None if r[12] is None else json.loads(str(r[12])),
            response_body=None if r[13] is None else str(r[13]),
            answered_at=None if r[14] is None else float(r[14]),  # type: ignore[arg-type]
            origin=str(r[15] or ""),
        )

    # -- waiting ---------------------------------------------------------------------------

    @property
    def last_id(self) -> int:
        """The id of the newest committed request (a mark for "what arrives after now")."""
        with self._arrived:
            return self._last_id

    def wait_for(
        self,
        predicate: Callable[[list[CapturedRequest]], bool],
        timeout: float,
        *,
        device: str | None = None,
        after_id: int = 0,
    ) -> list[CapturedRequest]:
        """Wait until ``predicate(requests)`` holds for the requests after ``after_id``.

        Returns the requests; raises ``TimeoutError`` with the last list in ``args[1]`` if the
        predicate is still false at the deadline. Woken by commits, never by polling.
        """
        deadline = time.monotonic() + timeout
        seen = -1
        while True:
            with self._arrived:
                if self._last_id == seen:
                    remaining = deadline - time.monotonic()
                    if remaining > 0:
                        self._arrived.wait(remaining)
                seen = self._last_id
            requests = self.query(device=device, after_id=after_id)
            if predicate(requests):
                return requests
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout:.1f}s", requests)

    def wait_quiet(self, quiet: float, timeout: float) -> bool:
        """Wait until nothing has arrived for ``quiet`` seconds; False if that never happens in time."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                now = time.monotonic()
                idle_for = now - self._last_arrival
                if idle_for >= quiet:
                    return True
                if now >= deadline:
                    return False
                self._arrived.wait(min(quiet - idle_for, deadline - now))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            for writer in list(self._loop_writers.values()):
                with suppress(sqlite3.Error, RuntimeError):
                    writer.close()
            self._loop_writers.clear()
            self._queue.put(_STOP)
            self._writer.join(timeout=10)


def open_store(location: str | Path) -> Store:
    """The store at ``location``: a SQLite file path (the default, one host), or a ``postgresql://`` URL
    (one database shared by the collectors of many hosts, ``pgstore.py``). Same interface either way."""
    from harness.capture.pgstore import PgStore, is_database_url  # psycopg is imported only when used

    if is_database_url(location):
        return PgStore(str(location))
    return Store(location)
