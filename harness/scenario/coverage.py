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

__all__ = ["checklist", "committed_selftest", "coverage", "fault_backing", "load_index", "not_backed_reason"]

INDEX_NAME = "_index.yaml"
SELFTEST_NAME = "_selftest.json"  # a committed selftest result (harness coverage reads it by default)


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


def load_index(paths: Iterable[str | Path], section: str = "out_of_scope") -> dict[str, str]:
    """The ``out_of_scope`` reasons (or another ``section``'s, e.g. ``no_fault``) of every scenario index
    under ``paths``."""
    reasons: dict[str, str] = {}
    for file in _index_files(paths):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ScenarioError(str(file), mark.line + 1 if mark else None, f"invalid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ScenarioError(str(file), 1, "a scenario index is a mapping with out_of_scope")
        found = data.get(section) or {}
        if not isinstance(found, dict):
            raise ScenarioError(str(file), 1, f"{section} must map checklist ids to reasons")
        for item, reason in found.items():
            if not isinstance(item, str) or "#" not in item or not isinstance(reason, str) or not reason.strip():
                raise ScenarioError(str(file), None, f"{section}: {item!r} needs an id like android#70 and a reason")
            reasons[item] = reason.strip()
    return reasons


def fault_backing(
    selftest: dict[str, Any], scenarios: Iterable[Any], items: Iterable[str], platform: str, sdk: str | None = None
) -> dict[str, Any]:
    """Per checklist item of ``sdk`` (None: the default SDK) on ``platform`` (ids as ``items`` has them):
    the seeded faults that break it (their ``violates``) and whether a scenario that covers the item
    caught them, from a selftest report (``harness selftest --json FILE``). An item is fault-backed when
    one of its faults is caught by a scenario covering it: that proves a bug in the rule would be
    noticed, which ``covers`` alone does not. Ids are compared in their namespaced form, so a fault's
    ``customerio-android#3`` meets a Customer.io scenario's ``android#3``."""
    default = default_sdk().name
    owner = sdk or default
    full = {i: _full(i, owner) for i in items}
    covering = {
        i: {s.id for s in scenarios if s.applies_to(platform) and f in {_full(c, s.sdk or default) for c in s.covers}}
        for i, f in full.items()
    }
    faults: dict[str, Any] = {}
    for uri, plat in (selftest.get("platforms") or {}).items():
        if str(uri).rpartition(":")[2] == platform:
            faults.update(plat.get("faults") or {})
    breaks = {name: {_full(v, f.get("sdk") or default) for v in f.get("violates") or []} for name, f in faults.items()}
    out: dict[str, Any] = {}
    for item in covering:
        backing = {
            name: {
                "caught_by": list(f.get("caught_by") or []),
                "by_covering": sorted(set(f.get("caught_by") or []) & covering[item]),
            }
            for name, f in sorted(faults.items())
            if full[item] in breaks[name]
        }
        out[item] = {"faults": backing, "backed": any(b["by_covering"] for b in backing.values())}
    return out


def _full(item: str, sdk: str) -> str:
    try:
        return ChecklistId.parse(item, sdk).full
    except ValueError:
        return item


def not_backed_reason(backing: dict[str, Any]) -> str:
    """Why an item is not fault-backed, in one line."""
    faults = backing.get("faults") or {}
    if not faults:
        return "no caught fault: no seeded fault breaks it"
    caught = ", ".join(f"{n} (caught by {', '.join(f['caught_by']) or 'nothing'})" for n, f in faults.items())
    return f"no caught fault: {caught}; none by a scenario that covers it"


def _selftest_file(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(str(path), None, f"not a selftest report (harness selftest --json FILE): {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), dict):
        raise ScenarioError(str(path), 1, "not a selftest report: no 'platforms' (harness selftest --json FILE)")
    return data


def committed_selftest(paths: Iterable[str | Path]) -> list[Path]:
    """The selftest results committed with the suites under ``paths`` (``_selftest.json`` in a
    scenario folder or one of its parents), for ``harness coverage`` without ``--selftest``."""
    found: list[Path] = []
    for p in map(Path, paths):
        start = p if p.is_dir() else p.parent
        for folder in [start, *start.resolve().parents][:3]:
            candidate = folder / SELFTEST_NAME
            if candidate.is_file() and candidate.resolve() not in {f.resolve() for f in found}:
                found.append(candidate)
        if p.is_dir():
            found += [f for f in sorted(p.rglob(SELFTEST_NAME)) if f.resolve() not in {g.resolve() for g in found}]
    return found


def _merged(files: Iterable[str | Path]) -> dict[str, Any]:
    """One selftest report from several: the faults of each device, united."""
    out: dict[str, Any] = {"platforms": {}}
    for file in files:
        for uri, plat in _selftest_file(file)["platforms"].items():
            merged = out["platforms"].setdefault(uri, {"faults": {}})
            merged["faults"].update(plat.get("faults") or {})
    return out


def coverage(
    find_paths: Iterable[str | Path], selftest: str | Path | Iterable[str | Path] | None = None
) -> dict[str, Any]:
    """Covered checklist items, per SDK and platform.

    Without ``selftest`` an item is covered when a scenario names it in ``covers``. With ``selftest``
    (a ``harness selftest --json`` file, or several) an item is covered only when it is also
    fault-backed: a seeded fault that breaks it was caught by a scenario that covers it (issue 17: a
    ``covers`` line says nothing about whether a bug in the rule would be caught). Each section then
    also has ``scenario_covered`` (the ``covers`` view), ``fault_backed``, ``not_fault_backed``, and
    ``fault_backing`` holds per item the faults that back it."""
    paths = list(find_paths)
    scenarios = find_scenarios(paths)
    reasons = load_index(paths)
    no_fault = load_index(paths, "no_fault")  # why an item has no seeded fault (the scenario index)
    if selftest is None:
        report = None
    elif isinstance(selftest, (str, Path)):
        report = _selftest_file(selftest)
    else:
        report = _merged(selftest)
    out: dict[str, Any] = {"checklists": {}}
    default = default_sdk().name
    for sdk in all_sdks():
        for platform in sdk.checklists:
            # ids read in each scenario's SDK context: android#5 in a scenario of SDK x is x-android#5
            listed = checklist(platform, sdk.name)
            items = {ChecklistId.parse(i, sdk.name).full: i for i in listed}
            full = sorted(
                {
                    ChecklistId.parse(c, s.sdk or default).full
                    for s in scenarios
                    for c in s.covers
                    if s.applies_to(platform) and ChecklistId.parse(c, s.sdk or default).full in items
                },
                key=_number,
            )
            named = {ChecklistId.parse(i, sdk.name).full: t for i, t in listed.items()}
            full_reasons = {ChecklistId.parse(i, default).full: r for i, r in reasons.items()}
            full_no_fault = {ChecklistId.parse(i, default).full: r for i, r in no_fault.items()}
            backing = fault_backing(report, scenarios, listed, platform, sdk.name) if report is not None else None
            names = [sdk.checklist_name(platform)]
            if sdk.name == default:  # the design contract's keys: the default SDK's, ids as the checklist has them
                names.append(platform)
            for name in names:
                short = name == platform and sdk.name == default
                ids = items if short else {f: f for f in items}  # namespaced id -> the id this section shows
                section = _section(
                    dict(listed) if short else named, [ids[i] for i in full], reasons if short else full_reasons
                )
                if backing is not None:
                    shown = {ids[_full(i, sdk.name)]: b for i, b in backing.items()}
                    _back(section, shown, no_fault if short else full_no_fault)
                    out.setdefault("fault_backing", {})[name] = shown
                out["checklists"][name] = section
    return out


def _back(section: dict[str, Any], backing: dict[str, Any], no_fault: dict[str, str]) -> None:
    """Count only fault-backed items as covered; the rest get the reason they are not (``no_fault``: the
    scenario index's reason why no fault can break an item here; listed as ``no_fault`` too)."""
    scenario_covered = list(section["covered"])
    section["scenario_covered"] = scenario_covered
    section["fault_backed"] = sorted((i for i, b in backing.items() if b["backed"]), key=_number)
    section["not_fault_backed"] = sorted((i for i, b in backing.items() if not b["backed"]), key=_number)
    section["covered"] = [i for i in scenario_covered if backing.get(i, {}).get("backed")]
    for item in scenario_covered:
        if item not in section["covered"]:
            why = no_fault.get(item)
            section["uncovered"][item] = f"no caught fault: {why}" if why else not_backed_reason(backing.get(item, {}))
    section["no_fault"] = {i: r for i, r in no_fault.items() if i in section["uncovered"]}
    section["uncovered"] = dict(sorted(section["uncovered"].items(), key=lambda kv: _number(kv[0])))
    total = section["total"]
    section["percent"] = round(100 * len(section["covered"]) / total, 1) if total else 0.0
