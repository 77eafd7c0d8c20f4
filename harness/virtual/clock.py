"""The virtual app's wall clock, which the harness can move forward instantly.

The clock is real time plus an offset, so it runs on its own like a phone's clock, and
``advance(seconds)`` adds to the offset. Timers (the session-end worker, the periodic flush) are kept
in virtual time and fire in order when the clock passes them, either by ``advance`` or by real time
passing (checked by a ticker thread).

Timers fire under one "firing" lock, whoever fires them (an RPC's ``advance`` or the ticker), so two
advances never interleave: an advance of the ticker computed from an older offset cannot undo a
harness advance that ran meanwhile (the offset only ever grows), and ``barrier()`` lets a settle look
at the SDK's state while no timer callback is half-way through (popped but not yet run).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["VirtualClock"]


class VirtualClock:
    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.RLock()
        self._firing = threading.RLock()  # held while advancing, callbacks included
        self._timers: list[tuple[float, int, str, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cancelled: set[int] = set()
        self._names: dict[str, int] = {}
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="virtual-clock", daemon=True)
        self._ticker.start()

    @property
    def offset(self) -> float:
        return self._offset

    def now(self) -> float:
        """Epoch seconds with millisecond resolution, as ``Date().time / 1000.0`` gives."""
        return round(time.time() + self._offset, 3)

    def advance(self, seconds: float) -> None:
        """Move the clock forward, firing every timer that falls due, in time order."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._firing:
            target = time.time() + self._offset + seconds
            while True:
                with self._lock:
                    if not self._timers or self._timers[0][0] > target:
                        self._offset = max(self._offset, target - time.time())
                        return
                    when, seq, name, fn = heapq.heappop(self._timers)
                    if seq in self._cancelled:
                        self._cancelled.discard(seq)
                        continue
                    self._names.pop(name, None)
                    # Jump to the timer's time so that the callback sees "now" as its due time.
                    self._offset = max(self._offset, when - time.time())
                fn()

    @contextmanager
    def barrier(self) -> Iterator[None]:
        """Hold off every timer while the block runs; entered once no callback is running."""
        with self._firing:
            yield

    def schedule(self, name: str, delay: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` once, ``delay`` seconds of virtual time from now, replacing a timer of that name."""
        with self._lock:
            self.cancel(name)
            seq = next(self._seq)
            self._names[name] = seq
            heapq.heappush(self._timers, (time.time() + self._offset + delay, seq, name, fn))

    def cancel(self, name: str) -> None:
        with self._lock:
            seq = self._names.pop(name, None)
            if seq is not None:
                self._cancelled.add(seq)

    def pending(self, name: str) -> bool:
        with self._lock:
            return name in self._names

    def next_due(self, prefix: str) -> tuple[float, str] | None:
        """The earliest pending timer whose name starts with ``prefix``: (virtual due time, name)."""
        with self._lock:
            due = [
                (when, name)
                for when, seq, name, _ in self._timers
                if name.startswith(prefix) and seq not in self._cancelled
            ]
        return min(due) if due else None

    def _tick(self) -> None:
        while not self._stop.wait(0.2):
            self.advance(0)

    def close(self) -> None:
        self._stop.set()
