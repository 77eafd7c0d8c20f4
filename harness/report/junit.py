"""JUnit XML for CI: one test case per scenario and device, violations as the failure message.

CI systems (Jenkins, GitLab, GitHub test reporters) group cases by ``classname``, so the device URI
is the class and the scenario id the name; one ``testsuite`` per device keeps a farm run readable.
The failure's ``message`` is the one-line summary plus the first violations (what a CI list shows),
its text the whole report with the diffs. Properties carry the device URI, platform, SDK profile and
version, the seeded fault and the checklist ids covered.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["junit_properties", "write_junit"]

_MESSAGE_VIOLATIONS = 3


def _message(record: Mapping[str, Any]) -> str:
    lines = [record["summary"]]
    for v in record.get("violations", [])[:_MESSAGE_VIOLATIONS]:
        where = f" {v['path']}" if v.get("path") else ""
        lines.append(f"{v['kind']}{where}: {v['message']}")
    more = len(record.get("violations", [])) - _MESSAGE_VIOLATIONS
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)


def junit_properties(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A test case's properties, in order; the pytest plugin gives its items the same ones.

    A record that is only partly known (a scenario that has not run yet) gives empty values.
    """
    return [
        ("device", record["device"]),
        ("platform", record.get("platform") or ""),
        ("profile", record.get("profile") or ""),
        ("sdk_version", record.get("sdk_version") or ""),
        ("fault", record.get("fault") or ""),
        ("covers", ",".join(record.get("covers", []))),
        ("requests", str(len(record.get("requests", [])))),
    ]


def junit_xml(records: Sequence[Mapping[str, Any]]) -> ET.Element:
    root = ET.Element("testsuites", name="harness")
    suites: dict[str, ET.Element] = {}
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in records:
        suite = suites.get(r["device"])
        if suite is None:
            suite = suites[r["device"]] = ET.SubElement(root, "testsuite", name=r["device"])
            suite.attrib.update({k: "0" for k in totals})
            suite.set("time", "0")
        case = ET.SubElement(
            suite, "testcase", classname=r["device"], name=r["scenario"], time=f"{r['duration']:.3f}", file=r["path"]
        )
        props = ET.SubElement(case, "properties")
        for name, value in junit_properties(r):
            ET.SubElement(props, "property", name=name, value=value)
        kind = {"failed": "failures", "error": "errors", "skipped": "skipped"}.get(r["outcome"])
        if r["outcome"] == "failed":
            ET.SubElement(case, "failure", message=_message(r), type="conformance").text = r.get("text") or ""
        elif r["outcome"] == "error":
            ET.SubElement(case, "error", message=r.get("error") or "error", type="error").text = r.get("error")
        elif r["outcome"] == "skipped":
            ET.SubElement(case, "skipped", message=r.get("error") or "")
        for key in ["tests", *([kind] if kind else [])]:
            suite.set(key, str(int(suite.get(key, "0")) + 1))
            totals[key] += 1
        suite.set("time", f"{float(suite.get('time', '0')) + r['duration']:.3f}")
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return root


def write_junit(records: Sequence[Mapping[str, Any]], path: str | Path) -> None:
    """Write ``records`` (see :func:`harness.report.record.result_record`) as JUnit XML."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(junit_xml(records)).write(path, encoding="utf-8", xml_declaration=True)
