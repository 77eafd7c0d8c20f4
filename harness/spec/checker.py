"""The checker: match expected requests to captured ones and report what differs.

Each expectation consumes one captured request (or ``copies`` of it, for retries). The matching is
optimal, not greedy, so one odd request does not push every later one onto the wrong partner:

1. Requests and expectations are put in buckets by route, project (or stream) and event type.
2. The device clock offset is estimated from the traffic (median of captured timestamp minus the
   expected device time, robust to a few odd requests) and applied to ``DeviceTime`` timestamps if
   it is within the profile's ``max_clock_offset``.
3. In a bucket, an expectation's candidates are the requests whose timestamp is within its
   tolerance; the candidate graph falls apart into small components, each solved as a min-cost
   assignment (cost = number of differing fields; leaving a required expectation unmatched costs
   more than any pairing; an optional one only takes an exact match).
4. Left-over requests that repeat a matched request are its copies (retries); the remaining
   expectations and requests of a bucket are paired by the same assignment, timestamps ignored, so
   a wrong timestamp reads as a ``mismatch`` of ``$.timestamp`` rather than missing + unexpected.
5. Bindings of variables (the cookie, the device id) are settled by majority over exact pairs, so
   one wrong cookie is reported once; a variable inside alternatives (``OneOf``) votes where every
   matching alternative binds it alike, and a request whose alternatives bind differently must
   agree with the bindings through one of them. What no expectation consumed is ``unexpected`` (or
   ``after-stop`` in a quiet window). Where the platform guarantees order, the requests off the
   longest correctly ordered subsequence are ``order`` violations: the one request sent too early
   is named, not everything after it.
"""

from __future__ import annotations

import bisect
import gc
import operator
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from harness.spec.assignment import min_cost_assignment
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import (
    CLOCK_OFFSET,
    EITHER,
    Absent,
    Approx,
    Bindings,
    DeviceTime,
    Matcher,
    bind_agreed,
    diff_value,
)
from harness.spec.plan import Check, VarSeen, compile_value
from harness.spec.verdict import Match, Verdict, Violation, body_diff
from harness.wire.observation import ABSENT, Observation

__all__ = ["check"]

_UNMATCHED = 1000  # cost of leaving a required expectation without a request (> any diff count)
_DENSE_LIMIT = 40_000  # largest n*m of left-overs solved as one assignment; beyond, pair in time order
_COMPONENT_LIMIT = 40  # larger components (chains of overlapping time windows) are cut in time order
_Diff = tuple[str, str, str]


class _Exp:
    """An expectation being matched, with what the hot loops read from it computed once."""

    __slots__ = (
        "auth",
        "exact",
        "exp",
        "headers",
        "index",
        "key",
        "kind",
        "matched",
        "max_copies",
        "min_copies",
        "not_before",
        "plan",
        "seen",
        "time",
        "tol",
        "wild",
    )

    def __init__(
        self, index: int, exp: Expected, plan: Check, headers: Check | None, kind: str, time: float, tol: float
    ) -> None:
        self.index = index
        self.exp = exp
        self.plan = plan
        self.headers = headers
        self.kind = kind  # "device" | "fixed" | "absent" | "any": how its timestamp is constrained
        self.time = time
        self.tol = tol
        self.matched: list[Observation] = []
        self.seen: list[VarSeen] = []
        self.exact = False
        self.auth = exp.authorization
        self.not_before = exp.not_before
        copies = exp.copies
        self.min_copies = 0 if exp.optional else copies[0]  # Expected.min_copies and max_copies, inlined
        self.max_copies = copies[1] if copies[1] > 1 else 1
        route, event_type = exp.route, exp.event_type
        target = exp.project_token if exp.stream_id is None else f"stream:{exp.stream_id}"  # Expected.target
        self.key = (route, target, _event_key(route, event_type))
        self.wild = isinstance(event_type, Matcher) and not isinstance(event_type, Absent)

    def center(self, offset: float) -> float:
        return self.time + (offset if self.kind == "device" else 0.0)


def _event_key(route: str, event_type: Any) -> Any:
    if route == "campaign_clicks":
        return "*"
    return event_type if isinstance(event_type, str) else None


def _prepare(index: int, exp: Expected, header_plans: dict[Any, Check]) -> _Exp:
    ts = exp.body.get("timestamp", ABSENT)
    headers = None
    if exp.headers:
        try:
            key: Any = tuple(exp.headers.items())
            headers = header_plans.get(key)
        except TypeError:  # an unhashable expected value: compile it on its own
            key = None
        if headers is None:
            headers = compile_value(exp.headers, exact=False, path="headers")
            if key is not None:
                header_plans[key] = headers
    plan = compile_value(exp.body, exp.exact_keys)
    if isinstance(ts, Approx):
        kind = "device" if isinstance(ts, DeviceTime) else "fixed"
        return _Exp(index, exp, plan, headers, kind, float(ts.value), float(ts.tolerance))
    if isinstance(ts, int | float) and not isinstance(ts, bool):
        return _Exp(index, exp, plan, headers, "fixed", float(ts), 1e-6)
    if ts is ABSENT or isinstance(ts, Absent):
        return _Exp(index, exp, plan, headers, "absent", 0.0, 0.0)
    return _Exp(index, exp, plan, headers, "any", 0.0, 0.0)


