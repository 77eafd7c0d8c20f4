"""The model's state: constants of the SDK, the configuration, and what survives a kill.

Android research §1.5 (configuration defaults), §5 (identity), §7.3 (the persisted queue), §8
(the push-token store). A queued :class:`Row` is one stored ``ExportedEvent`` (one event for one
project); its ``template`` is the request the SDK will send for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from harness.spec.expectation import Expected

__all__ = [
    "CONFIG_DEFAULTS",
    "DEVICE_TYPES",
    "IMPORTANCES",
    "SDK_VERSION",
    "TIME_TOLERANCE",
    "TOKEN_RE",
    "Persisted",
    "Project",
    "Row",
    "TokenStore",
]

SDK_VERSION = "4.10.0"
TIME_TOLERANCE = 2.0
TOKEN_RE = re.compile(r"^[A-Za-z0-9-]+$")
APP_ID_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
DEVICE_TYPES = ("mobile", "tablet")
IMPORTANCES = (
    "importance_unspecified",
    "importance_none",
    "importance_min",
    "importance_low",
    "importance_default",
    "importance_high",
    "importance_max",
    "importance_unknown",
    "importance_unsupported",
)
CONFIG_DEFAULTS: dict[str, Any] = {
    "projectToken": "",
    "authorization": None,
    "baseURL": "https://api.exponea.com",
    "projectRouteMap": {},
    "defaultProperties": {},
    "automaticSessionTracking": True,
    "sessionTimeout": 60.0,
    "campaignTTL": 10.0,
    "tokenTrackFrequency": "ON_TOKEN_CHANGE",
    "requirePushAuthorization": False,
    "allowDefaultCustomerProperties": True,
    "manualSessionAutoClose": True,
    "applicationId": "default-application",
    "maxTries": 10,
    "automaticPushNotification": True,
}


@dataclass(frozen=True)
class Project:
    """``ExponeaProject``: a data class, so de-duplication is structural (android §2.5)."""

    base_url: str
    token: str
    authorization: str | None

    @classmethod
    def of(cls, raw: Any, where: str) -> Project:
        from harness.errors import SpecError

        if not isinstance(raw, dict) or not raw.get("projectToken"):
            raise SpecError(f"{where}: a project is {{baseUrl, projectToken, authorization}}, got {raw!r}")
        auth = raw.get("authorization")
        return cls(str(raw.get("baseUrl", "")), str(raw["projectToken"]), None if auth is None else str(auth))


@dataclass
class Row:
    """One stored event for one project, with its retry bookkeeping (android §2.4)."""

    template: Expected
    sort_key: tuple[bool, float, int]
    tries: int = 0
    attempts: int = 0
    attempted_since_settle: bool = False
    out_index: int | None = None  # where its expectation sits in Expectations.requests
    last_host: float = 0.0  # host time (upper bound) of its last attempt's pass
    last_certain: bool = False  # its last attempt raised the expectation's minimum copies
    certain_pending: bool = False  # an attempt since the last settle raised the minimum (a kill may undo it)
    requeued: bool = False  # put back by a kill that raced its attempt: a re-send is no retry
    early: bool = False  # stored while a pass may still run: maybe sent by it, else by the next pass
    ghost: bool = False  # maybe still stored (a racing answer may have failed it): every re-send is optional


@dataclass
class TokenStore:
    """The ``EXPONEA_PUSH_TOKEN`` prefs (android §8)."""

    token: str | None = None
    tracked_day: int | None = None  # device day number of the last track; None: never tracked
    token_type: str = "FCM"
    permission: bool | None = None
    app_version: str | None = None
    application_id: str | None = None


@dataclass
class Persisted:
    """What lives in the app's storage and survives a kill."""

    generation: int = 1  # bumps when the cookie is reset (stop, clear, anonymize, reinstall)
    device_generation: int = 1  # bumps when the device id is reset (stop, clear, reinstall)
    installed: bool = False
    external_ids: dict[str, Any] = field(default_factory=dict)
    queue: list[Row] = field(default_factory=list)
    session_start: float = -1.0
    session_end: float = -1.0
    worker_due: float | None = None
    config: dict[str, Any] | None = None  # the stored configuration (None: never configured / wiped)
    token: TokenStore = field(default_factory=TokenStore)
    campaign: tuple[dict[str, Any], float, str] | None = None  # tracking data, createdAt, checklist id
    channel_created: bool = False  # the SDK's notification channel (created by the first handled push)
    periodic_due: float | None = None
