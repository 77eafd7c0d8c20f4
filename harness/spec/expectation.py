"""What a profile expects: requests, and windows in which nothing may arrive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Expectations", "Expected", "QuietWindow"]


@dataclass(frozen=True)
class Expected:
    """One request the SDK must send.

    Attributes:
        route: ``events`` | ``customers`` | ``campaign_clicks``.
        project_token: the token in the path.
        authorization: the exact Authorization header (None: header must be absent).
        body: the expected body as an object whose leaves may be matchers; keys not given are
            compared per ``exact_keys``.
        headers: expected header values by lower-case name.
        cause: the stimulus index that produced it (for messages and the report timeline).
        rules: checklist ids this expectation checks (``android#5``).
        label: short name for messages (``installation``).
        not_before: the earliest host time the request may arrive (a delayed flush, ios#3); None:
            any time.
        optional: the SDK may or may not send it (a retry whose flush trigger may have been absorbed
            by a running pass); it consumes only a request that matches it exactly and is never
            reported missing.
    """

    route: str
    project_token: str
    authorization: str | None
    body: dict[str, Any]
    cause: int
    rules: tuple[str, ...] = ()
    label: str = ""
    headers: dict[str, Any] = field(default_factory=dict)
    exact_keys: bool = True
    not_before: float | None = None
    optional: bool = False

    @property
    def event_type(self) -> Any:
        return self.body.get("event_type")


@dataclass(frozen=True)
class QuietWindow:
    """No tracking request may arrive between ``start_host_time`` and ``end_host_time``.

    Used for stopIntegration(): from the stop until the next init (None: until the end).
    """

    cause: int
    start_host_time: float
    reason: str
    rules: tuple[str, ...] = ()
    end_host_time: float | None = None

    def contains(self, host_time: float) -> bool:
        return host_time >= self.start_host_time and (self.end_host_time is None or host_time < self.end_host_time)


@dataclass
class Expectations:
    requests: list[Expected] = field(default_factory=list)
    quiet: list[QuietWindow] = field(default_factory=list)
    ordered: bool = False  # the platform sends in ascending timestamp order, one at a time
    notes: list[str] = field(default_factory=list)