class _Scan:
    """What the scan of one bucket found, per row (an expectation's number in the bucket's list)."""

    __slots__ = ("by_id", "degree", "exact", "near", "single")

    def __init__(self) -> None:
        # row -> (request, tie-break cost, Var sightings) for the rows with exactly one exact candidate
        self.single: dict[int, tuple[Observation, float, list[VarSeen]]] = {}
        self.exact: dict[int, dict[int, float]] = {}  # row -> {request id: tie-break cost}, two or more
        self.near: dict[int, list[Observation]] = {}  # row -> the other candidates (required rows only)
        self.by_id: dict[int, Observation] = {}  # the requests of exact and near rows
        self.degree: dict[int, int] = {}  # request id -> how many rows match it exactly


_timestamp = operator.attrgetter("timestamp")


class _Bucket:
    """The requests of one route/target/event type, indexed by timestamp."""

    def __init__(self, observations: list[Observation]) -> None:
        self.all = observations
        timed: list[Observation] = []
        self.untimed: list[Observation] = []
        for o in observations:
            ts = o.timestamp
            if type(ts) is float or type(ts) is int:
                timed.append(o)
            elif ts is ABSENT:
                self.untimed.append(o)
        timed.sort(key=_timestamp)
        self.timed = timed
        self.times = list(map(float, map(_timestamp, timed)))

    def candidates(self, e: _Exp, offset: float, taken: set[int]) -> list[Observation]:
        if e.kind in ("device", "fixed"):
            c = e.center(offset)
            lo = bisect.bisect_left(self.times, c - e.tol)
            hi = bisect.bisect_right(self.times, c + e.tol)
            return [o for o in self.timed[lo:hi] if o.key not in taken]
        if e.kind == "absent":
            return [o for o in self.untimed if o.key not in taken]
        return [o for o in self.all if o.key not in taken]


def _exact(e: _Exp, obs: Observation, offset: float, seen: list[VarSeen]) -> bool:
    if e.auth != obs.authorization:
        return False
    if e.not_before is not None and obs.received_at < e.not_before:
        return False
    if e.headers is not None and not e.headers(obs.headers, seen, offset):
        return False
    body = obs.body if type(obs.body) is dict else ABSENT
    return e.plan(body, seen, offset)


def _differences(exp: Expected, obs: Observation, bindings: Bindings) -> list[_Diff]:
    diffs: list[_Diff] = []
    if exp.authorization != obs.authorization:
        diffs.append(("header", "headers.authorization", f"expected {exp.authorization!r}, got {obs.authorization!r}"))
    if exp.not_before is not None and obs.received_at < exp.not_before:
        early = exp.not_before - obs.received_at
        diffs.append(("mismatch", "received_at", f"arrived {early:.2f}s before the SDK may send it (delayed flush)"))
    for name, want in exp.headers.items():
        diffs += diff_value(want, obs.headers.get(name, ABSENT), bindings, f"headers.{name}")
    body = obs.body if isinstance(obs.body, dict) else ABSENT
    diffs += diff_value(exp.body, body, bindings, "$", exp.exact_keys)
    return diffs


