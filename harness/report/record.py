"""A run as plain JSON: what every report (HTML, matrix, JUnit, diff) reads.

A :class:`~harness.scenario.runner.RunResult` holds live objects (matchers, observations); a record
is the same outcome turned into JSON once, so that reports can be written by another process (a
pytest-xdist controller merging its workers) or years later (``harness diff`` against a pinned
baseline). Secrets never reach a record: every Authorization value is masked, and the secret part
of it is scrubbed from messages and diffs too.
"""

from __future__ import annotations

import difflib
import json
import os
import platform as _platform
import re
import socket
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from harness.capture.export import NOT_SECRET, mask
from harness.spec.matchers import Absent, Approx, DeviceTime, MarkerDuration, Matcher, readable_json
from harness.wire.observation import ABSENT

if TYPE_CHECKING:
    from harness.scenario.runner import RunResult
    from harness.spec.expectation import Expected
    from harness.spec.verdict import Violation

__all__ = ["clock_values", "marked_secrets", "readable", "result_record", "run_meta", "side_by_side", "value_at"]

Record = dict[str, Any]


def _json_safe(value: Any) -> Any:
    """Plain JSON for results.json: tuples become lists, a matcher its tagged :meth:`Matcher.as_json`
    (the machine-readable form; ``expected_text`` and the diffs carry the readable one)."""
    if value is ABSENT:
        return "<absent>"
    return json.loads(json.dumps(value, default=_matcher_json, ensure_ascii=False))


def _matcher_json(value: Any) -> Any:
    if isinstance(value, Matcher):
        return value.as_json()
    return str(value)


def _resolve(expected: Any, actual: Any, wrong: frozenset[str] = frozenset(), path: str = "$") -> Any:
    """The expected value with every matcher the checker found satisfied replaced by the captured
    value, so that only real differences remain. ``wrong`` holds the paths the checker reported for
    this request: a matcher there (or below) stays a matcher, shown by its description. (Only the
    checker knows the bindings a :class:`Var` was held to, so its verdict decides, not a re-check.)
    """
    if isinstance(expected, Matcher):
        if (
            actual is ABSENT
            or path in wrong
            or any(path.startswith(w + ".") or path.startswith(w + "[") for w in wrong)
        ):
            return expected
        return actual
    if isinstance(expected, Mapping):
        act = actual if isinstance(actual, Mapping) else {}
        return {
            k: _resolve(v, act.get(k, ABSENT), wrong, f"{path}.{k}")
            for k, v in expected.items()
            if not (isinstance(v, Absent) and k not in act)
        }
    if isinstance(expected, list | tuple):
        acts = actual if isinstance(actual, list) and len(actual) == len(expected) else [ABSENT] * len(expected)
        return [_resolve(v, a, wrong, f"{path}[{n}]") for n, (v, a) in enumerate(zip(expected, acts, strict=True))]
    return expected


def readable(value: Any) -> str:
    """Pretty-printed JSON with matchers read as their descriptions (see
    :func:`harness.spec.matchers.readable_json`, which the terminal and JUnit use too)."""
    return readable_json(value)


