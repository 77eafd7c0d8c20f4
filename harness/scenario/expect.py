"""The user's own expectations: ``expect`` and ``expect_nothing`` steps, judged after the profile.

An ``expect`` step asserts that the app sends an event or a request (a partial body: keys not named
are not compared) from the step before it on. It becomes an :class:`~harness.spec.expectation.Expected`
judged by the same checker as the profile's expectations, so a difference is a ``mismatch`` with a JSON
path and an absence is ``missing``, reported the same way everywhere. Each user expectation is judged
on its own against every request of the run (not competing with the profile's expectations for the
same request: the profile says what the SDK must send, the user adds what the app must send too).

``within: SECONDS`` and ``expect_nothing: {seconds: N}`` are device time: the virtual device's clock
jumps at ``wait`` steps, so a window is placed with the device clock readings of the trace
(:class:`DeviceClock`), not with host seconds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Approx
from harness.spec.trace import Stimulus
from harness.spec.verdict import Match, Verdict, Violation
from harness.wire.observation import ABSENT, Observation

__all__ = ["SLACK", "DeviceClock", "StepTimes", "judge_user_expectations"]

SLACK = 1.0  # seconds a timestamp may lie outside ``within`` (clock readings are taken around a step)
_ROUTE = "expect"  # the one route every request is put on for a user expectation (see _project)


@dataclass(frozen=True)
class StepTimes:
    """When a step ran: host time at its start, whether the device clock could be read then, and
    the step's name as the scenario wrote it (``wait``, ``relaunch``), for ``expect_nothing: {until}``."""

    start_host: float
    device_known: bool
    source: str = ""


class DeviceClock:
    """Maps a host arrival time to the device times at which the app could have sent the request.

    Between steps the device clock runs with the host's; a ``wait`` step moves it forward at once, so a
    request that arrives while a ``wait`` runs was sent at some device time within the jump.
    """

    def __init__(self, trace: Sequence[Stimulus], times: Sequence[StepTimes]) -> None:
        # (start host, end host, device at start, device at end, is a jump)
        self.spans: list[tuple[float, float, float, float, bool]] = []
        device = None
        prev_end = 0.0
        for s, t in zip(trace, times, strict=True):
            # when the app was not running, the device clock ran on with the host's
            start_dev = s.device_time if t.device_known or device is None else device + (t.start_host - prev_end)
            jump = float(s.args.get("seconds", 0.0)) if s.name == "advance_clock" else 0.0
            end_dev = start_dev + jump + max(0.0, s.host_time - t.start_host)
            self.spans.append((t.start_host, s.host_time, start_dev, end_dev, jump > 0))
            device, prev_end = end_dev, s.host_time

    def device_range(self, host: float) -> tuple[float, float]:
        """The earliest and latest device time the clock can have read at host time ``host``."""
        if not self.spans:
            return host, host
        first = self.spans[0]
        if host < first[0]:
            return first[2] - (first[0] - host), first[2] - (first[0] - host)
        for start, end, start_dev, end_dev, jump in reversed(self.spans):
            if host >= end:
                t = end_dev + (host - end)
                return t, t
            if host >= start:
                if jump:
                    return start_dev, end_dev
                t = start_dev + (host - start)
                return t, t
        return first[2], first[2]


def _anchor(trace: Sequence[Stimulus], at: int) -> Stimulus | None:
    """The step an expectation follows: the nearest earlier step that is not itself an expectation."""
    return next((s for s in reversed(trace[:at]) if s.kind != "expect"), None)


def _label(step: Stimulus) -> str:
    what = step.args.get("event") if "event" in step.args else step.args.get("request", {}).get("path", "request")
    return f"expect {what!r}" + (f" (line {step.line})" if step.line else "")


def _expected(step: Stimulus, anchor: Stimulus | None) -> Expected:
    args = step.args
    body: dict[str, Any]
    headers: dict[str, Any] = {}
    if "event" in args:
        body = {"event_type": args["event"]}
        if "properties" in args:
            body["properties"] = dict(args["properties"])
    else:
        request = args["request"]
        body = dict(request.get("body") or {})
        headers = {str(k).lower(): v for k, v in (request.get("headers") or {}).items()}
    within = args.get("within")
    if within is not None and anchor is not None:
        half = float(within) / 2
        body["timestamp"] = Approx(anchor.device_time + half, half + SLACK)
    return Expected(
        route=_ROUTE,
        project_token="",
        authorization=None,
        body=body,
        cause=anchor.index if anchor is not None else step.index,
        label=_label(step),
        headers=headers,
        exact_keys=False,
    )


