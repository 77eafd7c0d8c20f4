"""Flush modes (research android §7.1): IMMEDIATE, PERIOD, APP_CLOSE and MANUAL.

IMMEDIATE flushes after every tracked event (``AndroidSdk.flush_if_immediate``). PERIOD runs the
periodic WorkManager job every ``flushPeriod`` (WorkManager's minimum is 15 minutes, network
CONNECTED constraint) in virtual time, and flushes when the app goes to the background; a background
switches PERIOD to APP_CLOSE and the next foreground switches it back and restarts the job, so
APP_CLOSE behaves like PERIOD. MANUAL flushes only on ``flushData`` (and the session-end worker).
The mode is a process-global property: it is not persisted and starts as IMMEDIATE on every launch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.sdks.exponea.virtual.android.sdk import AndroidSdk

__all__ = ["MIN_PERIOD", "MODES", "FlushModes"]

MODES = ("IMMEDIATE", "PERIOD", "APP_CLOSE", "MANUAL")
MIN_PERIOD = 15 * 60.0  # PeriodicWorkRequest.MIN_PERIODIC_INTERVAL_MILLIS
DEFAULT_PERIOD = 60 * 60.0
_WORKER = "periodic-flush-worker"


class FlushModes:
    def __init__(self, sdk: AndroidSdk) -> None:
        self.sdk = sdk
        self.mode = "IMMEDIATE"
        self.period = DEFAULT_PERIOD
        self._waiting_for_network = False

    def set_mode(self, mode: str) -> None:
        """``Exponea.flushMode = mode``; ``onFlushModeChanged`` runs only once initialized."""
        if mode not in MODES:
            raise ValueError(f"unknown flush mode {mode!r} (one of {', '.join(MODES)})")
        self.mode = mode
        if not self.sdk.initialized:
            return
        if mode == "PERIOD":
            self._start_worker()
        else:
            self.stop()  # onFlushModeChanged (Exponea.kt:959-967@4.10.0): IMMEDIATE starts no flush

    def set_period(self, seconds: float) -> None:
        """``Exponea.flushPeriod = …``: the periodic job is re-enqueued with the new period."""
        if seconds <= 0:
            raise ValueError("flushPeriod must be positive")
        self.period = seconds
        if self.sdk.initialized and self.mode == "PERIOD":
            self._start_worker()

    def _start_worker(self) -> None:
        """Enqueue the unique periodic job (policy REPLACE): its first run is one period from now."""
        self.sdk.clock.schedule(_WORKER, max(self.period, MIN_PERIOD), self._worker)

    def _worker(self) -> None:
        with self.sdk._lock:
            if not self.sdk.initialized or self.mode != "PERIOD":
                return
            self._start_worker()
            if not self.sdk.env.online:
                self._waiting_for_network = True
                return
            if "periodic-flush-never" not in self.sdk.faults:
                self.sdk.flusher.request()

    def on_network(self) -> None:
        if self._waiting_for_network:
            self._waiting_for_network = False
            if self.sdk.initialized and self.mode == "PERIOD":
                self.sdk.flusher.request()

    def on_background(self) -> None:
        """The last activity paused: PERIOD becomes APP_CLOSE and the queue is flushed (android#59)."""
        if self.mode not in ("PERIOD", "APP_CLOSE"):
            return
        if self.mode == "PERIOD":
            self.mode = "APP_CLOSE"
            self.stop()
        if "no-flush-on-background" not in self.sdk.faults:
            self.sdk.flusher.request()

    def on_foreground(self) -> None:
        if self.mode == "APP_CLOSE":
            self.mode = "PERIOD"
            self._start_worker()

    def stop(self) -> None:
        self.sdk.clock.cancel(_WORKER)
        self._waiting_for_network = False