class _Matcher:
    """One run of the matching, for a given clock offset."""

    def __init__(self, exps: list[_Exp], buckets: dict[tuple[Any, ...], _Bucket], offset: float) -> None:
        self.exps = exps
        self.buckets = buckets
        self.offset = offset
        self.taken: dict[int, _Exp] = {}
        self.seen: dict[tuple[int, int], list[VarSeen]] = {}

    def solve(self, exps: list[_Exp], bucket: _Bucket, timed: bool) -> None:
        """Assign requests of ``bucket`` to ``exps``; ``timed``: only within timestamp tolerance.

        Exact pairs come first: the exact-match graph is solved on its own (an exact match is never
        given up to spare another expectation a difference), then the expectations still open take
        the closest of the remaining candidates.
        """
        taken = self.taken
        free = None
        if not timed:
            exps = [e for e in exps if e.min_copies > 0]
            if not exps:
                return
            free = [o for o in bucket.all if o.key not in taken]
            if not free:
                return
            if len(exps) * len(free) > _DENSE_LIMIT:
                self._pair_in_time_order(exps, free)
                return
        scan = _Scan()
        self.scan([(scan, i, e, bucket) for i, e in enumerate(exps)], timed, free)
        self.finish(exps, scan)

    def scan(
        self, jobs: list[tuple[_Scan, int, _Exp, _Bucket]], timed: bool, free: list[Observation] | None = None
    ) -> None:
        """Find each expectation's exact candidates (and the others): the hot loop of the matching.

        ``jobs`` are ``(scan of its bucket, row number, expectation, bucket)``; given in the order of
        the expectations (which is about the order of the requests), so the loop walks the captured
        bodies in memory order rather than one bucket after the other.
        """
        taken = self.taken
        offset = self.offset
        pair_seen = self.seen
        bisect_left, bisect_right = bisect.bisect_left, bisect.bisect_right
        for acc, i, e, bucket in jobs:
            kind = e.kind
            center = e.time + offset if kind == "device" else e.time
            if free is not None:
                pool = free
            elif kind == "device" or kind == "fixed":
                tol = e.tol
                times = bucket.times
                pool = bucket.timed[bisect_left(times, center - tol) : bisect_right(times, center + tol)]
            else:
                pool = bucket.untimed if kind == "absent" else bucket.all
            auth, not_before, headers, plan, index = e.auth, e.not_before, e.headers, e.plan, e.index
            spread = e.tol + 1.0
            row: dict[int, float] | None = None  # made only for a second exact candidate (rare)
            rest: list[Observation] = []
            first: tuple[Observation, float, list[VarSeen]] | None = None
            by_id, degree = acc.by_id, acc.degree
            for obs in pool:
                rid = obs.key
                if rid in taken:
                    continue
                # _exact(), inlined: this loop runs once per candidate pair
                seen: list[VarSeen] = []
                body = obs.body
                if (
                    auth == obs.authorization
                    and (not_before is None or obs.received_at >= not_before)
                    and (headers is None or headers(obs.headers, seen, offset))
                    and plan(body if type(body) is dict else ABSENT, seen, offset)
                ):
                    ts = obs.timestamp
                    # Tie-break below one unit: the nearest timestamp (keeps identical events in order).
                    gap = abs(float(ts) - center) / spread if timed and type(ts) in (int, float) else 0.0
                    if gap > 0.999:
                        gap = 0.999
                    degree[rid] = degree.get(rid, 0) + 1
                    if first is None:
                        first = (obs, gap, seen)
                        continue
                    if row is None:
                        one = first[0].key
                        row = {one: first[1]}
                        by_id[one] = first[0]
                        pair_seen[(index, one)] = first[2]
                    row[rid] = gap
                    by_id[rid] = obs
                    pair_seen[(index, rid)] = seen
                elif e.min_copies > 0:
                    rest.append(obs)
            if row is not None:
                acc.exact[i] = row
            elif first is not None:
                acc.single[i] = first
            if rest:
                acc.near[i] = rest

    def finish(self, exps: list[_Exp], scan: _Scan) -> None:
        """Assign what :meth:`scan` found: exact pairs first, then the closest of the rest."""
        taken = self.taken
        pair_seen = self.seen
        near, by_id, degree = scan.near, scan.by_id, scan.degree
        # The common case first: a row with one exact candidate nobody else wants takes it at once.
        shared: dict[int, dict[int, float]] = {}
        for i, (obs, gap, seen) in scan.single.items():
            rid = obs.key
            if degree[rid] == 1:
                self._take(exps[i], obs, seen)
                continue
            pair_seen[(exps[i].index, rid)] = seen
            by_id[rid] = obs
            shared[i] = {rid: gap}
        if scan.exact:
            shared.update(scan.exact)
            shared = {i: shared[i] for i in sorted(shared)}  # in row order, as the assignment expects
        if shared:
            for rows in _union_find(shared):
                self._assign(exps, rows, shared, by_id)
        costs: dict[int, dict[int, float]] = {}
        for i, rest in near.items():
            e = exps[i]
            if e.matched:
                continue
            row = {}
            for obs in rest:
                if obs.key not in taken:
                    row[obs.key] = float(len(_differences(e.exp, obs, {CLOCK_OFFSET: self.offset})))
                    by_id[obs.key] = obs
            if row:
                costs[i] = row
        for rows in _components(costs):
            self._assign(exps, rows, costs, by_id)

    def _assign(
        self, exps: list[_Exp], rows: list[int], edges: dict[int, dict[int, float]], by_id: dict[int, Observation]
    ) -> None:
        if len(rows) == 1:
            row = edges[rows[0]]
            rid = min(row, key=lambda r: (row[r], r))
            self._take(exps[rows[0]], by_id[rid])
            return
        if len(rows) > _COMPONENT_LIMIT:
            # A long chain of overlapping windows: cut it in time order into solvable pieces.
            rows = sorted(rows, key=lambda r: (exps[r].center(self.offset), r))
            for start in range(0, len(rows), _COMPONENT_LIMIT):
                piece = [r for r in rows[start : start + _COMPONENT_LIMIT] if not exps[r].matched]
                sub = {r: {rid: c for rid, c in edges[r].items() if rid not in self.taken} for r in piece}
                for comp in _components({r: v for r, v in sub.items() if v}):
                    self._assign(exps, comp, sub, by_id)
            return
        cols = sorted({rid for r in rows for rid in edges[r]})
        col_of = {rid: j for j, rid in enumerate(cols)}
        n, m = len(rows), len(cols)
        scale = float(n + 1)  # the tie-breaks of all rows together stay below one unit of cost
        big = _UNMATCHED * scale * 10
        matrix = [[big] * (m + n) for _ in range(n)]
        for i, r in enumerate(rows):
            for rid, c in edges[r].items():
                whole = int(c)
                matrix[i][col_of[rid]] = whole * scale + (c - whole) + abs(i / n - col_of[rid] / m) * 1e-3
            # An optional expectation would rather take its exact match than nothing (but never a required one's).
            matrix[i][m + i] = 0.9 * scale if exps[r].min_copies == 0 else _UNMATCHED * scale
        for i, j in enumerate(min_cost_assignment(matrix)):
            if j < m and matrix[i][j] < big:
                self._take(exps[rows[i]], by_id[cols[j]])

    def _pair_in_time_order(self, exps: list[_Exp], free: list[Observation]) -> None:
        """Too many left-overs for an assignment: pair them in timestamp order."""
        order = sorted(exps, key=lambda e: (e.center(self.offset), e.index))
        free = sorted(free, key=lambda o: float(o.timestamp) if type(o.timestamp) in (int, float) else 0.0)
        for e, obs in zip(order, free, strict=False):
            self._take(e, obs)

    def _take(self, e: _Exp, obs: Observation, seen: list[VarSeen] | None = None) -> None:
        """``seen``: the pair's Var sightings if it is known to match exactly (else looked up)."""
        if not e.matched:
            if seen is None:
                seen = self.seen.get((e.index, obs.key))
            e.exact = seen is not None
            e.seen = seen or []
        e.matched.append(obs)
        self.taken[obs.key] = e

    def copies(self, exps: list[_Exp], bucket: _Bucket) -> None:
        """Left-over requests that repeat a matched one (a retry) become its extra copies."""
        extra = [e for e in exps if e.matched and e.max_copies > len(e.matched)]
        if not extra:
            return
        by_body: dict[str, list[_Exp]] = defaultdict(list)
        for e in extra:
            by_body[repr(e.matched[0].body)].append(e)
        for obs in bucket.all:
            if obs.key in self.taken:
                continue
            same = [e for e in by_body.get(repr(obs.body), ()) if e.matched[0].authorization == obs.authorization]
            for e in same + extra:
                if len(e.matched) < e.max_copies and (e in same or _exact(e, obs, self.offset, [])):
                    self._take(e, obs)
                    break

    def run(self, wild: list[_Exp]) -> None:
        wild_ids = {e.index for e in wild}
        groups: dict[tuple[Any, ...], list[_Exp]] = defaultdict(list)
        # The timed pass of every bucket: a bucket's requests are taken only by its own expectations,
        # so all scans can run first, in the expectations' order (see scan), then each bucket is solved.
        scans: dict[tuple[Any, ...], _Scan] = {}
        jobs: list[tuple[_Scan, int, _Exp, _Bucket]] = []
        for e in self.exps:
            e.matched = []
            e.seen = []
            e.exact = False
            if e.index in wild_ids:
                continue
            key = e.key
            members = groups[key]
            bucket = self.buckets.get(key)
            if bucket is not None:
                scan = scans.get(key)
                if scan is None:
                    scan = scans[key] = _Scan()
                jobs.append((scan, len(members), e, bucket))
            members.append(e)
        self.scan(jobs, timed=True)
        for key, exps in groups.items():
            bucket = self.buckets.get(key)
            if bucket is not None:
                self.finish(exps, scans[key])
                self.copies(exps, bucket)
        if wild:
            self._run_wild(wild, timed=True)
        for key, exps in groups.items():
            bucket = self.buckets.get(key)
            if bucket is not None:
                self.solve([e for e in exps if not e.matched], bucket, timed=False)
        if wild:
            self._run_wild(wild, timed=False)

    def _run_wild(self, wild: list[_Exp], timed: bool) -> None:
        """Expectations whose event type is a matcher take requests of any event type of their target."""
        by_target: dict[tuple[str, str], list[_Exp]] = defaultdict(list)
        for e in wild:
            if not e.matched:
                by_target[(e.exp.route, e.exp.target)].append(e)
        for (route, target), exps in by_target.items():
            pool = [o for k, b in self.buckets.items() if k[0] == route and k[1] == target for o in b.all]
            bucket = _Bucket([o for o in pool if o.key not in self.taken])
            self.solve(exps, bucket, timed)
            self.copies(exps, bucket)


