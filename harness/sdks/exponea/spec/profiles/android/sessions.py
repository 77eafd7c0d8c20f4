"""Sessions (android research §4): automatic with timeout and the end worker, manual with auto-close.

A ``session_start`` inherits the stored campaign (deep link or clicked push) if it is younger than
``campaignTTL`` (§3.2, android#42, android#48); the campaign is cleared at every foreground.
"""

from __future__ import annotations

from harness.sdks.exponea.spec.profiles.android.flushing import FlushMixin
from harness.sdks.exponea.spec.profiles.android.state import TIME_TOLERANCE
from harness.spec.matchers import Approx, MarkerDuration
from harness.spec.trace import Stimulus

__all__ = ["SessionMixin"]


class SessionMixin(FlushMixin):
    def session_start(self, ts: float, rules: tuple[str, ...], explicit: bool = False) -> None:
        self.p.session_start, self.p.session_end = ts, -1.0
        props = self.device_properties()
        campaign = self.p.campaign
        if campaign is not None and campaign[0] and ts - campaign[1] < float(self.config.get("campaignTTL", 10.0)):
            props.update(campaign[0])
            rules = (*rules, campaign[2])
        stamp = self.given(ts) if explicit else self.at(ts)
        self.track("SESSION_START", "session_start", props, stamp, rules, "session_start")

    def session_end(
        self, ts: float, duration: float | MarkerDuration, rules: tuple[str, ...], explicit: bool = False
    ) -> None:
        length = duration if isinstance(duration, MarkerDuration) else Approx(duration, TIME_TOLERANCE)
        props = {**self.device_properties(), "duration": length}
        stamp = self.given(ts) if explicit else self.at(ts)
        self.track("SESSION_END", "session_end", props, stamp, rules, "session_end")
        self.p.session_start = self.p.session_end = -1.0

    def stored_duration(self) -> float | MarkerDuration:
        """End minus start as the SDK reads them from its preferences (android research §4 quirks):
        with the end unset (-1.0, ``getDouble``'s fallback) and a start read from the clock, the
        result is the clock-derived ``-1.0 - start``."""
        start, end = self.p.session_start, self.p.session_end
        if end == -1 and start != -1:
            return MarkerDuration(end, start, TIME_TOLERANCE)
        return end - start

    def automatic_sessions(self) -> bool:
        return bool(self.config["automaticSessionTracking"])

    def session_on_foreground(self, t: float) -> None:
        if not self.initialized or not self.automatic_sessions():
            return
        self.p.worker_due = None
        start, end = self.p.session_start, self.p.session_end
        if start == -1 or end == -1:
            self.session_start(t, ("android#18",))
        elif t - end >= float(self.config["sessionTimeout"]):
            self.session_end(end, end - start, ("android#20",))
            self.session_start(t, ("android#20",))
        else:
            self.out.notes.append(f"session resumed at {t:.3f} (android#19)")
        self.p.campaign = None

    def session_on_background(self, t: float) -> None:
        if not self.initialized or not self.automatic_sessions():
            return
        if self.p.session_start == -1:
            self.session_start(self.init_time, ("android#18",))
        self.p.session_end = t
        self.p.worker_due = t + float(self.config["sessionTimeout"])

    def run_session_worker(self, due: float) -> None:
        """The session-end worker: ``session_end`` at its run time, then a flush in any mode (android#21)."""
        self.p.worker_due = None
        if not self.initialized:
            return  # the worker fails in a process where the SDK is not initialized (§4)
        self.session_end(self.now, self.p.session_end - self.p.session_start, ("android#21",))
        self.flush(ordered=True)

    # -- calls ------------------------------------------------------------------------------

    def on_call_trackSessionStart(self, s: Stimulus) -> None:
        if not self.gate(s) or self.automatic_sessions():
            return  # ignored while automatic tracking is on (android#22)
        explicit = s.args.get("timestamp") is not None
        ts = float(s.args["timestamp"]) if explicit else s.device_time
        if self.config["manualSessionAutoClose"] and self.p.session_start != -1 and self.p.session_end == -1:
            self.session_end(ts, ts - self.p.session_start, ("android#23",), explicit)
        self.session_start(ts, ("android#23", "android#24"), explicit)

    def on_call_trackSessionEnd(self, s: Stimulus) -> None:
        if not self.gate(s) or self.automatic_sessions():
            return
        explicit = s.args.get("timestamp") is not None
        ts = float(s.args["timestamp"]) if explicit else s.device_time
        self.session_end(ts, ts - self.p.session_start, ("android#25",), explicit)

    def on_call_setSessionTimeout(self, s: Stimulus) -> None:
        self.config["sessionTimeout"] = float(s.args["seconds"])

    def on_call_setAutomaticSessionTracking(self, s: Stimulus) -> None:
        enabled = bool(s.args["enabled"])
        was = self.automatic_sessions()
        self.config["automaticSessionTracking"] = enabled
        if enabled and not was and self.initialized and self.foreground:
            self.session_on_foreground(s.device_time)  # the listener starts and sees the foreground
        if not enabled:
            self.p.worker_due = None
