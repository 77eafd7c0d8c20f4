"""The live feed: judged requests pushed to the page's streams and the terminal as they are stored.

Why a commit listener and not per-request work: the collector's fast path answers a request right after
its group commit and must stay as fast as it is. The feed hangs on the store's commit notification
(``Store.add_listener``, the mechanism the ``/_harness/wait`` long poll wakes on), which runs once per
commit, not per request, and does nothing but set a flag and wake one task when somebody listens. That
task reads the rows committed since it last looked, judges them (``Inspector``) on a worker thread, prints
the terminal lines there, and hands the entries to every open stream. A collector without ``--ui`` and
with ``--quiet`` has no feed at all.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from harness.capture.inspector import Inspector

__all__ = ["Feed"]

Entries = list[dict[str, Any]]
_SNAPSHOT = 2000  # request entries a new stream starts with (the newest ones)


class Feed:
    """Pushes judged request entries to subscribers (the page's streams) and to ``printer``.

    Args:
        inspector: judges the rows; its sources are the stores watched.
        printer: called with every batch of new entries on a worker thread (the terminal lines), or None.
    """

    def __init__(self, inspector: Inspector, printer: Callable[[Entries], object] | None = None) -> None:
        self.inspector = inspector
        self.printer = printer
        self.subscribers: set[asyncio.Queue[tuple[str, Any]]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._kicked = False
        self._fed: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle (on the collector's loop) -----------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wake = asyncio.Event()
        for name, store in self.inspector.sources.items():
            self._fed[name] = store.last_id
            store.add_listener(self._on_commit)
        self._task = loop.create_task(self._pump())

    def detach(self) -> None:
        for store in self.inspector.sources.values():
            store.remove_listener(self._on_commit)
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._loop = None

    def _on_commit(self, last_id: int) -> None:
        """The store's commit listener (any thread): wake the pump once, if anybody listens."""
        if self._kicked or (self.printer is None and not self.subscribers):
            return
        loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return
        self._kicked = True
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(wake.set)

    async def _pump(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._kicked = False  # commits from here on wake the next round
            try:
                entries = await asyncio.to_thread(self._collect)
            except Exception as exc:  # a bad row must not end the feed
                asyncio.get_running_loop().call_exception_handler(
                    {"message": "inspector feed failed", "exception": exc}
                )
                continue
            if entries:
                for queue in list(self.subscribers):
                    queue.put_nowait(("entries", entries))

    def _collect(self) -> Entries:
        """(Worker thread) the entries of the rows committed since the last round, printed."""
        out: Entries = []
        for name, store in self.inspector.sources.items():
            rows = store.query(after_id=self._fed.get(name, 0))
            if rows:
                self._fed[name] = rows[-1].id
                out += self.inspector.entries_of(name, rows)
        out.sort(key=lambda e: e["received_at"])
        if out and self.printer is not None:
            self.printer(out)
        return out

    # -- streams ---------------------------------------------------------------------------------

    async def subscribe(self) -> tuple[asyncio.Queue[tuple[str, Any]], Entries]:
        """A queue of what happens from now on (``("entries", [...])``, ``("reset", marks)``), and the
        newest entries stored before (the page's start).

        The two may overlap by a commit (an entry in both); the page keys entries, so that is harmless,
        whereas a gap would lose a request."""
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.subscribers.add(queue)
        for name, store in self.inspector.sources.items():
            # before the snapshot is read: a pump round woken meanwhile must not go back over what the
            # snapshot holds (it ran with no subscriber to feed, so it may be far behind)
            self._fed[name] = max(self._fed.get(name, 0), store.last_id)
        snapshot = await asyncio.to_thread(self.inspector.requests, None, _SNAPSHOT)
        return queue, snapshot[-_SNAPSHOT:]

    def unsubscribe(self, queue: asyncio.Queue[tuple[str, Any]]) -> None:
        self.subscribers.discard(queue)
