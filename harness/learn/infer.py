"""``harness learn``: infer a pinned profile from captures of an SDK whose wire format is not public.

From one or more recordings (so values that vary are seen to vary), the learner writes a folder a
person reviews and commits::

    DIR/pin.json                       format, sdk, identity mapping (proposal, evidence, confirmed flags),
                                       the event name each track-like call sends (``calls``, a proposal too),
                                       endpoints and events with their fields (each ``confirmed: false``),
                                       provenance (which inputs and installs)
    DIR/schemas/<name>.schema.json     JSON Schema (2020-12) per endpoint and per event name, inferred with
                                       genson; ``additionalProperties: false`` everywhere (a field that
                                       appears is seen), ``required`` = the keys every capture had (a
                                       field that disappears is seen), ``x-volatile`` on generated values
    DIR/examples/<name>.json           a golden example per schema, with its volatile values listed

Endpoints are ``METHOD /path/{id}`` (see :mod:`harness.wire.payload`); an endpoint's schema describes
its payload, or the envelope when the payload carries a list of events. Events are named by the
proposed event-name mapping. Integers and fractions are one type (``number``): a price of ``10`` and
one of ``9.99`` are the same field.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genson import SchemaBuilder

from harness.errors import HarnessError
from harness.learn.fields import leaves, volatile_kind
from harness.learn.proposal import propose, propose_calls
from harness.learn.sources import Session
from harness.wire.payload import decode_payload, endpoint_of, event_name, units_of

__all__ = ["PIN_FORMAT", "learn", "schema_file"]

PIN_FORMAT = 1
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass
class _Group:
    """Every captured instance of one endpoint or one event: ``(session index, data)``."""

    kind: str  # "endpoint" | "event"
    name: str
    instances: list[tuple[int, Any]] = field(default_factory=list)


def schema_file(kind: str, name: str) -> str:
    """The file stem of a schema: ``endpoint.POST-v1-b``, ``event.track-purchase``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "x"
    return f"{kind}.{slug}"


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _finish(schema: dict[str, Any], path: str, volatile: dict[str, str]) -> None:
    """Make genson's schema strict and marked: numbers are one type, objects are closed, volatile leaves
    carry ``x-volatile``."""
    t = schema.get("type")
    if t == "integer":
        schema["type"] = "number"
    elif isinstance(t, list):
        merged = list(dict.fromkeys("number" if x == "integer" else x for x in t))
        schema["type"] = merged[0] if len(merged) == 1 else merged
    for sub in schema.get("anyOf", []):
        _finish(sub, path, volatile)
    if "properties" in schema:
        schema["additionalProperties"] = False
        for key, sub in schema["properties"].items():
            _finish(sub, f"{path}.{key}" if path else key, volatile)
    items = schema.get("items")
    if isinstance(items, dict):
        _finish(items, f"{path}[]", volatile)
    if path in volatile:
        schema["x-volatile"] = volatile[path]


def _pairs(sessions: Sequence[Session]) -> list[tuple[int, int]]:
    """Indexes of two recordings of the same scenario from different inputs (a fresh install each)."""
    first: dict[str, int] = {}
    out = []
    for i, s in enumerate(sessions):
        if s.key in first and sessions[first[s.key]].source != s.source:
            out.append((first[s.key], i))
        first.setdefault(s.key, i)
    return out


