"""A pinned profile (``harness learn`` wrote it, a person reviewed it): load it and check captures against it.

What is reported, as :class:`~harness.spec.verdict.Violation` lines:

- ``mismatch``: a field that appeared (not in the pinned schema: ``additionalProperties: false``) or
  disappeared (every pinned capture had it: ``required``);
- ``type``: a field whose JSON type changed;
- ``unexpected``: an endpoint or an event name the profile does not know;
- ``unreviewed``: a field of a checked payload that no person confirmed (``"confirmed": false`` in
  ``pin.json``), once per schema and field, and each identity or call proposal not confirmed. A learned but
  unreviewed profile never checks clean: what nobody looked at is not silently accepted.

Values are not compared: a pinned profile says what shape the SDK sends. What the values must be
(the UID stays, the CID follows identify) is the identity rules' business.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from harness.capture.record import CapturedRequest
from harness.errors import SpecError
from harness.spec.verdict import Violation
from harness.wire.payload import decode_payload, endpoint_of, event_name, units_of

__all__ = ["PinnedProfile", "PinnedSchema", "load_pinned"]

FORMAT = 1


@dataclass(frozen=True)
class PinnedSchema:
    """One endpoint's or event's schema and its fields' review state."""

    kind: str  # "endpoint" | "event"
    name: str
    validator: jsonschema.Draft202012Validator
    fields: Mapping[str, Mapping[str, Any]]

    def unreviewed(self) -> list[str]:
        return [p for p, f in self.fields.items() if not f.get("confirmed")]