def _parse(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def value_at(doc: Any, path: str) -> Any:
    """The value at a checker path (``$.properties.x``, ``$.ids[0]``), or ``ABSENT``."""
    rest = path[1:] if path.startswith("$") else "." + path
    for key, index in _STEP.findall(rest):
        if key and isinstance(doc, Mapping) and key in doc:
            doc = doc[key]
        elif index and isinstance(doc, list) and int(index) < len(doc):
            doc = doc[int(index)]
        else:
            return ABSENT
    return doc


def side_by_side(expected: Any, captured: Any) -> list[list[Any]]:
    """Rows ``[tag, left line | None, right line | None]`` of pretty-printed JSON, aligned.

    ``tag`` is ``equal``, ``replace``, ``delete`` (only expected) or ``insert`` (only captured).
    Matchers in ``expected`` read as their descriptions (see :func:`readable`).
    """

    def lines(value: Any) -> list[str]:
        return [] if value is ABSENT else readable(value).splitlines()

    left, right = lines(expected), lines(captured)
    rows: list[list[Any]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        a, b = left[i1:i2], right[j1:j2]
        for k in range(max(len(a), len(b))):
            la = a[k] if k < len(a) else None
            rb = b[k] if k < len(b) else None
            rows.append([tag if la is not None and rb is not None else ("delete" if rb is None else "insert"), la, rb])
    return rows


def clock_values(body: Any, path: str = "$") -> dict[str, str]:
    """Where the profile expects a value derived from the clock, and what it is, by checker path.

    ``device-time``: a time the SDK read from the device clock (it keeps its shape from run to run);
    ``marker-duration``: an unset end marker minus a start read from the clock (a large negative
    number that moves with the clock); ``approx``: a number known within a tolerance (a duration
    between two clock readings). ``harness diff`` compares these by what they are, not by their digits.
    """
    if isinstance(body, DeviceTime):
        return {path: "device-time"}
    if isinstance(body, MarkerDuration):
        return {path: "marker-duration"}
    if isinstance(body, Approx):
        return {path: "approx"}
    out: dict[str, str] = {}
    if isinstance(body, Mapping):
        for k, v in body.items():
            out.update(clock_values(v, f"{path}.{k}"))
    elif isinstance(body, list | tuple):
        for i, v in enumerate(body):
            out.update(clock_values(v, f"{path}[{i}]"))
    return out


def _headers_masked(headers: Mapping[str, str]) -> dict[str, str]:
    out = dict(headers)
    if "authorization" in out:
        out["authorization"] = mask(out["authorization"])
    return out


# A credential at least this long is scrubbed wherever it appears, even inside a longer word; a
# shorter one only where it stands alone, so a test key such as ``abc`` never eats into the ids,
# paths and titles that happen to contain it. Real Engagement keys are far longer.
CREDENTIAL_LENGTH = 16
# Characters that continue an id, a word or a path: a short secret next to one is part of something else.
_WORD = "A-Za-z0-9_./-"


def marked_secrets() -> list[str]:
    """The values the user marks secret: ``HARNESS_SECRETS``, separated by whitespace."""
    return os.environ.get("HARNESS_SECRETS", "").split()


def _authorizations(value: Any) -> Iterable[str]:
    """Every ``authorization`` value in a step's arguments (a configuration, its project route map)."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if str(k).lower() == "authorization" and isinstance(v, str):
                yield v
            else:
                yield from _authorizations(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _authorizations(v)


def _credential(value: str) -> str | None:
    """The secret part of an Authorization value, or None where it holds none (``null``, empty)."""
    scheme, sep, rest = value.strip().partition(" ")
    secret = rest.strip() if sep else scheme
    if secret.lower() in NOT_SECRET or set(secret) <= {"*"}:
        return None
    return secret


def _secrets(result: RunResult) -> set[str]:
    values = [r.headers.get("authorization", "") for r in result.requests]
    values += [r.headers.get("authorization", "") for r in result.app_requests or []]
    values += [e.authorization or "" for e in (result.expectations.requests if result.expectations else [])]
    for s in result.trace:
        values += _authorizations(s.args)
    found = {c for c in map(_credential, values) if c}
    return found | {m for m in marked_secrets() if m.lower() not in NOT_SECRET}


def _scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every secret replaced by ``****`` (long ones anywhere, short ones standing alone)."""
    secrets = sorted(secrets, key=len, reverse=True)
    if not secrets:
        return value
    alternatives = [
        re.escape(s) if len(s) >= CREDENTIAL_LENGTH else f"(?<![{_WORD}]){re.escape(s)}(?![{_WORD}])" for s in secrets
    ]
    pattern = re.compile("|".join(alternatives))

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return pattern.sub("****", v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    return walk(value)


def _device_timestamp(body: Any) -> float | None:
    ts = body.get("timestamp") if isinstance(body, Mapping) else None
    return float(ts) if isinstance(ts, int | float) and not isinstance(ts, bool) else None


def _owner(v: Violation, candidates: Sequence[int], exps: Sequence[Expected]) -> int | None:
    """The expectation among ``candidates`` (those matched to the violation's request) whose check
    produced ``v``.

    A request can answer the profile's expectation and a user ``expect`` at once; each is judged on
    its own, and the checker starts a violation's message with the label of the expectation it
    judged (``"{label} ({cause}): {reason}"``) and gives it that expectation's cause and rules. The
    candidate agreeing on all three, longest label first, is the one; a violation of the request as
    a whole (order, headers, malformed) is the profile's, the first candidate.
    """
    fitting = [
        i
        for i in candidates
        if v.cause == exps[i].cause
        and tuple(v.rules) == tuple(exps[i].rules)
        and v.message.startswith((exps[i].label or exps[i].route) + " ")
    ]
    if fitting:
        return max(fitting, key=lambda i: len(exps[i].label or exps[i].route))
    return candidates[0] if candidates else None


def result_record(result: RunResult) -> Record:
    """One scenario on one device, as JSON (the unit every report and the diff work with)."""
    requests = {r.id: r for r in result.requests}
    bodies = {r.id: _parse(r.body) for r in result.requests}
    verdict = result.verdict
    exps = result.expectations.requests if result.expectations else []
    matched = {m.expected_index: m for m in verdict.matches} if verdict else {}
    links: dict[int, list[int]] = {}  # request id -> every expectation it answered (profile's first)
    for match in verdict.matches if verdict else []:
        if match.expected_index not in links.setdefault(match.request_id, []):
            links[match.request_id].append(match.expected_index)
    owners = [  # each violation's expectation: the one whose check produced it
        _owner(v, links.get(v.request_id, []), exps) if v.request_id is not None else None
        for v in (verdict.violations if verdict else [])
    ]

    wrong: dict[tuple[int, int], set[str]] = {}  # (request id, expectation) -> body paths reported
    for v, owner in zip(verdict.violations if verdict else [], owners, strict=True):
        if v.request_id is not None and owner is not None and v.path.startswith("$"):
            wrong.setdefault((v.request_id, owner), set()).add(v.path)

    expectations = []
    resolved: list[Any] = []  # each expectation's body, matchers kept (readable in diffs and violations)
    for i, exp in enumerate(exps):
        m = matched.get(i)
        actual = bodies.get(m.request_id, ABSENT) if m else ABSENT
        resolved.append(_resolve(exp.body, actual, frozenset(wrong.get((m.request_id, i), ()) if m else ())))
        expectations.append(
            {
                "index": i,
                "label": exp.label or exp.route,
                "route": exp.route,
                "event_type": _json_safe(exp.event_type) if isinstance(exp.event_type, str) else None,
                "cause": exp.cause,
                "rules": list(exp.rules),
                "authorization": mask(exp.authorization) if exp.authorization else None,
                "body": _json_safe(resolved[i]),
                "clock": clock_values(exp.body),
                "request_id": m.request_id if m else None,
                "status": "missing" if m is None else ("ok" if m.ok else "mismatch"),
            }
        )

    violations: list[dict[str, Any]] = []
    for v, exp_index in zip(verdict.violations if verdict else [], owners, strict=True):
        exp_doc: Any = resolved[exp_index] if exp_index is not None else ABSENT
        cap_doc: Any = bodies.get(v.request_id, ABSENT) if v.request_id is not None else ABSENT
        if v.path.startswith("headers."):
            name = v.path.split(".", 1)[1]
            req = requests.get(v.request_id) if v.request_id is not None else None
            cap_val = _headers_masked(req.headers).get(name, ABSENT) if req else ABSENT
            exp_val = (
                expectations[exp_index]["authorization"]
                if exp_index is not None and name == "authorization"
                else ABSENT
            )
        elif v.path:
            exp_val, cap_val = value_at(exp_doc, v.path), value_at(cap_doc, v.path)
        else:
            exp_val = _resolve(v.expected, ABSENT) if v.expected is not None else ABSENT
            cap_val = v.actual if v.actual is not None else ABSENT
        violations.append(
            {
                **v.as_json(),
                "expectation": exp_index,
                "expected": None if exp_val is ABSENT else _json_safe(exp_val),
                "expected_text": readable(exp_val),
                "captured": None if cap_val is ABSENT else _json_safe(cap_val),
                "expected_present": exp_val is not ABSENT,
                "captured_present": cap_val is not ABSENT,
            }
        )

    diffs = []
    for i, e in enumerate(expectations):
        if e["status"] == "mismatch":
            rid = e["request_id"]
            diffs.append(
                {
                    "title": f"request #{rid} vs expected {e['label']}",
                    "expectation": i,
                    "request_id": rid,
                    "rows": side_by_side(resolved[i], bodies[rid]),
                }
            )
        elif e["status"] == "missing":
            diffs.append(
                {
                    "title": f"expected {e['label']}: never sent",
                    "expectation": i,
                    "request_id": None,
                    "rows": side_by_side(resolved[i], ABSENT),
                }
            )
    claimed: set[int] = set()
    for vj in violations:  # the checker names unexpected requests by body; link them to their request
        if vj["kind"] in ("unexpected", "after-stop") and vj["request_id"] is None:
            hit = [
                r.id
                for r in result.requests
                if r.id not in links and r.id not in claimed and _json_safe(bodies[r.id]) == vj["captured"]
            ]
            vj["request_id"] = hit[0] if hit else None
            claimed.update(hit[:1])
        if vj["kind"] in ("unexpected", "after-stop") and vj["expectation"] is None:
            captured = vj["captured"] if vj["captured_present"] else ABSENT
            diffs.append(
                {
                    "title": vj["message"],
                    "expectation": None,
                    "request_id": vj["request_id"],
                    "rows": side_by_side(ABSENT, captured),
                }
            )

    scenario = result.scenario
    record: Record = {
        "scenario": scenario.id,
        "title": scenario.title,
        "covers": list(scenario.covers),
        "path": scenario.path,
        "device": result.device_uri,
        "platform": result.platform,
        "profile": result.profile,
        "sdk_version": result.sdk_version,
        "sdk": result.sdk,
        "warnings": list(result.warnings),  # e.g. an unmodelled --sdk-version judged by a lower modelled one
        "fault": result.fault,
        "outcome": result.outcome,
        "error": result.error,
        "summary": verdict.summary() if verdict else (result.error or ""),
        "duration": round(result.duration, 3),
        "device_time_span": result.device_time_span,
        "trace": [
            {
                "index": s.index,
                "kind": s.kind,
                "name": s.name,
                "args": _json_safe(dict(s.args)),
                "device_time": s.device_time,
                "host_time": s.host_time,
                "error": s.error,
                "line": s.line,
            }
            for s in result.trace
        ],
        "requests": [
            {
                **r.as_json(),
                "headers": _headers_masked(r.headers),
                "expectation": links[r.id][0] if r.id in links else None,
                "expectations": links.get(r.id, []),
                "device_timestamp": _device_timestamp(bodies[r.id]),
            }
            for r in result.requests
        ],
        "expectations": expectations,
        "quiet": [
            {
                "cause": q.cause,
                "start_host_time": q.start_host_time,
                "end_host_time": q.end_host_time,
                "reason": q.reason,
                "rules": list(q.rules),
            }
            for q in (result.expectations.quiet if result.expectations else [])
        ],
        "violations": violations,
        "diffs": diffs,
        "text": verdict.report() if verdict else (result.error or ""),
    }
    if result.app_requests is not None:
        record["app_requests"] = [{**r.as_json(), "headers": _headers_masked(r.headers)} for r in result.app_requests]
    if result.capture_diff is not None:
        diff = result.capture_diff
        record["capture_diff"] = {
            "summary": diff.summary(),
            "matched": diff.matched,
            "lost": [{"method": r.method, "path": r.path, "body": r.body} for r in diff.lost],
            "unexplained": [{"method": r.method, "path": r.path, "body": r.body} for r in diff.unexplained],
        }
        if not diff.equal:
            record["summary"] += f"; in-app vs collector: {diff.summary()}"
            record["text"] += "\nin-app capture against the collector's: " + diff.report()
    scrubbed: Record = _scrub(record, _secrets(result))
    return scrubbed


def run_meta(
    devices: Sequence[Mapping[str, Any]],
    *,
    fault: str | None,
    started_at: float,
    duration: float,
    command: Sequence[str] = (),
) -> dict[str, Any]:
    """The run's metadata: who ran what, where, when, with which SDK model (``run.json``)."""
    from harness import __version__

    return {
        "harness_version": __version__,
        "devices": [dict(d) for d in devices],
        "fault": fault,
        "faults": [fault] if fault else [],
        "started_at": started_at,
        "started_at_iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started_at)),
        "duration": round(duration, 3),
        "host": socket.gethostname(),
        "os": f"{_platform.system()} {_platform.release()}",
        "python": sys.version.split()[0],
        "command": list(command),
    }


def device_meta(info: Mapping[str, Any], profile: str, sdk_version: str) -> dict[str, Any]:
    """A device line of ``run.json``: ``harness devices --json`` keys plus the profile judging it."""
    return {**dict(info), "profile": profile, "sdk_version": sdk_version}
