"""Which checklist ids the scenarios cover, and why the others are not covered.

Reasons for items no scenario can drive live in the scenario index, a ``_index.yaml`` file in a
scenario folder (files starting with ``_`` are never loaded as scenarios)::

    out_of_scope:
      android#70: "in-app message UI: needs a rendered message; the harness drives no UI"

Every other uncovered item is reported as "no scenario yet".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ScenarioError
from harness.scenario.loader import find_scenarios

__all__ = ["checklist", "coverage", "load_index"]

INDEX_NAME = "_index.yaml"


def checklist(platform: str) -> dict[str, str]:
    text = resources.files("harness.spec").joinpath(f"checklists/{platform}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def _index_files(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(p.rglob(INDEX_NAME))
        elif p.is_file():
            sibling = p.parent / INDEX_NAME
            if sibling.is_file() and sibling not in out:
                out.append(sibling)
    return out


def load_index(paths: Iterable[str | Path]) -> dict[str, str]:
    """The ``out_of_scope`` reasons of every scenario index under ``paths``."""
    reasons: dict[str, str] = {}
    for file in _index_files(paths):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ScenarioError(str(file), mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ScenarioError(str(file), 1, "a scenario index is a mapping with out_of_scope")
        section = data.get("out_of_scope") or {}
        if not isinstance(section, dict):
            raise ScenarioError(str(file), 1, "out_of_scope must map checklist ids to reasons")
        for item, reason in section.items():
            if not isinstance(item, str) or "#" not in item or not isinstance(reason, str) or not reason.strip():
                raise ScenarioError(str(file), None, f"out_of_scope: {item!r} needs an id like android#70 and a reason")
            reasons[item] = reason.strip()
    return reasons


def coverage(find_paths: Iterable[str | Path]) -> dict[str, Any]:
    paths = list(find_paths)
    scenarios = find_scenarios(paths)
    reasons = load_index(paths)
    out: dict[str, Any] = {"checklists": {}}
    for platform in ("android", "ios"):
        items = checklist(platform)
        covered = sorted(
            {c for s in scenarios for c in s.covers if c in items and s.applies_to(platform)},
            key=lambda c: int(c.split("#")[1]),
        )
        uncovered = {i: reasons.get(i, "no scenario yet") for i in items if i not in covered}
        out["checklists"][platform] = {
            "total": len(items),
            "covered": covered,
            "uncovered": uncovered,
            "percent": round(100 * len(covered) / len(items), 1) if items else 0.0,
            "out_of_scope": {i: r for i, r in uncovered.items() if i in reasons},
        }
    return out