@dataclass(frozen=True)
class PinnedProfile:
    """The content of a pinned folder."""

    root: Path
    pin: Mapping[str, Any]
    endpoints: Mapping[str, PinnedSchema]
    events: Mapping[str, PinnedSchema]

    @property
    def event_paths(self) -> list[str]:
        paths = self.pin.get("identity", {}).get("event") or []
        return [str(p) for p in paths]

    def unconfirmed_identity(self) -> list[str]:
        review = self.pin.get("identity_review") or {}
        return [k for k in ("uid", "cid", "event") if not (review.get(k) or {}).get("confirmed")]

    def unconfirmed_calls(self) -> list[str]:
        """Calls whose proposed event name (``calls``) no person confirmed (``calls_review``)."""
        review = self.pin.get("calls_review") or {}
        return [c for c in self.pin.get("calls") or {} if not (review.get(c) or {}).get("confirmed")]

    def violations(self, requests: Sequence[CapturedRequest]) -> list[Violation]:
        """The violations of one run's requests, unconfirmed identity proposals included: the profile
        a plug-in hands the runner as ``Expectations.request_rules``, so each run is held to the pin."""
        return self.check(requests)[0]

    def check(
        self,
        requests: Iterable[CapturedRequest],
        *,
        reported: set[tuple[str, str, str]] | None = None,
        identity: bool = True,
    ) -> tuple[list[Violation], int]:
        """Violations of every request, and how many requests were checked. An unreviewed field is
        reported once: pass the same ``reported`` set to checks of several captures to keep it so, and
        ``identity=False`` to leave out the unconfirmed identity proposals (reported once per check)."""
        out: list[Violation] = []
        seen: set[tuple[Any, ...]] = set()
        reported_unreviewed: set[tuple[str, str, str]] = set() if reported is None else reported
        total = 0
        for req in requests:
            total += 1
            rid = req.id or total
            endpoint = endpoint_of(req)
            out += [Violation("malformed", p, request_id=rid) for p in req.problems]
            envelope, units, split = units_of(decode_payload(req))
            pinned = self.endpoints.get(endpoint)
            if pinned is None:
                out.append(Violation("unexpected", f"endpoint {endpoint} is not in the pinned profile", request_id=rid))
                continue
            found = self._judge(pinned, envelope, rid, None, reported_unreviewed)
            for index, data in units:
                named = event_name(data, self.event_paths) if self.event_paths else None
                label = named or (f"{endpoint} item" if split else None)
                if label is None:
                    continue
                schema = self.events.get(label)
                if schema is None:
                    found.append(
                        Violation(
                            "unexpected",
                            f"event {label!r} is not in the pinned profile",
                            request_id=rid,
                            index=index,
                        )
                    )
                    continue
                found += self._judge(schema, data, rid, index, reported_unreviewed)
            for v in found:  # a non-batch event is also its endpoint's payload: each finding once
                key = (v.kind, v.request_id, v.index, v.path)
                if key not in seen:
                    seen.add(key)
                    out.append(v)
        for k in self.unconfirmed_identity() if identity else ():
            value = self.pin.get("identity", {}).get(k)
            out.append(Violation("unreviewed", f"identity {k} = {json.dumps(value)} is a proposal nobody confirmed"))
        for c in self.unconfirmed_calls() if identity else ():
            value = self.pin["calls"][c]
            out.append(Violation("unreviewed", f"call {c} sends {json.dumps(value)}: a proposal nobody confirmed"))
        return out, total

    def _judge(
        self,
        schema: PinnedSchema,
        data: Any,
        rid: int,
        index: int | None,
        reported: set[tuple[str, str, str]],
    ) -> list[Violation]:
        what = f"{schema.kind} {schema.name!r}"
        out = []
        for err in sorted(schema.validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            for path, kind, message in _explain(err):
                out.append(Violation(kind, f"{what}: {message}", path=path, request_id=rid, index=index))
        for path in _field_paths(data):
            field = schema.fields.get(path)
            if field is not None and not field.get("confirmed") and (schema.kind, schema.name, path) not in reported:
                reported.add((schema.kind, schema.name, path))
                out.append(
                    Violation(
                        "unreviewed",
                        f"{what}: field never reviewed (confirm it in pin.json or with harness learn --review)",
                        path=_json_path(path),
                        request_id=rid,
                        index=index,
                    )
                )
        return out


def _field_paths(data: Any, prefix: str = "") -> Iterable[str]:
    if isinstance(data, dict) and data:
        for k, v in data.items():
            yield from _field_paths(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list) and data:
        for v in data:
            yield from _field_paths(v, f"{prefix}[]")
    else:
        yield prefix or "$"


def _json_path(dotted: str) -> str:
    return "$" if dotted == "$" else f"$.{dotted}"


def _where(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _type_of(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _explain(err: ValidationError) -> list[tuple[str, str, str]]:
    """``(json_path, kind, message)`` for one schema error, naming the field itself."""
    where = _where(err.absolute_path)
    inst: Any = err.instance
    rule: Any = err.validator_value
    if err.validator == "required" and isinstance(inst, dict) and isinstance(rule, list):
        return [
            (f"{where}.{k}", "mismatch", "field disappeared (every pinned capture had it)")
            for k in rule
            if k not in inst
        ]
    if err.validator == "additionalProperties" and isinstance(inst, dict):
        known = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        return [
            (f"{where}.{k}", "mismatch", f"field appeared (not in the pinned schema; value {json.dumps(inst[k])[:60]})")
            for k in inst
            if k not in known
        ]
    if err.validator == "type":
        return [(where, "type", f"type changed: pinned {rule}, got {_type_of(inst)} {json.dumps(inst)[:60]}")]
    return [(where, "mismatch", err.message)]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SpecError(f"{path}: missing from the pinned profile") from exc
    except ValueError as exc:
        raise SpecError(f"{path}: not JSON ({exc})") from exc
    except OSError as exc:
        raise SpecError(f"{path}: {exc.strerror or exc}") from exc


def _schemas(root: Path, kind: str, listing: Any) -> dict[str, PinnedSchema]:
    if not isinstance(listing, dict):
        raise SpecError(f"{root / 'pin.json'}: '{kind}s' must be an object of name -> schema entry")
    out = {}
    for name, entry in listing.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("schema"), str):
            raise SpecError(f"{root / 'pin.json'}: {kind} {name!r} has no 'schema' file")
        schema = _read_json(root / entry["schema"])
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise SpecError(f"{root / entry['schema']}: not a JSON Schema ({exc.message})") from exc
        fields = entry.get("fields") or {}
        out[name] = PinnedSchema(kind, name, jsonschema.Draft202012Validator(schema), fields)
    return out


def load_pinned(folder: str | Path) -> PinnedProfile:
    """Read a pinned folder; raises :class:`SpecError` (one line) when it is not one."""
    root = Path(folder)
    if not root.is_dir():
        raise SpecError(f"{root}: {'not a folder' if root.exists() else 'no such folder'} (want a pinned profile)")
    pin = _read_json(root / "pin.json")
    if not isinstance(pin, dict) or pin.get("format") != FORMAT:
        raise SpecError(f"{root / 'pin.json'}: not a pinned profile of format {FORMAT}")
    return PinnedProfile(
        root,
        pin,
        _schemas(root, "endpoint", pin.get("endpoints", {})),
        _schemas(root, "event", pin.get("events", {})),
    )
