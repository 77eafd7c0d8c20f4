"""Customer identity: identify, anonymize (step by step, with a project switch), stop and clear.

Android research §5 (ids replaced, not merged; anonymize's order: session_end and token
invalidation for the old customer and project, reset, new project, installation, session_start and
the token for the new cookie), §6 (stopIntegration deletes the queue and sends nothing;
clearLocalCustomerData only works before init).
"""

from __future__ import annotations

from harness.sdks.exponea.spec.profiles.android.flushing import FLUSH_BUSY
from harness.sdks.exponea.spec.profiles.android.push import PushMixin
from harness.sdks.exponea.spec.profiles.android.state import Project, TokenStore
from harness.spec.expectation import QuietWindow
from harness.spec.trace import Stimulus

__all__ = ["IdentityMixin"]


class IdentityMixin(PushMixin):
    def on_call_identifyCustomer(self, s: Stimulus) -> None:
        if not self.gate(s):
            return
        ids = {k: v for k, v in (s.args.get("customerIds") or {}).items() if k != "cookie" and v is not None}
        self.p.external_ids = ids  # replaced, not merged (android#13); the cookie is the SDK's (android#15)
        rules: tuple[str, ...] = ("android#11", "android#13", "android#15")
        if self.config["defaultProperties"]:
            rules = (*rules, "android#12")
        self.track(
            "TRACK_CUSTOMER",
            None,
            dict(s.args.get("properties") or {}),
            self.at(s.device_time),
            rules,
            "identifyCustomer",
        )

    def on_call_anonymize(self, s: Stimulus) -> None:
        if not self.initialized:
            return  # a no-op before init (android §1.2)
        self.pre_init = []
        now = s.device_time
        automatic = self.automatic_sessions()
        rules: tuple[str, ...] = ("android#61", "android#63")
        if automatic:
            self.session_end(now, self.stored_duration(), rules)
        else:
            rules = (*rules, "android#64")
        old_token = self.p.token.token
        if old_token is not None:
            self.track_token(old_token, "EVERY_LAUNCH", self.p.token.token_type, rules, canceled=True)
        # Reset: install flag, campaign, cookie, external ids, session prefs (device_id survives).
        self.p.installed = False
        self.p.campaign = None
        self.p.generation += 1
        self.p.external_ids = {}
        self.p.session_start = self.p.session_end = -1.0
        self.p.worker_due = None
        project = s.args.get("exponeaProject")
        if project is not None:
            new = Project.of(project, f"{s.label()} exponeaProject")
            self.config["baseURL"] = new.base_url or self.config["baseURL"]
            self.config["projectToken"] = new.token
            self.config["authorization"] = new.authorization
            rules = (*rules, "android#62")
        route_map = s.args.get("projectRouteMap")
        if route_map is not None:
            self.config["projectRouteMap"] = dict(route_map)
        self.p.config = dict(self.config)
        self.track_install(now, rules)
        if automatic:
            self.session_start(now, rules)
        if old_token is not None:
            self.track_saved_token(rules, "EVERY_LAUNCH")

    def track_install(self, t: float, rules: tuple[str, ...]) -> None:
        raise NotImplementedError

    def on_call_stopIntegration(self, s: Stimulus) -> None:
        if not self.initialized:
            return
        self.interrupt_passes(s, keeps_storage=False, cut=False)
        for row in self.p.queue:
            self.out.notes.append(f"{row.template.label} deleted by stopIntegration (android#65)")
        self.p.queue.clear()  # unflushed events are deleted (android#65)
        self.stopped = True
        self.initialized = False
        self.pre_init = []
        self.p.periodic_due = None
        self.wipe()
        reason, rules = f"stopIntegration() at step {s.index + 1}", ("android#65", "android#66")
        fetching = self.fetch_host is not None and s.began - self.fetch_host < FLUSH_BUSY
        if not fetching:
            self.out.quiet.append(QuietWindow(s.index, s.host_time, reason, rules))
            return
        # init's content-block bundle GET runs on a background thread the stop does not cancel
        # (Exponea.kt:1597-1612@4.10.0 clears data and gates, no in-flight call): begun before the
        # stop, it may arrive after it. Tracking routes are quiet at once, every route once it is over.
        assert self.fetch_host is not None
        tracking = ("events", "customers", "campaign_clicks", "unknown")
        self.out.quiet.append(QuietWindow(s.index, s.host_time, reason, rules, routes=tracking))
        self.out.quiet.append(QuietWindow(s.index, max(s.host_time, self.fetch_host + FLUSH_BUSY), reason, rules))

    def on_call_clearLocalCustomerData(self, s: Stimulus) -> None:
        if self.initialized or self.p.config is None:
            self.out.notes.append(f"{s.label()}: clearLocalCustomerData refused (android#68)")
            return
        self.p.queue.clear()
        self.wipe()

    def wipe(self) -> None:
        """``clearLocalCustomerData``'s wipe: cookie, ids, device id, token, campaign, config (§6)."""
        self.p.generation += 1
        self.p.device_generation += 1
        self.p.external_ids = {}
        self.p.installed = False
        self.p.session_start = self.p.session_end = -1.0
        self.p.worker_due = None
        self.p.token = TokenStore()
        self.p.campaign = None
        self.p.config = None

    def on_call_getCustomerCookie(self, s: Stimulus) -> None:
        pass

    def on_call_isInitialized(self, s: Stimulus) -> None:
        pass
