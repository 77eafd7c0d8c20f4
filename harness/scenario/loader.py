"""Loading scenario files: YAML → :class:`Scenario`, with file and line in every error.

YAML is composed into nodes first so every JSON path knows its line; the document is then checked
against ``schema.json`` (jsonschema) and against the SDK call table, and the first problem is
raised as ``ScenarioError("file", line, "what is wrong")``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from harness.errors import ScenarioError
from harness.instrument.calls import SDK_CALLS

__all__ = ["Scenario", "Step", "find_scenarios", "load_scenario"]

_APP_STEPS = {"launch", "kill", "background", "foreground", "install"}
_BARE_CALLS = {"flushData", "stopIntegration", "clearLocalCustomerData"}


@dataclass(frozen=True)
class Step:
    """One thing to do: ``kind`` is ``call``, ``app``, ``env`` or ``sync``."""

    kind: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    covers: tuple[str, ...]
    platforms: tuple[str, ...]
    steps: tuple[Step, ...]
    path: str
    line: int = 1
    fresh_install: bool = True

    def applies_to(self, platform: str) -> bool:
        return platform in self.platforms


def _schema() -> dict[str, Any]:
    text = resources.files("harness.scenario").joinpath("schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _line_of(lines: dict[tuple[Any, ...], int], path: Iterable[Any]) -> int | None:
    p = tuple(path)
    while p not in lines and p:
        p = p[:-1]
    return lines.get(p)


def load_scenario(path: str | Path) -> Scenario:
    """Parse and validate one scenario file."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, None, f"cannot read: {exc}") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(name, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from exc
    if node is None or not isinstance(data, dict):
        raise ScenarioError(name, 1, "a scenario is a YAML mapping with id, covers, platforms and steps")
    lines: dict[tuple[Any, ...], int] = {}
    _lines(node, (), lines)
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = errors[0]
        best = jsonschema.exceptions.best_match(errors) or err
        where = "/".join(str(p) for p in best.absolute_path) or "top level"
        raise ScenarioError(name, _line_of(lines, best.absolute_path), f"{where}: {_explain(best)}")
    steps = tuple(_step(raw, name, _line_of(lines, ("steps", i))) for i, raw in enumerate(data["steps"]))
    return Scenario(
        id=data["id"],
        title=str(data.get("title", data["id"])),
        covers=tuple(data["covers"]),
        platforms=tuple(data["platforms"]),
        steps=steps,
        path=name,
        line=1,
        fresh_install=bool(data.get("fresh_install", True)),
    )


def _explain(err: jsonschema.ValidationError) -> str:
    if err.validator == "oneOf" and isinstance(err.instance, dict) and len(err.instance) == 1:
        key = next(iter(err.instance))
        return f"step {key!r} has a malformed argument ({json.dumps(err.instance[key], default=str)[:60]})"
    if err.validator == "oneOf" and isinstance(err.instance, str):
        return f"unknown step {err.instance!r}"
    return err.message


def _step(raw: Any, path: str, line: int | None) -> Step:
    if isinstance(raw, str):
        if raw in _APP_STEPS:
            return Step("app", raw, {}, line)
        if raw == "relaunch":
            return Step("app", "relaunch", {}, line)
        if raw == "settle":
            return Step("sync", "settle", {}, line)
        if raw in _BARE_CALLS:
            return Step("call", raw, {}, line)
        raise ScenarioError(path, line, f"unknown step {raw!r}")
    ((key, value),) = raw.items()
    if key == "wait":
        return Step("env", "advance_clock", {"seconds": float(value)}, line)
    if key == "network":
        return Step("env", "set_network", {"online": value == "online"}, line)
    if key == "push_permission":
        return Step("env", "set_push_permission", {"granted": value == "granted"}, line)
    if key == "settle":
        return Step("sync", "settle", {"timeout": float(value)}, line)
    if key == "push_token":
        return Step("env", "new_push_token", {"token": str(value)}, line)
    if key == "deliver_push":
        return Step("env", "deliver_push", {"payload": dict(value["payload"])}, line)
    if key == "click_push":
        action = dict(value.get("action") or {})
        return Step("env", "click_push", {"payload": dict(value["payload"]), "action": action}, line)
    if key == "respond":
        return Step("collector", "respond", dict(value), line)
    spec = SDK_CALLS.get(key)
    if spec is None:
        raise ScenarioError(path, line, f"unknown SDK call {key!r} (see docs/sdk-calls.md)")
    args = dict(value or {})
    unknown = sorted(set(args) - spec.allowed)
    if unknown:
        raise ScenarioError(
            path,
            line,
            f"{key}: unknown argument(s) {', '.join(unknown)}; allowed: {', '.join(sorted(spec.allowed)) or 'none'}",
        )
    missing = [a for a in spec.required if a not in args]
    if missing:
        raise ScenarioError(path, line, f"{key}: missing argument(s) {', '.join(missing)}")
    return Step("call", key, args, line)


def find_scenarios(paths: Iterable[str | Path]) -> list[Scenario]:
    """Load every ``*.yaml``/``*.yml`` under ``paths`` (files or folders), sorted by path."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and not q.name.startswith("_"))
        elif p.exists():
            files.append(p)
        else:
            raise ScenarioError(str(p), None, "no such file or folder")
    scenarios = [load_scenario(f) for f in files]
    seen: dict[str, str] = {}
    for s in scenarios:
        if s.id in seen:
            raise ScenarioError(s.path, 1, f"scenario id {s.id!r} is already used by {seen[s.id]}")
        seen[s.id] = s.path
    return scenarios
