"""``harness check``: judge captured requests against a profile's payload schemas, no scenario needed.

Each tracking request is checked against the JSON Schema of its route (the body) and, for events,
against the schema of its event type (the properties; ``custom_event`` for types the SDK does not
define). The schemas live in ``schemas/<profile>.json``. Every finding is a :class:`Violation` that
names the request and the JSON path of the field (``$.properties.valid``); a missing key is named by
its own path, an extra key by its own path, a millisecond timestamp is called one. Profiles can use
:func:`schema_violations` on single observations too.

Headers are checked on every SDK request, tracking or not (in-app message fetches, bundles...),
against the platform's allowed forms (the SDK plug-in's header rules): with no scenario there is no
configuration, so ``Authorization: Basic ...`` fails but any ``Token ...`` passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from harness.capture.record import CapturedRequest
from harness.errors import SpecError
from harness.sdk.registry import get_sdk
from harness.spec.expectation import HeaderCheck
from harness.spec.profiles import resolve_profile
from harness.spec.verdict import Violation
from harness.wire.decode import decoder_for, owner_of
from harness.wire.observation import Observation

__all__ = ["PayloadSchemas", "lint", "lint_file", "lint_observations", "load_schemas", "schema_violations"]

_MILLIS = 1e11  # a seconds timestamp below this is before the year 5000; milliseconds are ~1.7e12


def load_schemas(profile: str) -> dict[str, Any]:
    """The payload schemas of a profile (``<sdk>-<platform>``, or the platform alone for the default SDK)."""
    try:
        sdk_name, platform = resolve_profile(profile)
    except SpecError as exc:
        raise SpecError(f"no payload schemas for profile {profile!r}") from exc
    where = get_sdk(sdk_name).schemas.get(platform)
    if where is None:
        raise SpecError(f"no payload schemas for profile {profile!r}")
    package, _, file = where.partition(":")
    try:
        text = resources.files(package).joinpath(file).read_text()
    except FileNotFoundError as exc:
        raise SpecError(f"no payload schemas for profile {profile!r}") from exc
    return dict(json.loads(text))


def header_rules_for(profile: str) -> HeaderCheck | None:
    """The forms-only header rules of a profile (None: its SDK has none), for ``harness check``."""
    sdk_name, platform = resolve_profile(profile)
    sdk = get_sdk(sdk_name)
    if sdk.headers is None:
        return None
    rules: HeaderCheck = sdk.load(sdk.headers)(platform)
    return rules


def _path(parts: Iterable[Any], prefix: str = "$") -> str:
    out = prefix
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


class PayloadSchemas:
    """The compiled schemas of one profile."""

    def __init__(self, profile: str) -> None:
        root = load_schemas(profile)
        self.profile = profile
        defs = root.get("$defs", {})

        def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
            return jsonschema.Draft202012Validator({**schema, "$defs": defs})

        self.routes = {k: validator(v) for k, v in root["routes"].items()}
        self.events = {k: validator(v) for k, v in root.get("events", {}).items()}
        self.custom = validator(root["custom_event"]) if "custom_event" in root else None

    def violations(self, obs: Observation) -> list[Violation]:
        """What is wrong with one observation's request (nothing for non-tracking requests)."""
        if obs.route == "other":
            return []
        out = [
            Violation("malformed", p, path="$" if "JSON" in p else "", request_id=obs.request_id, index=obs.index)
            for p in obs.problems
        ]
        body = obs.body
        if obs.route not in self.routes:
            if obs.route != "unknown":
                out.append(
                    Violation("malformed", f"route {obs.route!r} is not used by this SDK", request_id=obs.request_id)
                )
            return out
        if not isinstance(body, dict):
            return out
        out += self._errors(self.routes[obs.route], body, "$", obs)
        props = body.get("properties")
        if obs.route == "events" and isinstance(props, dict):
            et = body.get("event_type")
            schema = self.events.get(et) if isinstance(et, str) else None
            schema = schema or self.custom
            if schema is not None:
                out += self._errors(schema, props, "$.properties", obs)
        return out

    def _errors(
        self, validator: jsonschema.Draft202012Validator, instance: Any, prefix: str, obs: Observation
    ) -> list[Violation]:
        out: list[Violation] = []
        seen: set[tuple[str, str, str]] = set()
        what = f"{obs.event_type!r} " if isinstance(obs.event_type, str) else ""
        for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
            # jsonschema reports ``required`` once per missing key, and _explain names every missing
            # key of the rule: each finding is kept once
            for found in _explain(err, prefix):
                if found in seen:
                    continue
                seen.add(found)
                path, kind, message = found
                out.append(
                    Violation(
                        kind, f"{obs.route} {what}{message}", path=path, request_id=obs.request_id, index=obs.index
                    )
                )
        return out


