"""Loading scenario files: YAML → :class:`Scenario`, with file and line in every error.

YAML is composed into nodes first so every JSON path knows its line; the document is then checked
against ``schema.json`` (jsonschema); each step is then checked against its own argument schema from
the step vocabulary (``vocabulary.py``: the SDK calls of ``harness/instrument/calls.py`` and the app,
phone and harness steps), and the first problem is raised as
``ScenarioError("file", line, "step N 'name': what is wrong")``. Nothing runs before every step is
known to be well formed, so a bad argument never surfaces as an exception inside a profile.
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
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from harness.errors import ConfigError, ScenarioError, did_you_mean
from harness.scenario.vocabulary import StepSpec, steps_for
from harness.sdk.registry import get_sdk

__all__ = ["Scenario", "Step", "find_scenarios", "load_scenario"]

# when one argument has several problems, the one a person fixes first
_PRIORITY = {"additionalProperties": 0, "type": 1, "required": 2, "enum": 3}


@dataclass(frozen=True)
class Step:
    """One thing to do: ``kind`` is ``call``, ``app``, ``env``, ``sync``, ``collector`` or ``expect``.

    ``source`` is the step's name as the scenario wrote it (``wait`` for ``env``/``advance_clock``).
    """

    kind: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None
    source: str = ""


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
    sdk: str = ""  # the SDK the scenario drives (``sdk:``; "" in a hand-built Scenario: the default SDK)
    sdk_versions: Mapping[str, str] = field(default_factory=dict)  # platform -> PEP 440 specifier

    def applies_to(self, platform: str) -> bool:
        return platform in self.platforms

    def applies_to_version(self, platform: str, version: str) -> bool:
        """Whether the SDK release ``version`` on ``platform`` has what the scenario needs
        (``sdk_versions``, docs/scenarios.md); no requirement, or a version that is not PEP 440: yes."""
        wanted = self.sdk_versions.get(platform)
        if wanted is None:
            return True
        try:
            return Version(version) in SpecifierSet(wanted)
        except InvalidVersion:
            return True


def _schema() -> dict[str, Any]:
    """schema.json with the steps left to :func:`_step`, which explains a bad step far better."""
    text = resources.files("harness.scenario").joinpath("schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    schema["$defs"]["step"] = {}
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
        raise ScenarioError(name, _line_of(lines, best.absolute_path), f"{where}: {best.message}")
    try:
        sdk = get_sdk(data.get("sdk")).name
        vocabulary = steps_for(sdk)
    except ConfigError as exc:
        raise ScenarioError(name, _line_of(lines, ("sdk",)), f"sdk: {exc.problem}") from exc
    sdk_versions = _sdk_versions(data, name, lines)
    steps = tuple(_step(raw, name, i + 1, lines, i, vocabulary) for i, raw in enumerate(data["steps"]))
    _check_until(steps, name)
    return Scenario(
        id=data["id"],
        title=str(data.get("title", data["id"])),
        covers=tuple(data["covers"]),
        platforms=tuple(data["platforms"]),
        steps=steps,
        path=name,
        line=1,
        fresh_install=bool(data.get("fresh_install", True)),
        sdk=sdk,
        sdk_versions=sdk_versions,
    )


def _sdk_versions(data: Mapping[str, Any], name: str, lines: dict[tuple[Any, ...], int]) -> dict[str, str]:
    """``sdk_versions``: one specifier for every platform of the scenario, or one per platform."""
    raw = data.get("sdk_versions")
    if raw is None:
        return {}
    wanted = {p: raw for p in data["platforms"]} if isinstance(raw, str) else dict(raw)
    for platform, text in wanted.items():
        path = ("sdk_versions",) if isinstance(raw, str) else ("sdk_versions", platform)
        if platform not in data["platforms"]:
            raise ScenarioError(name, _line_of(lines, path), f"sdk_versions: {platform!r} is not in platforms")
        try:
            SpecifierSet(text)
        except InvalidSpecifier:
            raise ScenarioError(
                name, _line_of(lines, path), f"sdk_versions: {text!r} is not a version specifier (e.g. '>=4.0.0')"
            ) from None
    return wanted


_JSON_TYPES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "null": "null",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _explain(err: jsonschema.ValidationError, what: str = "") -> str:
    """A jsonschema error as a person reads it: ``properties must be an object, got string``."""
    where = ".".join(str(p) for p in err.absolute_path)
    rule: Any = err.validator_value
    schema: Any = err.schema
    subject = where or what or "the value"
    shown = json.dumps(err.instance, default=str, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    if err.validator == "type":
        kinds = rule if isinstance(rule, list) else [rule]
        wanted = " or ".join(_JSON_TYPES.get(str(k), str(k)) for k in kinds)
        return f"{subject} must be {wanted}, got {_json_type(err.instance)} {shown}"
    if err.validator == "required":
        missing = [k for k in rule if isinstance(err.instance, dict) and k not in err.instance]
        return f"{where + ': ' if where else ''}missing argument(s) {', '.join(missing)}"
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(k for k in err.instance if k not in allowed)
        return (
            f"{where + ': ' if where else ''}unknown argument(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(allowed) or 'none'}{did_you_mean(unknown[0], allowed) if unknown else ''}"
        )
    if err.validator == "enum":
        options = ", ".join(json.dumps(v) for v in rule)
        return f"{subject} must be one of {options}, got {shown}"
    bounds = {
        "minimum": "at least",
        "exclusiveMinimum": "more than",
        "maximum": "at most",
        "exclusiveMaximum": "less than",
    }
    if str(err.validator) in bounds:
        return f"{subject} must be {bounds[str(err.validator)]} {rule}, got {shown}"
    if err.validator == "oneOf" and isinstance(err.instance, dict):
        return f"{subject}: give exactly one of the forms in docs/scenarios.md, got {shown}"
    return f"{subject}: {err.message}"


def _step(
    raw: Any, path: str, number: int, lines: dict[tuple[Any, ...], int], index: int, vocabulary: dict[str, StepSpec]
) -> Step:
    """One raw step validated against the vocabulary (harness/scenario/vocabulary.py)."""
    here = ("steps", index)
    line = _line_of(lines, here)
    if isinstance(raw, str):
        name, value, bare = raw, None, True
    elif isinstance(raw, dict) and len(raw) == 1:
        ((name, value),) = raw.items()
        bare = False
    else:
        raise ScenarioError(path, line, f"step {number}: a step is a name or a mapping of one name to its argument")
    spec = vocabulary.get(str(name))
    if spec is None:
        hint = did_you_mean(str(name), sorted(vocabulary)) or " (see docs/scenarios.md and docs/sdk-calls.md)"
        raise ScenarioError(path, line, f"step {number}: unknown step {name!r}{hint}")
    if bare and spec.schema is not None and not spec.bare:
        raise ScenarioError(path, line, f"step {number} {name!r}: needs an argument ({name}: ...)")
    if spec.schema is None and not bare:
        raise ScenarioError(path, line, f"step {number} {name!r}: takes no argument (write it bare: - {name})")
    if spec.schema is not None and not bare:
        validator = jsonschema.Draft202012Validator(spec.schema)
        errors = list(validator.iter_errors(value))
        if errors:
            err = min(errors, key=lambda e: (-len(e.absolute_path), _PRIORITY.get(str(e.validator), 9)))
            where = _line_of(lines, (*here, name, *err.absolute_path))
            raise ScenarioError(path, where, f"step {number} {name!r}: {_explain(err, name)}")
    return Step(spec.kind, spec.name, spec.args(value), line, str(name))


def _check_until(steps: tuple[Step, ...], path: str) -> None:
    """``expect_nothing: {until: NAME}`` must name a step that comes later (or ``end``)."""
    for i, step in enumerate(steps):
        until = step.args.get("until") if step.name == "expect_nothing" else None
        if until is None or until == "end":
            continue
        later = {s.source for s in steps[i + 1 :]}
        if until not in later:
            raise ScenarioError(
                path, step.line, f"step {i + 1} 'expect_nothing': until {until!r} names no later step (or use 'end')"
            )


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
