"""Session tracking of the Android SDK (``SessionManagerImpl``, ``ExponeaSessionEndWorker``).

Automatic mode: a foreground with no session (or after ``sessionTimeout`` in the background) sends
``session_start``; a background records the end time and schedules the session-end worker
``sessionTimeout`` seconds later, which sends ``session_end`` stamped with *its own* run time and
then flushes in every flush mode. Coming back before the worker ran ends the old session stamped
with the background time. Manual mode: only the public calls, with ``manualSessionAutoClose``.
Prefs hold ``session_start``/``session_end``; -1 means unset. A ``session_start`` carries the
campaign stored less than ``campaignTTL`` ago; every foreground clears the stored campaign.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from harness.sdks.exponea.virtual.android.sdk import AndroidSdk

__all__ = ["Sessions"]

_WORKER = "session-end-worker"


class Sessions:
    def __init__(self, sdk: AndroidSdk) -> None:
        self.sdk = sdk
        self.init_time = sdk.clock.now()
        self._waiting_for_network = False

    @property
    def automatic(self) -> bool:
        return bool(self.sdk.config["automaticSessionTracking"])

    def _get(self, key: str) -> float:
        return float(self.sdk.prefs.get(key, -1.0))

    def start_tracking(self) -> None:
        self.init_time = self.sdk.clock.now()
        if self.automatic and self.sdk.env.foreground:
            self.on_foreground()

    def on_foreground(self) -> None:
        if not self.automatic:
            return
        self.sdk.clock.cancel(_WORKER)
        self._waiting_for_network = False
        now = self.sdk.clock.now()
        start, end = self._get("session_start"), self._get("session_end")
        timeout = 0.0 if "session-not-resumed" in self.sdk.faults else float(self.sdk.config["sessionTimeout"])
        if start == -1 or end == -1:
            # SessionManagerImpl.onSessionStart stamps the first session with now
            # (SessionManagerImpl.kt:86-94@4.10.0, android#18); only onSessionEnd falls back to initTime.
            self._start(self.init_time if "session-start-at-init-time" in self.sdk.faults else now)
        elif now - end >= timeout:  # android#19, #20: resumed only strictly within the timeout
            self._end(now if "session-end-at-foreground" in self.sdk.faults else end, end - start)
            self._start(now)
        self.sdk.campaigns.clear()

    def on_background(self) -> None:
        if not self.automatic:
            return
        if self._get("session_start") == -1:
            self._start(self.init_time)
        self.sdk.prefs.set(session_end=self.sdk.clock.now())
        self.sdk.clock.schedule(_WORKER, float(self.sdk.config["sessionTimeout"]), self._worker)

    def _worker(self) -> None:
        """The WorkManager job (network CONNECTED constraint): end the session and flush (android#21)."""
        with self.sdk._lock:
            if not self.sdk.initialized:
                return
            if not self.sdk.env.online:
                self._waiting_for_network = True  # WorkManager runs it once the network is back
                return
            start, end = self._get("session_start"), self._get("session_end")
            duration = end - start
            if "session-end-wrong-duration" in self.sdk.faults:
                duration = self.sdk.clock.now() - start  # counts the time in the background too
            self._end(self.sdk.clock.now(), duration)
            if "session-worker-no-flush" not in self.sdk.faults:
                self.sdk.flusher.request()

    def on_network(self) -> None:
        if self._waiting_for_network:
            self._waiting_for_network = False
            self._worker()

    def _start(self, ts: float) -> None:
        self.sdk.prefs.set(session_start=ts, session_end=-1.0)
        props = self.sdk.device_properties()
        props.update(self.sdk.campaigns.for_session_start())  # android#42, #48
        self.sdk.track("SESSION_START", "session_start", props, ts)

    def _end(self, ts: float, duration: float) -> None:
        props = self.sdk.device_properties()
        props["duration"] = duration
        self.sdk.track("SESSION_END", "session_end", props, ts)
        self.sdk.prefs.set(session_start=-1.0, session_end=-1.0)

    def end_now(self) -> None:
        """Anonymize step 1: ``session_end(now)``, duration from the prefs as they are (research §4 quirks)."""
        start, end = self._get("session_start"), self._get("session_end")
        self._end(self.sdk.clock.now(), end - start)

    def start_now(self) -> None:
        """Anonymize step 6: a new session for the new customer."""
        self.sdk.clock.cancel(_WORKER)
        self._start(self.sdk.clock.now())

    def stop(self) -> None:
        self.sdk.clock.cancel(_WORKER)
        self._waiting_for_network = False

    # -- manual API ------------------------------------------------------------------------

    def manual_start(self, args: Mapping[str, Any]) -> None:
        if self.automatic and "manual-start-in-automatic" not in self.sdk.faults:
            return  # ignored with a warning while automatic tracking is on
        ts = float(args["timestamp"]) if args.get("timestamp") is not None else self.sdk.clock.now()
        start, end = self._get("session_start"), self._get("session_end")
        faults = self.sdk.faults
        auto_close = bool(self.sdk.config["manualSessionAutoClose"])
        auto_close = (auto_close and "manual-no-autoclose" not in faults) or "manual-autoclose-always" in faults
        if auto_close and start != -1 and end == -1:
            self._end(ts, ts - start)
        self._start(ts)

    def manual_end(self, args: Mapping[str, Any]) -> None:
        if self.automatic:
            return
        ts = float(args["timestamp"]) if args.get("timestamp") is not None else self.sdk.clock.now()
        end = self.sdk.clock.now() if "manual-end-duration-now" in self.sdk.faults else ts
        self._end(ts, end - self._get("session_start"))