def _explain(err: ValidationError, prefix: str) -> list[tuple[str, str, str]]:
    """``(json_path, kind, message)`` for one schema error, naming the field itself."""
    where = _path(err.absolute_path, prefix)
    inst: Any = err.instance
    rule: Any = err.validator_value
    if err.validator == "required" and isinstance(inst, dict) and isinstance(rule, list):
        missing = [k for k in rule if k not in inst]
        return [(f"{where}.{k}", "mismatch", "required key is absent") for k in missing]
    if err.validator == "additionalProperties" and isinstance(inst, dict):
        known = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        extra = [k for k in inst if k not in known]
        return [
            (f"{where}.{k}", "mismatch", f"key not sent by this SDK (value {json.dumps(inst[k])[:60]})") for k in extra
        ]
    if err.validator == "type":
        return [(where, "type", f"expected {rule}, got {_json_type(inst)} {json.dumps(inst)[:60]}")]
    if err.validator == "maximum" and where.endswith(".timestamp") and isinstance(inst, int | float) and inst > _MILLIS:
        return [(where, "mismatch", f"{inst!r} looks like milliseconds; the SDKs send seconds")]
    if err.validator in ("propertyNames", "not") and isinstance(inst, str) and "propertyNames" in err.schema_path:
        return [(f"{where}.{inst}", "mismatch", "key is always stripped by this SDK")]
    return [(where, "mismatch", err.message)]


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object" if isinstance(v, dict) else "array" if isinstance(v, list) else type(v).__name__


@cache
def _schemas(profile: str) -> PayloadSchemas:
    return PayloadSchemas(profile)


def schema_violations(profile: str, obs: Observation) -> list[Violation]:
    """The schema violations of one observation (schemas compiled once per profile)."""
    return _schemas(profile).violations(obs)


def lint_observations(profile: str, observations: Iterable[Observation]) -> tuple[list[Violation], int]:
    """Violations of every SDK request (bodies of tracking requests, headers of all), and how many
    requests were checked (requests that are not SDK calls, such as telemetry, are not counted)."""
    schemas = _schemas(profile)
    headers = header_rules_for(profile)
    out: list[Violation] = []
    total = 0
    for obs in observations:
        if obs.route == "other" and obs.endpoint in ("unknown", "telemetry", "version_check"):
            continue
        total += 1
        out += schemas.violations(obs)
        if headers is not None:
            out += headers.violations(obs)
    return out, total


def lint(profile: str, requests: Iterable[CapturedRequest]) -> tuple[list[str], int]:
    """Problems as terminal lines (kind, request, JSON path, message), and the number checked."""
    observations = []
    for n, req in enumerate(requests, 1):
        for obs in decoder_for(owner_of(req))(req):  # every event of a batch, not only the first
            observations.append(obs if req.id else Observation(**{**obs.__dict__, "request_id": n}))
    violations, total = lint_observations(profile, observations)
    return [v.line() for v in violations], total


def lint_file(profile: str, path: str | Path) -> tuple[list[str], int]:
    requests = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            requests.append(CapturedRequest.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise SpecError(f"{path}:{i}: not a captured request ({exc})") from exc
    return lint(profile, requests)
