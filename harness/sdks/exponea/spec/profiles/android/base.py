"""The core of the model: ``processTrack`` (enrich, snapshot ids, route, store) and dispatch.

Android research §3.0 (common enrichment), §2.5 (routing to projects), §1.1 (the pre-init queue).
The mixins in this package (flushing, sessions, push, identity, events, lifecycle) add the
handlers; this class holds the state they share and the few hooks they call across.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.errors import SpecError
from harness.sdks.exponea.spec.profiles.android.state import (
    CONFIG_DEFAULTS,
    DEVICE_TYPES,
    SDK_VERSION,
    TIME_TOLERANCE,
    Persisted,
    Project,
    Row,
)
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Absent, Any_, Approx, DeviceTime, OneOf, Var
from harness.spec.trace import Stimulus

GIVEN_TOLERANCE = 1e-6  # seconds; a double near 1.7e9 resolves 2.4e-7 s

__all__ = ["ModelBase"]

_ROUTES = {"TRACK_CUSTOMER": "customers", "CAMPAIGN_CLICK": "campaign_clicks"}
_HEADERS = {"content-type": "application/json; charset=utf-8"}  # android#2


class ModelBase:
    """State shared by the mixins, and ``track``."""

    def __init__(self) -> None:
        self.p = Persisted()
        # Order is promised per explicit flush pass (order_key), not across passes (android §2.5, §7.2).
        self.out = Expectations(ordered=False, order_rules=("android#4",))
        self.initialized = False
        self.stopped = False
        self.flush_mode = "IMMEDIATE"
        self.flush_period = 3600.0
        self.foreground = False
        self.online = True
        self.permission = True
        self.config: dict[str, Any] = dict(CONFIG_DEFAULTS)
        self.pre_init: list[Stimulus] = []
        self.init_time = 0.0
        self.now = 0.0
        self.host_now = 0.0
        self.cause = 0
        self.seq = 0
        self.deferred: set[int] = set()  # indexes of calls queued before init

    # -- hooks the mixins provide ---------------------------------------------------------------

    def flush(self, ordered: bool = False, only: list[Row] | None = None) -> None:
        raise NotImplementedError

    def run_due_timers(self, until: float) -> None:
        raise NotImplementedError

    def stored_during_pass(self, rows: list[Row]) -> None:
        raise NotImplementedError

    # -- values ---------------------------------------------------------------------------------

    def cookie(self) -> Var:
        old = tuple(f"cookie#{g}" for g in range(1, self.p.generation))
        return Var(f"cookie#{self.p.generation}", kind="uuid", case="lower", distinct_from=old)

    def device_id(self) -> Var:
        old = tuple(f"device_id#{g}" for g in range(1, self.p.device_generation))
        return Var(f"device_id#{self.p.device_generation}", kind="uuid", distinct_from=old)

    def device_properties(self) -> dict[str, Any]:
        """``DeviceProperties`` (android §3.0); values the harness cannot know are any-value."""
        return {
            "os_name": "Android",
            "os_version": Any_(),
            "sdk": "AndroidSDK",
            "sdk_version": SDK_VERSION,
            "device_model": Any_(),
            "device_type": OneOf(DEVICE_TYPES),
            "app_version": Var("app_version"),
        }

    def at(self, t: float) -> Approx:
        """A timestamp the SDK takes from the device clock (compared after the clock offset)."""
        return DeviceTime(t, TIME_TOLERANCE)

    def given(self, t: float) -> Approx:
        """A timestamp the app passed (or derived from a payload): sent as is, a Kotlin Double written by
        Gson, so compared exactly (issue 17: a tolerance here let a rounded timestamp pass); the bound only
        absorbs the double's last bit."""
        return Approx(t, GIVEN_TOLERANCE)

    def derived(self, t: float) -> Approx:
        """A timestamp the SDK derives from one it took from the device clock (a click after a delivery)."""
        return Approx(t, TIME_TOLERANCE)

    def timestamp_arg(self, s: Stimulus, key: str = "timestamp") -> Any:
        """A call's timestamp: absent means "now" on the device, null means none (android §9.3)."""
        if key not in s.args:
            return self.at(s.device_time)
        value = s.args[key]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpecError(f"{s.label()}: {key} must be a number or null, got {value!r}")
        return self.given(float(value))

    def main_project(self) -> Project:
        auth = self.config.get("authorization")
        return Project(str(self.config["baseURL"]), str(self.config["projectToken"]), None if auth is None else auth)

    def projects(self, sdk_type: str) -> list[Project]:
        """``[main] + projectRouteMap[type]``, then ``distinct()`` (android#49, android#50)."""
        out = [self.main_project()]
        routed = (self.config.get("projectRouteMap") or {}).get(sdk_type) or []
        for raw in routed:
            project = Project.of(raw, f"projectRouteMap.{sdk_type}")
            if project not in out:
                out.append(project)
        return out

    # -- processTrack ---------------------------------------------------------------------------

    def track(
        self,
        sdk_type: str,
        event_type: str | None,
        props: Mapping[str, Any],
        timestamp: Any,
        rules: tuple[str, ...],
        label: str,
        *,
        allowed: bool = True,
    ) -> None:
        """Enrich, snapshot the customer ids, store one row per project, flush if IMMEDIATE."""
        if self.stopped:
            return
        rows = self.store(sdk_type, event_type, props, timestamp, rules, label) if allowed else []
        if self.flush_mode != "IMMEDIATE":
            if self.initialized:
                self.stored_during_pass(rows)
            return
        if self.initialized:
            self.flush()
        elif rows:
            # The SDK-less path (a push, click or campaign intent in a process without init, android
            # §9.2) builds its own FlushManagerImpl over a TemporaryEventRepositoryImpl whose all()
            # returns only the events this instance stored (TemporaryEventRepositoryImpl.kt:10-21
            # @4.10.0, TrackingConsentManagerImpl.kt:337-356): its pass sends those, never the queue
            # an earlier process left behind.
            self.flush(only=rows)

    def store(
        self,
        sdk_type: str,
        event_type: str | None,
        props: Mapping[str, Any],
        timestamp: Any,
        rules: tuple[str, ...],
        label: str,
    ) -> list[Row]:
        """Store one row per project; returns them."""
        allow_defaults = sdk_type != "PUSH_TOKEN" and (
            sdk_type != "TRACK_CUSTOMER" or bool(self.config["allowDefaultCustomerProperties"])
        )
        properties: dict[str, Any] = dict(self.config["defaultProperties"] or {}) if allow_defaults else {}
        properties.update(props)  # the call's properties override defaults (android#9)
        if sdk_type != "TRACK_CUSTOMER":
            properties["application_id"] = self.config["applicationId"]  # set last (android#10)
            properties["device_id"] = self.device_id()
        route = _ROUTES.get(sdk_type, "events")
        body: dict[str, Any]
        if route == "campaign_clicks":
            # The reduced CampaignClickEvent body: no customer_ids, no other properties (android §2.3).
            body = {"url": props["url"], "timestamp": timestamp, "properties": {"platform": "Android"}}
        else:
            body = {}
            if sdk_type != "TRACK_CUSTOMER":
                body["event_type"] = event_type if event_type is not None else Absent()
            body["timestamp"] = Absent() if timestamp is None else timestamp
            body["customer_ids"] = {"cookie": self.cookie(), **self.p.external_ids}
            body["properties"] = properties
        sort_ts = timestamp.value if isinstance(timestamp, Approx) else timestamp
        stored: list[Row] = []
        for project in self.projects(sdk_type):
            self.seq += 1
            rules_here = (*rules, "android#1", "android#3")
            if project != self.main_project():
                rules_here += ("android#49",)
            template = Expected(
                route=route,
                project_token=project.token,
                authorization="null" if project.authorization is None else project.authorization,  # android#75
                body=body,
                cause=self.cause,
                rules=rules_here,
                label=label,
                headers=dict(_HEADERS),
            )
            key = (sort_ts is not None, float(sort_ts or 0.0), self.seq)
            stored.append(Row(template, key))
            self.p.queue.append(stored[-1])
        return stored

    # -- dispatch -------------------------------------------------------------------------------

    def apply(self, s: Stimulus) -> None:
        self.cause = s.index
        self.now = s.device_time
        self.host_now = s.host_time
        self.run_due_timers(s.device_time)
        handler = getattr(self, f"on_{s.kind}_{s.name}", None)
        if handler is None:
            if s.kind == "call":
                raise SpecError(f"exponea-android does not model SDK call {s.name!r} ({s.label()})")
            if s.kind == "collector":
                raise SpecError(f"exponea-android does not model collector step {s.name!r} ({s.label()})")
            return
        handler(s)
