"""The committed selftest result (``scenarios/_selftest.json``) that ``harness coverage`` reads by default.

It must name every seeded fault of every modelled SDK (a fault added without re-running
``harness selftest scenarios --json scenarios/_selftest.json`` fails here), and it is the proof for the
faults seeded for fault-backed coverage: each is caught by a scenario that covers what it breaks.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from harness.sdks.antsomi.virtual.faults import FAULTS as ANTSOMI
from harness.sdks.customerio.virtual.faults import FAULTS as CUSTOMERIO
from harness.sdks.exponea.virtual.faults import FAULTS as EXPONEA

COMMITTED = Path(__file__).resolve().parents[2] / "scenarios" / "_selftest.json"


@cache
def _report() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(COMMITTED.read_text(encoding="utf-8"))
    return data


def suite_proved() -> set[str]:
    """Faults the committed result shows caught by a scenario covering an item they break."""
    out: set[str] = set()
    for plat in _report()["platforms"].values():
        for name, fault in plat["faults"].items():
            if set(fault["caught_by"]) & set(fault["covering"]):
                out.add(name)
    return out


def test_the_committed_result_names_every_seeded_fault_on_its_platforms() -> None:
    platforms = _report()["platforms"]
    for platform in ("android", "ios"):
        listed = set(platforms[f"virtual:{platform}"]["faults"])
        seeded = {n for n, f in EXPONEA.items() if platform in f.platforms}
        if platform == "android":
            seeded |= set(CUSTOMERIO) | set(ANTSOMI)
        assert seeded == listed, f"re-run the selftest: {sorted(seeded ^ listed)} differ on {platform}"


def test_fault_names_are_unique_across_sdks() -> None:
    """The selftest report keys faults by name per device: two SDKs' faults with one name would hide one."""
    assert not set(CUSTOMERIO) & set(EXPONEA) and not set(ANTSOMI) & (set(EXPONEA) | set(CUSTOMERIO))


def test_the_committed_result_had_a_clean_baseline() -> None:
    for plat in _report()["platforms"].values():
        assert plat["baseline"]["passed"] and not plat["baseline"]["failed"]
