"""In-app capture: the requests the app's own HTTP client made, stored like the collector's.

The agents' hooks on the app's HTTP layer (``_okhttp_capture.js`` on Android, the NSURLSession hook
in the iOS agent) send each request as a ``harness:http`` message: first the request as the app
built it (``phase: "request"``, body bytes as the message data), then what became of it
(``phase: "response"`` with ``status``, or ``error`` when the call failed in the app). An
:class:`InAppRecorder` turns those into :class:`~harness.capture.record.CapturedRequest` rows with the
collector's own analysis (content decoding, UTF-8 and JSON checks, route kind), so JSONL/HAR export,
``harness check`` and the checker read them exactly as they read the collector's.

Nothing is dropped: a request whose outcome never arrived (the app died mid-call, the session ended)
is stored by :meth:`InAppRecorder.finish` with ``status`` null and a problem saying so; a request the
agent could not read is stored with the agent's reason.

:func:`compare_captures` sets the app's view against the backend's (the collector's store): a request
the app sent that the backend never got is *lost*; one the backend got that the app never sent is
*unexplained* (another client, or a hook that missed a call).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.capture.collector import analyse_body
from harness.capture.record import CapturedRequest
from harness.capture.routing import match_route
from harness.capture.store import Store
from harness.errors import ConfigError

__all__ = ["CaptureDiff", "InAppRecorder", "compare_captures", "load_capture", "request_key"]

MESSAGE_TYPE = "harness:http"
NO_OUTCOME = "the app never reported an outcome for this request (it ended, or the capture stopped, mid-call)"


class InAppRecorder:
    """Stores the ``harness:http`` messages of one app session under one device key.

    Args:
        store: where the rows go (its own SQLite file, or the collector's store with a device key of
            its own, so the two captures never mix).
        device: the device key the rows get.
        base_path: the path prefix of the base URL the app was given (``/d/<key>`` when it talks to
            the collector), stripped so paths read as the API's, as the collector stores them.
        run: the run label the rows get.
    """

    def __init__(self, store: Store, device: str, base_path: str = "", run: str = "") -> None:
        self.store = store
        self.device = device
        self.base_path = base_path.rstrip("/")
        self.run = run
        self._pending: dict[int, tuple[dict[str, Any], bytes, float]] = {}
        self._writes: list[Future[int]] = []
        self._lock = threading.Lock()

    def __call__(self, payload: Mapping[str, Any], data: bytes | None) -> None:
        """A FridaSession handler: record one message (runs on Frida's thread; stores without waiting)."""
        phase = payload.get("phase")
        call_id = int(payload.get("id") or 0)
        if phase == "request":
            with self._lock:
                self._pending[call_id] = (dict(payload), bytes(data or b""), time.time())
        elif phase == "response":
            with self._lock:
                entry = self._pending.pop(call_id, None)
            if entry is None:
                return  # its request phase came before this recorder (a capture started mid-call)
            request, body, sent_at = entry
            status = payload.get("status")
            error = payload.get("error")
            self._store(request, body, sent_at, int(status) if isinstance(status, int) else None, error)

    @property
    def stored(self) -> int:
        """How many requests have been handed to the store so far."""
        with self._lock:
            return len(self._writes)

    def finish(self, timeout: float = 30.0) -> int:
        """Store every request still waiting for its outcome and wait until all rows are committed;
        returns how many were stored without an outcome."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for request, body, sent_at in pending:
            self._store(request, body, sent_at, None, NO_OUTCOME)
        with self._lock:
            writes = list(self._writes)
        for write in writes:
            write.result(timeout=timeout)
        return len(pending)

    def record(
        self, request: Mapping[str, Any], body: bytes, sent_at: float, status: int | None, error: Any
    ) -> CapturedRequest:
        """The stored form of one app request (the collector's analysis of its body and route)."""
        problems: list[str] = []
        if request.get("problem"):
            problems.append(str(request["problem"]))
        url = urlsplit(str(request.get("url") or ""))
        path = url.path or "/"
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            path = path[len(self.base_path) :] or "/"
        full_path = path + ("?" + url.query if url.query else "")
        headers: dict[str, str] = {}
        for pair in request.get("headers") or []:
            name, value = str(pair[0]).lower(), str(pair[1])
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if url.hostname:
            headers.setdefault("host", url.netloc)
        method = str(request.get("method") or "GET").upper()
        text, keep_raw = analyse_body(body, headers, problems, match_route(method, path).json_types)
        if error:
            problems.append(f"the call failed in the app: {error}")
        return CapturedRequest(
            method=method,
            path=full_path,
            headers=headers,
            body=text,
            received_at=sent_at,
            device=self.device,
            kind=match_route(method, path).kind,
            problems=tuple(problems),
            response_status=status,
            run=self.run,
            raw_body=body if keep_raw else b"",
            rule="" if status is not None else "in-app: no answer",
            origin="app",  # the hooks see the answer's status only: export must not make up the rest
        )

    def _store(self, request: Mapping[str, Any], body: bytes, sent_at: float, status: int | None, error: Any) -> None:
        write = self.store.submit(self.record(request, body, sent_at, status, error))
        with self._lock:
            self._writes.append(write)


def request_key(request: CapturedRequest) -> tuple[str, str, str]:
    """What makes two captures of one request the same request: method, API path and body text."""
    return request.method, request.path, request.body


@dataclass
class CaptureDiff:
    """The app's capture against the backend's, matched as multisets of :func:`request_key`."""

    matched: int = 0
    lost: list[CapturedRequest] = field(default_factory=list)  # the app sent it; the backend never got it
    unexplained: list[CapturedRequest] = field(default_factory=list)  # the backend got it; the app never sent it

    @property
    def equal(self) -> bool:
        return not self.lost and not self.unexplained

    def summary(self) -> str:
        return f"{self.matched} matched, {len(self.lost)} lost, {len(self.unexplained)} unexplained"

    def report(self) -> str:
        lines = [self.summary()]
        for title, requests in (
            ("lost (sent by the app, never received)", self.lost),
            ("unexplained", self.unexplained),
        ):
            for r in requests:
                outcome = r.response_status if r.response_status is not None else "no answer"
                lines.append(f"  {title}: {r.method} {r.path} -> {outcome} {'; '.join(r.problems)}".rstrip())
        return "\n".join(lines)


def compare_captures(app: Iterable[CapturedRequest], backend: Iterable[CapturedRequest]) -> CaptureDiff:
    """Match each app request to one backend request with the same key; the rest are lost/unexplained.

    A request the app sent twice (an SDK retry) must reach the backend twice to count as delivered.
    """
    backend_list = list(backend)
    remaining: Counter[tuple[str, str, str]] = Counter(request_key(r) for r in backend_list)
    diff = CaptureDiff()
    for r in app:
        key = request_key(r)
        if remaining[key] > 0:
            remaining[key] -= 1
            diff.matched += 1
        else:
            diff.lost.append(r)
    for r in backend_list:
        key = request_key(r)
        if remaining[key] > 0:
            remaining[key] -= 1
            diff.unexplained.append(r)
    return diff


def load_capture(path: str | Path, device: str | None = None) -> list[CapturedRequest]:
    """The requests of a capture store (SQLite) or a JSONL export, optionally of one device key.

    Raises:
        ConfigError: the file is missing, or a JSONL line is not a captured request (naming file and line).
    """
    source = Path(path)
    if not source.is_file():
        raise ConfigError(str(source), "no such capture (a store .sqlite or a JSONL export)")
    with source.open("rb") as fh:
        is_sqlite = fh.read(16) == b"SQLite format 3\x00"
    if is_sqlite:
        store = Store(source)
        try:
            return store.query(device=device) if device is not None else store.query()
        finally:
            store.close()
    out: list[CapturedRequest] = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            request = CapturedRequest.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{source}:{number}", f"not a captured request: {exc}") from exc
        if device is None or request.device == device:
            out.append(request)
    return out