def _components(edges: dict[int, dict[int, float]]) -> list[list[int]]:
    """Rows of the bipartite candidate graph grouped by connected component (union-find).

    The common case, a row with one candidate nobody else wants, is its own component at once.
    """
    degree: Counter[int] = Counter(rid for row in edges.values() for rid in row)
    out: list[list[int]] = []
    rest: dict[int, dict[int, float]] = {}
    for r, row in edges.items():
        if len(row) == 1 and degree[next(iter(row))] == 1:
            out.append([r])
        else:
            rest[r] = row
    return out + _union_find(rest) if rest else out


def _union_find(edges: dict[int, dict[int, float]]) -> list[list[int]]:
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, row in edges.items():
        for rid in row:
            a, b = find(("e", r)), find(("o", rid))
            if a != b:
                parent[a] = b
    groups: dict[Any, list[int]] = defaultdict(list)
    for r in edges:
        groups[find(("e", r))].append(r)
    return list(groups.values())


def _estimate_offset(exps: list[_Exp], buckets: dict[tuple[Any, ...], _Bucket]) -> float | None:
    """First guess before matching: pair device-timed expectations and requests by rank per bucket."""
    deltas: list[float] = []
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for e in exps:
        if e.kind == "device":
            groups[e.key].append(e.time)
    for key, times in groups.items():
        bucket = buckets.get(key)
        if bucket is None or not bucket.times:
            continue
        times.sort()
        if len(times) == len(bucket.times):
            deltas += [b - a for a, b in zip(times, bucket.times, strict=True)]
        else:
            for t in times:
                i = bisect.bisect_left(bucket.times, t)
                near = [bucket.times[j] for j in (i - 1, i) if 0 <= j < len(bucket.times)]
                deltas.append(min((b - t for b in near), key=abs))
    return statistics.median(deltas) if deltas else None


