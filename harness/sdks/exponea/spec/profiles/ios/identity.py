"""Identity (iOS research §5, §6): identifyCustomer, anonymize, stopIntegration, clearLocalCustomerData."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from harness.errors import SpecError
from harness.sdks.exponea.spec.profiles.ios.push import PushMixin
from harness.sdks.exponea.spec.profiles.ios.state import (
    Config,
    Customer,
    Persisted,
    clean,
    mapping_from,
    project_from,
    strict,
)
from harness.spec.expectation import QuietWindow
from harness.spec.trace import Stimulus

__all__ = ["IdentityMixin"]

_STRIPPED = ("push_notification_token", "valid", "description", "platform", "application_id", "device_id")


class IdentityMixin(PushMixin):
    def on_call_identifyCustomer(self, s: Stimulus) -> None:
        customer = self.customer()
        ids = {k: v for k, v in (s.args.get("customerIds") or {}).items() if k != "cookie" and v is not None}
        customer.ids.update(ids)  # merged; a given cookie is replaced by the current one (ios#16)
        self.race_ids(customer)
        cfg = self.cfg()
        props: dict[str, Any] = dict(cfg.default_properties) if cfg.allow_default_customer_properties else {}
        props.update(strict(clean(s.args.get("properties") or {})))
        props = {k: v for k, v in props.items() if k not in _STRIPPED}  # ios#17
        rules = ("ios#15", "ios#16", "ios#17", "ios#18", "ios#21")
        self.store("TRACK_CUSTOMER", "customers", None, props, self.at(self.now), rules, "identifyCustomer")
        if self.flush_mode == "IMMEDIATE":
            self.flush()  # at once, no 3 s wait (ios#21)

    def on_call_anonymize(self, s: Stimulus) -> None:
        if not self.ready(s):
            return
        cfg = self.cfg()
        old = self.customer()
        rules: tuple[str, ...] = ("ios#56", "ios#57", "ios#58", "ios#60")
        if cfg.automatic_sessions:
            self.bare_session_end(rules)
        if old.push_token is not None:
            self.notification_state(old.push_token, False, "Invalidated", rules)
        self.p.session_started = self.p.session_ended = 0.0
        self.saved_campaign = None
        project = s.args.get("exponeaProject")
        if project:
            self.config = switch(cfg, project, s.args.get("projectRouteMap"), s.label())
            rules = (*rules, "ios#59")
        self.p.generation += 1
        new = Customer(self.p.generation)
        self.p.customers.append(new)
        if old.push_token is not None:
            valid, description = self.token_state()
            self.notification_state(old.push_token, valid, description, rules)
        props = self.event_properties(self.device_properties())
        self.track_event("INSTALL", "installation", props, self.at(self.now), rules)
        self.p.installed.add(new.generation)
        if self.cfg().automatic_sessions:
            self.session_start(rules)

    def on_call_stopIntegration(self, s: Stimulus) -> None:
        if self.p.stopped:
            return
        # 3.11.0 sets isStopped first and wipes the queue: nothing more is tracked or sent, rows
        # still queued are deleted unsent (ExponeaInternal.swift:610-632@3.11.0, D2).
        if self.configured and self.gates.stop_tracks_and_flushes:
            cfg = self.cfg()
            before = len(self.out.requests)
            running = self.flush_running(s)
            if cfg.automatic_sessions:
                self.bare_session_end(("ios#62",))
            token = self.customer().push_token
            if token is not None:
                self.notification_state(token, False, "Invalidated", ("ios#62",))
            self.flush()  # even in .manual; what it cannot send is deleted
            if running:
                # A flush still running answers the stop's flushData with .flushAlreadyInProgress
                # (FlushingManager.swift:99-104@4.0.1) and the stop's completion tears down at once:
                # clearUserData deletes every row unsent (ExponeaInternal.swift:660-701). So what the
                # stop tracked or found queued may be sent (the earlier flush had ended) or not.
                for i in range(before, len(self.out.requests)):
                    self.out.requests[i] = dataclasses.replace(self.out.requests[i], copies=(0, 1))
        self.wipe()
        self.p.stopped = True
        self.config = None
        self.timers = []
        self.pre_init = []
        self.out.quiet.append(
            QuietWindow(
                s.index, s.host_time, f"stopIntegration() at step {s.index + 1}", ("ios#62", "ios#63", "ios#64")
            )
        )

    def on_call_clearLocalCustomerData(self, s: Stimulus) -> None:
        if self.configured or not self.p.saved_config:
            return  # only while not configured, with a saved configuration (ios#66)
        self.wipe()

    def wipe(self) -> None:
        for row in (*self.p.queue, *(f[0] for f in self.flying)):
            row.deleted = True  # a kill racing the flush that sent it cannot put it back (interrupt_flush)
        self.p = Persisted(generation=self.p.generation, device_generation=self.p.device_generation + 1)
        self.saved_campaign = None

    def close_quiet(self, host_time: float) -> None:
        for i, w in enumerate(self.out.quiet):
            if w.end_host_time is None:
                self.out.quiet[i] = QuietWindow(w.cause, w.start_host_time, w.reason, w.rules, host_time)

    def on_call_getCustomerCookie(self, s: Stimulus) -> None:
        pass

    def on_call_isInitialized(self, s: Stimulus) -> None:
        pass


def switch(cfg: Config, project: Mapping[str, Any], route_map: Any, where: str) -> Config:
    """anonymize(exponeaIntegrationType:): the new main project and mapping (ios#59)."""
    try:
        main, auth = project_from(project, where)
        mapping = mapping_from(route_map, where)
    except ValueError as exc:
        raise SpecError(f"anonymize with an invalid project: {exc}") from exc
    return dataclasses.replace(cfg, main=main, authorization=auth, mapping=mapping)