def _api_path(path: str, base_path: str) -> str:
    """The request's path without the collector's per-device prefix (``/d/<key>``)."""
    base = base_path.rstrip("/")
    return path[len(base) :] if base and path.startswith(base) else path


def _project(obs: Observation, step: Stimulus) -> Observation:
    """The request as one user expectation sees it: one route, no project, no authorization rule.

    The checker buckets by route, project and event type; a user expectation names only what it
    names, so the others are made equal here (the event type only when the expectation names one).
    """
    args = step.args
    request_body = (args.get("request") or {}).get("body") or {}
    named_event = "event" in args or isinstance(request_body.get("event_type"), str)
    body = obs.body
    if not named_event and not (args.get("request") or {}).get("body") and "within" not in args:
        body = body if type(body) is dict else {}
    return dataclasses.replace(
        obs,
        route=_ROUTE,
        project_token="",
        stream_id=None,
        authorization=None,
        problems=(),
        body=body,
        event_type=obs.event_type if named_event else ABSENT,
    )


def _selects(obs: Observation, step: Stimulus, base_path: str) -> bool:
    request = step.args.get("request")
    if request is None:
        return True
    method, path = request.get("method"), request.get("path")
    path = None if path is None else str(path)
    if method is not None and obs.method.upper() != str(method).upper():
        return False
    if path is None:
        return True
    actual = _api_path(obs.path, base_path)
    return bool(actual == path if "?" in path else actual.split("?", 1)[0] == path)


def judge_user_expectations(
    trace: Sequence[Stimulus],
    times: Sequence[StepTimes],
    observations: Sequence[Observation],
    base_path: str,
    run_end_host: float,
) -> tuple[list[Expected], Verdict]:
    """The user's ``expect``/``expect_nothing`` steps against every request of the run.

    ``observations`` are all the app's requests (tracking or not), in arrival order. Returns the
    expectations (for the report) and a verdict whose matches index into them.
    """
    out = Verdict()
    expected: list[Expected] = []
    clock = DeviceClock(trace, times)
    for i, step in enumerate(trace):
        if step.kind != "expect":
            continue
        if step.name == "expect":
            anchor = _anchor(trace, i)
            exp = _expected(step, anchor)
            since = times[anchor.index].start_host if anchor is not None else times[i].start_host
            pool = [_project(o, step) for o in observations if o.received_at >= since and _selects(o, step, base_path)]
            verdict = check(Expectations(requests=[exp], max_clock_offset=0.0), pool)
            n = len(expected)
            expected.append(exp)
            out.matches += [Match(n, m.request_id, m.ok, m.label, m.copy) for m in verdict.matches]
            out.violations += [v for v in verdict.violations if v.kind in ("missing", "mismatch", "type")]
            out.diffs += [d for d in verdict.diffs if " vs " in d.split("\n", 1)[0]]  # not the leftovers
        else:
            _judge_nothing(trace, times, i, clock, observations, run_end_host, out)
    return expected, out


def _judge_nothing(
    trace: Sequence[Stimulus],
    times: Sequence[StepTimes],
    i: int,
    clock: DeviceClock,
    observations: Sequence[Observation],
    run_end_host: float,
    out: Verdict,
) -> None:
    step = trace[i]
    start_host = times[i].start_host
    seconds = step.args.get("seconds")
    until = step.args.get("until")
    end_host = run_end_host
    if until is not None and until != "end":
        later = next((j for j in range(i + 1, len(trace)) if times[j].source == until), None)
        end_host = times[later].start_host if later is not None else run_end_host
    start_dev = clock.device_range(start_host)[0]
    where = f"expect_nothing at step {i + 1}" + (f" (line {step.line})" if step.line else "")
    for obs in observations:
        if obs.received_at < start_host or obs.received_at >= end_host:
            continue
        if seconds is not None:
            lo, hi = clock.device_range(obs.received_at)
            end_dev = start_dev + float(seconds)
            if lo > end_dev:
                continue
            if hi > end_dev:  # sent during a clock jump across the window's end: the body's clock decides
                ts: Any = obs.timestamp
                if not (isinstance(ts, int | float) and not isinstance(ts, bool) and start_dev <= ts <= end_dev):
                    out.notes.append(
                        f"{obs.label()} arrived while the clock jumped past the end of {where}; "
                        "not known to be inside the window"
                    )
                    continue
            when = f"{max(lo - start_dev, 0.0):.1f}s of device time into"
        else:
            when = f"{obs.received_at - start_host:.2f}s into"
        out.violations.append(
            Violation(
                "unexpected",
                f"{obs.label()} {obs.method} {obs.path} arrived {when} {where}: nothing may be sent then",
                request_id=obs.request_id,
                cause=step.index,
                actual=obs.body,
            )
        )
