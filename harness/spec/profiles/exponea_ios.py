"""Profile ``exponea-ios``: what the Exponea iOS SDK 4.0.1 sends for a stimulus trace.

Written from ``research/ios-sdk-spec.md``; each expectation names the checklist ids (``ios#N``) it
checks. Where iOS differs from Android the model follows the iOS code:

- every tracked row is stored per target project and sent by a flush, one POST per row, all
  started at once: there is no arrival order (``Expectations(ordered=False)``, ios §7);
- ``customer_ids`` and the Authorization header are resolved when the row is *flushed*, not when it
  is tracked (ios §5.2, §2.2), so an event tracked before ``identifyCustomer`` carries the new ids
  if it was still queued;
- in ``.immediate`` mode a flush runs 3 s after each stored row (ios#3) and ``identifyCustomer``
  flushes at once (ios#21); ``Expected.not_before`` holds the earliest host time a delayed flush may
  arrive;
- retries follow the collector's answers (``respond`` stimuli): 4xx (but 402, which the SDK's
  status switch counts as success; the research says otherwise) and decodable-JSON 5xx cost one
  of ``maxTries`` (5) attempts, a 5xx with another body and connection errors cost nothing, stream
  401/403 are re-sent once (ios §2.4);
- the cookie and ``device_id`` are upper-case UUIDs; ``authorization`` is absent for ``.none`` and in
  stream mode (no JWT is settable through the canonical calls);
- ``notification_state`` is the only token transport and comes with an empty customer update, which
  stream mode deletes unsent (ios §3.5, §8).

State is split like the SDK's: :class:`_Persisted` is Core Data and UserDefaults (it survives a
kill), the rest lives in the process. Timers (the 3 s flush, the background work item, the periodic
flush) run on the device clock and fire before the stimulus that comes after them; at the end of
the trace the pending 3 s flushes fire, because the runner settles.

Doc drift (the model follows the code, research §9): ``notification_state.platform`` is ``"ios"``,
not ``"iOS"``; no automatic in-app purchase tracking (ios#23); ``anonymize()`` does not flush in
project mode; a second manual ``trackSessionStart()`` inside the timeout is ignored; ``trackPushToken(nil)``
is a no-op, not a delete; the session timeout's documented 5-180 s bounds are not enforced;
``trackCampaignClick``'s ``timestamp`` is ignored.

Read where the research is not explicit (and the reference SDK agrees): an APNs token handed to the
app before ``configure`` is lost (the app delegate calls into a PushNotificationManager that does not
exist yet), while SDK calls made before ``configure`` are queued (ExpoInitManager); a clicked push
without an action-button index keeps ``cta: "notification"``.

Not modelled (scenarios should not rely on it): the APNs re-registration callback on a cold launch
(only ``push_token`` steps register a token), app-version changes, JWT/stream auth, in-app messages,
content blocks and app inbox, the notification service extension, ``share`` answer rules.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from harness.errors import SpecError
from harness.spec.expectation import Expectations, Expected, QuietWindow
from harness.spec.headers import HeaderRules
from harness.spec.matchers import Absent, Any_, Approx, DeviceTime, Int, OneOf, Var
from harness.spec.profiles import ios_push
from harness.spec.profiles.answers import Answer, AnswerRules
from harness.spec.trace import Stimulus

__all__ = ["IosProfile"]

SDK_VERSION = "4.0.1"
TIME_TOLERANCE = 2.0
FLUSH_DELAY = 3.0  # Constants.Tracking.immediateFlushDelay (ios#3)
CAMPAIGN_WINDOW = 3.0  # a session_start this young gets the campaign data (ios#25, #26)
BACKGROUND_TASK_LIMIT = 30.0  # iOS ends background tasks before the 60 s work item runs (ios §4)
DAY = 86400.0
FLUSH_RACE = 0.5  # an identify this soon after a flush may change the ids of rows that flush sends
_ID = re.compile(r"^[A-Za-z0-9-]+$")
_APP_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", re.IGNORECASE)
_STRIPPED = ("push_notification_token", "valid", "description", "platform", "application_id", "device_id")
_HEADERS = {"content-type": "application/json", "accept": "application/json"}
_BASE_RULES = ("ios#4", "ios#14", "ios#39", "ios#78")
_MODES = {"IMMEDIATE", "MANUAL", "PERIOD", "APP_CLOSE"}
_AUTH_GATED = {
    "trackEvent",
    "trackPaymentEvent",
    "identifyCustomer",
    "handleCampaignIntent",
    "trackPushToken",
    "trackDeliveredPush",
    "trackClickedPush",
    "trackSessionStart",
    "trackSessionEnd",
    "flushData",
}


@dataclass
class _Project:
    base_url: str
    token: str  # the project token, or the stream id
    stream: bool = False

    @property
    def wire_token(self) -> str:
        """What the wire adapter reports as the token: ``stream:ID`` for the stream routes."""
        return f"stream:{self.token}" if self.stream else self.token


@dataclass
class _Customer:
    generation: int
    ids: dict[str, Any] = field(default_factory=dict)
    push_token: str | None = None
    last_token_track: float | None = None
    last_valid: bool | None = None


@dataclass
class _Row:
    route: str
    event_type: str | None
    properties: dict[str, Any]
    timestamp: Any
    customer: _Customer
    project: _Project
    cause: int
    rules: tuple[str, ...]
    label: str
    url: str | None = None
    retries: int = 0
    held: tuple[str, ...] = ()  # ids of the rules that kept it queued (offline, 5xx), for its next attempt


@dataclass
class _Persisted:
    """Core Data rows and the SDK's UserDefaults: what survives a kill."""

    customers: list[_Customer] = field(default_factory=list)
    generation: int = 0
    device_generation: int = 1
    installed: set[int] = field(default_factory=set)
    queue: list[_Row] = field(default_factory=list)
    session_started: float = 0.0
    session_ended: float = 0.0
    stopped: bool = False
    saved_config: bool = False
    state_application_id: str | None = None


