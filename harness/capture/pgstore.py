"""The capture store in PostgreSQL: one database that the collectors of every host write to.

Why PostgreSQL: a fleet run (``harness worker`` on several hosts) wants every host's captures and the
run records in one place, written concurrently, durable, and queryable for nightly regression history
(``harness runs``, ``harness diff --store URL A B``). SQLite stays the default for one host.

Same interface as :class:`~harness.capture.store.Store` (the collector cannot tell them apart), same
guarantee: a request's waiter (the answer) is released only after its transaction committed, with
PostgreSQL's default ``synchronous_commit=on``, so after the WAL reached the disk. Each event loop gathers
the requests of a few iterations and stores them together on its own thread (``_LoopCopier``): one binary
``COPY`` in autocommit on one of ``_WRITERS`` connections that the loop drives without blocking, a
transaction of its own that PostgreSQL commits before it answers the COPY (two round trips: an explicit
BEGIN ... COMMIT took four). Requests submitted from other threads (``submit``, ``add``) go the same way
through ``_WRITERS`` writer threads, each with its own connection, which take everything waiting once they
are free. Ids are drawn from the sequence first, so each batch's ids ascend and the waiters learn their ids
without ``RETURNING``'s unordered rows.

Ids: several collectors share one sequence, so one collector's ids have gaps, and ``last_id`` is this
process's newest committed id (what ``wait_for`` and ``query(after_id=)`` need: a host's runner reads
its own devices, whose rows only its own collector writes).

Schema: created and migrated on open (``_MIGRATIONS``; the version is in ``harness_schema``), under an
advisory lock so that collectors starting together do not race.
"""

from __future__ import annotations

import asyncio
import json
import queue
import select
import struct
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import suppress
from pathlib import Path
from typing import Any

from harness.capture.record import CapturedRequest
from harness.capture.store import LoopBatcher, Row, Store, row_values
from harness.errors import CaptureError

__all__ = ["SCHEMA_VERSION", "PgStore", "is_database_url", "list_runs", "load_run_record", "migrate", "save_run"]

_SCHEMES = ("postgresql://", "postgres://")

