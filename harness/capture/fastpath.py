"""The collector's fast path: uvicorn's httptools protocol, minus ASGI for the common request.

Why: under load most of the collector's time went to the ASGI machinery around a request, not to the
request (a task, a request cycle, message dicts, two writes per answer); even an ASGI app that stores
nothing ran at about a fifth of nginx's rate. The common request (a whole request at the start of a
read, no answer rule, no upstream, not a control path) needs none of it. ``data_received`` splits its
head in Python (request line, one ``partition`` per field line), and llhttp, fed exactly those bytes
with no callback but the end of the message (``_Checker``), has the last word on whether they are one
well-formed request; it is analysed with the collector's own code (``Collector.capture_complete``),
handed to the store's group commit with a callback, and answered with one write right after the
commit, in the callback. Feeding llhttp with its per-field Python callbacks cost more than
the split.

Everything else goes through uvicorn's normal path (``_feed``), unchanged: the collector's ASGI app with
its body stall timeout, 413 cap, answer rules (reset, hang, delay), forward mode and control endpoints;
repeated fields, chunked bodies, ``Expect``, upgrades, HTTP/1.0, ``HEAD`` and bodies still arriving
included. Pipelined requests keep their order: while a fast answer waits for its commit, the
connection's ``cycle`` is a pending marker, so uvicorn queues whatever follows it as it queues behind any
cycle. A head that never completes (malformed, stalled past the body timeout, or cut off by the client)
is stored with its bytes and what was wrong (``Collector.broken_request``), then answered 400 or 408,
or not at all when the client is gone.

The per-request work is trimmed where a profile showed it (every Python call is a measurable share of
the ~15 us a request costs): the fast path is one function, the stand-in cycle is one reused object per
connection, the common answer does ``on_response_complete``'s work inline, and keep-alive uses one timer
per idle spell instead of cancelling and re-creating one for every request (a read marks the connection
busy; a timer that fires on a connection that was busy meanwhile re-arms itself for the rest of the idle
time, or lapses).

This relies on uvicorn's ``HttpToolsProtocol`` internals (``cycle``, ``pipeline``, ``headers``, ``url``,
``flow``, ``on_response_complete``, ``send_400_response``, ...); ``fast_protocol_class`` returns
``None`` when they are not what it expects, and the server then uses uvicorn's protocol as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from typing import Any
from urllib.parse import unquote

import httptools

from harness.capture.collector import CONTROL_PREFIX, Collector

__all__ = ["FAST_MAX_BODY", "fast_protocol_class"]

FAST_MAX_BODY = 256 * 1024  # larger bodies take the ASGI path (streamed, capped at MAX_BODY, 413)

_FAST_METHODS = frozenset(("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_ASGI_ONLY = frozenset(("transfer-encoding", "expect", "upgrade"))  # fields whose rules stay uvicorn's
_BROKEN_KEEP = 64 * 1024  # bytes kept of a request whose head never completed (malformed, stalled, gone)
STATUS_LINE: dict[int, bytes] = {}  # uvicorn's status lines, filled by fast_protocol_class()

_JSON = b"content-type: application/json\r\n"
_TAILS: dict[bytes, bytes] = {}  # answer body -> its content-type and content-length header lines
_ERROR = (
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 21\r\nconnection: close\r\n\r\nInternal Server Error"
)


class _Pending:
    """Stands in for uvicorn's request cycle while a fast answer waits for its commit; called by the store
    right after the commit (``done(id, error)``), it answers. One per connection, reused: a connection has
    at most one fast answer under way (the fast path starts only when the previous answer is complete)."""

    __slots__ = ("body", "disconnected", "head", "keep_alive", "message_event", "protocol", "response_complete")

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.head = b""
        self.body = b""
        self.keep_alive = True
        self.response_complete = True
        self.disconnected = False
        self.message_event = _NoEvent

    def __call__(self, rid: int, error: BaseException | None) -> None:
        """Right after the commit: answer with one write (or 500 if the store failed, as the ASGI path)."""
        protocol = self.protocol
        transport = protocol.transport
        self.response_complete = True
        if self.disconnected or transport.is_closing():
            return
        if error is not None:
            protocol.logger.error("capture store write failed", exc_info=error)
            transport.write(_ERROR)
            transport.close()
            return
        body = self.body
        tail = _TAILS.get(body)
        if tail is None:
            tail = _JSON + b"content-length: %d\r\n" % len(body)
            if len(_TAILS) < 256:
                _TAILS[body] = tail
        defaults = protocol.server_state.default_headers
        if defaults is not _DefaultHeaders.of:
            _DefaultHeaders.refresh(defaults)
        if not self.keep_alive:
            transport.write(b"".join((self.head, _DefaultHeaders.lines, tail, b"connection: close\r\n\r\n", body)))
            transport.close()
            protocol.on_response_complete()
            return
        transport.write(b"".join((self.head, _DefaultHeaders.lines, tail, b"\r\n", body)))
        if protocol.pipeline or protocol._broken_later is not None or protocol.flow.read_paused:
            protocol.on_response_complete()
            return
        # on_response_complete's common case (its last branch), inline: count it, and the connection is idle
        protocol.server_state.total_requests += 1
        protocol._idle = True
        protocol._idle_since = now = protocol.loop.time()
        if protocol._idle_timer is None:
            protocol._idle_timer = protocol.loop.call_at(now + protocol.timeout_keep_alive, protocol._keep_alive_due)


class _DefaultHeaders:
    """uvicorn's default headers (``date``, and ``server`` unless turned off) as header lines, kept until
    uvicorn replaces its list (it does not change it in place) when the date ticks."""

    of: object = None
    lines = b""

    @classmethod
    def refresh(cls, defaults: list[tuple[bytes, bytes]]) -> None:
        cls.lines = b"".join(b"%s: %s\r\n" % pair for pair in defaults)
        cls.of = defaults


class _NoEventType:
    def set(self) -> None:
        pass


_NoEvent = _NoEventType()


class _BrokenAnswer:
    """Called by the store right after a broken request (``Collector.broken_request``) is committed: answers
    it with ``status`` and closes the connection (nothing after a broken head can be trusted)."""

    __slots__ = ("message", "protocol", "status")

    def __init__(self, protocol: Any, status: int | None, message: str) -> None:
        self.protocol = protocol
        self.status = status
        self.message = message

    def __call__(self, rid: int, error: BaseException | None) -> None:
        protocol = self.protocol
        if error is not None:
            protocol.logger.error("capture store write failed", exc_info=error)
        transport = protocol.transport
        if self.status is None or transport.is_closing():
            return
        if self.status == 400:
            protocol.send_400_response(self.message)  # uvicorn's answer to malformed HTTP, unchanged
            return
        text = self.message.encode("ascii", "replace")
        transport.write(
            b"".join(
                (
                    STATUS_LINE[self.status],
                    b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n" % len(text),
                    b"connection: close\r\n\r\n",
                    text,
                )
            )
        )
        transport.close()


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a field name (RFC 9110 token)


def _fields_of(raw: bytes) -> dict[str, str]:
    """The complete field lines of a head that never completed (lenient: whatever looks like one)."""
    head, end, _ = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    if not end:
        del lines[-1:]  # the last line may be cut off
    fields = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon and _TOKEN.fullmatch(name):
            fields[name.lower()] = value.strip(" \t")
    return fields


class _Checker:
    """llhttp with no callback but the end of a message: says whether a request the fast path read is
    well-formed HTTP that ends where the fast path thinks it does, in one C pass.

    The callback is a C function too (``list.pop`` on a one-item list), so no Python frame is made per
    request: ``token`` is empty once a message completed (the caller puts the item back). A second message
    would pop an empty list, which llhttp reports as an error. After an error, or a message left
    incomplete, the parser is of no more use: the caller makes a new checker."""

    __slots__ = ("on_message_complete", "parser", "token")

    def __init__(self) -> None:
        self.token: list[None] = [None]
        self.on_message_complete = self.token.pop
        self.parser = httptools.HttpRequestParser(self)


@functools.cache
def fast_protocol_class() -> type[asyncio.Protocol] | None:
    """uvicorn's httptools protocol with the collector's fast path, or ``None`` if this uvicorn differs."""
    try:
        from uvicorn.protocols.http.httptools_impl import STATUS_LINE as UVICORN_STATUS_LINE
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return None
    needed = (
        "on_message_begin",
        "on_headers_complete",
        "on_body",
        "on_message_complete",
        "on_response_complete",
        "send_400_response",
        "handle_websocket_upgrade",
        "_should_upgrade",
        "_unsupported_upgrade_warning",
        "_start_asgi_task",
        "_unset_keepalive_if_required",
    )
    if not all(hasattr(HttpToolsProtocol, name) for name in needed):
        return None
    try:
        from uvicorn.protocols.http.flow_control import FlowControl

        if not hasattr(FlowControl(None), "read_paused"):  # type: ignore[arg-type]
            return None
    except Exception:
        return None
    STATUS_LINE.update(UVICORN_STATUS_LINE)

    class CollectorProtocol(HttpToolsProtocol):
        def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
            super().__init__(config, server_state, app_state, _loop)
            app = config.app
            self.collector: Collector | None = app if isinstance(app, Collector) else None
            # the collector when it answers requests itself; in forward mode every request takes ASGI's path
            self._fast_collector = self.collector if self.collector and self.collector.forwarder is None else None
            self._checker = _Checker()
            self._pending = _Pending(self)  # the fast path's stand-in cycle, reused
            self._submit: Any = None  # the store's submit_callback for this loop, fetched on first use
            # Keep-alive: one timer per idle spell, not one per request (on_response_complete, _keep_alive_due).
            self._idle = False
            self._idle_since = 0.0
            self._idle_timer: asyncio.TimerHandle | None = None
            # llhttp's side: a message under way (the fast path starts only between messages), and a head still
            # arriving: timed from the first read that left it incomplete, its bytes kept in case it never
            # completes (``_store_broken``).
            self._in_message = False
            self._head_done = True
            self._head_timer: asyncio.TimerHandle | None = None
            self._head_bytes: list[bytes] = []
            self._head_size = 0
            self._head_clean = True
            self._fresh = True
            self._broken = False
            self._broken_later: tuple[int, str, str] | None = None

        def data_received(self, data: bytes) -> None:
            """The fast path, in one function (a Python call is a measurable share of a request): store and
            answer the request at the start of ``data`` if it is whole and plain, and hand the rest (or all
            of it) to ``_feed``, uvicorn's path."""
            self._idle = False
            if self._broken:
                return  # a broken head is stored and being answered: nothing after it is read
            collector = self._fast_collector
            if (
                collector is None  # forward mode: every request takes ASGI's path
                or self._in_message  # llhttp is inside a message: it goes on with it
                or collector.rules._rules  # an answer rule may apply (the list itself: no call per request)
                or (self.cycle is not None and not self.cycle.response_complete)  # queue behind that answer
                or self.flow.write_paused
            ):
                self._feed(data)
                return
            head_end = data.find(b"\r\n\r\n")
            if head_end < 0:
                self._feed(data)
                return
            lines = data[:head_end].decode("latin-1").split("\r\n")
            request_line = lines[0].split(" ")
            if len(request_line) != 3:
                self._feed(data)
                return
            method, target, version = request_line
            if method not in _FAST_METHODS or version != "HTTP/1.1" or target[:1] != "/" or "#" in target:
                self._feed(data)  # HEAD, HTTP/1.0, absolute-form targets and fragments: uvicorn's rules
                return
            field_lines = lines[1:]
            fields = {}
            for line in field_lines:
                name, _, value = line.partition(":")
                fields[name.lower()] = value.lstrip(" \t")  # llhttp drops leading whitespace, keeps trailing
            if len(fields) != len(field_lines) or not _ASGI_ONLY.isdisjoint(fields):
                self._feed(data)  # a repeated field (the stored headers keep the last), chunked, Expect, Upgrade
                return
            end = head_end + 4
            declared = fields.get("content-length")
            if declared is not None:
                try:  # int() takes more than llhttp does ("+1", "1_0"): llhttp's check below refuses those
                    length = int(declared)
                except ValueError:
                    length = FAST_MAX_BODY + 1
                end += length
                if length > FAST_MAX_BODY or end > len(data):
                    self._feed(data)  # too large, or still arriving: the ASGI path (stall timeout, 413)
                    return
            keep_alive = True
            connection = fields.get("connection")
            if connection is not None:
                connection = connection.lower()
                if connection == "close":
                    keep_alive = False
                elif connection != "keep-alive":
                    self._feed(data)
                    return
            path, _, query = target.partition("?")
            if "%" in path:
                path = unquote(path)
            if path.startswith(CONTROL_PREFIX):
                self._feed(data)
                return
            # llhttp has the last word: the request must be well-formed HTTP that ends exactly here
            checker = self._checker
            try:
                checker.parser.feed_data(data if end == len(data) else data[:end])
                whole = not checker.token
            except httptools.HttpParserError:
                whole = False
            if not whole:
                self._checker = _Checker()  # llhttp stays in its error state, or mid-message: a fresh one
                self._feed(data)
                return
            checker.token.append(None)
            record, status, answer = collector.capture_complete(method, path, query, fields, data[head_end + 4 : end])
            pending = self._pending
            pending.head = STATUS_LINE[status]
            pending.body = answer
            pending.keep_alive = keep_alive
            pending.response_complete = False
            self.cycle = pending  # type: ignore[assignment]  # duck-typed: the attributes uvicorn reads
            submit = self._submit
            if submit is None:
                submit = self._submit = collector.store.callback_submitter()
            submit(record, pending)
            if keep_alive and end < len(data):
                self._feed(data[end:])  # pipelined: what follows queues behind this answer, in llhttp's path

        def _feed(self, data: bytes) -> None:
            """uvicorn's data_received (feed llhttp, 400 on malformed HTTP, upgrades), with heads that never
            complete stored and timed."""
            self._fresh = not self._in_message  # this read starts at a message boundary
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError as exc:
                if self._head_done or self.collector is None:  # a broken body: its ASGI cycle stores it
                    msg = "Invalid HTTP request received."
                    self.logger.warning(msg)
                    self.send_400_response(msg)
                else:
                    self._keep_head_bytes(data)
                    self._store_broken(400, f"malformed HTTP: {exc}", "Invalid HTTP request received.")
                return
            except httptools.HttpParserUpgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()
            if not self._head_done:  # a head is still arriving
                self._keep_head_bytes(data)

        # -- llhttp's messages: where they begin and end, and heads that never complete

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_message = True
            self._head_done = False
            self._head_clean = self._fresh  # no earlier message ended in the read that began this one

        def on_headers_complete(self) -> None:
            self._head_done = True
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
                self._head_bytes = []
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_message = False
            self._fresh = False
            super().on_message_complete()

        def _keep_head_bytes(self, data: bytes) -> None:
            if self._head_timer is None:  # this read began the head
                self._head_bytes = [data]
                self._head_size = len(data)
                if self.collector is not None:
                    self._head_timer = self.loop.call_later(self.collector.body_timeout, self._head_stalled)
            else:
                if self._head_size < _BROKEN_KEEP:
                    self._head_bytes.append(data)
                self._head_size += len(data)

        def _head_stalled(self) -> None:
            self._head_timer = None
            if self._head_done or self._broken or self.transport.is_closing():
                return
            timeout = self.collector.body_timeout if self.collector is not None else 0
            problem = f"client stalled: headers incomplete after {timeout:g} s (got {self._head_size} bytes)"
            self._store_broken(408, problem, "Request headers incomplete: client stalled.")

        def _store_broken(self, status: int | None, problem: str, message: str) -> None:
            """Store what arrived of a request whose head never completed (``Collector.broken_request``) and
            answer ``status`` right after the commit, closing the connection. Behind a request still being
            answered (pipelined), both wait for that answer: it is sent, and stored, first."""
            self._broken = True  # nothing more is read
            self._head_done = True
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            cycle = self.cycle
            if status is not None and cycle is not None and not cycle.response_complete:
                self._broken_later = (status, problem, message)  # on_response_complete picks it up
                return
            collector = self.collector
            assert collector is not None
            raw = b"".join(self._head_bytes)[:_BROKEN_KEEP]
            self._head_bytes = []
            # llhttp names the method once the target began (before that it holds a stale or default one); its
            # fields lag one behind (a field is handed over when the next begins), so a head that began at the
            # start of a read has its complete field lines read from the bytes instead
            method = self.parser.get_method().decode("latin-1") if self.url and self.parser is not None else ""
            if self._head_clean:
                fields = _fields_of(raw)
            else:
                fields = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.headers}
            record = collector.broken_request(method, self.url.decode("latin-1"), fields, raw, problem, status, message)
            collector.store.submit_callback(record, _BrokenAnswer(self, status, message))

        def connection_lost(self, exc: Exception | None) -> None:
            if not self._head_done and not self._broken and self._head_timer is not None:
                problem = f"client disconnected before the headers were complete (got {self._head_size} bytes)"
                with contextlib.suppress(Exception):  # the store or loop may be closing with the server
                    self._store_broken(None, problem, "")
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            super().connection_lost(exc)
            self._idle = False
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None

        # -- keep-alive: uvicorn cancels and re-creates a timer for every request; here a request only
        # marks the connection busy, and the timer of an idle spell re-arms itself if the spell was broken.

        def _unset_keepalive_if_required(self) -> None:  # uvicorn calls it on every read
            self._idle = False

        def _keep_alive_due(self) -> None:
            self._idle_timer = None
            if not self._idle or self.transport.is_closing():
                return  # busy since: the next answer arms a new timer
            due = self._idle_since + self.timeout_keep_alive
            if self.loop.time() + 0.01 >= due:
                self.transport.close()
            else:
                self._idle_timer = self.loop.call_at(due, self._keep_alive_due)

        def on_response_complete(self) -> None:
            # uvicorn's, with the keep-alive timer above
            self.server_state.total_requests += 1
            if self.transport.is_closing():
                return
            if self._broken_later is not None:  # a broken head waited for this answer
                status, problem, message = self._broken_later
                self._broken_later = None
                self._store_broken(status, problem, message)
                return
            if self.flow.read_paused:
                self.flow.resume_reading()
            if self.pipeline:
                cycle, app = self.pipeline.pop()
                self._start_asgi_task(cycle, app)
            else:  # _arm_keep_alive, inline
                self._idle = True
                self._idle_since = self.loop.time()
                if self._idle_timer is None:
                    self._idle_timer = self.loop.call_at(
                        self._idle_since + self.timeout_keep_alive, self._keep_alive_due
                    )

    return CollectorProtocol