@dataclass
class _Config:
    main: _Project
    authorization: str | None
    mapping: dict[str, list[_Project]]
    default_properties: dict[str, Any]
    automatic_sessions: bool
    session_timeout: float
    allow_default_customer_properties: bool
    manual_session_auto_close: bool
    application_id: str
    token_frequency: str
    require_push_authorization: bool
    max_tries: int


class _Model:
    def __init__(self) -> None:
        self.p = _Persisted()
        self.out = Expectations(ordered=False)
        self.answers = AnswerRules()
        self.config: _Config | None = None
        self.flush_mode = "IMMEDIATE"
        self.flush_period = 300.0
        self.foreground = False
        self.online = True
        self.permission = True
        self.pre_init: list[Stimulus] = []
        self.timers: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self.saved_campaign: tuple[dict[str, Any], float] | None = None
        self.in_flight: list[tuple[float, _Customer, dict[str, Any]]] = []  # (sent at, customer, body)
        self.now = 0.0
        self.cause = 0
        self.done_host: float | None = None  # host time the previous stimulus had completed
        self.fired_host: float | None = None  # a timer is firing: its requests come after this host time

    # -- identity and common properties ------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self.config is not None

    def cfg(self) -> _Config:
        assert self.config is not None
        return self.config

    def customer(self) -> _Customer:
        if not self.p.customers:
            self.p.generation += 1
            self.p.customers.append(_Customer(self.p.generation))
        return self.p.customers[-1]

    def cookie(self, customer: _Customer) -> Var:
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
            "sdk_version": SDK_VERSION,
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

    # -- storing and flushing ----------------------------------------------------------------

    def projects(self, key: str) -> list[_Project]:
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
        customer: _Customer | None = None,
    ) -> list[_Row]:
        """One row per target project (ios §2.5); in .immediate mode a flush 3 s later (ios#3)."""
        if not self.configured or self.p.stopped:
            return []
        rows = []
        owner = customer or self.customer()
        for project in self.projects(key):
            row = _Row(route, event_type, dict(properties), timestamp, owner, project, self.cause, rules, label, url)
            if len(self.projects(key)) > 1:
                row.rules = (*row.rules, "ios#71")
            self.p.queue.append(row)
            rows.append(row)
        if self.flush_mode == "IMMEDIATE":
            self.schedule(self.now + FLUSH_DELAY, "flush")
        return rows

    def track_event(
        self, key: str, event_type: str | None, properties: dict[str, Any], timestamp: Any, rules: tuple[str, ...]
    ) -> list[_Row]:
        return self.store(key, "events", event_type, properties, timestamp, rules, event_type or "event")

    def flush(self) -> None:
        """FlushingManager.flushData: customers then events, one request each (ios §7)."""
        if self.p.stopped or not self.configured:
            return
        if not self.online:
            for row in self.p.queue:  # no connection: nothing sent, retries unchanged (ios#69)
                row.held = tuple(sorted({*row.held, "ios#69"}))
            return
        rows = sorted(self.p.queue, key=lambda r: (r.route != "customers", _ts(r.timestamp)))
        for row in rows:
            ids = self.customer_ids(row.customer)
            if row.project.stream and row.route == "customers" and not row.properties and len(ids) == 1:
                self.p.queue.remove(row)  # cookie-only empty update: deleted unsent (ios#29)
                continue
            self.send(row, ids)

    def race_ids(self, customer: _Customer) -> None:
        """A flush reads a row's ids as it builds each request, all in one loop: an identify that
        lands while a flush only just started may reach the rows built after it. Such rows may
        carry the ids from before or after it (a real race in the SDK, not a tolerance)."""
        self.in_flight = [f for f in self.in_flight if self.now - f[0] <= FLUSH_RACE]
        for _, owner, body in self.in_flight:
            if owner is customer and not isinstance(body["customer_ids"], OneOf):
                body["customer_ids"] = OneOf((body["customer_ids"], self.customer_ids(customer)))

    def customer_ids(self, customer: _Customer) -> dict[str, Any]:
        return {"cookie": self.cookie(customer), **customer.ids}

    def send(self, row: _Row, ids: dict[str, Any]) -> None:
        answer = self.attempt(row, ids)
        if row.project.stream and answer.status in (401, 403):
            answer = self.attempt(row, ids, ("ios#73",))  # re-sent once, 1 s later
        if answer.connection_error or (answer.status >= 500 and not _error_body(answer.body)):
            row.held = tuple(sorted({*row.held, "ios#69" if answer.connection_error else "ios#68"}))
            return  # kept, retries unchanged (ios#68, #69)
        if answer.status == 402:
            last = self.out.requests[-1]  # the answer class that is never re-sent
            self.out.requests[-1] = dataclasses.replace(last, rules=(*last.rules, "ios#67"))
        if answer.status < 400 or answer.status == 402:
            # RequestFactory.process (4.0.1, ExponeaSDKShared/Classes/Repository/RequestFactory.swift:380-427)
            # switches on 401, 403, 410, ``400, 404, 405..<410, 411..<500`` and ``500...``; 402 falls
            # into ``default: resultAction(.success(data))``, so the row counts as sent.
            self.p.queue.remove(row)
            return
        if row.retries + 1 >= self.cfg().max_tries:
            self.p.queue.remove(row)  # dropped after maxTries attempts (ios#67)
        else:
            row.retries += 1

    def attempt(self, row: _Row, ids: dict[str, Any], extra: tuple[str, ...] = ()) -> Answer:
        body: dict[str, Any] = {"customer_ids": ids, "timestamp": row.timestamp}
        self.in_flight.append((self.now, row.customer, body))
        if row.route == "campaign_clicks":
            body.update(url=row.url, properties={"platform": "ios"}, event_type="campaign_click")
        else:
            body["properties"] = row.properties
            if row.route == "events":
                body["event_type"] = row.event_type if row.event_type is not None else Absent()
        cfg = self.cfg()
        rules = (*row.rules, *_BASE_RULES, *extra)
        if row.retries:
            rules = (*rules, "ios#67")
        if self.fired_host is not None:
            rules = (*rules, "ios#3")
        rules = (*rules, *row.held)
        if row.project.stream:
            rules = (*rules, "ios#72") + (("ios#29",) if row.event_type == "notification_state" else ())
        elif cfg.authorization is None:
            rules = (*rules, "ios#74")
        elif cfg.authorization.startswith("Bearer "):
            rules = (*rules, "ios#5")
        if row.project.base_url.endswith("/"):
            rules = (*rules, "ios#6")
        self.out.requests.append(
            Expected(
                route=row.route,
                project_token="" if row.project.stream else row.project.token,
                stream_id=row.project.token if row.project.stream else None,
                authorization=None if cfg.main.stream else cfg.authorization,
                body=body,
                cause=row.cause,
                rules=rules,
                label=row.label,
                headers=dict(_HEADERS),
                not_before=None if self.fired_host is None else self.fired_host - 0.05,
            )
        )
        return self.answers.answer(row.route, self.fired_host or self.done_host or 0.0)

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

    def fire(self, kind: str) -> None:
        if kind == "flush":
            self.flush()
        elif kind == "periodic":
            self.flush()
            if self.flush_mode == "PERIOD" and self.foreground:
                self.schedule(self.now + self.flush_period, "periodic")
        elif kind == "background":
            self.background_work()

    # -- sessions (ios §4) -------------------------------------------------------------------

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
                p.session_ended = 0.0  # resumed (ios#51)
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

    # -- push token (ios §8) -----------------------------------------------------------------

    def notification_state(self, token: str, valid: bool, description: str, rules: tuple[str, ...]) -> None:
        customer = self.customer()
        props = self.event_properties(
            {"platform": "ios", "description": description, "push_notification_token": token, "valid": valid},
            defaults=False,
        )
        self.track_event("NOTIFICATION_STATE", "notification_state", props, self.at(self.now), (*rules, "ios#10"))
        self.store("NOTIFICATION_STATE", "customers", None, {}, self.at(self.now), ("ios#28",), "customer update")
        customer.push_token, customer.last_token_track, customer.last_valid = token, self.now, valid
        self.p.state_application_id = self.cfg().application_id

    def token_state(self) -> tuple[bool, str]:
        valid = self.permission or not self.cfg().require_push_authorization
        return valid, "Permission granted" if self.permission else "Permission denied"

    def verify_token(self, forced: bool, registration: bool) -> None:
        """verifyPushStatusAndTrackPushToken and the frequency rules (ios#33-36)."""
        customer = self.customer()
        token = customer.push_token
        if token is None:
            return
        valid, description = self.token_state()
        cfg = self.cfg()
        frequency = cfg.token_frequency
        rules: tuple[str, ...] = ()
        if forced:
            rules = ("ios#36",)
        elif customer.last_valid is not None and customer.last_valid != valid and not registration:
            rules = ("ios#31",)
        elif frequency == "EVERY_LAUNCH":
            rules = ("ios#34",)
        elif frequency == "DAILY" and self.now - (customer.last_token_track or 0.0) >= DAY:
            rules = ("ios#35",)
        if rules:
            self.notification_state(token, valid, description, rules)

    def register_token(self, token: str) -> None:
        """handlePushNotificationToken: invalidate the old token, or apply the frequency rules."""
        customer = self.customer()
        valid, description = self.token_state()
        known = customer.push_token
        if known is None:
            self.notification_state(token, valid, description, ("ios#27", "ios#31", "ios#32"))
        elif known != token:
            self.notification_state(known, False, "Invalidated", ("ios#30",))
            self.notification_state(token, valid, description, ("ios#30",))
        else:
            self.verify_token(False, registration=True)

    # -- stimuli -----------------------------------------------------------------------------

    def apply(self, s: Stimulus) -> None:
        self.run_timers(s.device_time)
        self.cause = s.index
        self.now = s.device_time
        try:
            self.handle(s)
        finally:
            self.done_host = s.host_time

    def handle(self, s: Stimulus) -> None:
        handler: Callable[[Stimulus], None] | None = getattr(self, f"on_{s.kind}_{s.name}", None)
        if handler is None:
            if s.kind == "call":
                raise SpecError(f"exponea-ios does not model SDK call {s.name!r} ({s.label()})")
            return
        if (s.kind == "call" and s.name in _AUTH_GATED) or (s.kind == "env" and s.name in _PUSH_STEPS):
            if not self.ready(s):
                return
            if s.name in _AUTH_GATED and not self.cfg().main.stream and self.cfg().authorization is None:
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

    def settle(self) -> None:
        """A settle waits out the 3 s flush delay (the virtual device jumps its clock to it).

        The pending flush timers fire even if the trace's clock reading says they are a few
        milliseconds short: a call's ``device_time`` is read when it returns, after the SDK had
        scheduled the flush, so the model's due time is slightly late (found by retry-server-error).
        """
        horizon = self.now + FLUSH_DELAY + 0.5
        soon = sorted(t for t in self.timers if t[2] == "flush" and t[0] <= horizon)
        if not soon:
            return
        self.timers = [t for t in self.timers if t not in soon]
        heapq.heapify(self.timers)  # longer timers (work item, periodic) are not waited for
        for due, _, kind in soon:
            self.now = max(self.now, due)
            self.fired_host = self.done_host if self.done_host is not None else 0.0
            try:
                self.fire(kind)
            finally:
                self.fired_host = None

    def on_sync_settle(self, s: Stimulus) -> None:
        self.settle()

    # app and environment

    def on_app_install(self, s: Stimulus) -> None:
        old = self.p
        self.p = _Persisted(generation=old.generation, device_generation=old.device_generation + 1)
        self.on_app_kill(s)

    def on_app_kill(self, s: Stimulus) -> None:
        self.config = None
        self.timers = []
        self.pre_init = []
        self.saved_campaign = None
        self.foreground = False
        self.flush_mode = "IMMEDIATE"

    def on_app_launch(self, s: Stimulus) -> None:
        self.foreground = True

    def on_app_background(self, s: Stimulus) -> None:
        self.foreground = False
        if not self.configured:
            return
        self.cancel("periodic")
        if self.cfg().automatic_sessions:
            self.p.session_ended = self.now
        delay = self.cfg().session_timeout if self.cfg().automatic_sessions else 0.0
        if delay < BACKGROUND_TASK_LIMIT:
            self.schedule(self.now + delay, "background")

    def on_app_foreground(self, s: Stimulus) -> None:
        self.foreground = True
        if not self.configured:
            return
        self.cancel("background")
        self.trigger_session_start()
        self.verify_token(False, registration=False)
        self.start_periodic()

    def on_env_advance_clock(self, s: Stimulus) -> None:
        self.run_timers(s.device_time + float(s.args.get("seconds", 0)))

    def on_env_set_network(self, s: Stimulus) -> None:
        self.online = bool(s.args.get("online"))

    def on_env_set_push_permission(self, s: Stimulus) -> None:
        self.permission = bool(s.args.get("granted"))

    def on_env_new_push_token(self, s: Stimulus) -> None:
        if self.configured:  # before configure there is no PushNotificationManager to take it
            self.register_token(str(s.args["token"]))

    def on_env_deliver_push(self, s: Stimulus) -> None:
        self.delivered(ios_push.user_info(s.args.get("payload") or {}), consider_consent=True)

    def on_env_click_push(self, s: Stimulus) -> None:
        info = ios_push.user_info(s.args.get("payload") or {})
        if info.get("source") != "xnpe_platform":
            return  # handlePushNotificationOpened ignores foreign pushes (ios#48)
        self.clicked(info, s.args.get("action") or None, consider_consent=True)
        if self.cfg().automatic_sessions:
            self.campaign(None, ios_push.campaign_data(info.get("url_params")))

    def on_collector_respond(self, s: Stimulus) -> None:
        self.answers.add(s.args, s.host_time, s.label())

    # configuration

    def on_call_init(self, s: Stimulus) -> None:
        if self.configured or s.error:
            return
        config, mode, period = _parse_config(s)
        if config is None:
            return  # configure throws on an invalid configuration: nothing is sent
        if self.p.stopped:
            self.close_quiet(s.began)  # what configure sends arrives before it returns
        self.p.stopped = False
        self.config = config
        self.p.saved_config = True
        self.flush_period = period
        self.set_mode(mode)
        customer = self.customer()
        if customer.generation not in self.p.installed:
            props = self.event_properties(self.device_properties())
            self.track_event("INSTALL", "installation", props, self.at(self.now), ("ios#1", "ios#65"))
            self.p.installed.add(customer.generation)
        self.trigger_session_start()
        forced = self.p.state_application_id not in (None, config.application_id)
        self.verify_token(forced, registration=False)
        if self.foreground:
            self.start_periodic()
        pending, self.pre_init = self.pre_init, []
        for call in pending:
            self.apply_now(call)
        self.cause = s.index

    def apply_now(self, s: Stimulus) -> None:
        """Replay a pre-init call at the time of configure (ExpoInitManager)."""
        self.cause = s.index
        gated = s.kind == "call" and s.name in _AUTH_GATED
        if gated and not self.cfg().main.stream and self.cfg().authorization is None:
            return
        getattr(self, f"on_{s.kind}_{s.name}")(s)

    def set_mode(self, mode: str) -> None:
        if mode not in _MODES:
            raise SpecError(f"flush mode {mode!r} is not one of {', '.join(sorted(_MODES))}")
        self.flush_mode = mode
        self.cancel("periodic")
        if mode == "IMMEDIATE" and self.configured:
            self.schedule(self.now + FLUSH_DELAY, "flush")
        if mode == "PERIOD" and self.foreground:
            self.start_periodic()

    def start_periodic(self) -> None:
        if self.flush_mode == "PERIOD" and not any(t[2] == "periodic" for t in self.timers):
            self.schedule(self.now + self.flush_period, "periodic")

    def on_call_setFlushMode(self, s: Stimulus) -> None:
        self.set_mode(str(s.args.get("mode")))

    def on_call_setFlushPeriod(self, s: Stimulus) -> None:
        self.flush_period = float(s.args["seconds"])
        self.set_mode("PERIOD")

    def on_call_setDefaultProperties(self, s: Stimulus) -> None:
        if self.configured:
            self.cfg().default_properties = _clean(s.args.get("properties") or {})

    def on_call_setAutomaticSessionTracking(self, s: Stimulus) -> None:
        if self.configured:
            self.cfg().automatic_sessions = bool(s.args.get("enabled"))

    def on_call_setSessionTimeout(self, s: Stimulus) -> None:
        if self.configured:
            self.cfg().session_timeout = float(s.args["seconds"])

    # tracking

    def on_call_trackEvent(self, s: Stimulus) -> None:
        props = self.event_properties(_strict(_clean(s.args.get("properties") or {})))
        given = s.args.get("timestamp")
        ts = Approx(float(given), 0.001) if _is_number(given) else self.at(self.now)
        rules = ["ios#7", "ios#10", "ios#11", "ios#12", "ios#13", "ios#19", "ios#20"]
        if _is_number(given):
            rules.append("ios#8")
        if s.args.get("eventType") is None:
            rules.append("ios#9")
        self.track_event("TRACK_EVENT", s.args.get("eventType"), props, ts, tuple(rules))

    def on_call_trackPaymentEvent(self, s: Stimulus) -> None:
        item = dict(s.args.get("purchasedItem") or {})
        names = {
            "value": "brutto",
            "currency": "currency",
            "paymentSystem": "payment_system",
            "productId": "item_id",
            "productTitle": "product_title",
            "receipt": "receipt",
        }
        own = {names[k]: v for k, v in item.items() if k in names}
        given = s.args.get("timestamp")
        ts = Approx(float(given), 0.001) if _is_number(given) else self.at(self.now)
        self.track_event("PAYMENT", "payment", self.event_properties(_strict(_clean(own))), ts, ("ios#22",))

    def on_call_identifyCustomer(self, s: Stimulus) -> None:
        customer = self.customer()
        ids = {k: v for k, v in (s.args.get("customerIds") or {}).items() if k != "cookie" and v is not None}
        customer.ids.update(ids)  # merged; a given cookie is replaced by the current one (ios#16)
        self.race_ids(customer)
        cfg = self.cfg()
        props: dict[str, Any] = dict(cfg.default_properties) if cfg.allow_default_customer_properties else {}
        props.update(_strict(_clean(s.args.get("properties") or {})))
        props = {k: v for k, v in props.items() if k not in _STRIPPED}  # ios#17
        rules = ("ios#15", "ios#16", "ios#17", "ios#18", "ios#21")
        self.store("TRACK_CUSTOMER", "customers", None, props, self.at(self.now), rules, "identifyCustomer")
        if self.flush_mode == "IMMEDIATE":
            self.flush()  # at once, no 3 s wait (ios#21)

    def on_call_flushData(self, s: Stimulus) -> None:
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

    def on_call_handleCampaignIntent(self, s: Stimulus) -> None:
        url = str(s.args.get("url") or "")
        data = ios_push.campaign_data(url)
        if self.cfg().automatic_sessions and url:
            self.campaign(url, data)
        if url and data.get("xnpe_cmp"):
            self.store(
                "CAMPAIGN_CLICK",
                "campaign_clicks",
                "campaign_click",
                {},
                self.at(self.now),
                ("ios#24",),
                "campaign_click",
                url=url,
            )

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
        latest: dict[str, _Row] = {}
        for row in pending:
            latest[row.project.wire_token] = row
        for row in latest.values():
            row.properties.update(extra)
            row.rules = (*row.rules, "ios#25", "ios#26")
        if not latest and extra:
            self.saved_campaign = (extra, self.now)

    # push

    def on_call_trackPushToken(self, s: Stimulus) -> None:
        token = s.args.get("token")
        if token is None:
            return  # nothing (ios#38)
        description = "Permission granted" if self.permission else "Permission denied"
        self.notification_state(str(token), self.permission, description, ("ios#37",))

    def on_call_handleNewToken(self, s: Stimulus) -> None:
        if self.ready(s):
            self.register_token(str(s.args["token"]))

    def delivered(self, info: Mapping[str, Any], consider_consent: bool) -> None:
        if consider_consent and not ios_push.consent(info):
            return  # ios#42
        props = self.event_properties(ios_push.delivered(info))
        event_type = ios_push.event_type_of(info)
        attributes = info.get("attributes")
        sent = attributes.get("sent_timestamp") if isinstance(attributes, Mapping) else None
        # now, or sent_timestamp + 1 when that is later: then exact, it comes from the payload (ios#40)
        ts: Any = Approx(float(sent) + 1, 0.25) if _is_number(sent) and self.now <= float(sent) else self.at(self.now)
        key = "TRACK_EVENT" if event_type != "campaign" else "PUSH_DELIVERED"
        rules = ("ios#40", "ios#41") + (("ios#42",) if not consider_consent else ())
        self.track_event(key, event_type, props, ts, rules)

    def clicked(self, info: Mapping[str, Any], action: Mapping[str, Any] | None, consider_consent: bool) -> None:
        own, forced = ios_push.clicked(info, action)
        if consider_consent and not forced and not ios_push.consent(info):
            return
        delivered_at = info.get("delivered_timestamp")
        ts: Any = self.at(self.now)
        if _is_number(delivered_at) and self.now <= float(delivered_at):
            ts = Approx(float(delivered_at) + 1, 0.25)  # from the payload: exact (ios#47)
        rules = ("ios#43", "ios#44", "ios#45", "ios#46", "ios#47")
        self.track_event("PUSH_OPENED", ios_push.event_type_of(info), self.event_properties(own), ts, rules)

    def on_call_trackDeliveredPush(self, s: Stimulus) -> None:
        self.delivered(_info_from_data(s.args.get("data")), consider_consent=True)

    def on_call_trackDeliveredPushWithoutTrackingConsent(self, s: Stimulus) -> None:
        if self.ready(s):
            self.delivered(_info_from_data(s.args.get("data")), consider_consent=False)

    def on_call_trackClickedPush(self, s: Stimulus) -> None:
        self.clicked(_info_from_data(s.args.get("data")), s.args.get("actionData"), consider_consent=True)

    def on_call_trackClickedPushWithoutTrackingConsent(self, s: Stimulus) -> None:
        if self.ready(s):
            self.clicked(_info_from_data(s.args.get("data")), s.args.get("actionData"), consider_consent=False)

    # anonymize, stop, clear

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
            self.config = _switch(cfg, project, s.args.get("projectRouteMap"), s.label())
            rules = (*rules, "ios#59")
        self.p.generation += 1
        new = _Customer(self.p.generation)
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
        if self.configured:
            cfg = self.cfg()
            if cfg.automatic_sessions:
                self.bare_session_end(("ios#62",))
            token = self.customer().push_token
            if token is not None:
                self.notification_state(token, False, "Invalidated", ("ios#62",))
            self.flush()  # even in .manual; what it cannot send is deleted
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
        self.p = _Persisted(generation=self.p.generation, device_generation=self.p.device_generation + 1)
        self.saved_campaign = None

    def close_quiet(self, host_time: float) -> None:
        for i, w in enumerate(self.out.quiet):
            if w.end_host_time is None:
                self.out.quiet[i] = QuietWindow(w.cause, w.start_host_time, w.reason, w.rules, host_time)

    def on_call_getCustomerCookie(self, s: Stimulus) -> None:
        pass

    def on_call_isInitialized(self, s: Stimulus) -> None:
        pass


