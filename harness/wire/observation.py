"""A normalized observation: what one captured tracking request says, vendor-neutral.

The checker never looks at raw HTTP; it compares observations with expectations. Normalization is
what lets one expectation judge real devices: numbers are numbers whatever their spelling
(``5.0``, ``1.712345678123E9``), absent keys are told apart from null values (``ABSENT``), and the
request's problems (malformed JSON, not UTF-8) travel along so they are reported, not dropped.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ABSENT", "Observation", "epoch_seconds"]


class _Absent:
    """The key is not in the payload at all (as opposed to present with a null value)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<absent>"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Observation:
    """One tracking request, normalized.

    Attributes:
        request_id: the capture store id (links verdicts back to the raw request).
        route: ``events`` | ``customers`` | ``campaign_clicks`` | ``batch`` (tracking), ``unknown``
            (a ``/track/`` path no SDK uses: reported malformed) or ``other`` (not tracking).
        project_token: the token in the path; ``stream:<id>`` on a stream route; None otherwise.
        authorization: the Authorization header, or None when the header is absent.
        event_type, timestamp, customer_ids, properties, url: body fields, or ``ABSENT``.
        body: the whole parsed body (None if it did not parse).
        received_at: host time of arrival.
        problems: what the collector or the adapter found wrong with the request.
        stream_id: the ``stream_id`` query parameter of an iOS stream-mode route, else None.
        endpoint: ``tracking``, or the name of a non-tracking call (``in_app_messages``,
            ``content_block_bundle``, ``app_inbox``... or ``unknown``); those are marked, not judged.
        response_status: what the collector answered, where known (retries follow from it).
        index: the event's place inside its request when one request carries several events (a
            batch: one observation per event, 0-based); None when the observation is the whole request.
        event_id: the id the SDK gave the event (a batch event's ``messageId``), None if it has none. A
            re-sent batch repeats its events' ids: an event whose id an earlier observation carried is a
            copy (a retry), not a new event (:attr:`copy_of`).
        copy_of: the :attr:`key` of the first observation with the same ``event_id`` (set by the
            decoding pass over a whole capture, ``harness.wire.decode.observe_all``), else None.
    """

    request_id: int
    route: str
    method: str
    path: str
    project_token: str | None
    authorization: str | None
    headers: Mapping[str, str]
    body: Any
    event_type: Any = ABSENT
    timestamp: Any = ABSENT
    customer_ids: Any = ABSENT
    properties: Any = ABSENT
    url: Any = ABSENT
    received_at: float = 0.0
    device: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)
    stream_id: str | None = None
    endpoint: str = "tracking"
    response_status: int | None = None
    index: int | None = None
    event_id: str | None = None
    copy_of: int | None = None

    @classmethod
    def fast(
        cls,
        request_id: int,
        route: str,
        method: str,
        path: str,
        project_token: str | None,
        authorization: str | None,
        headers: Mapping[str, str],
        body: Any,
        event_type: Any,
        timestamp: Any,
        customer_ids: Any,
        properties: Any,
        url: Any,
        received_at: float,
        device: str,
        problems: tuple[str, ...],
        stream_id: str | None,
        endpoint: str,
        response_status: int | None,
        index: int | None = None,
        event_id: str | None = None,
        copy_of: int | None = None,
    ) -> Observation:
        """The same object as the constructor with every field given, built without the per-field
        ``object.__setattr__`` calls a frozen dataclass makes (the wire adapter builds 100,000s)."""
        obs = object.__new__(cls)
        object.__setattr__(
            obs,
            "__dict__",
            {
                "request_id": request_id,
                "route": route,
                "method": method,
                "path": path,
                "project_token": project_token,
                "authorization": authorization,
                "headers": headers,
                "body": body,
                "event_type": event_type,
                "timestamp": timestamp,
                "customer_ids": customer_ids,
                "properties": properties,
                "url": url,
                "received_at": received_at,
                "device": device,
                "problems": problems,
                "stream_id": stream_id,
                "endpoint": endpoint,
                "response_status": response_status,
                "index": index,
                "event_id": event_id,
                "copy_of": copy_of,
            },
        )
        return obs

    @property
    def tracking(self) -> bool:
        """True for the tracking routes (and unknown ``/track/`` paths), the requests a checker judges."""
        return self.route != "other"

    @property
    def key(self) -> int:
        """Unique per observation of a capture: the request id for a whole request, a negative number
        made of the request id and the index for an event inside a batch (never a request id)."""
        if self.index is None:
            return self.request_id
        return -((self.request_id << 20) | self.index) - 1

    def where(self) -> str:
        """``#12``, or ``#12 event 3`` for an event inside a batch."""
        return f"#{self.request_id}" if self.index is None else f"#{self.request_id} event {self.index}"

    @property
    def target(self) -> str:
        """The project token, or ``stream:<id>`` for a stream route."""
        return self.project_token if self.project_token is not None else ""

    def label(self) -> str:
        """A short human name: ``#12 events "purchase"``."""
        what = self.event_type if isinstance(self.event_type, str) else self.route
        copy = " (copy)" if self.copy_of is not None else ""
        head = self.where()
        return f"{head} {self.route} {what!r}{copy}" if what != self.route else f"{head} {self.route}{copy}"


def epoch_seconds(value: Any) -> float:
    """A timestamp as epoch seconds: a number as it is, an ISO-8601 string (``2024-04-05T10:00:00.5Z``)
    converted (a decoder of an SDK that sends ISO timestamps normalizes them with this); ``ValueError``
    for anything else, which the decoder reports as the request's problem."""
    if isinstance(value, bool):
        raise ValueError(f"timestamp {value!r} is neither a number nor an ISO-8601 string")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"timestamp {value!r} is not ISO-8601") from exc
        if parsed.tzinfo is None:
            raise ValueError(f"timestamp {value!r} has no time zone")
        return parsed.timestamp()
    raise ValueError(f"timestamp {value!r} is neither a number nor an ISO-8601 string")
