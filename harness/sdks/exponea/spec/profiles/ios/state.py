"""The model's state: constants of the SDK, the configuration, and what survives a kill.

iOS research §1 (configuration), §5 (identity), §7 (the Core Data queue). A queued :class:`Row` is
one stored TrackEvent/TrackCustomer row for one target project; the customer ids and (in 4.0.1)
the Authorization header are resolved when it is flushed (ios §5.2, §2.2). :class:`Persisted` is
Core Data and UserDefaults (it survives a kill); the rest lives in the process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from harness.errors import SpecError
from harness.spec.matchers import Int

__all__ = [
    "APP_ID_RE",
    "AUTH_GATED",
    "BACKGROUND_TASK_LIMIT",
    "CAMPAIGN_WINDOW",
    "CUT_SLACK",
    "DAY",
    "DEFAULT_VERSION",
    "FLUSH_BUSY",
    "FLUSH_DELAY",
    "FLUSH_OVERLAP",
    "FLUSH_RACE",
    "ID_RE",
    "MODELLED_VERSIONS",
    "PUSH_STEPS",
    "TIME_TOLERANCE",
    "Config",
    "Customer",
    "Gates",
    "Persisted",
    "Project",
    "Row",
    "clean",
    "gates_for",
    "is_number",
    "mapping_from",
    "project_from",
    "strict",
]

DEFAULT_VERSION = "4.0.1"
# 4.0.0 and 4.0.1 differ only in a CocoaPods compile fix (DatabaseManager.swift:333,398), so 4.0.0 is
# modelled too: an app on 4.0.0 must not fall back to the 3.11.0 model.
MODELLED_VERSIONS = ("3.11.0", "4.0.0", "4.0.1")
TIME_TOLERANCE = 2.0
FLUSH_DELAY = 3.0  # Constants.Tracking.immediateFlushDelay (ios#3)
CAMPAIGN_WINDOW = 3.0  # a session_start this young gets the campaign data (ios#25, #26)
BACKGROUND_TASK_LIMIT = 30.0  # iOS ends background tasks before the 60 s work item runs (ios §4)
DAY = 86400.0
# A flush that sent rows may still be running this long (device seconds) after it began: a flush that
# starts meanwhile may be refused (FlushingManager.flushData answers .flushAlreadyInProgress while
# isFlushingData is set, FlushingManager.swift:99-105@4.0.1, cleared only once every row's answer was
# read, :138-141, 218-231). Shorter than FLUSH_DELAY, so a row's own delayed flush never falls in the
# window of a flush begun before the row was stored: every row is surely sent once.
FLUSH_OVERLAP = 2.0
FLUSH_RACE = 0.5  # an identify this soon after a flush may change the ids of rows that flush sends
# A flush that began this long (host seconds) before a kill or a stop, with no settle between, may still
# be running: its requests on the wire, its rows not yet deleted (each answered by the collector well
# within it).
FLUSH_BUSY = 10.0
CUT_SLACK = 2.0  # the collector notices a connection the kill cut a little after the kill returned
ID_RE = re.compile(r"^[A-Za-z0-9-]+$")
APP_ID_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", re.IGNORECASE)
# Public calls refused without sufficient authorization (ios#74) and queued before configure.
AUTH_GATED = {
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
PUSH_STEPS = {"deliver_push", "click_push"}


@dataclass(frozen=True)
class Gates:
    """Where the modelled versions differ (the package docstring cites the source of each)."""

    version: str  # the ``sdk_version`` device property (D1)
    stream: bool  # stream (Data Hub) integration exists (D6)
    stop_tracks_and_flushes: bool  # stopIntegration tracks session_end + Invalidated, then flushes (D2)
    success_4xx: frozenset[int]  # 4xx answers RequestFactory's status switch counts as success (D3)
    authorization_per_row: bool  # a row keeps its project's authorization from when it was tracked (D4)


def gates_for(version: str) -> Gates:
    """The gates of one modelled version; any other version is a ``SpecError`` naming the modelled ones."""
    if version not in MODELLED_VERSIONS:
        raise SpecError(f"exponea-ios models iOS SDK {', '.join(MODELLED_VERSIONS)}, not {version!r}")
    v4 = tuple(int(part) for part in version.split(".")) >= (4, 0, 0)
    return Gates(
        version=version,
        stream=v4,
        stop_tracks_and_flushes=v4,
        success_4xx=frozenset({402} if v4 else {402, 403}),
        authorization_per_row=not v4,
    )


@dataclass
class Project:
    base_url: str
    token: str  # the project token, or the stream id
    stream: bool = False
    authorization: str | None = None  # its own; 3.11.0 stores it in each row tracked for it (D4)

    @property
    def wire_token(self) -> str:
        """What the wire adapter reports as the token: ``stream:ID`` for the stream routes."""
        return f"stream:{self.token}" if self.stream else self.token


@dataclass
class Customer:
    generation: int
    ids: dict[str, Any] = field(default_factory=dict)
    push_token: str | None = None
    last_token_track: float | None = None
    last_valid: bool | None = None


@dataclass
class Row:
    route: str
    event_type: str | None
    properties: dict[str, Any]
    timestamp: Any
    customer: Customer
    project: Project
    cause: int
    rules: tuple[str, ...]
    label: str
    url: str | None = None
    retries: int = 0
    held: tuple[str, ...] = ()  # ids of the rules that kept it queued (offline, 5xx), for its next attempt
    authorization: str | None = None  # 3.11.0: its project's authorization when it was tracked (D4)
    sent_as: int | None = None  # put back by a kill that raced its send: the index of that expectation
    # After a flush that may have been refused (FLUSH_OVERLAP) the row's state is one of several:
    # ``retries`` is the least retry count it may have, ``more_retries`` the others, ``maybe_gone``
    # whether it may already be deleted (its next attempt is then optional).
    more_retries: frozenset[int] = frozenset()
    maybe_gone: bool = False
    # its last send may not have happened: the next one merges with it, as an alternative ("or") or
    # as a possible second copy ("and") (flushing.FlushMixin.flush)
    owed: str = ""
    deleted: bool = False  # deleted with the whole store (stopIntegration, clearLocalCustomerData)


@dataclass
class Persisted:
    """Core Data rows and the SDK's UserDefaults: what survives a kill."""

    customers: list[Customer] = field(default_factory=list)
    generation: int = 0
    device_generation: int = 1
    installed: set[int] = field(default_factory=set)
    queue: list[Row] = field(default_factory=list)
    session_started: float = 0.0
    session_ended: float = 0.0
    stopped: bool = False
    saved_config: bool = False
    state_application_id: str | None = None


