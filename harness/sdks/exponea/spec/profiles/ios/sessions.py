"""Sessions (iOS research §4): automatic with timeout and the background work item, manual with
auto-close, and the campaign data a young ``session_start`` takes (ios#25, #26).
"""

from __future__ import annotations

from typing import Any

from harness.sdks.exponea.spec.profiles.ios.flushing import FlushMixin
from harness.sdks.exponea.spec.profiles.ios.state import CAMPAIGN_WINDOW, TIME_TOLERANCE, Row
from harness.spec.matchers import Approx
from harness.spec.trace import Stimulus

__all__ = ["SessionMixin"]


class SessionMixin(FlushMixin):
    def session_start(self, rules: tuple[str, ...]) -> None:
        self.p.session_started, self.p.session_ended = self.now, 0.0
        props = self.event_properties(self.device_properties())
        if self.saved_campaign is not None:
            data, saved_at = self.saved_campaign
            self.saved_campaign = None
            if self.now - saved_at <= CAMPAIGN_WINDOW:
                props.update(data)
                rules = (*rules, "ios#26")
        self.track_event("SESSION_START", "session_start", props, self.at(self.now), rules)

    def session_end(self, end: float, rules: tuple[str, ...]) -> None:
        duration = end - self.p.session_started
        props = self.event_properties({**self.device_properties(), "duration": Approx(duration, TIME_TOLERANCE)})
        self.track_event("SESSION_END", "session_end", props, self.at(end), rules)
        self.p.session_started = self.p.session_ended = 0.0

    def bare_session_end(self, rules: tuple[str, ...]) -> None:
        """anonymize/stop: only the injected fields and defaults, no duration (ios §3.4)."""
        self.track_event("SESSION_END", "session_end", self.event_properties({}), self.at(self.now), rules)

    def trigger_session_start(self) -> None:
        """At configure and on every didBecomeActive with automatic sessions."""
        if not self.configured or not self.cfg().automatic_sessions:
            return
        p = self.p
        if p.session_started:
            since = p.session_ended or p.session_started
            if self.now - since < self.cfg().session_timeout:
                # resumed (ios#51); sessionEndTime stays as it was (SessionManager.swift:113-122@4.0.1
                # returns without touching it): a later start without a background in between (a
                # configure after a kill) still measures the timeout from it and ends the session there
                return
            self.session_end(p.session_ended or self.now, ("ios#50",))
        self.session_start(("ios#2", "ios#50"))

    def background_work(self) -> None:
        """The work item of didEnterBackground: session_end, then a flush unless .manual."""
        if not self.configured:
            return
        if self.cfg().automatic_sessions and self.p.session_started:
            self.session_end(self.p.session_ended or self.now, ("ios#50",))
        if self.flush_mode != "MANUAL":
            self.flush()

    def on_call_trackSessionStart(self, s: Stimulus) -> None:
        cfg = self.cfg()
        if cfg.automatic_sessions:
            return  # ignored with automatic sessions (ios#52)
        if self.p.session_started:
            if self.now - self.p.session_started < cfg.session_timeout:
                return  # still inside the timeout: ignored (ios#54)
            if cfg.manual_session_auto_close:
                self.session_end(self.now, ("ios#55",))
        self.session_start(("ios#53", "ios#55"))

    def on_call_trackSessionEnd(self, s: Stimulus) -> None:
        if self.cfg().automatic_sessions or not self.p.session_started:
            return
        self.session_end(self.now, ("ios#53",))

    def campaign(self, url: str | None, data: dict[str, Any]) -> None:
        """ensureSessionStarted, then amend a young pending session_start or save for the next."""
        extra = {**({"url": url} if url else {}), **data}
        if not self.p.session_started:
            self.saved_campaign = (extra, self.now)
            self.session_start(("ios#2",))
            return
        pending = [
            r
            for r in self.p.queue
            if r.event_type == "session_start"
            and isinstance(r.timestamp, Approx)
            and self.now - r.timestamp.value <= CAMPAIGN_WINDOW
        ]
        latest: dict[str, Row] = {}
        for row in pending:
            latest[row.project.wire_token] = row
        for row in latest.values():
            row.properties.update(extra)
            row.rules = (*row.rules, "ios#25", "ios#26")
        if not latest and extra:
            self.saved_campaign = (extra, self.now)
