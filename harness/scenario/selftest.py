"""Selftest: the suite against the fault-free virtual device and against every seeded fault.

A fault counts as caught by a scenario when that scenario passes on the fault-free SDK and fails (or
errors) with the fault. The fault list comes from the virtual app itself (``--list-faults``), since
``harness.scenario`` may not import the reference SDK's internals.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.capture.server import CollectorServer
from harness.devices.registry import open_device
from harness.scenario.loader import find_scenarios
from harness.scenario.runner import Runner

__all__ = ["list_faults", "selftest"]


def list_faults(platform: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "harness.virtual", "--list-faults", "--platform", platform],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(out.stdout))


def selftest(paths: Iterable[str | Path], device_uri: str = "virtual:android", progress: bool = True) -> dict[str, Any]:
    scenarios = find_scenarios(paths)
    store = Path(tempfile.mkdtemp(prefix="harness-selftest-")) / "capture.sqlite"
    report: dict[str, Any] = {"baseline": {"passed": 0, "failed": 0}, "faults": {}}
    with CollectorServer(store) as collector:
        device = open_device(device_uri)
        try:
            baseline_ok: set[str] = set()
            for s in scenarios:
                r = Runner(device, collector).run(s)
                if r.outcome == "skipped":
                    continue
                report["baseline"]["passed" if r.passed else "failed"] += 1
                if r.passed:
                    baseline_ok.add(s.id)
                elif progress:
                    print(f"baseline {r.headline()}", flush=True)
            for fault in list_faults(device.platform):
                caught = []
                for s in scenarios:
                    if s.id not in baseline_ok:
                        continue
                    r = Runner(device, collector, fault=fault).run(s)
                    if r.outcome in ("failed", "error"):
                        caught.append(s.id)
                report["faults"][fault] = {"caught_by": caught}
                if progress:
                    print(f"fault {fault:<32} caught by {', '.join(caught) or 'NOTHING'}", flush=True)
        finally:
            device.close()
    return report
