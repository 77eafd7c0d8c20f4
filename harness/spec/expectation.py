"""What a profile expects: requests, and windows in which nothing may arrive."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from harness.capture.record import CapturedRequest
    from harness.spec.verdict import Violation
    from harness.wire.observation import Observation

__all__ = ["Expectations", "Expected", "HeaderCheck", "QuietWindow", "RequestCheck"]


class RequestCheck(Protocol):
    """Rules every captured request of a run is held to as a whole, whatever the expectations matched:
    a pinned profile's schemas (:class:`~harness.spec.pinned.PinnedProfile`), which judge the shape of
    raw payloads (gzip, forms, batches) that observations no longer carry."""

    def violations(self, requests: Sequence[CapturedRequest]) -> list[Violation]: ...


class HeaderCheck(Protocol):
    """A profile's header rules for one run (each SDK plug-in has its own, ``Sdk.headers``)."""

    def violations(self, obs: Observation, skip: Collection[str] = ()) -> list[Violation]: ...


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
        optional: the SDK may or may not send it (a retry whose flush trigger may have been absorbed
            by a running pass); it consumes only a request that matches it exactly and is never
            reported missing. Same as ``copies=(0, n)``.
        copies: how many times the same request may arrive, ``(min, max)``: a request the
            collector answered 5xx is sent again, so a profile says "sent 1..N times". Extra copies
            must match exactly (or repeat the first copy's body); fewer than ``min`` is ``missing``.
        stream_id: for an iOS stream-mode route (``/track/u/v1/...?stream_id=``); the same as
            giving ``project_token="stream:<id>"``.
        not_before: the earliest host time the request may arrive (a delayed flush, ios#3); None:
            any time.
        order_key: where the platform guarantees order, requests must arrive in non-decreasing
            ``order_key`` (default: the expectation's index when ``Expectations.ordered``; with
            ``ordered=False`` only expectations that set it are ordered, e.g. one key per iOS flush).
        order_group: with ``Expectations.grouped_order``, order is checked only among the requests
            of the same group (one Android flush pass over a complete queue); None: not checked.
        name: the event's name as the SDK's decoder reports it (``Observation.event_type``), for wire
            formats whose body does not call it ``event_type``; None: the body's ``event_type``.
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
    optional: bool = False
    copies: tuple[int, int] = (1, 1)
    stream_id: str | None = None
    not_before: float | None = None
    order_key: float | None = None
    order_group: int | None = None
    name: str | None = None

    @property
    def target(self) -> str:
        """The project token, or ``stream:<id>`` (compared with ``Observation.target``)."""
        return f"stream:{self.stream_id}" if self.stream_id is not None else self.project_token

    @property
    def min_copies(self) -> int:
        return 0 if self.optional else self.copies[0]

    @property
    def max_copies(self) -> int:
        return max(self.copies[1], 1)

    @property
    def event_type(self) -> Any:
        return self.name if self.name is not None else self.body.get("event_type")


@dataclass(frozen=True)
class QuietWindow:
    """No request may arrive between ``start_host_time`` and ``end_host_time`` unless expected.

    Used for stopIntegration(): from the stop until the next init (None: until the end), and for
    "nothing is sent without consent" cases. ``routes`` limits the window to some routes (empty: every
    request of the app, tracking or not: in-app messages, content blocks, inbox, segments, consents,
    and with in-app capture any host). A request in the window that no expectation explains is
    ``after-stop``.
    """

    cause: int
    start_host_time: float
    reason: str
    rules: tuple[str, ...] = ()
    end_host_time: float | None = None
    routes: tuple[str, ...] = ()

    def contains(self, host_time: float, route: str | None = None) -> bool:
        if route is not None and self.routes and route not in self.routes:
            return False
        return host_time >= self.start_host_time and (self.end_host_time is None or host_time < self.end_host_time)


@dataclass
class Expectations:
    """Everything a profile expects of one run.

    Attributes:
        requests: the expected requests, in the order the platform sends them where it guarantees one.
        quiet: windows in which nothing unexplained may arrive.
        ordered: the platform sends one request at a time in this order (Android); iOS sends
            concurrently, so only ``order_key`` groups are ordered there.
        notes: free text for the report.
        order_rules: checklist ids an ``order`` violation breaks (``android#4``).
        grouped_order: order is checked per ``Expected.order_group`` only (see there).
        max_clock_offset: the largest device clock offset (seconds) the checker may estimate from
            the traffic and apply to :class:`~harness.spec.matchers.DeviceTime` timestamps; a larger
            estimate is reported but not applied, so a real timestamp bug is not explained away.
        header_rules: the platform's header rules with what this run configured; the checker holds
            every request's headers to them (None: headers are judged only where an expectation
            names them).
        request_rules: rules the runner holds every captured request of the run to, after the
            checker (a pinned profile: a field that appears, disappears, changes type or was never
            reviewed is a violation of the run); None: none.
        cut_windows: host-time spans ``(start, end)`` in which the app was killed (a kill, a
            relaunch, a reinstall) while a request may have been on the wire. A request the collector
            saw cut short there (``client disconnected before …``) is the kill's doing, not the SDK's:
            it is noted, not judged (neither malformed nor unexpected). What the cut request carried
            is the profile's to allow for (it may be re-sent after the next launch, or never).
    """

    requests: list[Expected] = field(default_factory=list)
    quiet: list[QuietWindow] = field(default_factory=list)
    ordered: bool = False
    notes: list[str] = field(default_factory=list)
    order_rules: tuple[str, ...] = ()
    max_clock_offset: float = 5.0
    grouped_order: bool = False
    header_rules: HeaderCheck | None = None
    request_rules: RequestCheck | None = None
    cut_windows: list[tuple[float, float]] = field(default_factory=list)
