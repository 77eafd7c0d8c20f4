"""The collector's own HTTP endpoints under ``/_harness/``, for tests in another process.

They are never stored as SDK traffic (the prefix is reserved; an SDK never calls it).

- ``GET /_harness/health`` → ``{"ok": true, "last_id": N, "time": T}``: T is the collector host's wall
  clock (the clock of ``received_at``), from which a runner on another host measures the offset
- ``GET /_harness/wait?after_id=N&device=D&timeout=S`` (long poll) → ``{"last_id": M, "requests": [...]}``
  as soon as at least one request with id > N (of device D, if given) is stored, or at the timeout
  with an empty list. Requests are in the capture format (``CapturedRequest.as_json``, Authorization
  not masked: this is the test's own traffic). ``timeout=0`` answers at once (a plain query).
- ``GET /_harness/quiet?seconds=S&timeout=T`` → ``{"quiet": bool, "last_id": N}``: waits until nothing
  has been stored for S seconds (true), or T seconds pass (false).
- ``/_harness/ui`` and ``/_harness/inspector/...``: the live inspector (``inspector_api.py``), when on.
- ``GET /_harness/rules`` lists the active answer rules; ``POST /_harness/rules`` adds one (a JSON
  object with :meth:`AnswerRules.add`'s keywords, or the ``--rule`` text form); ``DELETE`` removes all.
  ``/_harness/faults`` is the same endpoint under its deprecated name (design contract, older clients).

Waiting is woken by the store's commit notifications (a listener that sets an asyncio event on this
loop), never by a polling loop.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.capture.collector import Collector

__all__ = ["Control"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_WAIT = 300.0  # seconds one long poll may last


class Control:
    """Serves ``/_harness/*`` for one collector."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self._loop: asyncio.AbstractEventLoop | None = None
        self._commit = asyncio.Event()
        self._waiters = 0

    # -- commit notifications --------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._commit = asyncio.Event()
        self.collector.store.add_listener(self._on_commit_thread)

    def detach(self) -> None:
        self.collector.store.remove_listener(self._on_commit_thread)
        self._loop = None

    def _on_commit_thread(self, last_id: int) -> None:
        loop = self._loop
        if loop is not None and self._waiters:
            loop.call_soon_threadsafe(self._on_commit)

    def _on_commit(self) -> None:
        event, self._commit = self._commit, asyncio.Event()
        event.set()

    async def _next_commit(self, mark: int, timeout: float) -> None:
        """Wait until a commit newer than ``mark`` (the store's last id when the caller looked) or the timeout."""
        self._waiters += 1  # before the check, so a commit in between is not missed
        try:
            if self.collector.store.last_id != mark:
                return
            await asyncio.wait_for(self._commit.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters -= 1

    # -- endpoints -------------------------------------------------------------------------

    async def handle(self, scope: MutableMapping[str, Any], path: str, receive: Receive, send: Send) -> None:
        body = await _read_all(receive)
        params = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
        name = path[len("/_harness/") :].strip("/")
        method = scope["method"]
        try:
            if name == "health" and method == "GET":
                result: Any = {"ok": True, "last_id": self.collector.store.last_id, "time": self.collector.now()}
            elif name == "wait" and method == "GET":
                result = await self._wait(params)
            elif name == "quiet" and method == "GET":
                result = await self._quiet(params)
            elif name in ("rules", "faults"):  # "faults": the deprecated name, still served
                result = self._rules(method, body)
            elif name == "ui" or name.startswith(("ui/", "inspector/")):
                endpoints = self.collector.inspector
                if endpoints is None:
                    await _answer(send, 404, {"error": "the inspector is off: start the collector with --ui"})
                    return
                await endpoints.handle(name, method, params, receive, send)
                return
            else:
                await _answer(send, 404, {"error": f"no control endpoint {method} {path}"})
                return
        except (ValueError, KeyError, HarnessError) as exc:
            await _answer(send, 400, {"error": str(exc)})
            return
        await _answer(send, 200, result)

    async def _wait(self, params: dict[str, str]) -> dict[str, Any]:
        after_id = int(params.get("after_id", "0"))
        device = params.get("device")
        timeout = min(float(params.get("timeout", "30")), MAX_WAIT)
        deadline = time.monotonic() + timeout
        store = self.collector.store
        while True:
            mark = store.last_id  # everything up to here is committed, so the query sees it
            if mark > after_id:
                requests = await asyncio.to_thread(store.query, device=device, after_id=after_id)
                if requests:
                    return {"last_id": requests[-1].id, "requests": [r.as_json() for r in requests]}
                after_id = mark  # nothing of this device up to mark: what comes next has a larger id
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return {"last_id": after_id, "requests": []}
            await self._next_commit(mark, remaining)

    async def _quiet(self, params: dict[str, str]) -> dict[str, Any]:
        quiet = float(params["seconds"])
        timeout = min(float(params.get("timeout", "30")), MAX_WAIT)
        store = self.collector.store
        deadline = time.monotonic() + timeout
        while True:
            mark = store.last_id
            now = time.monotonic()
            idle = now - store.last_arrival
            if idle >= quiet:
                return {"quiet": True, "last_id": mark}
            if now >= deadline:
                return {"quiet": False, "last_id": mark}
            await self._next_commit(mark, min(quiet - idle, deadline - now))

    def _rules(self, method: str, body: bytes) -> Any:
        rules = self.collector.rules
        if method == "POST":
            text = body.decode("utf-8").strip()
            rule = rules.add(**json.loads(text)) if text.startswith("{") else rules.add_spec(text)
            return {"id": rule.id, "label": rule.label}
        if method == "DELETE":
            rules.clear()
            return {"ok": True}
        return {"rules": [{"id": r.id, "label": r.label, "seen": r.seen, "applied": r.applied} for r in rules.active]}


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _answer(send: Send, status: int, obj: Any) -> None:
    body = json.dumps(obj).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
