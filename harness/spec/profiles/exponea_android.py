"""Profile ``exponea-android``: what the Exponea Android SDK 4.10.0 sends for a stimulus trace.

Written from ``research/android-sdk-spec.md``; the checklist ids it enforces are named on each
expectation. The model keeps the SDK's state the way the research describes it: what survives a
kill (the persisted queue, cookie, ids, device id, install flag, session prefs) and what does not
(initialized/stopped, the flush mode, the pre-init queue). A flush moves the queued events to the
"sent" list; what is still queued at the end of the trace is not expected.

Doc drift noted from the research (the model follows the code): there is no ``configure`` method
and ``identifyCustomer`` takes no timestamp (android §1.1, §1.2); ``trackEvent`` with a null
timestamp sends no ``timestamp`` (docs say "now", §9.3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.errors import SpecError
from harness.spec.expectation import Expectations, Expected, QuietWindow
from harness.spec.matchers import Absent, Any_, Approx, OneOf, Var
from harness.spec.trace import Stimulus

__all__ = ["AndroidProfile"]

SDK_VERSION = "4.10.0"
TIME_TOLERANCE = 2.0
_TOKEN = re.compile(r"^[A-Za-z0-9-]+$")
_GATED = {"trackEvent", "identifyCustomer", "trackSessionStart", "trackSessionEnd", "flushData", "trackPaymentEvent"}
_CONFIG_DEFAULTS: dict[str, Any] = {
    "authorization": None,
    "baseURL": "https://api.exponea.com",
    "defaultProperties": {},
    "automaticSessionTracking": True,
    "sessionTimeout": 60.0,
    "allowDefaultCustomerProperties": True,
    "manualSessionAutoClose": True,
    "applicationId": "default-application",
    "projectRouteMap": {},
}


@dataclass
class _Persisted:
    """What lives in the app's storage and survives a kill."""

    generation: int = 1  # bumps when the cookie is reset (stop, clear, anonymize, reinstall)
    device_generation: int = 1
    installed: bool = False
    external_ids: dict[str, Any] = field(default_factory=dict)
    queue: list[Expected] = field(default_factory=list)
    session_start: float = -1.0
    session_end: float = -1.0
    worker_due: float | None = None
    configured: bool = False