@dataclass
class Config:
    main: Project
    authorization: str | None
    mapping: dict[str, list[Project]]
    default_properties: dict[str, Any]
    automatic_sessions: bool
    session_timeout: float
    allow_default_customer_properties: bool
    manual_session_auto_close: bool
    application_id: str
    token_frequency: str
    require_push_authorization: bool
    max_tries: int


def is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """NSNull, NaN and ±Inf values are dropped, the request is still sent (ios#12, #13)."""
    return {
        k: clean(v) if isinstance(v, Mapping) else v
        for k, v in props.items()
        if v is not None and not (isinstance(v, float) and not math.isfinite(v))
    }


def strict(value: Any) -> Any:
    """Integers must arrive as integers (``1``, not ``1.0``; ios#7)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Int(value)
    if isinstance(value, Mapping):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict(v) for v in value]
    return value


def project_from(spec: Mapping[str, Any], where: str) -> tuple[Project, str | None]:
    token = str(spec.get("projectToken") or "")
    if not ID_RE.match(token):
        raise ValueError(f"{where}: project token {token!r}")
    base = str(spec.get("baseUrl") or spec.get("baseURL") or "https://api.exponea.com")
    raw = spec.get("authorization")
    auth = None if raw is None else str(raw)
    return Project(base, token, authorization=auth), auth


def mapping_from(raw: Any, where: str) -> dict[str, list[Project]]:
    out: dict[str, list[Project]] = {}
    for key, projects in dict(raw or {}).items():
        out[str(key)] = [project_from(p, f"{where} projectRouteMap.{key}")[0] for p in projects]
    return out