def _matched_offset(exps: list[_Exp]) -> float | None:
    deltas = [
        float(e.matched[0].timestamp) - e.time
        for e in exps
        if e.kind == "device" and e.matched and type(e.matched[0].timestamp) in (int, float)
    ]
    return statistics.median(deltas) if deltas else None


def check(expectations: Expectations, observations: Sequence[Observation]) -> Verdict:
    """Judge ``observations`` (requests in arrival order) against ``expectations``.

    Non-tracking requests (in-app message fetches, bundles...) are not judged, except for their
    headers when the expectations carry header rules; they are counted in the verdict's notes. The
    cyclic garbage collector is paused meanwhile: checking allocates many small objects and no
    cycles, and with a large heap of captured requests the collector's passes would otherwise cost
    more than the checking.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(expectations, observations)
    finally:
        if was_enabled:
            gc.enable()


def _check(expectations: Expectations, observations: Sequence[Observation]) -> Verdict:
    verdict = Verdict()
    cut = [o for o in observations if _cut_by_kill(expectations, o)]
    if cut:
        verdict.notes.append(f"{len(cut)} request(s) cut short by a kill of the app, not judged")
        observations = [o for o in observations if not _cut_by_kill(expectations, o)]
    tracking = [o for o in observations if o.route != "other"]
    unjudged = _stopped_yet_sent(expectations, observations, verdict)
    if unjudged:
        judged = "judged by their headers only" if expectations.header_rules is not None else "not judged"
        verdict.notes.append(f"{unjudged} non-tracking requests {judged}")
    position = {o.key: i for i, o in enumerate(tracking)}
    for obs in tracking:
        for problem in obs.problems:
            verdict.violations.append(Violation("malformed", problem, request_id=obs.request_id, index=obs.index))
    grouped: dict[tuple[Any, ...], list[Observation]] = defaultdict(list)
    for obs in tracking:
        route, token, event_type = obs.route, obs.project_token, obs.event_type
        target = token if token is not None else ""  # Observation.target
        grouped[(route, target, _event_key(route, event_type))].append(obs)
    buckets = {k: _Bucket(v) for k, v in grouped.items()}
    header_plans: dict[Any, Check] = {}
    exps = [_prepare(i, e, header_plans) for i, e in enumerate(expectations.requests)]
    wild = [e for e in exps if e.wild]

    limit = expectations.max_clock_offset
    guess = _estimate_offset(exps, buckets)
    offset = guess if guess is not None and abs(guess) <= limit else 0.0
    matcher = _Matcher(exps, buckets, offset)
    matcher.run(wild)
    measured = _matched_offset(exps)
    if measured is not None and abs(measured) <= limit and abs(measured - offset) > 0.25:
        offset = measured
        matcher = _Matcher(exps, buckets, offset)
        matcher.run(wild)
        measured = _matched_offset(exps)
    estimate = measured if measured is not None else guess
    verdict.clock_offset = estimate
    verdict.clock_offset_applied = offset != 0.0
    if estimate is not None and abs(estimate) > limit:
        verdict.notes.append(
            f"device clock offset estimated at {estimate:+.3f}s, beyond the {limit:g}s a profile allows: not applied"
        )
    elif estimate is not None and abs(estimate) >= 0.5:
        verdict.notes.append(f"device clock offset estimated at {estimate:+.3f}s and applied")

    _settle(exps, offset, verdict)
    _leftovers(expectations, tracking, matcher.taken, verdict)
    _check_headers(expectations, observations, matcher.taken, verdict)
    if expectations.grouped_order:
        groups: dict[int, list[_Exp]] = defaultdict(list)
        for e in exps:
            if e.exp.order_group is not None:
                groups[e.exp.order_group].append(e)
        for members in groups.values():
            _check_order(expectations, members, position, verdict, by_index=True)
    elif any(e.exp.order_key is not None for e in exps) or expectations.ordered:
        _check_order(expectations, exps, position, verdict)
    return verdict


def _settle(exps: list[_Exp], offset: float, verdict: Verdict) -> None:
    """Bind variables, then report each expectation's differences, misses and copies."""
    bindings: Bindings = {CLOCK_OFFSET: offset}
    _prebind(exps, bindings)
    _uncross(exps, bindings, offset)
    matches = verdict.matches
    new_match = tuple.__new__  # Match(...) without the NamedTuple's Python-level __new__
    for e in exps:
        matched = e.matched
        if e.exact and len(matched) == 1 and e.min_copies <= 1:
            # The common case: one exact request whose variables agree with the bindings (as
            # _var_conflicts would find, without binding anything); anything else takes the long way.
            for var, value, _ in e.seen:
                if not bindings.get(var.name, ABSENT) == value:  # noqa: SIM201 (as _var_conflicts compares)
                    break
            else:
                matches.append(
                    new_match(
                        Match, (e.index, matched[0].request_id, True, e.exp.label or e.exp.route, 0, matched[0].index)
                    )
                )
                continue
        exp = e.exp
        label = exp.label or exp.route
        if not e.matched:
            if exp.min_copies > 0:
                verdict.violations.append(
                    Violation(
                        "missing",
                        f"{label} expected from {_cause(exp)}, never sent",
                        cause=exp.cause,
                        rules=exp.rules,
                        expected=exp.body,
                    )
                )
            continue
        obs = e.matched[0]
        diffs = _var_conflicts(e.seen, bindings) if e.exact else None
        if diffs is None:
            trial = dict(bindings)
            diffs = _differences(exp, obs, trial)
            # Keep bindings of the fields that did match, so one wrong cookie is reported once.
            bindings.update({k: v for k, v in trial.items() if k not in bindings and not _mentions(diffs, k)})
        if diffs and _move_to_twin(e, exps, bindings, verdict):
            continue
        for n, copy in enumerate(e.matched):
            again = _copy_differences(exp, copy, bindings) if n and not diffs else []
            verdict.matches.append(Match(e.index, copy.request_id, not diffs and not again, label, n, copy.index))
            for _, path, reason in again:
                verdict.violations.append(
                    Violation(
                        "mismatch",
                        f"{label} ({_cause(exp)}), copy {n}: {reason}; a re-sent copy repeats what the first sent",
                        path=path,
                        request_id=copy.request_id,
                        index=copy.index,
                        cause=exp.cause,
                        rules=exp.rules,
                    )
                )
        if len(e.matched) < exp.min_copies:
            verdict.violations.append(
                Violation(
                    "missing",
                    f"{label} ({_cause(exp)}) sent {len(e.matched)} time(s), expected at least {exp.min_copies}",
                    request_id=obs.request_id,
                    index=obs.index,
                    cause=exp.cause,
                    rules=exp.rules,
                )
            )
        if not diffs:
            continue
        for kind, path, reason in diffs:
            verdict.violations.append(
                Violation(
                    _violation_kind(kind, path),
                    f"{label} ({_cause(exp)}): {reason}",
                    path=path,
                    request_id=obs.request_id,
                    index=obs.index,
                    cause=exp.cause,
                    rules=exp.rules,
                    expected=_at(exp.body, path),
                    actual=_at(obs.body, path),
                )
            )
        verdict.diffs.append(body_diff(f"{obs.label()} vs {label}", exp.body, obs.body, bindings))


