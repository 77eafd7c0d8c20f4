"""The core of the model: identity and common properties, storing rows, timers, and dispatch.

iOS research §2.3 (common properties), §2.5 (one row per target project), §7 (the 3 s flush after
each stored row in ``.immediate`` mode). Timers (the 3 s flush, the background work item, the
periodic flush) run on the device clock and fire before the stimulus that comes after them. The
mixins in this package (flushing, sessions, push, identity, events, model) add the handlers; this
class holds the state they share and the hooks they call across.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from harness.errors import SpecError
from harness.sdks.exponea.spec.answers import AnswerRules
from harness.sdks.exponea.spec.profiles.ios.state import (
    AUTH_GATED,
    FLUSH_DELAY,
    PUSH_STEPS,
    TIME_TOLERANCE,
    Config,
    Customer,
    Gates,
    Persisted,
    Project,
    Row,
)
from harness.spec.expectation import Expectations
from harness.spec.matchers import Any_, DeviceTime, OneOf, Var
from harness.spec.trace import Stimulus

__all__ = ["ModelBase"]


class ModelBase:
    """State shared by the mixins, storing, timers and dispatch."""

    def __init__(self, gates: Gates) -> None:
        self.gates = gates
        self.p = Persisted()
        self.out = Expectations(ordered=False)
        self.answers = AnswerRules()
        # The collector's rule states other than ``answers`` that are possible after a request the
        # SDK may or may not have sent (a flush that may have been refused): deduplicated by counts.
        self.answer_alts: list[AnswerRules] = []
        # (device time, rows sent) of each flush that sent rows and may still be running (FLUSH_OVERLAP)
        self.running: list[tuple[float, list[Row]]] = []
        self.last_index: int | None = None  # the expectation the last attempt recorded (flushing.attempt)
        self.config: Config | None = None
        self.flush_mode = "IMMEDIATE"
        self.flush_period = 300.0
        self.foreground = False
        self.online = True
        self.permission = True
        self.pre_init: list[Stimulus] = []
        self.timers: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self.saved_campaign: tuple[dict[str, Any], float] | None = None
        self.in_flight: list[tuple[float, Customer, dict[str, Any]]] = []  # (sent at, customer, body)
        self.now = 0.0
        self.cause = 0
        self.done_host: float | None = None  # host time the previous stimulus had completed
        self.fired_host: float | None = None  # a timer is firing: its requests come after this host time
        self.host_now = 0.0  # host time the stimulus being applied (and the timers it fires) had ended by
        # (row, index of its expectation, host time its flush had begun by) since the last settle
        self.flying: list[tuple[Row, int, float]] = []

    # -- hooks the mixins provide ------------------------------------------------------------

    def flush(self) -> None:
        raise NotImplementedError

    def settle(self) -> None:
        raise NotImplementedError

    def fire(self, kind: str) -> None:
        raise NotImplementedError

    def background_work(self) -> None:
        raise NotImplementedError

    def on_app_foreground(self, s: Stimulus) -> None:
        raise NotImplementedError

    # -- identity and common properties ------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self.config is not None

    def cfg(self) -> Config:
        assert self.config is not None
        return self.config

    def customer(self) -> Customer:
        if not self.p.customers:
            self.p.generation += 1
            self.p.customers.append(Customer(self.p.generation))
        return self.p.customers[-1]

    def cookie(self, customer: Customer) -> Var:
        old = tuple(f"cookie#{g}" for g in range(1, customer.generation))
        return Var(f"cookie#{customer.generation}", kind="uuid", case="upper", distinct_from=old)

    def device_id(self) -> Var:
        old = tuple(f"device_id#{g}" for g in range(1, self.p.device_generation))
        return Var(f"device_id#{self.p.device_generation}", kind="uuid", case="upper", distinct_from=old)

    def device_properties(self) -> dict[str, Any]:
        return {
            "os_name": "iOS",
            "platform": "iOS",
            "os_version": Any_(),
            "sdk": "Exponea iOS SDK",
            "sdk_version": self.gates.version,  # Exponea.version (D1)
            "device_model": Any_(),
            "device_type": OneOf(("mobile", "tablet")),
            "app_version": Any_(),
        }

    def event_properties(self, own: Mapping[str, Any], defaults: bool = True) -> dict[str, Any]:
        """Caller properties > application_id/device_id > defaultProperties (ios §2.3)."""
        props: dict[str, Any] = dict(self.cfg().default_properties) if defaults else {}
        props["application_id"] = self.cfg().application_id
        props["device_id"] = self.device_id()
        props.update(own)
        return props

    def at(self, t: float) -> DeviceTime:
        """A timestamp the SDK reads from the device clock (the checker allows for its offset)."""
        return DeviceTime(t, TIME_TOLERANCE)

    # -- storing ------------------------------------------------------------------------------

    def projects(self, key: str) -> list[Project]:
        cfg = self.cfg()
        return [cfg.main, *([] if cfg.main.stream else cfg.mapping.get(key, []))]

    def store(
        self,
        key: str,
        route: str,
        event_type: str | None,
        properties: dict[str, Any],
        timestamp: Any,
        rules: tuple[str, ...],
        label: str,
        url: str | None = None,
        customer: Customer | None = None,
    ) -> list[Row]:
        """One row per target project (ios §2.5); in .immediate mode a flush 3 s later (ios#3)."""
        if not self.configured or self.p.stopped:
            return []
        rows = []
        owner = customer or self.customer()
        for project in self.projects(key):
            row = Row(route, event_type, dict(properties), timestamp, owner, project, self.cause, rules, label, url)
            if len(self.projects(key)) > 1:
                row.rules = (*row.rules, "ios#71")
            if self.gates.authorization_per_row:  # DatabaseManager.trackEvent stores it (D4)
                row.authorization = self.cfg().authorization if project is self.cfg().main else project.authorization
            self.p.queue.append(row)
            rows.append(row)
        if self.flush_mode == "IMMEDIATE":
            self.schedule(self.now + FLUSH_DELAY, "flush")
        return rows

    def track_event(
        self, key: str, event_type: str | None, properties: dict[str, Any], timestamp: Any, rules: tuple[str, ...]
    ) -> list[Row]:
        return self.store(key, "events", event_type, properties, timestamp, rules, event_type or "event")

    def unavailable(self, what: str, s: Stimulus) -> SpecError:
        """A feature the modelled version does not have: an error the runner reports, never a pass."""
        return SpecError(f"{s.label()}: {what} does not exist in iOS SDK {self.gates.version}")

    # -- timers on the device clock ----------------------------------------------------------

    def schedule(self, due: float, kind: str) -> None:
        heapq.heappush(self.timers, (due, next(self._seq), kind))

    def cancel(self, kind: str) -> None:
        self.timers = [t for t in self.timers if t[2] != kind]
        heapq.heapify(self.timers)

    def run_timers(self, until: float) -> None:
        """Fire timers due by ``until`` in order.

        A timer fired after the previous stimulus had completed, so what it sends cannot arrive
        before that (the only bound that holds whether the clock ran or jumped, e.g. a settle on
        the virtual device moves the clock to the 3 s flush instead of waiting for it).
        """
        while self.timers and self.timers[0][0] <= until:
            due, _, kind = heapq.heappop(self.timers)
            self.now = due
            self.fired_host = self.done_host if self.done_host is not None else 0.0
            try:
                self.fire(kind)
            finally:
                self.fired_host = None

    # -- stimuli -----------------------------------------------------------------------------

    def apply(self, s: Stimulus) -> None:
        self.host_now = s.host_time
        self.run_timers(s.device_time)
        self.cause = s.index
        self.now = s.device_time
        try:
            self.handle(s)
        finally:
            self.done_host = s.host_time

    def handle(self, s: Stimulus) -> None:
        if s.kind == "env" and s.name == "click_push" and not self.foreground:
            # A tap on a notification opens the app: didBecomeActive comes first, whoever sent the push
            # and whether or not the SDK is configured yet (then the session is resumed or restarted,
            # TrackingManager.swift:512-522@4.0.1), and only then does the app hand the payload over.
            self.on_app_foreground(s)
        handler: Callable[[Stimulus], None] | None = getattr(self, f"on_{s.kind}_{s.name}", None)
        if handler is None:
            if s.kind == "call":
                raise SpecError(f"exponea-ios does not model SDK call {s.name!r} ({s.label()})")
            return
        if (s.kind == "call" and s.name in AUTH_GATED) or (s.kind == "env" and s.name in PUSH_STEPS):
            if not self.ready(s):
                return
            if s.name in AUTH_GATED and not self.cfg().main.stream and self.cfg().authorization is None:
                return  # authorizationInsufficient: dropped (ios#74)
        handler(s)

    def ready(self, s: Stimulus) -> bool:
        """Configured: run now. Before configure: queued (ExpoInitManager); after a stop: dropped."""
        if self.configured:
            return True
        if not self.p.stopped:
            self.pre_init.append(s)
        return False

    def finish(self, last: Stimulus | None) -> None:
        """The runner settles after the last step: the pending 3 s flushes run."""
        if last is not None:
            self.settle()
