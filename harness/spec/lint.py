"""``harness check``: judge captured requests against a profile's payload schemas, no scenario needed.

Each tracking request is checked against the JSON Schema of its route (the body) and, for events,
against the schema of its event type (the properties). Every violation names the request and the
JSON path of the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from harness.capture.record import CapturedRequest
from harness.errors import SpecError
from harness.wire.exponea import observe

__all__ = ["lint", "lint_file", "load_schemas"]


def load_schemas(profile: str) -> dict[str, Any]:
    try:
        text = resources.files("harness.spec").joinpath(f"schemas/{profile}.json").read_text()
    except FileNotFoundError as exc:
        raise SpecError(f"no payload schemas for profile {profile!r}") from exc
    return dict(json.loads(text))


def _validator(root: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**schema, "$defs": root.get("$defs", {})})


def lint(profile: str, requests: Iterable[CapturedRequest]) -> tuple[list[str], int]:
    """Problems as lines ``#id path: message``, and the number of tracking requests checked."""
    root = load_schemas(profile)
    routes = {k: _validator(root, v) for k, v in root["routes"].items()}
    events = {k: _validator(root, v) for k, v in root["events"].items()}
    problems: list[str] = []
    total = 0
    for n, req in enumerate(requests, 1):
        obs = observe(req)
        if obs.route == "other":
            continue
        total += 1
        rid = req.id or n
        for p in obs.problems:
            problems.append(f"#{rid} {req.path}: {p}")
        if obs.route not in routes or not isinstance(obs.body, dict):
            continue
        for err in routes[obs.route].iter_errors(obs.body):
            problems.append(f"#{rid} $.{'.'.join(map(str, err.absolute_path))}: {err.message}")
        if obs.route == "events" and isinstance(obs.event_type, str) and obs.event_type in events:
            props = obs.body.get("properties")
            if isinstance(props, dict):
                for err in events[obs.event_type].iter_errors(props):
                    path = ".".join(["properties", *map(str, err.absolute_path)])
                    problems.append(f"#{rid} {obs.event_type} $.{path}: {err.message}")
    return problems, total


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