def _move_to_twin(e: _Exp, exps: list[_Exp], bindings: Bindings, verdict: Verdict) -> bool:
    """Give the single request of an optional expectation whose variables conflict to an unmatched optional
    twin it matches cleanly (same route, project and event), leaving ``e`` unmatched; True if moved.

    The matching pairs requests with expectations by their fields and timestamps, not by variable values,
    so when a race makes two alike events optional (a session_start before and one after ``anonymize``,
    both maybe deleted by a ``stopIntegration`` racing the flush) and only one arrives, it may be paired
    with the twin whose cookie it does not carry (found by harness explore on Android: ``anonymize``,
    ``stopIntegration``, ``relaunch``). A twin already settled is settled again here; a later one is
    settled by the loop.
    """
    if e.min_copies > 0 or len(e.matched) != 1:
        return False
    obs = e.matched[0]
    for twin in exps:
        if twin is e or twin.matched or twin.min_copies > 0 or twin.key != e.key:
            continue
        trial = dict(bindings)
        if _differences(twin.exp, obs, trial):
            continue
        bindings.update(trial)
        e.matched = []
        twin.matched = [obs]
        twin.exact = False
        if twin.index < e.index:  # already passed over by the loop, as unmatched
            verdict.matches.append(
                Match(twin.index, obs.request_id, True, twin.exp.label or twin.exp.route, 0, obs.index)
            )
        return True
    return False


def _copy_differences(exp: Expected, copy: Observation, bindings: Bindings) -> list[_Diff]:
    """How a later copy of a cleanly matched request differs from the expectation once the first copy's
    variables are bound (an event id the matching itself does not bind, so a re-send with a new id would pass
    as a copy). Only copies are compared, so it costs nothing where nothing is re-sent."""
    return _differences(exp, copy, dict(bindings))


def _prebind(exps: list[_Exp], bindings: Bindings) -> None:
    """Bind each variable to the value most exact pairs agree on (first seen wins a tie)."""
    votes: dict[str, Counter[Any]] = {}
    first: dict[str, int] = {}
    vars_by_name: dict[str, Any] = {}
    values: dict[str, list[Any]] = defaultdict(list)
    for e in exps:
        if not e.exact:
            continue
        for var, value, _ in e.seen:
            if var is EITHER:
                continue  # alternatives vote for nothing: what they all bind alike is a plain sighting
            name = var.name
            if name not in first:
                first[name] = e.index
                vars_by_name[name] = var
            values[name].append(value)
    for name, seen in values.items():
        try:
            votes[name] = Counter(seen)
        except TypeError:  # unhashable values: let the first sighting bind it
            continue
    for name in sorted(votes, key=lambda n: first[n]):
        value = votes[name].most_common(1)[0][0]
        if any(bindings.get(other, ABSENT) == value for other in vars_by_name[name].distinct_from):
            continue  # the majority value is an old one: leave it to be reported where it appears
        bindings[name] = value