_PUSH_STEPS = {"deliver_push", "click_push"}


def _ts(value: Any) -> float:
    return value.value if isinstance(value, Approx) else float(value) if _is_number(value) else 0.0


def _is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _error_body(body: Any) -> bool:
    """Whether a 5xx body decodes as MultipleErrorResponse ``{"errors":[…],"success":bool}``."""
    return (
        isinstance(body, Mapping)
        and isinstance(body.get("errors"), list)
        and isinstance(body.get("success"), bool)
        and all(isinstance(e, Mapping) for e in body["errors"])
    )


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """NSNull, NaN and ±Inf values are dropped, the request is still sent (ios#12, #13)."""
    return {
        k: _clean(v) if isinstance(v, Mapping) else v
        for k, v in props.items()
        if v is not None and not (isinstance(v, float) and not math.isfinite(v))
    }


def _strict(value: Any) -> Any:
    """Integers must arrive as integers (``1``, not ``1.0``; ios#7)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Int(value)
    if isinstance(value, Mapping):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return value


def _info_from_data(data: Any) -> dict[str, Any]:
    """The userInfo the bridge builds from the canonical NotificationData (docs/sdk-calls.md)."""
    data = data if isinstance(data, Mapping) else {}
    info: dict[str, Any] = {"source": "xnpe_platform"}
    if isinstance(data.get("attributes"), Mapping):
        info["attributes"] = dict(data["attributes"])
    if isinstance(data.get("campaignData"), Mapping):
        info["url_params"] = dict(data["campaignData"])
    if data.get("consentCategoryTracking") is not None:
        info["consent_category_tracking"] = data["consentCategoryTracking"]
    if data.get("hasTrackingConsent") is not None:
        info["has_tracking_consent"] = data["hasTrackingConsent"]
    return info


def _project(spec: Mapping[str, Any], where: str) -> tuple[_Project, str | None]:
    token = str(spec.get("projectToken") or "")
    if not _ID.match(token):
        raise ValueError(f"{where}: project token {token!r}")
    base = str(spec.get("baseUrl") or spec.get("baseURL") or "https://api.exponea.com")
    auth = spec.get("authorization")
    return _Project(base, token), None if auth is None else str(auth)


def _mapping(raw: Any, where: str) -> dict[str, list[_Project]]:
    out: dict[str, list[_Project]] = {}
    for key, projects in dict(raw or {}).items():
        out[str(key)] = [_project(p, f"{where} projectRouteMap.{key}")[0] for p in projects]
    return out


def _parse_config(s: Stimulus) -> tuple[_Config | None, str, float]:
    c = dict(s.args.get("configuration") or {})
    base = str(c.get("baseURL") or "https://api.exponea.com")
    try:
        if c.get("streamId") is not None:
            stream = str(c["streamId"])
            if not _ID.match(stream):
                return None, "IMMEDIATE", 300.0
            main, auth, mapping = _Project(base, stream, stream=True), None, {}
        else:
            main, auth = _project({**c, "baseUrl": base}, s.label())
            mapping = _mapping(c.get("projectRouteMap"), s.label())
    except ValueError:
        return None, "IMMEDIATE", 300.0
    app_id = str(c.get("applicationId") or "default-application")
    if len(app_id) > 50 or not _APP_ID.match(app_id):
        return None, "IMMEDIATE", 300.0
    frequency = str(c.get("tokenTrackFrequency") or "ON_TOKEN_CHANGE").upper()
    config = _Config(
        main=main,
        authorization=auth,
        mapping=mapping,
        default_properties=_clean(c.get("defaultProperties") or {}),
        automatic_sessions=bool(c.get("automaticSessionTracking", True)),
        session_timeout=float(c.get("sessionTimeout", 60.0)),
        allow_default_customer_properties=bool(c.get("allowDefaultCustomerProperties", True)),
        manual_session_auto_close=bool(c.get("manualSessionAutoClose", True)),
        application_id=app_id,
        token_frequency=frequency,
        require_push_authorization=bool(c.get("requirePushAuthorization", True)),
        max_tries=int(c.get("maxTries", 5)),
    )
    return config, str(c.get("flushMode", "IMMEDIATE")), float(c.get("flushPeriod", 300.0))


def _switch(cfg: _Config, project: Mapping[str, Any], route_map: Any, where: str) -> _Config:
    """anonymize(exponeaIntegrationType:): the new main project and mapping (ios#59)."""
    try:
        main, auth = _project(project, where)
        mapping = _mapping(route_map, where)
    except ValueError as exc:
        raise SpecError(f"anonymize with an invalid project: {exc}") from exc
    return dataclasses.replace(cfg, main=main, authorization=auth, mapping=mapping)


class IosProfile:
    """The executable model of the Exponea iOS SDK."""

    name = "exponea-ios"
    platform = "ios"
    sdk_version = SDK_VERSION

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        model = _Model()
        # The main project's authorization after each configured step: what the SDK's own calls
        # (bundle, in-app messages...) carry; stream mode has none but a JWT (ios §2.2).
        api_auth: set[str | None] = set()
        for stimulus in trace:
            model.apply(stimulus)
            if model.configured:
                api_auth.add(None if model.cfg().main.stream else model.cfg().authorization)
        model.finish(trace[-1] if trace else None)
        model.out.header_rules = HeaderRules("ios", frozenset(api_auth))
        return model.out
