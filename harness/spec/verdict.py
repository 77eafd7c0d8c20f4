"""Violations and verdicts, in one vocabulary, readable in a terminal.

Kinds: ``missing`` (an expected request never came), ``unexpected`` (a request nothing explains),
``mismatch`` (a field has the wrong value), ``type`` (a field has the wrong JSON type),
``order`` (sent out of the platform's guaranteed order), ``after-stop`` (traffic in a quiet window),
``malformed`` (the request could not be read), ``header`` (a header the SDK does not send that way;
the path names it, ``headers.authorization``), ``error`` (the scenario could not run), ``unreviewed``
(a pinned profile's field or identity proposal no person confirmed, see :mod:`harness.spec.pinned`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from harness.spec.matchers import Absent, Matcher, readable_json
from harness.wire.observation import ABSENT

__all__ = ["KINDS", "Match", "Verdict", "Violation"]

KINDS = (
    "missing",
    "unexpected",
    "mismatch",
    "type",
    "order",
    "after-stop",
    "malformed",
    "header",
    "error",
    "unreviewed",
)


@dataclass(frozen=True)
class Violation:
    kind: str
    message: str
    path: str = ""
    request_id: int | None = None
    cause: int | None = None
    rules: tuple[str, ...] = ()
    expected: Any = None
    actual: Any = None
    index: int | None = None  # the event's place inside the request (a batch of events), None: the whole request

    def line(self) -> str:
        where = f" {self.path}" if self.path else ""
        part = f" event {self.index}" if self.index is not None else ""
        req = f" request #{self.request_id}{part}" if self.request_id else ""
        rules = f"  [{', '.join(self.rules)}]" if self.rules else ""
        return f"{self.kind:<10}{req}{where}: {self.message}{rules}"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "path": self.path,
            "request_id": self.request_id,
            "cause": self.cause,
            "rules": list(self.rules),
            **({"index": self.index} if self.index is not None else {}),
        }


class Match(NamedTuple):
    """An expectation and the request that satisfied it (or came closest).

    ``copy`` is 0 for the first request an expectation consumed and 1, 2... for repeated copies
    (retries); ``label`` is the expectation's label, for reports.
    """

    expected_index: int
    request_id: int
    ok: bool
    label: str = ""
    copy: int = 0
    # the event's place inside the request (Observation.index; ``index`` is taken by tuple), None: the whole request
    event_index: int | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "expected_index": self.expected_index,
            "label": self.label,
            "request_id": self.request_id,
            "ok": self.ok,
            "copy": self.copy,
        }
        if self.event_index is not None:
            out["index"] = self.event_index
        return out


@dataclass
class Verdict:
    """The checker's answer.

    Attributes:
        violations: what is wrong, in one vocabulary (``KINDS``).
        matches: which expectation consumed which request (``Match``), for the report.
        diffs: unified diffs of mismatched and unexplained bodies, for the terminal.
        clock_offset: the device clock offset estimated from the traffic (captured timestamp minus
            the device time the profile expected, median over matched pairs), or None if no
            device-clock timestamp was matched.
        clock_offset_applied: whether timestamps were compared after adding it (its size is within
            the profile's ``max_clock_offset``).
        notes: remarks that are not violations (the offset, ignored non-tracking requests).
    """

    violations: list[Violation] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    clock_offset: float | None = None
    clock_offset_applied: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        """One line: what matched when the run passed, else the violations counted by kind."""
        if self.passed:
            return self.matched()
        counts: dict[str, int] = {}
        for v in self.violations:
            counts[v.kind] = counts.get(v.kind, 0) + 1
        return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))

    def matched(self) -> str:
        """What the matches amount to, in the unit the SDK sends.

        An SDK that sends one event a request reads "N requests as expected". A batch SDK (one that
        sends several events in one request body) matches every event inside a request on its own, so a count of
        matches would read as requests and hide that one batch carried several events: it reads "N
        expected events in M requests", re-sent copies (a retried batch) counted apart, and any whole
        requests matched besides (the settings fetch, a background ``/track``) after it.
        """
        events = [m for m in self.matches if m.event_index is not None]
        whole = len(self.matches) - len(events)
        if not events:
            return f"{_count(whole, 'request')} as expected"
        distinct = len({m.expected_index for m in events})
        line = f"{_count(distinct, 'expected event')} in {_count(len({m.request_id for m in events}), 'request')}"
        if len(events) > distinct:
            line += f" ({_count(len(events) - distinct, 're-sent copy', 're-sent copies')})"
        if whole:
            line += f", and {_count(whole, 'other request')} as expected"
        return line

    def report(self) -> str:
        """Every violation on a line, then the notes, then the diffs of mismatched requests."""
        lines = [v.line() for v in self.violations]
        lines += [f"note: {n}" for n in self.notes]
        for d in self.diffs:
            lines.append(d)
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "summary": self.summary(),
            "violations": [v.as_json() for v in self.violations],
            "matches": [m.as_json() for m in self.matches],
            "clock_offset": self.clock_offset,
            "clock_offset_applied": self.clock_offset_applied,
            "notes": list(self.notes),
        }


def render_expected(value: Any, actual: Any = ABSENT, bindings: dict[str, Any] | None = None) -> Any:
    """The expected body for a diff: a matcher the captured value satisfies becomes that value, so the
    diff shows only real differences; one that fails stays a matcher, which :func:`readable_json`
    shows by its description (``a lower-case UUID (bound as cookie#1)``), as the HTML report does.
    """
    bindings = {} if bindings is None else bindings
    if isinstance(value, Matcher):
        if actual is not ABSENT and value.check(actual, dict(bindings)) is None:
            return actual
        return value
    if isinstance(value, dict):
        act = actual if isinstance(actual, dict) else {}
        return {
            k: render_expected(v, act.get(k, ABSENT), bindings)
            for k, v in value.items()
            if not (isinstance(v, Absent) and k not in act)
        }
    if isinstance(value, list | tuple):
        act_list = actual if isinstance(actual, list) and len(actual) == len(value) else [ABSENT] * len(value)
        return [render_expected(v, a, bindings) for v, a in zip(value, act_list, strict=True)]
    if _number(value) and _number(actual) and float(value) == float(actual):
        return actual  # the checker compares numbers by value: 5 and 5.0 are no difference
    return value


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def body_diff(label: str, expected: Any, actual: Any, bindings: dict[str, Any] | None = None) -> str:
    """A unified diff of expected (matchers described) vs captured body, both pretty-printed."""
    exp = readable_json(render_expected(expected, actual, bindings))
    act = readable_json(actual)
    diff = difflib.unified_diff(exp.splitlines(), act.splitlines(), "expected", "captured", lineterm="", n=2)
    body = "\n".join("    " + line for line in diff)
    return f"  diff for {label}:\n{body}"