def _describe(group: _Group, pairs: Sequence[tuple[int, int]]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """``(schema, fields, volatile)`` of one group."""
    values: dict[str, dict[int, list[Any]]] = {}
    types: dict[str, set[str]] = {}
    for session, data in group.instances:
        for path, value in leaves(data):
            values.setdefault(path, {}).setdefault(session, []).append(value)
            types.setdefault(path, set()).add(_json_type(value))
    volatile = {p: k for p, per in values.items() if (k := volatile_kind(per, pairs)) is not None}
    builder = SchemaBuilder(schema_uri=False)
    for _, data in group.instances:
        builder.add_object(data)
    schema: dict[str, Any] = builder.to_schema()
    _finish(schema, "", volatile)
    schema = {"$schema": SCHEMA_DIALECT, "title": f"{group.kind} {group.name}", **schema}
    fields = {
        path or "$": {
            "type": sorted(types[path]) if len(types[path]) > 1 else next(iter(types[path])),
            **({"volatile": volatile[path]} if path in volatile else {}),
            "confirmed": False,
        }
        for path in sorted(values)
    }
    return schema, fields, volatile


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def learn(
    sessions: Sequence[Session],
    out: str | Path,
    *,
    sdk: str | None = None,
    name: str | None = None,
    inputs: Sequence[str] = (),
    force: bool = False,
) -> dict[str, Any]:
    """Infer the pinned profile of ``sessions`` and write it to ``out``; returns ``pin.json``'s content."""
    root = Path(out)
    if root.exists() and any(root.iterdir()) and not force:
        raise HarnessError(f"{root}: folder is not empty (pass --force to replace the pinned profile there)")
    for sub in ("schemas", "examples"):  # a replaced profile keeps no schema of the old one
        shutil.rmtree(root / sub, ignore_errors=True)
    decoded = []  # (session, endpoint, envelope, units, split)
    events_for_identity: list[tuple[int, dict[str, Any]]] = []
    for s, session in enumerate(sessions):
        for req in session.requests:
            envelope, units, split = units_of(decode_payload(req))
            decoded.append((s, endpoint_of(req), envelope, units, split))
            events_for_identity += [(s, data) for _, data in units if isinstance(data, dict)]
    if not decoded:
        raise HarnessError("no captured requests in the inputs: nothing to learn")
    proposals = propose(events_for_identity, [list(x.calls) for x in sessions])
    event_paths = proposals["event"].value if isinstance(proposals["event"].value, list) else []
    groups: dict[tuple[str, str], _Group] = {}
    labels: list[Counter[str]] = [Counter() for _ in sessions]
    for s, endpoint, envelope, units, split in decoded:
        groups.setdefault(("endpoint", endpoint), _Group("endpoint", endpoint)).instances.append((s, envelope))
        for _, data in units:
            named = event_name(data, event_paths) if event_paths else None
            label = named or (f"{endpoint} item" if split else None)
            if label is not None:
                groups.setdefault(("event", label), _Group("event", label)).instances.append((s, data))
            if named:
                labels[s][named] += 1
    call_events = propose_calls(labels, [list(x.calls) for x in sessions]) if event_paths else {}
    pairs = _pairs(sessions)
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "examples").mkdir(parents=True, exist_ok=True)
    listing: dict[str, dict[str, Any]] = {"endpoint": {}, "event": {}}
    for (kind, label), group in sorted(groups.items()):
        schema, fields, volatile = _describe(group, pairs)
        stem = schema_file(kind, label)
        _dump(root / "schemas" / f"{stem}.schema.json", schema)
        first_session, example = group.instances[0]
        _dump(
            root / "examples" / f"{stem}.json",
            {
                kind: label,
                "source": f"{sessions[first_session].source} {sessions[first_session].key}",
                "volatile": {p: k for p, k in sorted(volatile.items())},
                "example": example,
            },
        )
        listing[kind][label] = {
            "schema": f"schemas/{stem}.schema.json",
            "example": f"examples/{stem}.json",
            "count": len(group.instances),
            "fields": fields,
        }
    identity = {
        "uid": proposals["uid"].value,
        "cid": proposals["cid"].value,
        "event": proposals["event"].value or [],
    }
    pin = {
        "format": PIN_FORMAT,
        "sdk": sdk,
        "name": name or root.name,
        "identity": identity,
        "identity_review": {k: p.as_json() for k, p in proposals.items()},
        "calls": {k: p.value for k, p in call_events.items()},
        "calls_review": {k: p.as_json() for k, p in call_events.items()},
        "endpoints": listing["endpoint"],
        "events": listing["event"],
        "provenance": {
            "inputs": list(inputs),
            "installs": [f"{x.source} {x.key}" for x in sessions],
            "requests": len(decoded),
            "compared_recordings": len(pairs),
            "learned_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    _dump(root / "pin.json", pin)
    return pin
