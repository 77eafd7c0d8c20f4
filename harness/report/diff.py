"""Regression diffs between two recorded runs, payload by payload.

Requests are paired per scenario and device: grouped by method, route (the path with the project
token masked) and event type, then paired in order within a group. What always changes is ignored:
timestamps, cookies, device ids and any UUID keep only their shape (JSON type, a UUID stays a UUID,
a timestamp keeps its number of integer digits), and durations are equal within a tolerance. What
is reported: events that are new or missing, property names added or removed, and changed types
and values; plus scenario results that went missing or from pass to
fail. Any of these is a regression (``harness diff`` exits 1); a run equal to its baseline exits 0.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.report.folder import RunFolderError, load_run

__all__ = ["Change", "DiffReport", "baseline_path", "diff_runs", "pin_baseline"]

VOLATILE_KEYS = frozenset({"timestamp", "cookie", "device_id", "time", "received_at", "session_id"})
DURATION_KEYS = frozenset({"duration"})
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TOKEN = re.compile(r"/projects/[^/?]+")


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed, type, value, new-event, missing-event,
    missing-result, new-result, outcome."""

    kind: str
    path: str = ""
    before: Any = None
    after: Any = None

    def line(self) -> str:
        if self.kind == "added":
            return f"{self.path}: property added ({_show(self.after)})"
        if self.kind == "removed":
            return f"{self.path}: property removed (was {_show(self.before)})"
        if self.kind == "type":
            values = f"{_show(self.before)} -> {_show(self.after)}"
            return f"{self.path}: type {_type(self.before)} -> {_type(self.after)} ({values})"
        if self.kind == "value":
            return f"{self.path}: {_show(self.before)} -> {_show(self.after)}"
        return f"{self.kind} {self.path}".rstrip()


@dataclass
class PayloadDiff:
    """The changes of one paired request (or a request only one run has)."""

    scenario: str
    device: str
    label: str
    request_a: int | None
    request_b: int | None
    changes: list[Change] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "device": self.device,
            "payload": self.label,
            "request_a": self.request_a,
            "request_b": self.request_b,
            "changes": [{"kind": c.kind, "path": c.path, "before": c.before, "after": c.after} for c in self.changes],
        }


