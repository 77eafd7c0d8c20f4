"""The whole model: the app's life (install, launch, kill, background, foreground), the
environment steps, and ``configure``.

iOS research §1 (configuration and its validation), §4 (lifecycle): ``configure`` tracks the
installation once per customer, starts the automatic session, verifies the push token, and replays
the calls queued before it (ExpoInitManager). A kill loses the process state and keeps storage.
"""

from __future__ import annotations

from harness.sdks.exponea.spec.profiles.ios.events import EventsMixin
from harness.sdks.exponea.spec.profiles.ios.state import (
    APP_ID_RE,
    AUTH_GATED,
    BACKGROUND_TASK_LIMIT,
    FLUSH_OVERLAP,
    ID_RE,
    Config,
    Persisted,
    Project,
    clean,
    mapping_from,
    project_from,
)
from harness.spec.trace import Stimulus

__all__ = ["Model"]


class Model(EventsMixin):
    def on_app_install(self, s: Stimulus) -> None:
        self.interrupt_flush(s, keeps_storage=False)
        # A new install is a new app: a stop of the old one (isStopped with it) no longer holds what it sends.
        self.close_quiet(s.began)
        old = self.p
        self.p = Persisted(generation=old.generation, device_generation=old.device_generation + 1)
        self.on_app_kill(s)

    def on_app_kill(self, s: Stimulus) -> None:
        self.interrupt_flush(s, keeps_storage=True)
        self.config = None
        self.timers = []
        self.running = []  # the process is gone, and with it isFlushingData
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
        if not self.online and self.flush_running(s):
            # A request on the wire when the network goes fails with a connection error (the row is kept,
            # retries unchanged: FlushingManager.swift:258-268@4.0.1) or had got through: as with a kill,
            # each request the flush had begun may have arrived, and its row may be sent again by the
            # next flush once online ("once or twice"). The iOS counterpart of the Android offline race.
            self.interrupt_flush(s, keeps_storage=True)

    def on_env_set_push_permission(self, s: Stimulus) -> None:
        self.permission = bool(s.args.get("granted"))

    def on_collector_respond(self, s: Stimulus) -> None:
        if self.flying:
            # Requests of a flush still running may meet the new rule: an answer that keeps the row
            # (a reset, a 5xx) means the next flush sends it again. So each row the flush sent is put
            # back as a kill's would be, its request still required: "once or twice" when a later
            # flush runs (FlushingManager.swift:207-216, 258-268@4.0.1).
            # Only a flush begun within FLUSH_OVERLAP (host seconds) may still have requests on the wire. The row may
            # be gone (its answer read before the rule): its next attempt is optional, and merged with
            # the request it stands for (which did arrive) into "once or twice".
            for row, index, host in self.flying:
                racing = s.began - host < FLUSH_OVERLAP
                if racing and all(q is not row for q in self.p.queue) and not row.deleted:
                    row.sent_as, row.owed, row.maybe_gone = index, "and", True
                    self.p.queue.append(row)
        for rules in (self.answers, *self.answer_alts):
            rules.add(s.args, s.host_time, s.label())

    def on_call_init(self, s: Stimulus) -> None:
        if self.configured or s.error:
            return
        if (s.args.get("configuration") or {}).get("streamId") is not None and not self.gates.stream:
            raise self.unavailable("the stream integration (configuration.streamId)", s)
        config, mode, period = parse_config(s)
        if config is None:
            return  # configure throws on an invalid configuration: nothing is sent
        if self.p.stopped:
            self.close_quiet(s.began)  # what configure sends arrives before it returns
        self.p.stopped = False
        self.config = config
        self.running = []  # configure builds a new FlushingManager, not busy (ExponeaInternal.swift:355@4.0.1)
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
        gated = s.kind == "call" and s.name in AUTH_GATED
        if gated and not self.cfg().main.stream and self.cfg().authorization is None:
            return
        getattr(self, f"on_{s.kind}_{s.name}")(s)

    def on_call_setDefaultProperties(self, s: Stimulus) -> None:
        if self.configured:
            self.cfg().default_properties = clean(s.args.get("properties") or {})

    def on_call_setAutomaticSessionTracking(self, s: Stimulus) -> None:
        if self.configured:
            self.cfg().automatic_sessions = bool(s.args.get("enabled"))

    def on_call_setSessionTimeout(self, s: Stimulus) -> None:
        if self.configured:
            self.cfg().session_timeout = float(s.args["seconds"])


def parse_config(s: Stimulus) -> tuple[Config | None, str, float]:
    c = dict(s.args.get("configuration") or {})
    base = str(c.get("baseURL") or "https://api.exponea.com")
    try:
        if c.get("streamId") is not None:
            stream = str(c["streamId"])
            if not ID_RE.match(stream):
                return None, "IMMEDIATE", 300.0
            main, auth, mapping = Project(base, stream, stream=True), None, {}
        else:
            main, auth = project_from({**c, "baseUrl": base}, s.label())
            mapping = mapping_from(c.get("projectRouteMap"), s.label())
    except ValueError:
        return None, "IMMEDIATE", 300.0
    app_id = str(c.get("applicationId") or "default-application")
    if len(app_id) > 50 or not APP_ID_RE.match(app_id):
        return None, "IMMEDIATE", 300.0
    frequency = str(c.get("tokenTrackFrequency") or "ON_TOKEN_CHANGE").upper()
    config = Config(
        main=main,
        authorization=auth,
        mapping=mapping,
        default_properties=clean(c.get("defaultProperties") or {}),
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