# Each entry takes the schema from version N (its index) to N + 1. Never edit a released entry: add one.
_MIGRATIONS: tuple[str, ...] = (
    # 1: the captured requests (the columns of the SQLite store; bytea for the raw body)
    """
    CREATE SEQUENCE IF NOT EXISTS requests_id_seq;
    CREATE TABLE requests (
        id BIGINT PRIMARY KEY DEFAULT nextval('requests_id_seq'),
        run TEXT NOT NULL DEFAULT '',
        device TEXT NOT NULL DEFAULT '',
        received_at DOUBLE PRECISION NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        headers TEXT NOT NULL,
        body TEXT NOT NULL,
        raw_body BYTEA,
        kind TEXT NOT NULL,
        problems TEXT NOT NULL DEFAULT '[]',
        response_status INTEGER,
        rule TEXT NOT NULL DEFAULT '',
        response_headers TEXT,
        response_body TEXT,
        answered_at DOUBLE PRECISION,
        origin TEXT NOT NULL DEFAULT ''
    );
    ALTER SEQUENCE requests_id_seq OWNED BY requests.id;
    CREATE INDEX requests_device ON requests(device, id);
    """,
    # 2: the run records (``harness runs``, ``harness diff --store URL``)
    """
    CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
        started_at DOUBLE PRECISION NOT NULL,
        host TEXT NOT NULL DEFAULT '',
        sdk TEXT NOT NULL DEFAULT '',
        devices TEXT NOT NULL DEFAULT '[]',
        passed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        meta TEXT NOT NULL,
        records TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)
_LOCK_KEY = 0x68617273  # "hars": the advisory lock that serialises migrations

_COLUMNS = (
    "run", "device", "received_at", "method", "path", "headers", "body", "raw_body", "kind", "problems",
    "response_status", "rule", "response_headers", "response_body", "answered_at", "origin",
)
_NOT_TEXT = ("received_at", "raw_body", "response_status", "answered_at")
_TEXT_COLUMNS = frozenset(i for i, c in enumerate(_COLUMNS) if c not in _NOT_TEXT)
# Binary COPY: the server parses no text (the floats above all): in runs alternated with the text format,
# ~10 % less server CPU per request and 5-8 % more requests per second (docs/performance.md)
_COPY = f"COPY requests (id, {', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
_COPY_COMMAND = _COPY.encode()
_SELECT = (
    "SELECT id, run, device, received_at, method, path, headers, body, kind, problems, response_status,"
    " rule, response_headers, response_body, answered_at, origin FROM requests"
)
_STOP = object()
_COPY_IN = 4  # psycopg.pq.ExecStatus.COPY_IN, COMMAND_OK, ConnStatus.OK (psycopg is imported only when used)
_COMMAND_OK = 1
_CONNECTION_OK = 0
# Writer connections committing at once: a commit waits for its WAL flush (fsync), and while one waits
# the next batch commits on another connection (PostgreSQL flushes their WAL together).
_WRITERS = 4
_ID_BLOCK = 1024  # ids reserved from the sequence at a time

Done = Callable[[int, BaseException | None], object]
# rows handed over together, the loop their answers wait on (None: a thread's future), their callbacks
_Part = tuple[list[Row], "asyncio.AbstractEventLoop | None", list[Done]]


def is_database_url(location: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) store location."""
    return isinstance(location, str) and location.startswith(_SCHEMES)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise CaptureError(
            "a postgresql:// store needs psycopg: pip install 'engagement-harness[fleet]'"
        ) from None
    return psycopg


def _connect(url: str, *, autocommit: bool = False) -> Any:
    """A connection, or CaptureError naming the store (the password left out)."""
    psycopg = _psycopg()
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CaptureError(f"cannot open capture store {_shown(url)}: {first}") from None


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:
        return url.split("@")[-1] if "@" in url else url
    return f"postgresql://{parts.get('host', '')}:{parts.get('port', '5432')}/{parts.get('dbname', '')}"


def migrate(url: str, *, target: int = SCHEMA_VERSION) -> int:
    """Create or migrate the schema up to ``target`` (the newest by default); returns the version found.

    Refuses a database whose schema is newer than this harness knows (a newer harness wrote it)."""
    conn = _connect(url)
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute("CREATE TABLE IF NOT EXISTS harness_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM harness_schema").fetchone()
            if row is None:
                conn.execute("INSERT INTO harness_schema (version) VALUES (0)")
                found = 0
            else:
                found = int(row[0])
            if found > SCHEMA_VERSION:
                raise CaptureError(
                    f"capture store {_shown(url)} has schema version {found}; this harness knows up to"
                    f" {SCHEMA_VERSION} (update the harness)"
                )
            for version in range(found, target):
                conn.execute(_MIGRATIONS[version])
                conn.execute("UPDATE harness_schema SET version = %s", (version + 1,))
    except _psycopg().Error as exc:
        raise CaptureError(f"cannot migrate capture store {_shown(url)}: {exc}") from None
    finally:
        conn.close()
    return found


def _lost(conn: Any) -> bool:
    """True once the server closed ``conn`` or it broke (a restart, a failover, an idle timeout)."""
    return bool(conn.closed or conn.broken)


def _full_row(row: Row) -> list[object]:
    """A row of any ``_INSERT_BY_LENGTH`` shape (``store.py``) as all 16 columns, ready for COPY.

    PostgreSQL's text cannot hold NUL: a text value with one keeps U+FFFD in its place, and a body's
    exact bytes go to ``raw_body`` (where the SQLite store keeps a malformed body's bytes), so nothing
    the device sent is lost."""
    n = len(row)
    if n == 16:
        full = list(row)
    elif n == 11:
        full = [*row[:7], row[9], row[7], row[10], row[8], "", None, None, None, ""]
    elif n == 9:
        full = [*row[:7], None, row[7], "[]", row[8], "", None, None, None, ""]
    elif n == 7:
        full = ["", "", *row[:5], None, row[5], "[]", row[6], "", None, None, None, ""]
    else:
        raise CaptureError(f"capture store: a row of {n} values")
    for i in _TEXT_COLUMNS:
        value = full[i]
        if isinstance(value, str) and "\x00" in value:
            if i == 6 and full[7] is None:
                full[7] = value.encode("utf-8", "surrogatepass")
            full[i] = value.replace("\x00", "\ufffd")
    return full


_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + bytes(8)  # binary COPY's header: the signature, no flags, no extension
_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"
_int4 = struct.Struct("!i").pack
_ROW_HEAD = struct.Struct("!hiq").pack  # the field count, then the id: 8 bytes
_FLOAT = struct.Struct("!id").pack  # a float8 with its length
_INT = struct.Struct("!ii").pack  # an int4 with its length
# what a clean row (``answered_row``'s 7 or 9 values) leaves at its default after response_status: rule '',
# response_headers, response_body and answered_at NULL, origin ''
_CLEAN_TAIL = _int4(0) + _NULL + _NULL + _NULL + _int4(0)
_NO_PROBLEMS = _int4(2) + b"[]"
_EMPTY = _int4(0)
_FIELDS = 1 + len(_COLUMNS)


def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return _int4(len(data)) + data


def _copy_row(rid: int, row: Row) -> bytes:
    """One row of a binary COPY: the id and all 16 columns, each as its length and its bytes.

    Why by hand: psycopg's ``write_row`` looks up a dumper and calls it for each of the 17 values, about
    4 us per row in the collector's writer threads; the collector's rows (``answered_row``'s 9 values, no NUL)
    are packed here in one ``bytes.join``. Anything else goes through ``_full_row`` first, field by field."""
    n = len(row)
    if n == 9 or n == 7:
        if n == 9:
            run, device, at, method, path, headers, body, kind, status = row
            r, d = str(run).encode("utf-8", "surrogatepass"), str(device).encode("utf-8", "surrogatepass")
            head = b"".join((_ROW_HEAD(_FIELDS, 8, rid), _int4(len(r)), r, _int4(len(d)), d))
        else:
            at, method, path, headers, body, kind, status = row
            head = _ROW_HEAD(_FIELDS, 8, rid) + _EMPTY + _EMPTY
        if "\x00" not in body and "\x00" not in headers:  # type: ignore[operator]
            m, p, h, b, k = (str(v).encode("utf-8", "surrogatepass") for v in (method, path, headers, body, kind))
            return b"".join((
                head, _FLOAT(8, at), _int4(len(m)), m, _int4(len(p)), p, _int4(len(h)), h,
                _int4(len(b)), b, _NULL, _int4(len(k)), k, _NO_PROBLEMS, _INT(4, status), _CLEAN_TAIL,
            ))
    full = _full_row(row)
    parts = [_ROW_HEAD(_FIELDS, 8, rid)]
    for value in full:
        if value is None:
            parts.append(_NULL)
        elif isinstance(value, str):
            parts.append(_text(value))
        elif isinstance(value, bytes):
            parts.append(_int4(len(value)) + value)
        elif isinstance(value, float):
            parts.append(_FLOAT(8, value))
        elif isinstance(value, int):
            parts.append(_INT(4, value))
        else:
            raise CaptureError(f"capture store: cannot store a {type(value).__name__} value")
    return b"".join(parts)


class _Copy:
    """One of a loop's writer connections and the batch on it. ``state``: 0 idle; 1 the COPY sent, waiting
    for the server to take its data; 2 the data sent, waiting for the COPY's completion (its commit); 3
    answered, waiting for the server to be ready for the next batch."""

    __slots__ = ("conn", "fd", "ids", "part", "payload", "pgconn", "seq", "state")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pgconn = conn.pgconn
        self.pgconn.nonblocking = 1
        self.fd: int = self.pgconn.socket
        self.state = 0
        self.seq = 0
        self.ids: list[int] = []
        self.part: _Part | None = None
        self.payload = b""


class _LoopCopier(LoopBatcher):
    """A loop's side of the PostgreSQL writer, on the loop's own thread: the requests of a few loop
    iterations (:class:`~harness.capture.store.LoopBatcher`) go out as one binary COPY in autocommit on one
    of ``_WRITERS`` connections driven without blocking (libpq's non-blocking mode, their sockets watched by
    the loop), and their ``done`` callbacks are called on the loop when the server reports the COPY complete,
    which it does only after committing it (and, with ``synchronous_commit=on``, flushing its WAL).

    Why not the writer threads (``PgStore._commit_loop``, which store what other threads submit): the loops
    handed their batches to them at first, and under the collector's load the loop and four writer threads
    took turns with the GIL and woke each other for every batch (about 40 % of the collector's CPU was in
    the kernel, half of it switching threads). Here a batch costs two sends and two wake-ups of the loop by
    its sockets, and psycopg's per-COPY machinery (a cursor, a ``Copy`` object, a generator per wait, about
    40 us per batch) is skipped: libpq is called directly. Measured in alternated runs: 17-24 us of
    collector CPU per request against 24-36 us with the threads (docs/performance.md).
    While every connection has a batch in flight, requests pile up for the next one.

    A connection that breaks (a restart, a failover) fails its batch, never answered as stored, and leaves
    the pool; once none is left the loop hands its batches to the writer threads, which open new connections.
    """

    def __init__(self, store: PgStore, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.store = store
        self.idle: list[_Copy] = []
        self.busy: list[_Copy] = []
        for _ in range(_WRITERS):
            c = _Copy(_connect(store.url, autocommit=True))
            loop.add_reader(c.fd, self._readable, c)
            self.idle.append(c)

    def submit(self, request: CapturedRequest) -> asyncio.Future[int]:
        fut: asyncio.Future[int] = self.loop.create_future()

        def resolve(rid: int, error: BaseException | None) -> None:
            if fut.done():
                return
            if error is None:
                fut.set_result(rid)
            else:
                fut.set_exception(error)

        self._add(row_values(request), resolve)
        return fut

    def submit_callback(self, request: CapturedRequest | Row, done: Done) -> None:
        self._add(request if isinstance(request, tuple) else row_values(request), done)

    def flush(self) -> None:
        """Send what is pending on an idle connection; with none idle, it waits for the next one free."""
        if not self.pending:
            return
        rows, waiters = self.pending, self.waiters
        if not self.idle:
            if not self.busy:  # every connection broke: the writer threads take over
                self.pending, self.waiters = [], []
                self.store._queue.put((rows, self.loop, waiters))
            return
        self.pending, self.waiters = [], []
        c = self.idle.pop()
        c.part = (rows, self.loop, waiters)
        c.seq, c.ids, error = self.store._number(len(rows))
        if error is None:
            try:
                c.payload = b"".join([_SIGNATURE, *map(_copy_row, c.ids, rows), _TRAILER])
                c.pgconn.send_query(_COPY_COMMAND)
                c.state = 1
                self.busy.append(c)
                self._send(c)
                return
            except Exception as exc:
                error = CaptureError(f"capture store write failed: {exc}")
        self._fail(c, error)

    def _send(self, c: _Copy) -> None:
        """Push libpq's output buffer to the socket; what does not fit now goes when it is writable."""
        if c.pgconn.flush():
            self.loop.add_writer(c.fd, self._writable, c)

    def _writable(self, c: _Copy) -> None:
        try:
            if not c.pgconn.flush():
                self.loop.remove_writer(c.fd)
        except Exception as exc:
            self.loop.remove_writer(c.fd)
            self._fail(c, CaptureError(f"capture store write failed: {exc}"))

    def _readable(self, c: _Copy) -> None:
        """The server sent something: move the connection's batch on (see ``_Copy.state``)."""
        pgconn = c.pgconn
        try:
            pgconn.consume_input()
            while c.state and not pgconn.is_busy():
                result = pgconn.get_result()
                if c.state == 3:
                    if result is None:  # the server is ready for the next batch
                        c.state = 0
                        self.busy.remove(c)
                        self.idle.append(c)
                        self.flush()
                        return
                    continue
                if result is None:
                    raise CaptureError("no answer to the COPY")
                if c.state == 1:
                    if result.status != _COPY_IN:
                        raise CaptureError(_message(result))
                    pgconn.put_copy_data(c.payload)
                    pgconn.put_copy_end()
                    c.payload = b""
                    c.state = 2
                    self._send(c)
                    return  # the COPY's completion comes later
                # state 2: CommandComplete, sent after the commit (and its WAL flush): the answers may go
                c.state = 3
                error = None if result.status == _COMMAND_OK else CaptureError(_message(result))
                self._release(c, error)
        except Exception as exc:
            self._fail(c, exc if isinstance(exc, CaptureError) else CaptureError(f"capture store write failed: {exc}"))
            if c.state == 3:  # the server's end of the failed COPY may be read already: no wake-up will come
                self._readable(c)

    def _release(self, c: _Copy, error: CaptureError | None) -> None:
        part, c.part = c.part, None
        if part is not None:
            self.store._release(c.seq, c.ids if error is None else [], [part], error)

    def _fail(self, c: _Copy, error: BaseException) -> None:
        """The batch on ``c`` failed (its requests are answered as not stored); a broken ``c`` leaves."""
        if c.part is not None:
            part, c.part = c.part, None
            failed = error if isinstance(error, CaptureError) else CaptureError(str(error))
            self.store._release(c.seq, [], [part], failed)
        if c.pgconn.status == _CONNECTION_OK and c.state != 0:
            c.state = 3  # wait for the server to be ready again (``_readable``)
            return
        c.state = 0
        if c in self.busy:
            self.busy.remove(c)
        if c.pgconn.status == _CONNECTION_OK:
            if c not in self.idle:
                self.idle.append(c)
            return
        with suppress(Exception):
            self.loop.remove_reader(c.fd)
            self.loop.remove_writer(c.fd)
        with suppress(Exception):
            c.conn.close()
        if not self.busy and not self.idle:
            self.flush()

    def close(self) -> None:
        """Finish the batches in flight (the loop has stopped: waiting on the sockets here), then hand what
        is still pending to the writer threads, which commit what is queued before they stop."""
        deadline = time.monotonic() + 10
        for c in list(self.busy):
            while c.state and c in self.busy and time.monotonic() < deadline:
                with suppress(OSError, ValueError):
                    select.select([c.fd], [], [], 0.1)
                c.pgconn.flush()
                self._readable(c)
        for c in self.idle + self.busy:
            with suppress(Exception):
                self.loop.remove_reader(c.fd)
                self.loop.remove_writer(c.fd)
            with suppress(Exception):
                c.conn.close()
        self.idle, self.busy = [], []
        if self.pending:
            rows, waiters = self.pending, self.waiters
            self.pending, self.waiters = [], []
            self.store._queue.put((rows, self.loop, waiters))


def _message(result: Any) -> str:
    text = (result.error_message or b"").decode("utf-8", "replace").strip()
    return f"capture store write failed: {text or result.status}"


def _answer(waiters: list[Done], ids: list[int], error: BaseException | None) -> None:
    """Call a batch's ``done`` callbacks on their loop (``ids`` all 0 if the batch failed)."""
    for done, rid in zip(waiters, ids, strict=True):
        try:
            done(rid, error)
        except Exception as exc:  # one answer's failure must not keep the others from being sent
            with suppress(RuntimeError):
                asyncio.get_running_loop().call_exception_handler(
                    {"message": "capture store callback failed", "exception": exc}
                )


class PgStore(Store):
    """:class:`Store` on a PostgreSQL database (``postgresql://user@host:port/db``)."""

    def __init__(self, url: str) -> None:  # Store.__init__ is SQLite's: not called
        self.url = url
        self.path = Path(_shown(url))  # for messages only: there is no file
        self._queue: queue.SimpleQueue[_Part | object] = queue.SimpleQueue()
        self._arrived = threading.Condition()
        self._last_id = 0
        self._last_arrival = time.monotonic()
        self._closed = False
        self._listeners: list[Callable[[int], object]] = []
        self._loop_writers: dict[asyncio.AbstractEventLoop, Any] = {}  # _LoopCopier each
        migrate(url)
        self._read_conn = _connect(url, autocommit=True)
        self._read_lock = threading.Lock()
        # what is stored already is published (readable) from the start
        self._last_id = int(self._fetch("SELECT COALESCE(MAX(id), 0) FROM requests", [])[0][0])
        self._ids: list[int] = []
        self._take = threading.Lock()  # one writer at a time takes the queue's parts and numbers them
        self._order = threading.Lock()
        self._done: dict[int, tuple[list[int], list[_Part], BaseException | None]] = {}
        self._seq = self._next = 0
        self._id_conn: Any = None  # ids for the loops' batches (``_number``)
        self._writers = [  # autocommit: each COPY is its own transaction, committed before COPY's answer
            threading.Thread(target=self._commit_loop, args=(_connect(url, autocommit=True),), daemon=True)
            for _ in range(_WRITERS)
        ]
        for writer in self._writers:
            writer.start()

    def __repr__(self) -> str:
        return f"PgStore({self.path})"

    def submit(self, request: CapturedRequest) -> Future[int]:
        if self._closed:
            raise CaptureError("the capture store is closed")
        fut: Future[int] = Future()

        def resolve(rid: int, error: BaseException | None) -> None:
            if error is None:
                fut.set_result(rid)
            else:
                fut.set_exception(error)

        self._queue.put(([row_values(request)], None, [resolve]))
        return fut

    def _loop_writer(self) -> Any:
        if self._closed:
            raise CaptureError("the capture store is closed")
        loop = asyncio.get_running_loop()
        writer = self._loop_writers.get(loop)
        if writer is None:
            writer = self._loop_writers[loop] = _LoopCopier(self, loop)
        return writer

    def _drain(self, first: object) -> tuple[list[_Part], bool]:
        """``first`` and every part still waiting in the queue; and whether the store is stopping."""
        parts: list[_Part] = []
        stop = False
        item = first
        while True:
            if item is _STOP:
                stop = True
            else:
                parts.append(item)  # type: ignore[arg-type]
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return parts, stop

    def _take_ids(self, conn: Any, n: int) -> list[int]:
        """``n`` ids from the ones reserved from the shared sequence (blocks of ``_ID_BLOCK``: one round trip
        per block, not per batch). Other collectors reserve their own blocks, so ids never collide."""
        if not n:
            return []
        while len(self._ids) < n:
            rows = conn.execute(
                "SELECT nextval('requests_id_seq') FROM generate_series(1, %s)", (max(n, _ID_BLOCK),)
            ).fetchall()
            self._ids.extend(sorted(int(r[0]) for r in rows))
        taken, self._ids = self._ids[:n], self._ids[n:]
        return taken

    def _number(self, n: int) -> tuple[int, list[int], CaptureError | None]:
        """A loop batch's place in the publishing order and its ``n`` ids (``_take_ids``, on a connection
        of its own): ``(seq, ids, None)``, or ``(seq, [], error)``, and the caller must still release ``seq``."""
        with self._take:
            seq = self._seq
            self._seq += 1
            try:
                if self._id_conn is None or _lost(self._id_conn):
                    self._id_conn = _connect(self.url, autocommit=True)
                return seq, self._take_ids(self._id_conn, n), None
            except Exception as exc:
                return seq, [], CaptureError(f"capture store write failed: {exc}")

    def _commit_loop(self, conn: Any) -> None:
        """One writer connection: once free, take what waits in the queue as one batch, COPY it, commit,
        then release it in turn (``_release``). While every writer commits, requests pile up into the next
        batch; a commit waits for its WAL flush, and while one waits the next commits on another
        connection (PostgreSQL flushes their WAL together)."""
        while True:
            first = self._queue.get()
            error: BaseException | None = None
            with self._take:  # one writer at a time numbers its batch: the numbers follow the ids
                parts, stop = self._drain(first)
                seq = self._seq
                self._seq += 1
                try:
                    ids = self._take_ids(conn, sum(len(rows) for rows, _, _ in parts))
                except Exception as exc:
                    ids = []
                    error = CaptureError(f"capture store write failed: {exc}")
            if error is None and ids:
                try:
                    all_rows = [row for rows, _, _ in parts for row in rows]
                    payload = b"".join([_SIGNATURE, *map(_copy_row, ids, all_rows)])
                    with conn.cursor() as cur, cur.copy(_COPY) as copy:
                        copy.write(payload)  # psycopg adds the trailer
                except Exception as exc:
                    error = CaptureError(f"capture store write failed: {exc}")
            self._release(seq, ids, parts, error)
            if error is not None and _lost(conn):  # the server closed it: the next batches get a new one
                with suppress(CaptureError):
                    conn = _connect(self.url, autocommit=True)
            if stop:
                self._queue.put(_STOP)  # for the other writers
                with suppress(Exception):
                    conn.close()
                return

    def _release(self, seq: int, ids: list[int], parts: list[_Part], error: BaseException | None) -> None:
        """Publish committed batches in the order of their ids: ``last_id`` (and what readers of this store
        see, ``query``) never moves past a batch still committing on another connection, so a reader that
        goes on "after the last id I saw" misses nothing. The answers of a batch wait for those before it."""
        with self._order:
            self._done[seq] = (ids, parts, error)
            while self._next in self._done:  # under the lock: batches are published one after another
                self._publish(*self._done.pop(self._next))
                self._next += 1

    def _publish(self, ids: list[int], parts: list[_Part], error: BaseException | None) -> None:
        if error is None and ids:
            self._committed(ids)
        by_loop: dict[asyncio.AbstractEventLoop | None, tuple[list[Done], list[int]]] = {}
        at = 0
        for rows, loop, waiters in parts:
            got = ids[at : at + len(rows)] if error is None else [0] * len(rows)
            at += len(rows)
            answers = by_loop.setdefault(loop, ([], []))
            answers[0].extend(waiters)
            answers[1].extend(got)
        running = asyncio.events._get_running_loop()
        for loop, (waiters, got) in by_loop.items():
            if loop is running and loop is not None:  # a loop's own batch (``_LoopCopier``): answered now
                _answer(waiters, got, error)
            elif loop is None:
                for done, rid in zip(waiters, got, strict=True):
                    with suppress(Exception):
                        done(rid, error)
            else:
                with suppress(RuntimeError):  # the loop closed: nobody waits for these answers any more
                    loop.call_soon_threadsafe(_answer, waiters, got, error)

    def _fetch(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows of a read, on the read connection; a connection the server closed (a restart, a failover,
        an idle timeout) is opened again and the read tried once more (reads change nothing)."""
        psycopg = _psycopg()
        with self._read_lock:
            for attempt in range(2):
                if _lost(self._read_conn):
                    with suppress(CaptureError):
                        self._read_conn = _connect(self.url, autocommit=True)
                try:
                    return [tuple(r) for r in self._read_conn.execute(sql, params).fetchall()]
                except psycopg.Error as exc:
                    if attempt or not _lost(self._read_conn):
                        raise CaptureError(f"cannot read capture store {self.path}: {exc}") from None
        raise AssertionError("unreachable")

    def query(
        self,
        *,
        device: str | None = None,
        run: str | None = None,
        after_id: int = 0,
        kinds: Sequence[str] | None = None,
    ) -> list[CapturedRequest]:
        sql = f"{_SELECT} WHERE id > %s AND id <= %s"  # only what is published (``_release``)
        params: list[object] = [after_id, self.last_id]
        if device is not None:
            sql += " AND device = %s"
            params.append(device)
        if run is not None:
            sql += " AND run = %s"
            params.append(run)
        if kinds:
            sql += " AND kind = ANY(%s)"
            params.append(list(kinds))
        sql += " ORDER BY id"
        return [self._row(r) for r in self._fetch(sql, params)]

    def count(self) -> int:
        return int(self._fetch("SELECT COUNT(*) FROM requests", [])[0][0])

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            for writer in list(self._loop_writers.values()):
                writer.close()
            self._loop_writers.clear()
            self._queue.put(_STOP)
            for thread in self._writers:
                thread.join(timeout=10)
            with suppress(Exception):
                self._read_conn.close()
            if self._id_conn is not None:
                with suppress(Exception):
                    self._id_conn.close()


# -- run records -----------------------------------------------------------------------------


def _sdk_of(devices: Sequence[Mapping[str, Any]]) -> str:
    names = dict.fromkeys(f"{d.get('profile', '?')} {d.get('sdk_version', '')}".strip() for d in devices)
    return ", ".join(names)


def save_run(url: str, meta: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> int:
    """Store a finished run (its ``run.json`` metadata and its records, requests included); returns its id."""
    migrate(url)
    devices = list(meta.get("devices") or [])
    failed = sum(1 for r in records if r.get("outcome") in ("failed", "error"))
    passed = sum(1 for r in records if r.get("outcome") == "passed")
    conn = _connect(url)
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO runs (started_at, host, sdk, devices, passed, failed, meta, records)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    float(meta.get("started_at") or time.time()),
                    str(meta.get("host") or ""),
                    _sdk_of(devices),
                    json.dumps([str(d.get("uri", "")) for d in devices]),
                    passed,
                    failed,
                    json.dumps(meta, default=str),
                    json.dumps(list(records), default=str),
                ),
            ).fetchone()
    except _psycopg().Error as exc:
        raise CaptureError(f"cannot store the run in {_shown(url)}: {exc}") from None
    finally:
        conn.close()
    return int(row[0])


def list_runs(url: str) -> list[dict[str, Any]]:
    """Every recorded run, oldest first: id, started (UTC), sdk, devices, passed, failed, host."""
    migrate(url)
    conn = _connect(url, autocommit=True)
    try:
        rows = conn.execute(
            "SELECT id, started_at, sdk, devices, passed, failed, host FROM runs ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [
        {
            "id": int(r[0]),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(r[1]))),
            "sdk": r[2],
            "devices": json.loads(r[3]),
            "passed": int(r[4]),
            "failed": int(r[5]),
            "host": r[6],
        }
        for r in rows
    ]


def load_run_record(url: str, run_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(meta, records)`` of a recorded run, as :func:`harness.report.folder.load_run` gives a folder's."""
    try:
        number = int(run_id)
    except ValueError:
        raise CaptureError(f"{run_id!r} is not a run id (an integer; see harness runs --store URL)") from None
    migrate(url)
    conn = _connect(url, autocommit=True)
    try:
        row = conn.execute("SELECT meta, records FROM runs WHERE id = %s", (number,)).fetchone()
    finally:
        conn.close()
    if row is None:
        raise CaptureError(f"no run {number} in {_shown(url)} (see harness runs --store URL)")
    return json.loads(row[0]), json.loads(row[1])