@dataclass
class DiffReport:
    run_a: str
    run_b: str
    payloads: list[PayloadDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # informational, not regressions
    compared: int = 0

    @property
    def regression(self) -> bool:
        return bool(self.payloads)

    def as_json(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "equal": not self.regression,
            "compared_payloads": self.compared,
            "differences": [p.as_json() for p in self.payloads],
            "notes": self.notes,
        }

    def text(self) -> str:
        lines = [f"comparing {self.run_a} (A) with {self.run_b} (B)"]
        current = None
        for p in self.payloads:
            if (p.scenario, p.device) != current:
                current = (p.scenario, p.device)
                lines.append(f"{p.scenario} on {p.device}")
            ids = f"A #{p.request_a}" if p.request_a is not None else ""
            ids += (", " if ids and p.request_b is not None else "") + (
                f"B #{p.request_b}" if p.request_b is not None else ""
            )
            lines.append(f"  {p.label}" + (f" ({ids})" if ids else ""))
            lines += [f"    {c.line()}" for c in p.changes]
        lines += [f"note: {n}" for n in self.notes]
        if self.regression:
            lines.append(f"REGRESSION: {len(self.payloads)} payloads differ ({self.compared} compared)")
        else:
            lines.append(f"EQUAL: {self.compared} payloads compared, no difference")
        return "\n".join(lines)


def _show(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if v is None:
        return "null"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object" if isinstance(v, dict) else type(v).__name__


def _shape(v: Any) -> str:
    """What must stay the same of a value that always changes: a UUID stays a UUID, a timestamp keeps
    its number of integer digits (seconds do not turn into milliseconds), a text keeps its form."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        return _type(v)
    if isinstance(v, str):
        return re.sub(r"[0-9]", "9", _UUID.sub("<uuid>", v))
    return f"number with {len(str(int(abs(v))))} integer digits"


def _parse(body: str) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def _group_key(req: Mapping[str, Any], body: Any) -> tuple[str, str, str]:
    path = _TOKEN.sub("/projects/*", str(req["path"]))
    event = body.get("event_type") if isinstance(body, Mapping) else None
    return (str(req["method"]), path, event if isinstance(event, str) else "")


def _label(key: tuple[str, str, str], n: int) -> str:
    method, path, event = key
    return f"{method} {path}" + (f" {event!r}" if event else "") + (f" [{n + 1}]" if n else "")


def _compare(a: Any, b: Any, path: str, tolerance: float, out: list[Change]) -> None:
    key = path.rsplit(".", 1)[-1]
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            sub = f"{path}.{k}"
            if k not in b:
                out.append(Change("removed", sub, before=a[k]))
            else:
                _compare(a[k], b[k], sub, tolerance, out)
        out.extend(Change("added", f"{path}.{k}", after=b[k]) for k in b if k not in a)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _compare(x, y, f"{path}[{i}]", tolerance, out)
        out.extend(Change("removed", f"{path}[{i}]", before=a[i]) for i in range(len(b), len(a)))
        out.extend(Change("added", f"{path}[{i}]", after=b[i]) for i in range(len(a), len(b)))
        return
    if _type(a) != _type(b):
        out.append(Change("type", path, a, b))
        return
    if key in VOLATILE_KEYS:
        if _shape(a) != _shape(b):
            out.append(Change("value", path, a, b))
        return
    if isinstance(a, str) and _UUID.sub("<uuid>", a) == _UUID.sub("<uuid>", b):
        return
    if key in DURATION_KEYS and isinstance(a, int | float) and abs(a - b) <= tolerance:
        return
    if isinstance(a, int | float) and isinstance(b, int | float) and float(a) == float(b):
        return
    if a != b:
        out.append(Change("value", path, a, b))


def _index(records: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {(r["scenario"], r["device"]): r for r in records}


def _grouped(record: Mapping[str, Any]) -> dict[tuple[str, str, str], list[tuple[int, Any]]]:
    groups: dict[tuple[str, str, str], list[tuple[int, Any]]] = {}
    for req in record["requests"]:
        body = _parse(str(req.get("body") or ""))
        groups.setdefault(_group_key(req, body), []).append((int(req.get("id") or 0), body))
    return groups


def diff_records(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], *, tolerance: float = 2.0, names: tuple[str, str]
) -> DiffReport:
    report = DiffReport(*names)
    ia, ib = _index(a), _index(b)
    for key in sorted(ia.keys() | ib.keys()):
        scenario, device = key
        if key not in ib:
            change = Change("missing-result", "not run in B")
            report.payloads.append(PayloadDiff(scenario, device, "(whole scenario result)", None, None, [change]))
            continue
        if key not in ia:
            report.notes.append(f"{scenario} on {device}: new in B (nothing to compare with)")
            continue
        ra, rb = ia[key], ib[key]
        if ra["outcome"] != rb["outcome"]:
            if rb["outcome"] in ("failed", "error") and ra["outcome"] == "passed":
                change = Change("outcome", f"{ra['outcome']} -> {rb['outcome']}")
                report.payloads.append(PayloadDiff(scenario, device, "(verdict)", None, None, [change]))
            else:
                report.notes.append(f"{scenario} on {device}: {ra['outcome']} -> {rb['outcome']}")
        ga, gb = _grouped(ra), _grouped(rb)
        first = len(report.payloads)
        for gkey in sorted(ga.keys() | gb.keys()):
            la, lb = ga.get(gkey, []), gb.get(gkey, [])
            for n in range(max(len(la), len(lb))):
                label = _label(gkey, n)
                if n >= len(lb):
                    report.payloads.append(
                        PayloadDiff(scenario, device, label, la[n][0], None, [Change("missing-event", "only in A")])
                    )
                    continue
                if n >= len(la):
                    report.payloads.append(
                        PayloadDiff(scenario, device, label, None, lb[n][0], [Change("new-event", "only in B")])
                    )
                    continue
                report.compared += 1
                changes: list[Change] = []
                _compare(la[n][1], lb[n][1], "$", tolerance, changes)
                if changes:
                    report.payloads.append(PayloadDiff(scenario, device, label, la[n][0], lb[n][0], changes))
        report.payloads[first:] = sorted(
            report.payloads[first:], key=lambda p: p.request_a if p.request_a is not None else p.request_b or 0
        )
    return report


def diff_runs(run_a: str | Path, run_b: str | Path, *, tolerance: float = 2.0) -> DiffReport:
    """Compare two run folders written by ``--report DIR``."""
    _, ra = load_run(run_a)
    _, rb = load_run(run_b)
    return diff_records(ra, rb, tolerance=tolerance, names=(str(run_a), str(run_b)))


def baseline_path(store: str | Path, sdk_version: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", sdk_version):
        raise RunFolderError(store, f"not a usable SDK version for a baseline name: {sdk_version!r}")
    return Path(store) / sdk_version


def pin_baseline(run: str | Path, store: str | Path, sdk_version: str | None = None, force: bool = False) -> Path:
    """Copy a recorded run into ``store/VERSION`` as the golden baseline of that SDK version.

    Without ``sdk_version`` the run's own SDK version is used (it must have exactly one).
    """
    meta, _ = load_run(run)  # refuse a folder that is not a readable run
    if sdk_version is None:
        versions = sorted({str(d.get("sdk_version")) for d in meta.get("devices", []) if d.get("sdk_version")})
        if len(versions) != 1:
            raise RunFolderError(run, f"give --sdk-version: the run has SDK versions {versions or 'none'}")
        sdk_version = versions[0]
    target = baseline_path(store, sdk_version)
    if target.exists():
        if not force:
            raise RunFolderError(target, "a baseline is already pinned for this SDK version (use --force to replace)")
        shutil.rmtree(target)
    shutil.copytree(run, target)
    info = {"sdk_version": sdk_version, "pinned_at": time.time(), "source": str(Path(run).resolve())}
    (target / "baseline.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target