def _uncross(exps: list[_Exp], bindings: Bindings, offset: float) -> None:
    """Swap two exact pairs of one bucket that were paired crosswise.

    Two expectations that differ only in a variable (two customers' updates with the same body but the
    cookie, sent at once in either order) both match both requests exactly, and the assignment cannot
    tell them apart: the bindings that would are settled only after it. When each pair's variables
    conflict with the bindings and each expectation matches the other's request exactly without a
    conflict, the pairs were crossed: swapping them is the matching the bindings ask for.
    """
    crossed = [e for e in exps if e.exact and len(e.matched) == 1 and _var_conflicts(e.seen, bindings)]
    for i, a in enumerate(crossed):
        for b in crossed[i + 1 :]:
            if a.key != b.key or not _var_conflicts(a.seen, bindings) or not _var_conflicts(b.seen, bindings):
                continue
            seen_a: list[VarSeen] = []
            seen_b: list[VarSeen] = []
            obs_a, obs_b = a.matched[0], b.matched[0]
            if (
                _exact(a, obs_b, offset, seen_a)
                and _exact(b, obs_a, offset, seen_b)
                and not _var_conflicts(seen_a, bindings)
                and not _var_conflicts(seen_b, bindings)
            ):
                a.matched, b.matched = [obs_b], [obs_a]
                a.seen, b.seen = seen_a, seen_b


def _var_conflicts(seen: Sequence[VarSeen], bindings: Bindings) -> list[_Diff]:
    """How an exact pair's variable sightings disagree with ``bindings`` (binding what is still free)."""
    diffs: list[_Diff] = []
    for var, value, path in seen:
        if var is EITHER:
            diffs += _either_conflicts(value, path, bindings)
            continue
        if bindings.get(var.name, ABSENT) == value:
            continue
        reason = var.check(value, bindings)
        if reason is not None:
            diffs.append(("mismatch", path, reason))
    return diffs


def _either_conflicts(alternatives: tuple[tuple[VarSeen, ...], ...], path: str, bindings: Bindings) -> list[_Diff]:
    """A request that matched alternatives binding different variables (:meth:`OneOf.sight`): one
    alternative must agree with the bindings. What every agreeing alternative binds alike is bound
    (one alternative left: all it names), so a variable only alternatives name is still held."""
    trials: list[Bindings] = []
    reasons: list[str] = []
    for sightings in alternatives:
        trial = dict(bindings)
        conflicts = _var_conflicts(sightings, trial)
        if conflicts:
            reasons.append("; ".join(reason for _, _, reason in conflicts))
        else:
            trials.append(trial)
    if not trials:
        return [("mismatch", path, "no alternative holds: " + ", or ".join(reasons))]
    bind_agreed(trials, bindings)
    return []


def _leftovers(
    expectations: Expectations, tracking: list[Observation], taken: dict[int, _Exp], verdict: Verdict
) -> None:
    left = [o for o in tracking if o.key not in taken and o.route != "unknown"]
    bodies: dict[str, Observation] = {}
    if left:
        matched = sorted({o.key: o for e in taken.values() for o in e.matched if o.key in taken}.values(), key=_arrival)
        for o in matched:
            bodies.setdefault(_fingerprint(o), o)
    for obs in left:
        window = next((w for w in expectations.quiet if w.contains(obs.received_at, obs.route)), None)
        if window is not None:
            verdict.violations.append(
                Violation(
                    "after-stop",
                    f"{obs.label()} arrived {obs.received_at - window.start_host_time:.2f}s after {window.reason}",
                    request_id=obs.request_id,
                    index=obs.index,
                    cause=window.cause,
                    rules=window.rules,
                    actual=obs.body,
                )
            )
            verdict.diffs.append(body_diff(f"{obs.label()} (nothing may be sent)", None, obs.body))
            continue
        twin = bodies.get(_fingerprint(obs))
        why = f"a repeated copy of request {twin.where()}" if twin is not None else "no SDK call explains it"
        verdict.violations.append(
            Violation(
                "unexpected",
                f"{obs.label()} {_brief(obs)}: {why}",
                request_id=obs.request_id,
                index=obs.index,
                actual=obs.body,
            )
        )
        verdict.diffs.append(body_diff(f"{obs.label()} (not expected)", None, obs.body))


def _violation_kind(kind: str, path: str) -> str:
    """A difference's kind in the verdict: ``header`` for a header, else ``type`` or ``mismatch``."""
    if path.startswith("headers."):
        return "header"
    return "type" if kind == "type" else "mismatch"


def _check_headers(
    expectations: Expectations, observations: Sequence[Observation], taken: dict[int, _Exp], verdict: Verdict
) -> None:
    """Hold every request, tracking or not, to the profile's header rules (none given: nothing to do).

    A request an expectation consumed has already been compared on the headers that expectation
    names (the exact authorization of its project, the content type...); the rules judge the rest
    (the user agent), so nothing is reported twice.
    """
    rules = expectations.header_rules
    if rules is None:
        return
    for obs in observations:
        e = taken.get(obs.key)
        skip: tuple[str, ...] = ("authorization", *e.exp.headers) if e is not None else ()
        verdict.violations.extend(rules.violations(obs, skip))


