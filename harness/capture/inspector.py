"""The inspector's model: captured requests decoded into events and judged, as the page and REST API show them.

Why one model for three outputs: the live page (``/_harness/ui``), the REST API (``/_harness/inspector/...``)
and the terminal lines of ``harness collector serve`` must give the verdict ``harness check`` gives. So a
request is judged by :func:`harness.spec.lint.lint` itself (through its public function, so whatever it
checks, the inspector shows), on the request as stored, and nothing here second-guesses it.

A request becomes a *request entry* (method, path, device, run, headers with secrets masked, body, the
answer, the violations) holding its *events*: one for a single-event route, one per command of a batch
(``{"commands": [{"name": "customers/events", "data": {...}}]}``), one for a non-tracking call (which is
not judged: the verdict ``unchecked``). An event's verdict is ``good`` or ``bad``; in a batch, a violation
whose JSON path lies under one command counts against that command only.

Sources: the collector's store, and any other store in the same format (the in-app capture), each named;
entries are keyed ``source:id`` so their ids never collide. ``reset`` hides what is stored so far from the
inspector (the store keeps it: captures are evidence), as Snowplow Micro's ``/micro/reset`` starts over.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from harness.capture.export import mask
from harness.capture.record import CapturedRequest
from harness.capture.routing import match_route
from harness.capture.store import Store
from harness.sdk.registry import all_sdks
from harness.spec.lint import lint
from harness.spec.verdict import Violation
from harness.wire.decode import observe
from harness.wire.observation import ABSENT, Observation

__all__ = ["FILTERS", "SECRET_HEADERS", "Inspector", "InspectorFilter", "masked_headers"]

SECRET_HEADERS = frozenset(("authorization", "proxy-authorization", "cookie", "x-api-key"))
FILTERS = ("source", "device", "run", "route", "type", "verdict")
VERDICTS = ("good", "bad", "unchecked")
_CACHE_LIMIT = 100_000  # judged requests kept; older ones are judged again when asked for
# Violation.line(): "<kind padded> request #N $.path: message"; request and path are optional
_LINE = re.compile(r"^(?P<kind>\S+)\s+(?:request #\d+\s*)?(?P<path>\$\S*)?\s*:\s(?P<message>.*)$", re.S)
_COMMAND = re.compile(r"^\$\.commands\[(\d+)\]")


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with secret values masked (scheme kept: ``Token ****``), as exports mask them."""
    return {k: mask(v) if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


@dataclass(frozen=True)
class InspectorFilter:
    """What the page's filters and the REST API's query parameters select (empty: any)."""

    source: str = ""
    device: str = ""
    run: str = ""
    route: str = ""
    type: str = ""
    verdict: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> InspectorFilter:
        verdict = params.get("verdict", "")
        if verdict and verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        return cls(**{name: params.get(name, "") for name in FILTERS})

    def takes(self, event: Mapping[str, Any]) -> bool:
        return all(not want or event.get(name) == want for name, want in self.__dict__.items())


def _violation(line: str) -> dict[str, str]:
    m = _LINE.match(line)
    if m is None:
        return {"kind": "", "path": "", "message": line, "line": line}
    return {"kind": m["kind"], "path": m["path"] or "", "message": m["message"], "line": line}


def _events(obs: Observation) -> list[dict[str, Any]]:
    """The events one request carries (batches split), without verdicts."""

    def event(route: str, fields: Any) -> dict[str, Any]:
        get = fields.get if isinstance(fields, dict) else (lambda _k, d=None: d)
        et = get("event_type", ABSENT)
        out: dict[str, Any] = {"route": route, "type": et if route == "events" and isinstance(et, str) else route}
        for name in ("event_type", "timestamp", "customer_ids", "properties"):
            value = get(name, ABSENT)
            if value is not ABSENT:
                out[name] = value
        return out

    if obs.route == "other":
        return [{"route": obs.endpoint, "type": obs.endpoint}]
    commands = obs.body.get("commands") if obs.route == "batch" and isinstance(obs.body, dict) else None
    if isinstance(commands, list) and commands:
        out = []
        for cmd in commands:
            name = cmd.get("name") if isinstance(cmd, dict) else None
            name = name.removeprefix("crm/") if isinstance(name, str) else ""
            route = _command_route(name)
            out.append(event(route, cmd.get("data") if isinstance(cmd, dict) else None))
        return out
    return [event(obs.route, obs.body)]


def _command_route(name: str) -> str:
    """The route of a batch command (the SDKs' ``commands`` tables), or the name itself."""
    if name == "batch":
        return "batch"
    for sdk in all_sdks():
        if name in sdk.commands:
            return sdk.commands[name]
    return name or "unknown"


class Inspector:
    """Judges stored requests for the inspector (thread-safe; the judging runs on worker threads).

    Args:
        profile: the profile whose payload schemas judge tracking requests (``harness check --profile``);
            ``None``: only what the collector and the wire adapter found wrong is reported, and a
            readable tracking request is ``unchecked``, never called good.
    """

    def __init__(self, profile: str | None = None) -> None:
        if profile is not None:
            from harness.spec.lint import load_schemas

            load_schemas(profile)  # an unknown profile fails here, with the profile's name
        self.profile = profile
        self.sources: dict[str, Store] = {}
        self._reset_marks: dict[str, int] = {}
        self._cache: dict[tuple[str, int], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def add_source(self, name: str, store: Store) -> None:
        """Show the requests of ``store`` under ``name`` (``collector``, ``in-app``)."""
        self.sources[name] = store
        self._reset_marks.setdefault(name, 0)

    # -- judging -----------------------------------------------------------------------------

    def entry(self, source: str, request: CapturedRequest) -> dict[str, Any]:
        """The request entry of one stored request (cached: a stored request never changes)."""
        key = (source, request.id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        entry = self._judge(source, request)
        with self._lock:
            if len(self._cache) >= _CACHE_LIMIT:
                for old in list(self._cache)[: _CACHE_LIMIT // 10]:
                    del self._cache[old]
            self._cache[key] = entry
        return entry

    def _judge(self, source: str, req: CapturedRequest) -> dict[str, Any]:
        obs = observe(req)
        tracking = obs.route != "other"
        if not tracking:
            lines: list[str] = []
        elif self.profile is not None:
            lines, _ = lint(self.profile, [req])
        else:  # no profile: what lint reports for any profile before the schemas (the request's problems)
            lines = [Violation("malformed", p, request_id=req.id).line() for p in obs.problems]
        violations = [_violation(line) for line in lines]
        events = _events(obs)
        judged = tracking and (self.profile is not None or bool(violations))
        for index, event in enumerate(events):
            own = []
            for v in violations:
                m = _COMMAND.match(v["path"]) if len(events) > 1 else None
                if m is None or int(m[1]) == index:
                    own.append(v)
            event["violations"] = own
            event["verdict"] = ("bad" if own else "good") if judged else "unchecked"
        api_path = urlsplit(req.path).path
        response: dict[str, Any] = {"status": req.response_status}
        if req.rule:
            response["rule"] = req.rule
        if req.response_headers is not None:
            response["headers"] = masked_headers(req.response_headers)
        if req.response_body is not None:
            response["body"] = req.response_body
        elif req.response_status is not None:
            response["body"] = match_route(req.method, api_path).body.decode("utf-8", "replace")
        return {
            "key": f"{source}:{req.id}",
            "source": source,
            "id": req.id,
            "received_at": req.received_at,
            "device": req.device,
            "run": req.run,
            "method": req.method,
            "path": req.path,
            "route": obs.route if tracking else obs.endpoint,
            "headers": masked_headers(req.headers),
            "body": req.body,
            "problems": list(req.problems),
            "response": response,
            "verdict": ("bad" if violations else "good") if judged else "unchecked",
            "violations": violations,
            "events": events,
        }

    def entries_of(self, source: str, requests: Iterable[CapturedRequest]) -> list[dict[str, Any]]:
        return [self.entry(source, r) for r in requests]

    # -- reading -----------------------------------------------------------------------------

    def requests(self, flt: InspectorFilter | None = None, newest: int | None = None) -> list[dict[str, Any]]:
        """Request entries since the last reset (only the ``newest`` of each source, if given), oldest first,
        of every source, keeping those with at least one event the filter takes."""
        flt = flt or InspectorFilter()
        out: list[dict[str, Any]] = []
        for name, store in self.sources.items():
            if flt.source and flt.source != name:
                continue
            since = self._reset_marks[name]
            if newest is not None:  # ids are consecutive (the store never deletes a row)
                since = max(since, store.last_id - newest)
            out += [e for e in self.entries_of(name, store.query(after_id=since)) if _takes(flt, e)]
        out.sort(key=lambda e: e["received_at"])
        return out

    def events(self, flt: InspectorFilter | None = None) -> list[dict[str, Any]]:
        """Events (flattened: each with its request's key, id, source, device, run, method, path, status)
        that the filter takes, oldest first."""
        flt = flt or InspectorFilter()
        return [event for entry in self.requests(flt) for event in flatten(entry) if flt.takes(event)]

    def counts(self, flt: InspectorFilter | None = None) -> dict[str, int]:
        """``{"total", "good", "bad", "unchecked", "requests"}`` (Snowplow Micro's ``/micro/all``, plus two)."""
        flt = flt or InspectorFilter()
        out = dict.fromkeys(("total", *VERDICTS), 0)
        requests = self.requests(flt)
        for entry in requests:
            for event in flatten(entry):
                if flt.takes(event):
                    out["total"] += 1
                    out[event["verdict"]] += 1
        out["requests"] = len(requests)
        return out

    def captured(self, flt: InspectorFilter | None = None) -> list[CapturedRequest]:
        """The stored requests the filter shows (for HAR export)."""
        keys = {(e["source"], e["id"]) for e in self.requests(flt)}
        out = []
        for name, store in self.sources.items():
            out += [r for r in store.query(after_id=self._reset_marks[name]) if (name, r.id) in keys]
        return sorted(out, key=lambda r: r.received_at)

    def reset(self) -> dict[str, int]:
        """Hide every request stored so far; returns each source's mark (its last id)."""
        for name, store in self.sources.items():
            self._reset_marks[name] = store.last_id
        return dict(self._reset_marks)

    @property
    def reset_marks(self) -> dict[str, int]:
        return dict(self._reset_marks)

    def options(self) -> dict[str, Sequence[str]]:
        """The values each filter can take now (the page's drop-downs start from these)."""
        seen: dict[str, set[str]] = {name: set() for name in FILTERS}
        for entry in self.requests():
            for event in flatten(entry):
                for name in FILTERS:
                    seen[name].add(str(event.get(name, "")))
        seen["source"] |= set(self.sources)
        seen["verdict"] |= set(VERDICTS)
        return {name: sorted(values) for name, values in seen.items()}


def flatten(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events of a request entry, each with the request's fields the filters and lists need."""
    shared = {
        "request": entry["key"],
        "source": entry["source"],
        "id": entry["id"],
        "received_at": entry["received_at"],
        "device": entry["device"],
        "run": entry["run"],
        "method": entry["method"],
        "path": entry["path"],
        "status": entry["response"]["status"],
    }
    return [{**shared, "key": f"{entry['key']}:{i}", "index": i, **event} for i, event in enumerate(entry["events"])]


def _takes(flt: InspectorFilter, entry: Mapping[str, Any]) -> bool:
    return any(flt.takes(event) for event in flatten(entry))
