"""Regression diffs between two recorded runs, payload by payload.

Requests are paired per scenario and device: grouped by method, route (the path with the project
token masked) and event type, then paired in order within a group. What always changes is ignored.
Values derived from the clock are compared by what they are, as the profile said when it judged the
run (each expectation in a record lists its clock values, see
:func:`harness.report.record.clock_values`): a time read from the device clock keeps its shape (a
timestamp keeps its number of integer digits: seconds do not turn into milliseconds), a duration
between two clock readings is equal within a tolerance, and an unset end marker minus a start time
(Android's ``session_end`` after ``anonymize()``) stays a negative number of the same size. Where
no profile judged a request (or the record predates that knowledge), key names decide: timestamps,
cookies, device ids and any UUID keep only their shape, durations are equal within the tolerance.
What is reported: events that are new or missing, property names added or removed, and changed
types and values; plus scenario results that went missing or from pass to fail. Any of these is a
regression (``harness diff`` exits 1); a run equal to its baseline exits 0.
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
from harness.sdk.registry import all_sdks
from harness.spec.assignment import min_cost_assignment

__all__ = ["Change", "DiffReport", "baseline_path", "diff_runs", "pin_baseline"]

# The body keys whose values differ from run to run (timestamps, ids an SDK generates): every registered
# SDK plug-in's ``volatile`` keys, and what the harness itself stamps.
VOLATILE_KEYS = frozenset({"received_at"}).union(*(sdk.volatile for sdk in all_sdks()))
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

    @property
    def missing_results(self) -> int:
        """Scenario results of run A that run B does not have (a shorter run is not a clean one)."""
        return sum(1 for p in self.payloads for c in p.changes if c.kind == "missing-result")

    def as_json(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "equal": not self.regression,
            "compared_payloads": self.compared,
            "missing_results": self.missing_results,
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
            missing = self.missing_results
            differ = len(self.payloads) - missing
            parts = [f"{missing} scenario results missing in B"] if missing else []
            parts += [f"{differ} payloads differ"] if differ or not missing else []
            lines.append(f"REGRESSION: {', '.join(parts)} ({self.compared} compared)")
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


def _same_clock_value(kind: str, a: Any, b: Any, tolerance: float) -> bool:
    """Two numbers the profile says came from the clock, compared by what they are (see the module)."""
    if not isinstance(a, int | float) or not isinstance(b, int | float) or isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if kind == "device-time":
        return _shape(a) == _shape(b)
    if kind == "marker-duration":
        return a < 0 and b < 0 and _shape(a) == _shape(b)
    return abs(a - b) <= tolerance  # "approx": known within a tolerance


def _compare(
    a: Any, b: Any, path: str, tolerance: float, out: list[Change], clock: Mapping[str, str] | None = None
) -> None:
    """Append the changes from ``a`` to ``b``; ``clock`` maps paths to the kind of clock value the
    profile expected there (None: no profile judged the request, key names decide)."""
    key = path.rsplit(".", 1)[-1]
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            sub = f"{path}.{k}"
            if k not in b:
                out.append(Change("removed", sub, before=a[k]))
            else:
                _compare(a[k], b[k], sub, tolerance, out, clock)
        out.extend(Change("added", f"{path}.{k}", after=b[k]) for k in b if k not in a)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _compare(x, y, f"{path}[{i}]", tolerance, out, clock)
        out.extend(Change("removed", f"{path}[{i}]", before=a[i]) for i in range(len(b), len(a)))
        out.extend(Change("added", f"{path}[{i}]", after=b[i]) for i in range(len(a), len(b)))
        return
    if _type(a) != _type(b):
        out.append(Change("type", path, a, b))
        return
    kind = clock.get(path) if clock is not None else None
    if kind is not None:
        if not _same_clock_value(kind, a, b, tolerance):
            out.append(Change("value", path, a, b))
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


_Sent = tuple[int, Any, "dict[str, str] | None"]  # request id, parsed body, clock values the profile expected


def _clock_of(record: Mapping[str, Any], req: Mapping[str, Any]) -> dict[str, str] | None:
    """The clock values of the expectation that matched ``req`` (None: none did, or an older record)."""
    index = req.get("expectation")
    expectations = record.get("expectations") or []
    if not isinstance(index, int) or not 0 <= index < len(expectations):
        return None
    clock = expectations[index].get("clock")
    return dict(clock) if isinstance(clock, Mapping) else None


def _grouped(record: Mapping[str, Any]) -> dict[tuple[str, str, str], list[_Sent]]:
    groups: dict[tuple[str, str, str], list[_Sent]] = {}
    for req in record["requests"]:
        body = _parse(str(req.get("body") or ""))
        groups.setdefault(_group_key(req, body), []).append((int(req.get("id") or 0), body, _clock_of(record, req)))
    return groups


def _both(a: dict[str, str] | None, b: dict[str, str] | None) -> dict[str, str] | None:
    """What the profile knew of a paired request in either run (run A's word where both speak)."""
    if a is None or b is None:
        return a if b is None else b
    return {**b, **a}


def _changes(a: _Sent, b: _Sent, tolerance: float) -> list[Change]:
    out: list[Change] = []
    _compare(a[1], b[1], "$", tolerance, out, _both(a[2], b[2]))
    return out


_PAIRING_LIMIT = 2500  # largest n*m of one group paired by least difference; beyond, in order


def _pair(la: list[_Sent], lb: list[_Sent], tolerance: float) -> list[tuple[int | None, int | None]]:
    """Which request of A goes with which of B, within one group (same route and event type).

    In order where that pairs equal payloads (Android sends one request at a time); otherwise the
    pairing with the fewest changes, ties going to the closer position: iOS sends concurrently, so two
    ``campaign`` events of one run may arrive in either order, and pairing them by position would
    report a difference that is only the order of arrival. Unpaired requests come back with None.
    """
    common = min(len(la), len(lb))
    in_order = [(i, i) for i in range(common)]
    if all(not _changes(la[i], lb[i], tolerance) for i in range(common)) or len(la) * len(lb) > _PAIRING_LIMIT:
        pairs: list[tuple[int | None, int | None]] = list(in_order)
    else:
        swap = len(la) > len(lb)
        rows, cols = (lb, la) if swap else (la, lb)
        cost = [
            [
                len(_changes(r, c, tolerance) if not swap else _changes(c, r, tolerance)) + abs(i - j) / (len(cols) + 1)
                for j, c in enumerate(cols)
            ]
            for i, r in enumerate(rows)
        ]
        chosen = min_cost_assignment(cost)
        pairs = [(chosen[i], i) if swap else (i, chosen[i]) for i in range(len(rows))]
    paired_a = {a for a, _ in pairs}
    paired_b = {b for _, b in pairs}
    pairs += [(i, None) for i in range(len(la)) if i not in paired_a]
    pairs += [(None, j) for j in range(len(lb)) if j not in paired_b]
    return pairs


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
            pairs = _pair(la, lb, tolerance)
            for n, m in pairs:
                label = _label(gkey, n if n is not None else m or 0)
                if m is None and n is not None:
                    report.payloads.append(
                        PayloadDiff(scenario, device, label, la[n][0], None, [Change("missing-event", "only in A")])
                    )
                elif n is None and m is not None:
                    report.payloads.append(
                        PayloadDiff(scenario, device, label, None, lb[m][0], [Change("new-event", "only in B")])
                    )
                elif n is not None and m is not None:
                    report.compared += 1
                    changes = _changes(la[n], lb[m], tolerance)
                    if changes:
                        report.payloads.append(PayloadDiff(scenario, device, label, la[n][0], lb[m][0], changes))
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