def _cut_by_kill(expectations: Expectations, obs: Observation) -> bool:
    """A request the app was killed in the middle of sending (``Expectations.cut_windows``)."""
    if not expectations.cut_windows or not any(p.startswith("client disconnected") for p in obs.problems):
        return False
    return any(start <= obs.received_at <= end for start, end in expectations.cut_windows)


def _stopped_yet_sent(expectations: Expectations, observations: Sequence[Observation], verdict: Verdict) -> int:
    """Non-tracking requests (in-app messages, content blocks, inbox, segments, consents, any other
    host under in-app capture) and unknown ``/track/`` paths in a quiet window are ``after-stop``:
    a stopped SDK sends nothing at all until a new init (android §6, ios §6). Returns how many
    non-tracking requests were left unjudged (outside every window)."""
    unjudged = 0
    for obs in observations:
        if obs.route not in ("other", "unknown"):
            continue
        window = next((w for w in expectations.quiet if w.contains(obs.received_at, obs.route)), None)
        if window is None:
            unjudged += obs.route == "other"
            continue
        what = obs.endpoint if obs.endpoint != "unknown" else "request"
        verdict.violations.append(
            Violation(
                "after-stop",
                f"{obs.where()} {obs.method} {obs.path} ({what}) arrived "
                f"{obs.received_at - window.start_host_time:.2f}s after {window.reason}: nothing may be sent",
                request_id=obs.request_id,
                index=obs.index,
                cause=window.cause,
                rules=window.rules,
                actual=obs.body,
            )
        )
    return unjudged


def _arrival(obs: Observation) -> tuple[int, int]:
    """Capture order: the request id, then the event's place in its batch."""
    return (obs.request_id, -1 if obs.index is None else obs.index)


def _fingerprint(obs: Observation) -> str:
    return f"{obs.route} {obs.target} {obs.body!r}"


def _check_order(
    expectations: Expectations, exps: list[_Exp], position: dict[int, int], verdict: Verdict, by_index: bool = False
) -> None:
    """Requests off the longest non-decreasing run of order keys (in arrival order) are out of order."""
    seq: list[tuple[int, float, _Exp, Observation]] = []
    for e in exps:
        if not e.matched:
            continue
        key = e.exp.order_key if e.exp.order_key is not None else (e.index if expectations.ordered else None)
        if by_index:
            key = e.index
        if key is None:
            continue
        first = min(e.matched, key=lambda o: position[o.key])
        seq.append((position[first.key], float(key), e, first))
    seq.sort(key=lambda t: t[0])
    keep = _longest_non_decreasing([k for _, k, _, _ in seq])
    kept = [seq[i] for i in sorted(keep)]
    for i, (pos, key, e, obs) in enumerate(seq):
        if i in keep:
            continue
        later = next((t for t in kept if t[0] > pos and t[1] < key), None)
        earlier = next((t for t in reversed(kept) if t[0] < pos and t[1] > key), None)
        if later is not None:
            rel = f"before {later[3].label()} ({later[2].exp.label or later[2].exp.route}), which should come first"
        elif earlier is not None:
            rel = f"after {earlier[3].label()} ({earlier[2].exp.label or earlier[2].exp.route}), which should follow it"
        else:
            rel = "out of order"
        ts: Any = obs.timestamp
        when = f" (timestamp {ts:.3f})" if isinstance(ts, int | float) else ""
        verdict.violations.append(
            Violation(
                "order",
                f"{obs.label()}{when} for {e.exp.label or e.exp.route} ({_cause(e.exp)}) was sent {rel}; "
                "the platform sends in order, one at a time",
                request_id=obs.request_id,
                index=obs.index,
                cause=e.exp.cause,
                rules=expectations.order_rules,
            )
        )


def _longest_non_decreasing(keys: list[float]) -> set[int]:
    """Indices of one longest non-decreasing subsequence (patience sorting, O(n log n))."""
    tails: list[float] = []
    tail_idx: list[int] = []
    prev = [-1] * len(keys)
    for i, k in enumerate(keys):
        j = bisect.bisect_right(tails, k)
        if j == len(tails):
            tails.append(k)
            tail_idx.append(i)
        else:
            tails[j] = k
            tail_idx[j] = i
        prev[i] = tail_idx[j - 1] if j > 0 else -1
    out: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i != -1:
        out.add(i)
        i = prev[i]
    return out


def _at(value: Any, path: str) -> Any:
    """The value at a ``$.a.b[0]`` path of a body (None where there is none; matchers described)."""
    if not path.startswith("$"):
        return None
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:]):
        key, index = part
        if key and isinstance(value, dict):
            value = value.get(key)
        elif index and isinstance(value, list | tuple) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value.describe() if isinstance(value, Matcher) else value


def _mentions(diffs: list[_Diff], var: str) -> bool:
    return any(var in reason for _, _, reason in diffs)


def _cause(exp: Expected) -> str:
    return f"step {exp.cause + 1}"


def _brief(obs: Observation) -> str:
    ts: Any = obs.timestamp
    return f"(timestamp {ts:.3f})" if isinstance(ts, int | float) else ""
