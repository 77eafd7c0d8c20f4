"""The iOS ``Configuration`` built from the canonical ``init.configuration`` (docs/sdk-calls.md).

Project mode takes ``projectToken``/``authorization``/``baseURL``; ``streamId`` switches to
``StreamSettings`` (no mapping, no static authorization). ``projectRouteMap`` keys are the Android
``EventType`` names, mapped to the iOS ``projectMapping`` keys; ``projects(key)`` is the main
project first plus the mapped ones (additive, research ios §2.5). ``maxTries`` is
``FlushingSetup.maxRetries`` (default 5). Validation follows ``Configuration+Validation``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

__all__ = ["ConfigError", "IosConfig", "Target", "parse_config"]

DEFAULT_BASE_URL = "https://api.exponea.com"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9-]+$")
_APP_ID_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", re.IGNORECASE)
# Android EventType name → iOS EventType raw value (the mapping key of §2.5).
ROUTE_KEYS = {
    "INSTALL": "INSTALL",
    "SESSION_START": "SESSION_START",
    "SESSION_END": "SESSION_END",
    "TRACK_EVENT": "TRACK_EVENT",
    "TRACK_CUSTOMER": "TRACK_CUSTOMER",
    "PAYMENT": "PAYMENT",
    "PUSH_TOKEN": "PUSH_TOKEN",
    "PUSH_DELIVERED": "PUSH_DELIVERED",
    "PUSH_OPENED": "PUSH_OPENED",
    "CAMPAIGN_CLICK": "CAMPAIGN_CLICK",
    "BANNER": "BANNER",
    "APP_INBOX": "APP_INBOX",
    "NOTIFICATION_STATE": "NOTIFICATION_STATE",
}
FREQUENCIES = {
    "ON_TOKEN_CHANGE": "onTokenChange",
    "EVERY_LAUNCH": "everyLaunch",
    "DAILY": "daily",
    "onTokenChange": "onTokenChange",
    "everyLaunch": "everyLaunch",
    "daily": "daily",
}
FLUSH_MODES = {
    "IMMEDIATE": "immediate",
    "PERIOD": "periodic",
    "APP_CLOSE": "automatic",
    "MANUAL": "manual",
    "immediate": "immediate",
    "periodic": "periodic",
    "automatic": "automatic",
    "manual": "manual",
}


class ConfigError(ValueError):
    """A configuration the SDK refuses (it logs the error and stays unconfigured)."""


@dataclass(frozen=True)
class Target:
    """One ``ExponeaProject`` (or the stream integration) a row is sent to."""

    base_url: str
    integration_id: str
    integration_type: str = "project"
    authorization: str | None = None


@dataclass
class IosConfig:
    main: Target
    mapping: dict[str, list[Target]] = field(default_factory=dict)
    default_properties: dict[str, Any] = field(default_factory=dict)
    automatic_session_tracking: bool = True
    session_timeout: float = 60.0
    token_track_frequency: str = "onTokenChange"
    require_push_authorization: bool = True
    allow_default_customer_properties: bool = True
    manual_session_auto_close: bool = True
    application_id: str = "default-application"
    max_retries: int = 5
    flush_mode: str = "immediate"
    flush_period: int = 300

    @property
    def stream(self) -> bool:
        return self.main.integration_type == "stream"

    @property
    def has_sufficient_auth(self) -> bool:
        """Stream: always; project: an authorization other than ``.none`` (research ios §1.3)."""
        return self.stream or bool(self.main.authorization)

    def projects(self, key: str) -> list[Target]:
        if self.stream:
            return [self.main]
        return [self.main, *self.mapping.get(key, [])]

    def to_json(self) -> dict[str, Any]:
        """The ``EXPONEA_LAST_KNOWN_CONFIGURATION`` document (a record, not read back)."""
        return {
            "baseUrl": self.main.base_url,
            "projectToken" if not self.stream else "streamId": self.main.integration_id,
            "authorization": self.main.authorization,
            "applicationID": self.application_id,
            "sessionTimeout": self.session_timeout,
            "automaticSessionTracking": self.automatic_session_tracking,
            "tokenTrackFrequency": self.token_track_frequency,
            "requirePushAuthorization": self.require_push_authorization,
            "flushEventMaxRetries": self.max_retries,
        }


def _auth(value: Any, where: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if not (text.startswith("Token ") or text.startswith("Bearer ")):
        raise ConfigError(f"{where}: authorization must be 'Token <t>', 'Bearer <t>' or null, got {text!r}")
    return text


def _base_url(value: Any, where: str) -> str:
    url = str(value or DEFAULT_BASE_URL)
    parsed = urlparse(url)
    if not parsed.scheme or not parsed.netloc:
        raise ConfigError(f"{where}: base URL {url!r} is not a URL")
    return url


def _token(value: Any, where: str) -> str:
    token = str(value or "")
    if not _TOKEN_RE.match(token):
        raise ConfigError(f"{where}: {token!r} is empty or has characters other than alphanumerics and '-'")
    return token


def target_from(project: dict[str, Any], where: str) -> Target:
    """An ``ExponeaProject`` (``{baseUrl, projectToken, authorization}``) or ``{baseUrl, streamId}``."""
    if project.get("streamId"):
        return Target(_base_url(project.get("baseUrl"), where), _token(project["streamId"], where), "stream")
    return Target(
        _base_url(project.get("baseUrl"), where),
        _token(project.get("projectToken"), f"{where}.projectToken"),
        "project",
        _auth(project.get("authorization"), where),
    )


def parse_config(raw: dict[str, Any], streams: bool = True) -> IosConfig:
    """The configuration ``configure`` gets; ``streams`` False: a release without the stream integration."""
    base = raw.get("baseURL", raw.get("baseUrl"))
    if raw.get("streamId") and not streams:
        raise ConfigError("No project token provided.")  # 3.11.0's decoder knows no streamId
    if raw.get("streamId"):
        main = Target(_base_url(base, "baseURL"), _token(raw["streamId"], "streamId"), "stream")
    else:
        main = Target(
            _base_url(base, "baseURL"),
            _token(raw.get("projectToken"), "projectToken"),
            "project",
            _auth(raw.get("authorization"), "authorization"),
        )
    mapping: dict[str, list[Target]] = {}
    for key, projects in (raw.get("projectRouteMap") or {}).items():
        if key not in ROUTE_KEYS:
            raise ConfigError(f"projectRouteMap: unknown event type {key!r} (known: {', '.join(ROUTE_KEYS)})")
        mapping[ROUTE_KEYS[key]] = [target_from(dict(p), f"projectRouteMap.{key}") for p in projects]
    frequency = str(raw.get("tokenTrackFrequency", "ON_TOKEN_CHANGE"))
    if frequency not in FREQUENCIES:
        raise ConfigError(f"tokenTrackFrequency: unknown value {frequency!r}")
    mode = str(raw.get("flushMode", "IMMEDIATE"))
    if mode not in FLUSH_MODES:
        raise ConfigError(f"flushMode: unknown value {mode!r}")
    app_id = str(raw.get("applicationId", raw.get("applicationID", "default-application")))
    if len(app_id) > 50 or not _APP_ID_RE.match(app_id):
        raise ConfigError(f"applicationId: {app_id!r} is not valid")
    return IosConfig(
        main=main,
        mapping=mapping,
        default_properties=dict(raw.get("defaultProperties") or {}),
        automatic_session_tracking=bool(raw.get("automaticSessionTracking", True)),
        session_timeout=float(raw.get("sessionTimeout", 60.0)),
        token_track_frequency=FREQUENCIES[frequency],
        require_push_authorization=bool(raw.get("requirePushAuthorization", True)),
        allow_default_customer_properties=bool(raw.get("allowDefaultCustomerProperties", True)),
        manual_session_auto_close=bool(raw.get("manualSessionAutoClose", True)),
        application_id=app_id,
        max_retries=int(raw.get("maxTries", 5)),
        flush_mode=FLUSH_MODES[mode],
        flush_period=int(raw.get("flushPeriod", 300)),
    )