class _Model:
    def __init__(self) -> None:
        self.p = _Persisted()
        self.out = Expectations(ordered=True)
        self.initialized = False
        self.stopped = False
        self.flush_mode = "IMMEDIATE"
        self.foreground = False
        self.online = True
        self.config: dict[str, Any] = dict(_CONFIG_DEFAULTS)
        self.pre_init: list[Stimulus] = []
        self.init_time = 0.0
        self.now = 0.0
        self.cause = 0

    # -- helpers ---------------------------------------------------------------------------

    def cookie(self) -> Var:
        old = tuple(f"cookie#{g}" for g in range(1, self.p.generation))
        return Var(f"cookie#{self.p.generation}", kind="uuid", case="lower", distinct_from=old)

    def device_id(self) -> Var:
        old = tuple(f"device_id#{g}" for g in range(1, self.p.device_generation))
        return Var(f"device_id#{self.p.device_generation}", kind="uuid", distinct_from=old)

    def device_properties(self) -> dict[str, Any]:
        return {
            "os_name": "Android",
            "os_version": Any_(),
            "sdk": "AndroidSDK",
            "sdk_version": SDK_VERSION,
            "device_model": Any_(),
            "device_type": OneOf(("mobile", "tablet")),
            "app_version": Any_(),
        }

    def track(
        self,
        sdk_type: str,
        event_type: str | None,
        props: Mapping[str, Any],
        timestamp: Any,
        rules: tuple[str, ...],
        label: str,
    ) -> None:
        """``processTrack``: enrich, snapshot ids, queue per project, flush in IMMEDIATE mode."""
        if self.stopped:
            return
        allow_defaults = sdk_type != "PUSH_TOKEN" and (
            sdk_type != "TRACK_CUSTOMER" or bool(self.config["allowDefaultCustomerProperties"])
        )
        properties: dict[str, Any] = dict(self.config["defaultProperties"]) if allow_defaults else {}
        properties.update(props)  # the call's properties override defaults (android#9)
        if sdk_type != "TRACK_CUSTOMER":
            properties["application_id"] = self.config["applicationId"]  # set last (android#10)
            properties["device_id"] = self.device_id()
        body: dict[str, Any] = {}
        if sdk_type != "TRACK_CUSTOMER":
            body["event_type"] = event_type if event_type is not None else Absent()
        body["timestamp"] = Absent() if timestamp is None else timestamp
        body["customer_ids"] = {"cookie": self.cookie(), **self.p.external_ids}
        body["properties"] = properties
        route = "customers" if sdk_type == "TRACK_CUSTOMER" else "events"
        auth = self.config["authorization"]
        for token in self.projects():
            self.p.queue.append(
                Expected(
                    route=route,
                    project_token=token,
                    authorization="null" if auth is None else str(auth),  # android#75
                    body=body,
                    cause=self.cause,
                    rules=(*rules, "android#1", "android#2", "android#3"),
                    label=label,
                    headers={"content-type": "application/json; charset=utf-8"},
                )
            )
        if self.flush_mode == "IMMEDIATE":
            self.flush()

    def projects(self) -> list[str]:
        return [str(self.config["projectToken"])]

    def flush(self) -> None:
        if self.stopped or not self.online:
            return
        self.out.requests.extend(self.p.queue)
        self.p.queue.clear()

    def at(self, t: float) -> Approx:
        return Approx(t, TIME_TOLERANCE)

    # -- sessions (android §4) --------------------------------------------------------------

    def session_start(self, ts: float, rules: tuple[str, ...]) -> None:
        self.p.session_start, self.p.session_end = ts, -1.0
        self.track("SESSION_START", "session_start", self.device_properties(), self.at(ts), rules, "session_start")

    def session_end(self, ts: float, duration: float, rules: tuple[str, ...]) -> None:
        props = {**self.device_properties(), "duration": Approx(duration, TIME_TOLERANCE)}
        self.track("SESSION_END", "session_end", props, self.at(ts), rules, "session_end")
        self.p.session_start = self.p.session_end = -1.0

    def on_foreground(self, t: float) -> None:
        if not self.initialized or not self.config["automaticSessionTracking"]:
            return
        self.p.worker_due = None
        start, end = self.p.session_start, self.p.session_end
        if start == -1 or end == -1:
            self.session_start(t, ("android#18",))
        elif t - end >= float(self.config["sessionTimeout"]):
            self.session_end(end, end - start, ("android#20",))
            self.session_start(t, ("android#20",))

    def on_background(self, t: float) -> None:
        if not self.initialized or not self.config["automaticSessionTracking"]:
            return
        if self.p.session_start == -1:
            self.session_start(self.init_time, ("android#18",))
        self.p.session_end = t
        self.p.worker_due = t + float(self.config["sessionTimeout"])

    def run_due_worker(self, until: float) -> None:
        """The session-end worker fires at its due time if the device clock got there."""
        due = self.p.worker_due
        if due is None or until < due or not self.initialized:
            return
        self.p.worker_due = None
        if not self.online:
            return
        self.session_end(due, self.p.session_end - self.p.session_start, ("android#21",))
        self.flush()  # the worker flushes in every mode, MANUAL included

    # -- stimuli ---------------------------------------------------------------------------

    def apply(self, s: Stimulus) -> None:
        self.cause = s.index
        self.now = s.device_time
        self.run_due_worker(s.device_time)
        handler = getattr(self, f"on_{s.kind}_{s.name}", None)
        if handler is None:
            if s.kind == "call":
                raise SpecError(f"exponea-android does not model SDK call {s.name!r} yet ({s.label()})")
            return
        handler(s)

    def on_app_install(self, s: Stimulus) -> None:
        self.p = _Persisted(generation=self.p.generation + 1, device_generation=self.p.device_generation + 1)
        self.on_app_kill(s)

    def on_app_kill(self, s: Stimulus) -> None:
        # The session-end worker fails in a process where the SDK is not initialized (android §4).
        self.p.worker_due = None
        self.initialized = False
        self.stopped = False
        self.flush_mode = "IMMEDIATE"
        self.pre_init = []
        self.foreground = False

    def on_app_launch(self, s: Stimulus) -> None:
        self.foreground = True

    def on_app_background(self, s: Stimulus) -> None:
        self.foreground = False
        self.on_background(s.device_time)

    def on_app_foreground(self, s: Stimulus) -> None:
        self.foreground = True
        self.on_foreground(s.device_time)

    def on_env_advance_clock(self, s: Stimulus) -> None:
        self.run_due_worker(s.device_time + float(s.args.get("seconds", 0)))

    def on_env_set_network(self, s: Stimulus) -> None:
        self.online = bool(s.args.get("online"))

    def on_call_init(self, s: Stimulus) -> None:
        if self.initialized or s.error:
            return
        given = dict(s.args.get("configuration") or {})
        config = {**_CONFIG_DEFAULTS, **{k: v for k, v in given.items() if k not in ("flushMode", "flushPeriod")}}
        token = str(config.get("projectToken") or "")
        if not _TOKEN.match(token):
            return  # InvalidConfigurationException: nothing is sent
        if self.stopped:
            for window in self.out.quiet:
                if window.end_host_time is None:
                    self.out.quiet[self.out.quiet.index(window)] = QuietWindow(
                        window.cause, window.start_host_time, window.reason, window.rules, s.host_time
                    )
        self.stopped = False
        self.config = config
        self.p.configured = True
        self.flush_mode = str(given.get("flushMode", self.flush_mode))
        if self.flush_mode not in ("IMMEDIATE", "MANUAL"):
            raise SpecError(f"flushMode {self.flush_mode} is not modelled yet ({s.label()})")
        self.initialized = True
        self.init_time = s.device_time
        if not self.p.installed:
            self.track(
                "INSTALL",
                "installation",
                self.device_properties(),
                self.at(s.device_time),
                ("android#16",),
                "installation",
            )
            self.p.installed = True
        if self.config["automaticSessionTracking"] and self.foreground:
            self.on_foreground(s.device_time)
        pending, self.pre_init = self.pre_init, []
        for call in pending:
            self.apply(call)
        self.cause = s.index

    def _gate(self, s: Stimulus) -> bool:
        """True if the call runs now; queued before init (android#77), dropped while stopped."""
        if self.initialized:
            return True
        if not self.stopped:
            self.pre_init.append(s)
        return False

    def on_call_trackEvent(self, s: Stimulus) -> None:
        if not self._gate(s):
            return
        ts = s.args["timestamp"] if "timestamp" in s.args else self.at(s.device_time)
        if isinstance(ts, int | float) and not isinstance(ts, bool):
            ts = self.at(float(ts))
        rules = (
            ("android#5",)
            + (("android#6",) if ts is None else ())
            + (("android#9",) if self.config["defaultProperties"] else ())
        )
        self.track(
            "TRACK_EVENT",
            s.args.get("eventType"),
            dict(s.args.get("properties") or {}),
            ts,
            rules,
            str(s.args.get("eventType")),
        )

    def on_call_identifyCustomer(self, s: Stimulus) -> None:
        if not self._gate(s):
            return
        ids = {k: v for k, v in (s.args.get("customerIds") or {}).items() if k != "cookie" and v is not None}
        self.p.external_ids = ids  # replaced, not merged (android#13)
        self.track(
            "TRACK_CUSTOMER",
            None,
            dict(s.args.get("properties") or {}),
            self.at(s.device_time),
            ("android#11", "android#13", "android#15"),
            "identifyCustomer",
        )

    def on_call_flushData(self, s: Stimulus) -> None:
        if self._gate(s):
            self.flush()

    def on_call_setFlushMode(self, s: Stimulus) -> None:
        mode = str(s.args.get("mode"))
        if mode not in ("IMMEDIATE", "MANUAL"):
            raise SpecError(f"flushMode {mode} is not modelled yet ({s.label()})")
        self.flush_mode = mode
        if self.initialized and mode == "IMMEDIATE":
            self.flush()

    def on_call_setDefaultProperties(self, s: Stimulus) -> None:
        self.config["defaultProperties"] = dict(s.args.get("properties") or {})

    def on_call_setSessionTimeout(self, s: Stimulus) -> None:
        self.config["sessionTimeout"] = float(s.args["seconds"])

    def on_call_trackSessionStart(self, s: Stimulus) -> None:
        if not self._gate(s) or self.config["automaticSessionTracking"]:
            return  # ignored while automatic tracking is on (android#22)
        ts = float(s.args["timestamp"]) if s.args.get("timestamp") is not None else s.device_time
        if self.config["manualSessionAutoClose"] and self.p.session_start != -1 and self.p.session_end == -1:
            self.session_end(ts, ts - self.p.session_start, ("android#23",))
        self.session_start(ts, ("android#23", "android#24"))

    def on_call_trackSessionEnd(self, s: Stimulus) -> None:
        if not self._gate(s) or self.config["automaticSessionTracking"]:
            return
        ts = float(s.args["timestamp"]) if s.args.get("timestamp") is not None else s.device_time
        self.session_end(ts, ts - self.p.session_start, ("android#25",))

    def on_call_stopIntegration(self, s: Stimulus) -> None:
        if not self.initialized:
            return
        self.p.queue.clear()  # unflushed events are deleted (android#65)
        self.stopped = True
        self.initialized = False
        self.pre_init = []
        self._wipe()
        self.out.quiet.append(
            QuietWindow(s.index, s.host_time, f"stopIntegration() at step {s.index + 1}", ("android#65", "android#66"))
        )

    def on_call_clearLocalCustomerData(self, s: Stimulus) -> None:
        if self.initialized or not self.p.configured:
            return  # refused (android#68)
        self.p.queue.clear()
        self._wipe()

    def _wipe(self) -> None:
        self.p.generation += 1
        self.p.device_generation += 1
        self.p.external_ids = {}
        self.p.installed = False
        self.p.session_start = self.p.session_end = -1.0
        self.p.worker_due = None

    def on_call_getCustomerCookie(self, s: Stimulus) -> None:
        pass

    def on_call_isInitialized(self, s: Stimulus) -> None:
        pass


class AndroidProfile:
    """The executable model of the Exponea Android SDK."""

    name = "exponea-android"
    platform = "android"
    sdk_version = SDK_VERSION

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        model = _Model()
        for stimulus in trace:
            model.apply(stimulus)
        if trace:
            model.run_due_worker(trace[-1].device_time)
        return model.out
