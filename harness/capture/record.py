"""One captured HTTP request, as stored and as exported.

The JSON form (``as_json``) is the design's capture contract, read back by ``harness check`` and
written by ``harness collector export --format jsonl``: ``method``, ``path`` (with query string),
``headers`` (lower-case names), ``body`` (text after content decoding), ``received_at``, ``device``,
``response`` (``{"status": int}``, with ``rule`` when an answer rule decided the answer, ``headers``
and ``body`` when they are not the route's usual ones (forward mode, answer rules, answers that depend on
the request such as the batch route's, error answers), and ``answered_at`` when the answer was ready later
than ``received_at`` could tell (an answer rule's delay, an upstream's answer)), plus ``id``, ``kind`` and
``problems``, and ``origin: "app"`` for a request the in-app capture saw (the app's view: the answer's
status only). A request that was never answered (an answer rule reset the connection or hung) has
``"status": null``; ``rule`` then says which.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CapturedRequest", "RequestKind"]


class RequestKind:
    """How the collector classified a request's route (plain strings, stored as such)."""

    TRACKING = "tracking"  # /track/v2/... and the public Tracking API
    API = "api"  # known non-tracking SDK calls (in-app messages, bundles, inbox, ...)
    UNKNOWN = "unknown"  # answered 404


@dataclass(frozen=True)
class CapturedRequest:
    """A request the SDK sent, with everything needed to judge it later."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: str
    received_at: float
    device: str = ""
    kind: str = RequestKind.UNKNOWN
    problems: tuple[str, ...] = ()
    response_status: int | None = None
    run: str = ""
    id: int = 0
    raw_body: bytes = field(default=b"", repr=False, compare=False)
    rule: str = ""  # the answer rule that decided the answer ("" when the route's usual answer was sent)
    response_headers: Mapping[str, str] | None = None  # only when not the usual ones (forward mode)
    response_body: str | None = None  # only when not the route's usual body (rules, forward mode, batch, ...)
    answered_at: float | None = None  # when the answer was ready (None: on receipt, the fast path's case)
    origin: str = ""  # who captured it: "" the collector (it answered), "app" the in-app capture (status only)

    def json_body(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` if it is not JSON."""
        return json.loads(self.body)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "headers": dict(self.headers),
            "body": self.body,
            "received_at": self.received_at,
            "device": self.device,
            "kind": self.kind,
            "problems": list(self.problems),
        }
        if self.response_status is not None or self.rule:
            response: dict[str, Any] = {"status": self.response_status}
            if self.rule:
                response["rule"] = self.rule
            if self.response_headers is not None:
                response["headers"] = dict(self.response_headers)
            if self.response_body is not None:
                response["body"] = self.response_body
            if self.answered_at is not None:
                response["answered_at"] = self.answered_at
            out["response"] = response
        if self.run:
            out["run"] = self.run
        if self.origin:
            out["origin"] = self.origin
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> CapturedRequest:
        """Read the capture contract back; missing optional keys get neutral values."""
        response = obj.get("response") or {}
        headers = {str(k).lower(): str(v) for k, v in (obj.get("headers") or {}).items()}
        return cls(
            method=str(obj["method"]),
            path=str(obj["path"]),
            headers=headers,
            body=str(obj.get("body") or ""),
            received_at=float(obj.get("received_at") or 0.0),
            device=str(obj.get("device") or ""),
            kind=str(obj.get("kind") or RequestKind.UNKNOWN),
            problems=tuple(obj.get("problems") or ()),
            response_status=response.get("status") if isinstance(response, Mapping) else None,
            run=str(obj.get("run") or ""),
            id=int(obj.get("id") or 0),
            rule=str(response.get("rule") or "") if isinstance(response, Mapping) else "",
            response_headers=response.get("headers") if isinstance(response, Mapping) else None,
            response_body=response.get("body") if isinstance(response, Mapping) else None,
            answered_at=_float_or_none(response.get("answered_at")) if isinstance(response, Mapping) else None,
            origin=str(obj.get("origin") or ""),
        )


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
