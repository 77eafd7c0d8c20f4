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
from harness.sdk.base import ChecklistId
from harness.sdk.registry import all_sdks, default_sdk, get_sdk

__all__ = ["checklist", "coverage", "fault_backing", "load_index"]

INDEX_NAME = "_index.yaml"


def checklist(platform: str, sdk: str | None = None) -> dict[str, str]:
    """The checklist of ``sdk`` (None: the default SDK) on ``platform``: id -> text, ids as the file has them."""
    entry = get_sdk(sdk)
    where = entry.checklists.get(platform)
    if where is None:
        return {}
    package, _, file = where.partition(":")
    return dict(json.loads(resources.files(package).joinpath(file).read_text(encoding="utf-8")))


def _number(item: str) -> int:
    tail = item.rpartition("#")[2]
    return int(tail) if tail.isdigit() else 0


def _section(items: dict[str, str], covered: list[str], reasons: dict[str, str]) -> dict[str, Any]:
    uncovered = {i: reasons.get(i, "no scenario yet") for i in items if i not in covered}
    return {
        "total": len(items),
        "covered": covered,
        "uncovered": uncovered,
        "percent": round(100 * len(covered) / len(items), 1) if items else 0.0,
        "out_of_scope": {i: r for i, r in uncovered.items() if i in reasons},
    }


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


def fault_backing(
    selftest: dict[str, Any], scenarios: Iterable[Any], items: Iterable[str], platform: str
) -> dict[str, Any]:
    """Per checklist item of ``platform`` (short ids): the seeded faults that break it (their
    ``violates``) and whether a scenario that covers the item caught them, from a selftest report
    (``harness selftest --json FILE``). An item is fault-backed when one of its faults is caught by a
    scenario covering it: that proves a bug in the rule would be noticed, which ``covers`` alone does not."""
    covering = {i: {s.id for s in scenarios if i in s.covers and s.applies_to(platform)} for i in items}
    faults: dict[str, Any] = {}
    for uri, plat in (selftest.get("platforms") or {}).items():
        if str(uri).rpartition(":")[2] == platform:
            faults.update(plat.get("faults") or {})
    out: dict[str, Any] = {}
    for item in covering:
        backing = {
            name: {
                "caught_by": list(f.get("caught_by") or []),
                "by_covering": sorted(set(f.get("caught_by") or []) & covering[item]),
            }
            for name, f in sorted(faults.items())
            if item in (f.get("violates") or [])
        }
        out[item] = {"faults": backing, "backed": any(b["by_covering"] for b in backing.values())}
    return out


def _selftest_file(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(str(path), None, f"not a selftest report (harness selftest --json FILE): {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), dict):
        raise ScenarioError(str(path), 1, "not a selftest report: no 'platforms' (harness selftest --json FILE)")
    return data


def coverage(find_paths: Iterable[str | Path], selftest: str | Path | None = None) -> dict[str, Any]:
    """Covered checklist items; with ``selftest`` (a ``harness selftest --json`` file) also per item of
    the default SDK the faults that back it (``fault_backed``, ``not_fault_backed``)."""
    paths = list(find_paths)
    scenarios = find_scenarios(paths)
    reasons = load_index(paths)
    report = _selftest_file(selftest) if selftest is not None else None
    out: dict[str, Any] = {"checklists": {}}
    default = default_sdk().name
    for sdk in all_sdks():
        for platform in sdk.checklists:
            # ids read in each scenario's SDK context: android#5 in a scenario of SDK x is x-android#5
            items = {ChecklistId.parse(i, sdk.name).full: i for i in checklist(platform, sdk.name)}
            full = sorted(
                {
                    ChecklistId.parse(c, s.sdk or default).full
                    for s in scenarios
                    for c in s.covers
                    if s.applies_to(platform) and ChecklistId.parse(c, s.sdk or default).full in items
                },
                key=_number,
            )
            named = {ChecklistId.parse(i, sdk.name).full: t for i, t in checklist(platform, sdk.name).items()}
            full_reasons = {ChecklistId.parse(i, default).full: r for i, r in reasons.items()}
            out["checklists"][sdk.profile_name(platform)] = _section(named, full, full_reasons)
            if sdk.name == default:  # the design contract's keys: the default SDK's, ids as the checklist has them
                out["checklists"][platform] = _section(
                    dict(checklist(platform, sdk.name)), [items[i] for i in full], reasons
                )
                if report is not None:
                    backing = fault_backing(report, scenarios, checklist(platform, sdk.name), platform)
                    out["checklists"][platform]["fault_backed"] = sorted(
                        (i for i, b in backing.items() if b["backed"]), key=_number
                    )
                    out["checklists"][platform]["not_fault_backed"] = sorted(
                        (i for i, b in backing.items() if not b["backed"]), key=_number
                    )
                    out.setdefault("fault_backing", {})[platform] = backing
    return out
