"""The conformance matrix: checklist ids against devices, pass / fail / not applicable.

A checklist id is judged on a device by the scenarios that cover it (their ``covers``): it fails if
a covering scenario failed or errored there, passes if covering scenarios ran there and all passed,
and is not applicable otherwise (no covering scenario ran on that device, e.g. an iOS item on
Android). Violations are not mapped to ids one by one: an expectation carries every rule it checks
(the generic "each request goes to B/track/..." ones too), so a single wrong field would otherwise
fail a dozen unrelated ids.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from harness.sdk.registry import all_sdks

__all__ = ["build_matrix", "format_matrix"]

PASS, FAIL, NA = "pass", "fail", "n/a"


def _checklist_text() -> dict[str, str]:
    out: dict[str, str] = {}
    for sdk in all_sdks():
        for where in sdk.checklists.values():
            package, _, file = where.partition(":")
            try:
                out.update(json.loads(resources.files(package).joinpath(file).read_text(encoding="utf-8")))
            except (FileNotFoundError, OSError, ModuleNotFoundError):
                continue
    return out


def _id_key(item: str) -> tuple[str, int, str]:
    platform, _, number = item.partition("#")
    return (platform, int(number), "") if number.isdigit() else (platform, 0, number)


def build_matrix(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"devices": [uri], "sdk_versions": {uri: [version]}, "rows": [{"id", "text", "cells": {uri: status},
    "scenarios": {uri: [ids]}}]}``; ``sdk_versions``: the SDK versions whose profiles judged each device."""
    devices = list(dict.fromkeys(r["device"] for r in records))
    cells: dict[str, dict[str, str]] = {}
    why: dict[str, dict[str, list[str]]] = {}

    def mark(item: str, device: str, status: str, scenario: str) -> None:
        row = cells.setdefault(item, {})
        if status == FAIL or row.get(device) != FAIL:
            row[device] = status
        why.setdefault(item, {}).setdefault(device, [])
        if scenario not in why[item][device]:
            why[item][device].append(scenario)

    for r in records:
        for item in r["covers"]:
            cells.setdefault(item, {})
            if r["outcome"] == "passed":
                mark(item, r["device"], PASS, r["scenario"])
            elif r["outcome"] in ("failed", "error"):
                mark(item, r["device"], FAIL, r["scenario"])
    text = _checklist_text()
    rows: list[dict[str, Any]] = [
        {
            "id": item,
            "text": text.get(item, ""),
            "cells": {d: cells[item].get(d, NA) for d in devices},
            "scenarios": why.get(item, {}),
        }
        for item in sorted(cells, key=_id_key)
    ]
    totals = {d: {s: sum(row["cells"][d] == s for row in rows) for s in (PASS, FAIL, NA)} for d in devices}
    versions = {
        d: sorted({str(r["sdk_version"]) for r in records if r["device"] == d and r.get("sdk_version")})
        for d in devices
    }
    return {"devices": devices, "sdk_versions": versions, "rows": rows, "totals": totals}


def format_matrix(matrix: Mapping[str, Any]) -> str:
    """The matrix as a terminal table (one column per device)."""
    devices: list[str] = matrix["devices"]
    if not matrix["rows"]:
        return "conformance matrix: no checklist ids covered"
    width = max(len("checklist id"), *(len(r["id"]) for r in matrix["rows"]))
    cols = [max(len(d), 4) for d in devices]
    head = "checklist id".ljust(width) + "  " + "  ".join(d.ljust(c) for d, c in zip(devices, cols, strict=True))
    lines = [head]
    versions: Mapping[str, list[str]] = matrix.get("sdk_versions") or {}
    if any(versions.values()):
        cells = "  ".join(", ".join(versions.get(d, [])).ljust(c) for d, c in zip(devices, cols, strict=True))
        lines.append("sdk version".ljust(width) + "  " + cells)
    lines.append("-" * len(head))
    for row in matrix["rows"]:
        cells = "  ".join(row["cells"][d].upper().ljust(c) for d, c in zip(devices, cols, strict=True))
        lines.append(row["id"].ljust(width) + "  " + cells)
    totals = matrix["totals"]
    lines.append(
        "totals".ljust(width)
        + "  "
        + "  ".join(
            f"{totals[d][PASS]}/{totals[d][FAIL]}/{totals[d][NA]}".ljust(c) for d, c in zip(devices, cols, strict=True)
        )
        + "   (pass/fail/n/a)"
    )
    return "\n".join(lines)
