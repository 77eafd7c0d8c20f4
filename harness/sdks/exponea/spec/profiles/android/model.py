"""The whole model: the app's life (install, launch, kill, background, foreground) and ``init``.

Android research §1.1: ``init`` validates the configuration, persists it, then tracks the
installation (once per install, android#16/#17), the saved push token, the session (if in the
foreground), and finally runs the calls queued before init in FIFO order (android#77). A kill
loses the process state (initialized, flush mode, pre-init queue) and keeps storage.
"""

from __future__ import annotations

from dataclasses import replace

from harness.sdks.exponea.spec.profiles.android.events import EventsMixin
from harness.sdks.exponea.spec.profiles.android.state import APP_ID_RE, CONFIG_DEFAULTS, TOKEN_RE, Persisted
from harness.spec.trace import Stimulus

__all__ = ["Model"]

# Calls ExponeaInitManager queues while not initialized (and drops while stopped).
_GATED = {
    "trackEvent",
    "identifyCustomer",
    "trackSessionStart",
    "trackSessionEnd",
    "flushData",
    "trackPaymentEvent",
    "trackPushToken",
    "trackHmsPushToken",
    "trackDeliveredPush",
    "trackDeliveredPushWithoutTrackingConsent",
    "trackClickedPush",
    "trackClickedPushWithoutTrackingConsent",
}


class Model(EventsMixin):
    def gate(self, s: Stimulus) -> bool:
        """True if the call runs now; queued before init (android#77), dropped while stopped (android#66)."""
        if self.initialized:
            return True
        if not self.stopped and s.name in _GATED:
            self.pre_init.append(s)
            self.deferred.add(s.index)
        return False

    # -- the app's life -----------------------------------------------------------------------

    def on_app_install(self, s: Stimulus) -> None:
        self.interrupt_passes(s, keeps_storage=False)
        self.p = Persisted(generation=self.p.generation + 1, device_generation=self.p.device_generation + 1)
        self.on_app_kill(s)

    def on_app_kill(self, s: Stimulus) -> None:
        self.interrupt_passes(s, keeps_storage=True)
        # The session-end worker fails in a process where the SDK is not initialized (android §4).
        self.p.worker_due = None
        self.initialized = False
        self.stopped = False
        self.flush_mode = "IMMEDIATE"
        self.flush_period = 3600.0
        self.pre_init = []
        self.foreground = False
        self.last_push_id = None

    def on_app_launch(self, s: Stimulus) -> None:
        self.foreground = True

    def on_app_background(self, s: Stimulus) -> None:
        if not self.foreground:
            return
        self.foreground = False
        self.session_on_background(s.device_time)
        self.flush_on_app_close()

    def on_app_foreground(self, s: Stimulus) -> None:
        if self.foreground:
            return
        self.foreground = True
        self.resume_period()
        if self.initialized:
            self.track_saved_token(("android#29",))  # the foreground listener (android §1.1)
        self.session_on_foreground(s.device_time)

    # -- init -----------------------------------------------------------------------------------

    def on_call_init(self, s: Stimulus) -> None:
        if self.initialized or s.error:
            return
        given = dict(s.args.get("configuration") or {})
        config = {**CONFIG_DEFAULTS, **{k: v for k, v in given.items() if k not in ("flushMode", "flushPeriod")}}
        token = str(config.get("projectToken") or "")
        auth = config.get("authorization")
        app_id = str(config.get("applicationId"))
        if (
            not TOKEN_RE.match(token)
            or (auth is not None and not str(auth).startswith("Token "))
            or not APP_ID_RE.match(app_id)
            or len(app_id) > 50
        ):
            self.out.notes.append(f"{s.label()}: InvalidConfigurationException, nothing is sent")
            return
        # A stop's quiet window ends where a later init began (init sends as it runs), in this process
        # or after a relaunch: isStopped is process state, the new process starts unstopped (found by
        # harness explore: init, settle, stopIntegration, relaunch, init: the bundle GET judged "after
        # the stop").
        if any(w.end_host_time is None for w in self.out.quiet):
            self.out.quiet = [
                replace(w, end_host_time=s.began) if w.end_host_time is None else w
                for w in self.out.quiet
                if w.end_host_time is not None or w.start_host_time < s.began  # one not begun yet is none
            ]
        self.stopped = False
        self.config = config
        self.p.config = dict(config)
        self.flush_mode = str(given.get("flushMode", self.flush_mode))
        if given.get("flushPeriod") is not None:
            self.flush_period = float(given["flushPeriod"])
        self.initialized = True
        self.last_push_id = None  # a new ExponeaComponent, a new FcmManagerImpl
        self.init_time = s.device_time
        self.fetch_host = s.host_time  # the content-block bundle GET starts in the background
        if self.flush_mode == "PERIOD":
            self.start_periodic()
        self.track_install(s.device_time, ())
        self.track_saved_token(("android#29", "android#33"))
        if self.foreground:
            self.session_on_foreground(s.device_time)
        pending, self.pre_init = self.pre_init, []
        for call in pending:
            self.apply(call)
            self.now = s.device_time
        self.cause = s.index

    def track_install(self, t: float, rules: tuple[str, ...]) -> None:
        if self.p.installed:
            return
        self.track(
            "INSTALL", "installation", self.device_properties(), self.at(t), (*rules, "android#16"), "installation"
        )
        self.p.installed = True
