"""JUnit XML for CI: one test case per scenario and device, violations as the failure message."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.scenario.runner import RunResult

__all__ = ["write_junit"]


def write_junit(results: Sequence[RunResult], path: str | Path) -> None:
    suite = ET.Element("testsuite", name="harness", tests=str(len(results)))
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{r.device_uri}",
            name=r.scenario.id,
            time=f"{r.duration:.3f}",
            file=r.scenario.path,
        )
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", name="device", value=r.device_uri)
        ET.SubElement(props, "property", name="covers", value=",".join(r.scenario.covers))
        if r.outcome == "failed" and r.verdict is not None:
            counts["failures"] += 1
            fail = ET.SubElement(case, "failure", message=r.verdict.summary(), type="conformance")
            fail.text = r.verdict.report()
        elif r.outcome == "error":
            counts["errors"] += 1
            ET.SubElement(case, "error", message=r.error or "error", type="error").text = r.error
        elif r.outcome == "skipped":
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=r.error or "")
    for k, v in counts.items():
        suite.set(k, str(v))
    ET.indent(suite)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
