"""The checker: match expected requests to captured ones and report what differs.

Each expectation consumes one captured request. Candidates are the unconsumed requests with the
same route, token and event type; a candidate with no difference wins (the earliest), otherwise the
closest one is consumed and its differences reported as ``mismatch``/``type``. Expectations with
no candidate are ``missing``; requests nothing consumed are ``unexpected`` — or ``after-stop`` when
they arrived inside a quiet window. Where the platform guarantees it, arrival order must follow the
body timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Bindings, diff_value
from harness.spec.verdict import Match, Verdict, Violation, body_diff
from harness.wire.observation import ABSENT, Observation

__all__ = ["check"]


def _same_kind(exp: Expected, obs: Observation) -> bool:
    if exp.route != obs.route or exp.project_token != obs.project_token:
        return False
    if exp.route == "campaign_clicks":
        return True
    want = exp.body.get("event_type", ABSENT)
    return not isinstance(want, str) or want == obs.event_type


def _differences(exp: Expected, obs: Observation, bindings: Bindings) -> list[tuple[str, str, str]]:
    diffs: list[tuple[str, str, str]] = []
    if exp.authorization != obs.authorization:
        diffs.append(
            ("mismatch", "headers.authorization", f"expected {exp.authorization!r}, got {obs.authorization!r}")
        )
    if exp.not_before is not None and obs.received_at < exp.not_before:
        early = exp.not_before - obs.received_at
        diffs.append(("mismatch", "received_at", f"arrived {early:.2f}s before the SDK may send it (delayed flush)"))
    for name, want in exp.headers.items():
        diffs += diff_value(want, obs.headers.get(name, ABSENT), bindings, f"headers.{name}")
    body = obs.body if isinstance(obs.body, dict) else ABSENT
    diffs += diff_value(exp.body, body, bindings, "$", exp.exact_keys)
    return diffs


def check(expectations: Expectations, observations: Sequence[Observation]) -> Verdict:
    """Judge ``observations`` (tracking requests in arrival order) against ``expectations``."""
    verdict = Verdict()
    bindings: Bindings = {}
    consumed: dict[int, int] = {}  # request_id -> expectation index
    for obs in observations:
        for problem in obs.problems:
            verdict.violations.append(Violation("malformed", problem, request_id=obs.request_id))
    # Required expectations first, so an optional one (a maybe-retry) never takes their request.
    order = sorted(range(len(expectations.requests)), key=lambda i: expectations.requests[i].optional)
    for index in order:
        exp = expectations.requests[index]
        candidates = [o for o in observations if o.request_id not in consumed and _same_kind(exp, o)]
        if exp.optional:
            _take_exact(exp, index, candidates, bindings, consumed, verdict)
            continue
        if not candidates:
            verdict.violations.append(
                Violation(
                    "missing",
                    f"{exp.label or exp.route} expected from {_cause(exp)}, never sent",
                    cause=exp.cause,
                    rules=exp.rules,
                )
            )
            continue
        best: tuple[Observation, list[tuple[str, str, str]], Bindings] | None = None
        for obs in candidates:
            trial = dict(bindings)
            diffs = _differences(exp, obs, trial)
            if best is None or len(diffs) < len(best[1]):
                best = (obs, diffs, trial)
            if not diffs:
                break
        assert best is not None
        obs, diffs, trial = best
        consumed[obs.request_id] = index
        verdict.matches.append(Match(index, obs.request_id, not diffs))
        if not diffs:
            bindings = trial
            continue
        # Keep bindings of the fields that did match, so one wrong cookie is reported once.
        bindings = {k: v for k, v in trial.items() if k in bindings or not _mentions(diffs, k)}
        for kind, path, reason in diffs:
            vkind = "type" if kind == "type" else "mismatch"
            verdict.violations.append(
                Violation(
                    vkind,
                    f"{exp.label or exp.route} ({_cause(exp)}): {reason}",
                    path=path,
                    request_id=obs.request_id,
                    cause=exp.cause,
                    rules=exp.rules,
                )
            )
        verdict.diffs.append(body_diff(f"{obs.label()} vs {exp.label or exp.route}", exp.body, obs.body, bindings))
    for obs in observations:
        if obs.request_id in consumed:
            continue
        window = next((w for w in expectations.quiet if w.contains(obs.received_at)), None)
        if window is not None:
            verdict.violations.append(
                Violation(
                    "after-stop",
                    f"{obs.label()} arrived {obs.received_at - window.start_host_time:.2f}s after {window.reason}",
                    cause=window.cause,
                    rules=window.rules,
                    actual=obs.body,
                )
            )
            verdict.diffs.append(body_diff(f"{obs.label()} (nothing may be sent)", None, obs.body))
        else:
            verdict.violations.append(
                Violation("unexpected", f"{obs.label()} {_brief(obs)}: no SDK call explains it", actual=obs.body)
            )
            verdict.diffs.append(body_diff(f"{obs.label()} (not expected)", None, obs.body))
    if expectations.ordered:
        _check_order(observations, consumed, verdict)
    return verdict


def _take_exact(
    exp: Expected,
    index: int,
    candidates: list[Observation],
    bindings: Bindings,
    consumed: dict[int, int],
    verdict: Verdict,
) -> None:
    """An optional expectation consumes the first candidate it matches exactly, or nothing."""
    for obs in candidates:
        trial = dict(bindings)
        if not _differences(exp, obs, trial):
            bindings.update(trial)
            consumed[obs.request_id] = index
            verdict.matches.append(Match(index, obs.request_id, True))
            return


def _check_order(observations: Sequence[Observation], consumed: dict[int, int], verdict: Verdict) -> None:
    last: Observation | None = None
    for obs in observations:
        if obs.request_id not in consumed or not isinstance(obs.timestamp, int | float):
            continue
        if last is not None and isinstance(last.timestamp, int | float) and obs.timestamp < last.timestamp:
            verdict.violations.append(
                Violation(
                    "order",
                    f"{obs.label()} (timestamp {obs.timestamp:.3f}) was sent after {last.label()} "
                    f"(timestamp {last.timestamp:.3f}); the SDK sends in ascending timestamp order",
                    request_id=obs.request_id,
                    rules=("android#4",),
                )
            )
        last = obs


def _mentions(diffs: list[tuple[str, str, str]], var: str) -> bool:
    return any(var in reason for _, _, reason in diffs)


def _cause(exp: Expected) -> str:
    return f"step {exp.cause + 1}"


def _brief(obs: Observation) -> str:
    ts: Any = obs.timestamp
    return f"(timestamp {ts:.3f})" if isinstance(ts, int | float) else ""
