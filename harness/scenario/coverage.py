"""Which checklist ids the scenarios cover, and why the others are not covered."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from harness.scenario.loader import find_scenarios

__all__ = ["checklist", "coverage"]

# Items no scenario covers yet, with the reason; anything else uncovered is "no scenario yet".
_OUT_OF_SCOPE: dict[str, str] = {}


def checklist(platform: str) -> dict[str, str]:
    text = resources.files("harness.spec").joinpath(f"checklists/{platform}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def coverage(find_paths: Iterable[str | Path]) -> dict[str, Any]:
    scenarios = find_scenarios(find_paths)
    out: dict[str, Any] = {"checklists": {}}
    for platform in ("android", "ios"):
        items = checklist(platform)
        covered = sorted(
            {c for s in scenarios for c in s.covers if c in items and s.applies_to(platform)},
            key=lambda c: int(c.split("#")[1]),
        )
        uncovered = {i: _OUT_OF_SCOPE.get(i, "no scenario yet") for i in items if i not in covered}
        out["checklists"][platform] = {"total": len(items), "covered": covered, "uncovered": uncovered}
    return out
