"""The iOS ``SessionManager`` (research ios §4).

State lives in the ``ExponeaSDK`` defaults as ``sessionStarted``/``sessionEnded`` (0 = unset); a
session is active iff ``sessionStarted != 0``.

Automatic mode: configure and every foreground call ``trigger_start(now)``: an active session still
within the timeout (measured from ``sessionEnded`` if set, else from ``sessionStarted``) is resumed
silently (ios#51); otherwise ``session_end`` (timestamp ``sessionEnded`` or now, ``duration`` = end -
start, ios#50) and a new ``session_start``. A background records ``sessionEnded`` and starts a
background task whose work item runs ``sessionTimeout`` later (session_end, then a flush unless in
manual mode); iOS expires background tasks after about 30 s, and the expiry cancels the work item,
so with the default 60 s timeout the end is tracked on the next foreground or launch.
Manual mode: ``trackSessionStart`` within the timeout (from the start) is ignored, past it the old
session is closed first only with ``manualSessionAutoClose`` (ios#53..55).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.sdks.exponea.virtual.ios.sdk import IosSdk

__all__ = ["BACKGROUND_TASK_LIMIT", "Sessions"]

BACKGROUND_TASK_LIMIT = 30.0  # seconds iOS grants beginBackgroundTask before the expiration handler
_WORK = "ios:background-work"
_EXPIRE = "ios:background-expire"


class Sessions:
    def __init__(self, sdk: IosSdk) -> None:
        self.sdk = sdk

    @property
    def automatic(self) -> bool:
        return self.sdk.config.automatic_session_tracking

    def _get(self, key: str) -> float:
        return float(self.sdk.defaults.get(key, 0.0))

    @property
    def active(self) -> bool:
        return self._get("sessionStarted") != 0

    # -- automatic -------------------------------------------------------------------------

    def trigger_start(self) -> None:
        now = self.sdk.clock.now()
        self.sdk.clock.cancel(_WORK)
        self.sdk.clock.cancel(_EXPIRE)
        if self.active:
            start, end = self._get("sessionStarted"), self._get("sessionEnded")
            since = end if end else start
            if now - since < self.sdk.config.session_timeout and "ios-session-not-resumed" not in self.sdk.faults:
                return  # resumed: sessionEnded is kept (SessionManager.swift:113-122@4.0.1)
            end_ts = end if end else now
            duration = end_ts - start
            if "ios-session-duration-to-relaunch" in self.sdk.faults:
                duration = now - start
            self._end(end_ts, duration)
        self._start(now)

    def ensure_started(self) -> None:
        if self.automatic and not self.active:
            self._start(self.sdk.clock.now())

    def on_background(self) -> None:
        if not self.automatic:
            return
        self.sdk.defaults.set(sessionEnded=self.sdk.clock.now())
        self.sdk.clock.schedule(_WORK, self.sdk.config.session_timeout, self._work_item)
        self.sdk.clock.schedule(_EXPIRE, BACKGROUND_TASK_LIMIT, lambda: self.sdk.clock.cancel(_WORK))

    def _work_item(self) -> None:
        with self.sdk.lock:
            self.sdk.clock.cancel(_EXPIRE)
            if not self.sdk.configured or not self.active:
                return
            start, end = self._get("sessionStarted"), self._get("sessionEnded")
            end_ts = end if end else self.sdk.clock.now()
            self._end(end_ts, end_ts - start)
            if self.sdk.config.flush_mode != "manual":
                self.sdk.flush()

    def _start(self, ts: float) -> None:
        self.sdk.defaults.set(sessionStarted=ts, sessionEnded=0.0)
        self.sdk.track_session_start(ts)

    def _end(self, ts: float, duration: float) -> None:
        self.sdk.defaults.set(sessionStarted=0.0, sessionEnded=0.0)
        self.sdk.track_session_end(ts, duration)

    def clear(self) -> None:
        self.sdk.clock.cancel(_WORK)
        self.sdk.clock.cancel(_EXPIRE)
        self.sdk.defaults.set(sessionStarted=0.0, sessionEnded=0.0)

    # -- manual ----------------------------------------------------------------------------

    def started_at(self) -> float:
        return self._get("sessionStarted")

    def manual_start(self) -> None:
        faults = self.sdk.faults
        if self.automatic and "ios-manual-in-automatic" not in faults:
            return  # "do nothing when manually tracking" (ios#52)
        now = self.sdk.clock.now()
        if self.active:
            start = self._get("sessionStarted")
            if now - start < self.sdk.config.session_timeout and "ios-manual-restart-within-timeout" not in faults:
                return
            if self.sdk.config.manual_session_auto_close and "ios-manual-autoclose-ignored" not in faults:
                self._end(now, now - start)
        self._start(now)

    def manual_end(self) -> None:
        if self.automatic or not self.active:
            return
        now = self.sdk.clock.now()
        duration = now - self._get("sessionStarted")
        if "ios-manual-duration-millis" in self.sdk.faults:
            duration *= 1000
        self._end(now, duration)
