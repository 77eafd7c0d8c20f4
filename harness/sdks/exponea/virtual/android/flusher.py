"""The Android SDK's flush loop (``FlushManagerImpl``): one request at a time, oldest first.

Rules (research android §2.4, §2.5, §7): events are sorted by timestamp (nulls first, stable), the
first one not yet skipped in this pass is sent, and the queue is re-read after every response, so
events added during a flush go out in the same pass. 2xx deletes; 5xx keeps the event without
counting a try; anything else (and transport errors, which OkHttp's interceptor turns into a
synthetic 400) counts a try and drops the event at ``maxTries``. Offline, nothing is sent and nothing
is counted. There is no timer-based retry: failed events wait for the next trigger.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import httpx

from harness.sdks.exponea.virtual.faults import Faults
from harness.sdks.exponea.virtual.gson import dumps
from harness.sdks.exponea.virtual.storage import EventQueue, QueuedEvent
from harness.virtual.env import AppEnv

__all__ = ["ROUTES", "Flusher", "android_headers"]

ROUTES = {
    "events": "/track/v2/projects/{token}/customers/events",
    "customers": "/track/v2/projects/{token}/customers",
    "campaign": "/track/v2/projects/{token}/campaigns/clicks",
}

USER_AGENT = "okhttp/4.12.0"


def android_headers(authorization: str | None, with_body: bool) -> dict[str, str]:
    """Headers as OkHttp puts them on the wire for the SDK's requests."""
    headers = {
        "Content-Type": "application/json; charset=utf-8" if with_body else "application/json",
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "br,gzip",
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


def _whole_as_string(value: Any) -> Any:
    """The ``whole-number-as-string`` fault's adapter: whole numbers in properties become strings.

    The real SDK reads the stored properties back as ``HashMap<String, Any>`` (numbers become Doubles,
    ``Converters.toAnyMap``, ``database/Converters.kt:73-80@4.10.0``) and Gson writes ``2.0`` (android#8).
    """
    if isinstance(value, dict):
        return {k: _whole_as_string(v) for k, v in value.items()}
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return value


def _body(event: QueuedEvent, faults: Faults | None = None) -> str:
    if event.route == "campaign":
        props = event.properties or {}
        return dumps({"url": props.get("url"), "timestamp": event.timestamp, "properties": {"platform": "Android"}})
    body: dict[str, object] = {}
    if event.event_type is not None:
        body["event_type"] = event.event_type
    if event.timestamp is not None:
        body["timestamp"] = event.timestamp
    body["customer_ids"] = event.customer_ids
    if event.properties is not None:
        whole_as_string = faults is not None and "whole-number-as-string" in faults
        body["properties"] = _whole_as_string(event.properties) if whole_as_string else event.properties
    return dumps(body)


class Flusher:
    """Runs flush passes on its own thread when triggered.

    Args:
        queue: the persisted events.
        env: connectivity.
        max_tries: the configuration's ``maxTries`` (read at each failure).
        is_stopped: true once stopIntegration ran; a running pass ends and responses are ignored.
        faults: the seeded faults of this launch (the flush rules' own bugs).
    """

    def __init__(
        self,
        queue: EventQueue,
        env: AppEnv,
        max_tries: Callable[[], int],
        is_stopped: Callable[[], bool],
        faults: Faults | None = None,
    ) -> None:
        self.queue = queue
        self.env = env
        self.faults = faults or Faults()
        self._max_tries = max_tries
        self._is_stopped = is_stopped
        self._client = httpx.Client(timeout=10.0, transport=env.network)
        self._client.headers.pop("accept", None)
        self._wake = threading.Condition()
        self._requested = False
        self._busy = False
        self._extra = 0  # passes started beside the loop's: only under the flush-no-running-guard fault
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="flusher", daemon=True)
        self._thread.start()

    def request(self) -> None:
        """Trigger a flush (``flushData``); a running pass absorbs the request.

        ``FlushManagerImpl.flushData`` starts a pass only if ``tryStartFlushProcess()`` (an
        ``AtomicBoolean.compareAndSet``) wins, else it just queues the callback
        (``FlushManagerImpl.kt:36, 54-68@4.10.0``; android#60): the running pass re-reads the queue after
        every answer and so sends what the request was for, and an event it already tried in this pass is
        skipped: an absorbed request re-sends nothing (found by harness explore: ``init``, ``respond 402``,
        ``handleNewToken`` sent the token twice when a request queued a second pass). The
        ``flush-no-running-guard`` fault drops that guard: a flushData during a pass starts a second pass
        on a thread of its own, which reads the queue while the first pass's event is still in it
        (deleted only on its 2xx).
        """
        with self._wake:
            if self._busy and "flush-no-running-guard" in self.faults:
                self._extra += 1
                threading.Thread(target=self._extra_pass, name="flusher-2", daemon=True).start()
                return
            self._requested = True
            self._wake.notify_all()

    def _extra_pass(self) -> None:
        try:
            self._pass(main=False)
        finally:
            with self._wake:
                self._extra -= 1
                self._wake.notify_all()

    def idle(self, timeout: float) -> bool:
        """Wait until no pass is running or requested."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._requested and not self._busy and not self._extra, timeout)

    def _loop(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._requested or self._closed)
                if self._closed:
                    return
                self._requested = False
                self._busy = True
            try:
                self._pass()
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def _pass(self, main: bool = True) -> None:
        """Send the queue, oldest first, until nothing is pending; ``main``: the flush thread's own pass,
        which ends ``busy`` together with the check for a late request (a fault's extra pass does not)."""
        faults = self.faults
        while not self._is_stopped():
            with self._wake:
                self._requested = False  # the read below sees what a request until now was for
            if not self.env.online:
                if "offline-events-lost" in faults:
                    self.queue.clear()  # treats "no connectivity" as a delivered batch
                return  # android#55: nothing sent, nothing counted
            events = sorted(self.queue.all(), key=lambda e: (e.timestamp is not None, e.timestamp or 0.0, e.seq))
            if "newest-first" in faults:
                events.reverse()
            pending = [e for e in events if not e.skipped]
            if not pending:
                with self._wake:
                    if self._requested:
                        # A request came after that read: its event is in the queue now. (The real
                        # pass can end here without it, a window of a few database updates; this
                        # model closes it.)
                        self._requested = False
                        continue
                    self.queue.reset_skipped()
                    if main:
                        self._busy = False
                    self._wake.notify_all()
                return
            event = pending[0]
            status, body, transport_error = self._post(event)
            if self._is_stopped():
                return  # a response that arrives after the stop is ignored
            if self._handle_answer(event, status, body, transport_error, in_pass=True):
                return

    def _handle_answer(
        self, event: QueuedEvent, status: int, body: bytes, transport_error: bool, *, in_pass: bool
    ) -> bool:
        """Delete, keep or count a try for ``event`` by its answer (FlushManagerImpl's response handling);
        True when the pass ends here. ``in_pass``: a kept event is skipped for the rest of the pass."""
        faults = self.faults
        if "body-inspected" in faults and 200 <= status < 300 and b'"success":false' in body.replace(b" ", b""):
            status = 400  # the SDK never parses the body (android#56); this bug does
        delete_5xx = 500 <= status < 600 and "no-retry-after-5xx" in faults
        if 200 <= status < 300 or delete_5xx:
            self.queue.delete(event.id)
            return "flush-stops-after-first" in faults
        # android#52: a 5xx is kept with no try counted; android#53, #54: any other answer counts one.
        uncounted = 500 <= status < 600 or (transport_error and "connection-failure-not-counted" in faults)
        if not uncounted and "retry-forever-on-4xx" not in faults:
            event.tries += 1
            if event.tries >= self._max_tries():
                self.queue.delete(event.id)
                return False
        if in_pass:
            event.skipped = True
        self.queue.update(event)
        return False

    def own_pass(self, events: list[QueuedEvent]) -> None:
        """The pass of an SDK-less FlushManagerImpl (android §9.2): its TemporaryEventRepositoryImpl's
        ``all()`` returns only the events that instance stored (TemporaryEventRepositoryImpl.kt:10-21
        @4.10.0), so it sends those, each once, with the usual answer handling, and never the queue an
        earlier process left behind. (It sends them from memory, without the Room round trip; this
        model sends the stored form: see docs/explore.md.)"""
        for event in sorted(events, key=lambda e: (e.timestamp is not None, e.timestamp or 0.0)):
            if self._is_stopped() or not self.env.online:
                return
            status, body, transport_error = self._post(event)
            if self._is_stopped() or self._handle_answer(event, status, body, transport_error, in_pass=False):
                return

    def send(self, event: QueuedEvent) -> int:
        """Post one stored event; a transport failure is OkHttp's synthetic 400."""
        return self._post(event)[0]

    def _post(self, event: QueuedEvent) -> tuple[int, bytes, bool]:
        project = event.project
        url = project["baseUrl"] + ROUTES[event.route].format(token=project["projectToken"])
        # Room stores the project as "token§§§§§auth§§§§§url": a null authorization comes back as "null".
        auth = project.get("authorization")
        auth = "null" if auth is None else str(auth)
        if "authorization-token-doubled" in self.faults and auth != "null":
            auth = "Token " + auth
        body = _body(event, self.faults)
        if "campaign-click-platform-lowercase" in self.faults and event.route == "campaign":
            body = body.replace('"platform":"Android"', '"platform":"android"')
        if "html-escaped-json" in self.faults:  # Gson without disableHtmlEscaping()
            for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
                body = body.replace(raw, escaped)
        headers = android_headers(auth, True)
        if "null-authorization-omitted" in self.faults and auth == "null":
            headers.pop("Authorization")
        if "content-type-no-charset" in self.faults:
            headers["Content-Type"] = "application/json"
        try:
            response = self._client.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError:
            return 400, b"", True
        return response.status_code, response.content, False

    def get(self, url: str, authorization: str | None) -> None:
        """A non-tracking GET (content-block bundle); failures are ignored as the SDK does."""
        with contextlib.suppress(httpx.HTTPError):
            self._client.get(url, headers=android_headers(authorization, False))

    def post_json(self, url: str, body: Any, authorization: str | None) -> None:
        """A non-tracking POST (in-app messages); failures are ignored as the SDK does."""
        with contextlib.suppress(httpx.HTTPError):
            self._client.post(url, content=dumps(body).encode(), headers=android_headers(authorization, True))

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._client.close()
