"""Selftest: the suite against the fault-free virtual device and against every seeded fault.

A fault counts as caught by a scenario when that scenario passes on the fault-free SDK and fails (or
errors) with the fault. The fault list and each fault's ``violates`` (the checklist ids it breaks)
come from the virtual app process itself (``--list-faults --details``), since ``harness.scenario``
may not import the reference SDK's internals.

Why it is fast: by default a fault is first tried on the scenarios whose ``covers`` meet its
``violates``, and the search stops at the first catch; only when none of those catches it does the
rest of the suite run. ``full=True`` runs every scenario against every fault (the real matrix).
Jobs run on ``workers`` threads; every run gets a fresh virtual device instance (own data directory,
app process, clock, network and permission state); the runs' device keys in the collector are
unique, so one collector serves all of them. The threads mostly wait on the app processes, so
threads rather than processes suffice.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.capture.server import CollectorServer
from harness.devices.registry import open_device
from harness.errors import ConfigError, did_you_mean
from harness.scenario.loader import Scenario, find_scenarios
from harness.scenario.runner import Runner
from harness.sdk.base import ChecklistId
from harness.sdk.registry import default_sdk

__all__ = [
    "DEFAULT_DEVICES",
    "FaultInfo",
    "FaultOutcome",
    "SelftestReport",
    "check_fault_names",
    "fault_name_problem",
    "list_faults",
    "selftest",
]

DEFAULT_DEVICES = ("virtual:android", "virtual:ios")


@dataclass(frozen=True)
class FaultInfo:
    """A seeded fault as the virtual app describes it."""

    name: str
    area: str
    platforms: tuple[str, ...]
    violates: tuple[str, ...]
    description: str
    sdk: str = ""  # the SDK whose reference implementation seeds it ("": the default SDK)


def list_faults(platform: str, sdk: str | None = None) -> list[FaultInfo]:
    """The faults the virtual app seeds for ``platform`` (in ``sdk``'s reference SDK; None: the default
    SDK), asked of the app process itself."""
    cmd = [sys.executable, "-m", "harness.virtual", "--list-faults", "--details", "--platform", platform]
    if sdk is not None:
        cmd += ["--sdk", sdk]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise ConfigError("--list-faults", f"the virtual app could not list its faults: {out.stderr.strip()}")
    try:
        return [
            FaultInfo(
                name=str(f["name"]),
                area=str(f.get("area", "")),
                platforms=tuple(f.get("platforms", ())),
                violates=tuple(f.get("violates", ())),
                description=str(f.get("description", "")),
            )
            for f in json.loads(out.stdout)
        ]
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigError("--list-faults", f"unreadable fault list from the virtual app: {exc}") from exc


def fault_name_problem(names: Sequence[str], seeded: Mapping[str, Iterable[str]], *, on_each: bool) -> str | None:
    """What is wrong with the fault ``names`` given the faults ``seeded`` per platform, or None.

    ``on_each``: every name must be seeded on every platform (``harness run``: each device starts
    with the fault); otherwise on at least one (``harness selftest`` tries a fault where it exists).
    """
    listed = {platform: set(faults) for platform, faults in seeded.items()}
    known = set().union(*listed.values()) if listed else set()
    problems = []
    for name in dict.fromkeys(names):
        if name not in known:
            problems.append(
                f"no seeded fault {name!r} on {', '.join(listed) or 'any platform'}{did_you_mean(name, known)}"
            )
        elif on_each and (missing := [p for p, faults in listed.items() if name not in faults]):
            problems.append(f"{name!r} is not seeded on {', '.join(missing)}")
    if not problems:
        return None
    return "; ".join(problems) + " (harness faults lists them)"


def check_fault_names(names: Sequence[str], platforms: Iterable[str], sdks: Iterable[str | None] = (None,)) -> None:
    """Before a run: raise ConfigError naming an unknown fault once, instead of one crash per scenario.

    ``sdks``: the SDKs of the run's scenarios; a fault is known on a platform when one of them seeds it.
    """
    chosen = list(dict.fromkeys(sdks))
    seeded = {p: [f.name for s in chosen for f in list_faults(p, s)] for p in dict.fromkeys(platforms)}
    problem = fault_name_problem(names, seeded, on_each=True)
    if problem:
        raise ConfigError("--fault", problem)


@dataclass
class FaultOutcome:
    """What the suite did with one fault on one platform."""

    fault: FaultInfo
    covering: list[str]  # the baseline-passing scenarios whose covers meet the fault's violates
    caught_by: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)  # in the order they ran
    passed: list[str] = field(default_factory=list)  # scenarios that ran and did not notice the fault
    reasons: dict[str, str] = field(default_factory=dict)  # scenario id → the failing run's headline
    fallback: bool = False  # none of the covering scenarios caught it, so the rest of the suite ran
    crash: str | None = None  # the harness itself failed (not the SDK)
    explored: dict[str, Any] | None = None  # selftest --explore: sequences played, the shrunk finding

    def as_json(self) -> dict[str, Any]:
        return {
            **({"explore": self.explored} if self.explored is not None else {}),
            "area": self.fault.area,
            "sdk": self.fault.sdk,
            "violates": list(self.fault.violates),
            "description": self.fault.description,
            "covering": self.covering,
            "caught_by": self.caught_by,
            "tried": self.tried,
            "passed": self.passed,
            "reasons": self.reasons,
            "fallback": self.fallback,
            "crash": self.crash,
        }


@dataclass
class PlatformReport:
    device: str
    platform: str
    scenarios: list[str] = field(default_factory=list)  # the scenarios that apply to the platform
    baseline_passed: list[str] = field(default_factory=list)
    baseline_failed: dict[str, str] = field(default_factory=dict)  # id → headline
    faults: dict[str, FaultOutcome] = field(default_factory=dict)
    runs: int = 0

    @property
    def uncaught(self) -> list[str]:
        return [n for n, o in self.faults.items() if not o.caught_by]

    @property
    def explore_only(self) -> list[str]:
        """Faults the suite missed and exploration alone found (selftest --explore)."""
        return [n for n, o in self.faults.items() if not o.caught_by and o.explored and o.explored.get("finding")]

    @property
    def explore_missed(self) -> list[str]:
        """Faults exploration did not find within its budget (selftest --explore)."""
        return [n for n, o in self.faults.items() if o.explored is not None and not o.explored.get("finding")]

    def as_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "scenarios": self.scenarios,
            "baseline": {"passed": self.baseline_passed, "failed": self.baseline_failed},
            "faults": {n: o.as_json() for n, o in self.faults.items()},
            "uncaught": self.uncaught,
            "runs": self.runs,
            **(
                {"explore_only": self.explore_only, "explore_missed": self.explore_missed}
                if any(o.explored is not None for o in self.faults.values())
                else {}
            ),
        }


@dataclass
class SelftestReport:
    platforms: dict[str, PlatformReport]
    full: bool
    workers: int
    wall_time: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.platforms) and all(
            p.scenarios and not p.baseline_failed and not p.uncaught for p in self.platforms.values()
        )

    @property
    def runs(self) -> int:
        return sum(p.runs for p in self.platforms.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "full": self.full,
            "workers": self.workers,
            "wall_time": round(self.wall_time, 2),
            "runs": self.runs,
            "platforms": {n: p.as_json() for n, p in self.platforms.items()},
        }


@dataclass
class _Job:
    """Scenarios to run one after another on one device, with one fault (or none)."""

    device: str
    fault: str | None
    scenarios: list[Scenario]
    stop_at_first_catch: bool
    # with stop_at_first_catch: go on past a catch until a catching scenario covers each of these items
    # (the fault's violates on this platform), so every item the fault breaks is proved, not just one
    unproved: frozenset[str] = frozenset()


@dataclass
class _Run:
    scenario: str
    outcome: str  # passed | failed | error | skipped
    headline: str


@dataclass
class _Done:
    job: _Job
    runs: list[_Run]
    crash: str | None = None


def _covering(fault: FaultInfo, scenarios: Sequence[Scenario]) -> list[Scenario]:
    """Scenarios whose covers meet the fault's violates, the widest overlap first, then suite order."""
    violated = {_full_id(v, fault.sdk or default_sdk().name) for v in fault.violates}
    hits = [(len(violated & {_full_id(c, _sdk_of(s)) for c in s.covers}), i, s) for i, s in enumerate(scenarios)]
    return [s for n, _, s in sorted((h for h in hits if h[0]), key=lambda h: (-h[0], h[1]))]


class _Pool:
    """One thread per collector given, draining a job queue; every run gets its own virtual device."""

    def __init__(self, collectors: Sequence[CollectorServer]) -> None:
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.done: queue.Queue[_Done] = queue.Queue()
        self._threads = [threading.Thread(target=self._work, args=(c,), daemon=True) for c in collectors]
        for t in self._threads:
            t.start()

    def _work(self, collector: CollectorServer) -> None:
        while (job := self.jobs.get()) is not None:
            self.done.put(self._play(job, collector))

    @staticmethod
    def _play(job: _Job, collector: CollectorServer) -> _Done:
        runs: list[_Run] = []
        unproved = set(job.unproved)
        try:
            for scenario in job.scenarios:
                # A fresh device instance per run: the virtual phone keeps its permission, network and
                # clock across app installs, so a run must not inherit what the worker's last run left.
                device = open_device(job.device)
                try:
                    result = Runner(device, collector, fault=job.fault).run(scenario)
                finally:
                    device.close()
                runs.append(_Run(scenario.id, result.outcome, result.headline()))
                if job.stop_at_first_catch and result.outcome in ("failed", "error"):
                    unproved -= {_full_id(c, _sdk_of(scenario)) for c in scenario.covers}
                    if not unproved:
                        break
        except Exception as exc:  # a harness bug must show in the report, not kill the worker
            return _Done(job, runs, f"{type(exc).__name__}: {exc}")
        return _Done(job, runs)

    def close(self) -> None:
        """Drop the jobs not started (after Ctrl-C or an error), then let the workers finish."""
        while True:
            try:
                self.jobs.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self.jobs.put(None)
        for t in self._threads:
            t.join()


def selftest(
    paths: Iterable[str | Path],
    devices: Sequence[str] = DEFAULT_DEVICES,
    *,
    workers: int | None = None,
    full: bool = False,
    only_faults: Sequence[str] = (),
    collector_per_worker: bool = False,
    progress: Callable[[str], None] | None = None,
    explore_examples: int = 0,
    explore_budget: float | None = None,
) -> SelftestReport:
    """Run the baseline, then every fault, on every (virtual) device in ``devices``.

    Args:
        paths: scenario files or folders.
        devices: virtual device URIs; the faults of each device's platform are tried there.
        workers: parallel runs (default: the CPU count).
        full: run every scenario against every fault instead of stopping at the first catch.
        only_faults: restrict to these fault names (unknown names are an error).
        collector_per_worker: one collector per worker instead of one shared (for measuring).
        progress: called with one line per finished job.
        explore_examples: with more than 0, also explore each fault alone (``harness explore``) with
            this many random sequences (and ``explore_budget`` seconds at most), to report the faults
            only exploration finds.
    """
    started = time.monotonic()
    say = progress or (lambda _line: None)
    uris = list(dict.fromkeys(devices))
    for uri in uris:
        if not uri.startswith("virtual:"):
            raise ConfigError(uri, "selftest seeds faults into the virtual devices only (virtual:android, virtual:ios)")
    scenarios = find_scenarios(paths)
    n_workers = max(1, workers or os.cpu_count() or 1)
    platforms: dict[str, PlatformReport] = {}
    faults: dict[str, list[FaultInfo]] = {}
    for uri in uris:
        platform = open_device(uri).platform
        platforms[uri] = PlatformReport(uri, platform, [s.id for s in scenarios if s.applies_to(platform)])
        # the faults of every SDK the platform's scenarios drive; each is tried on that SDK's scenarios only
        # (no scenario for the platform: the suite's SDKs all the same, so the fault is reported uncaught)
        sdks = dict.fromkeys(_sdk_of(s) for s in scenarios if s.applies_to(platform)) or dict.fromkeys(
            [_sdk_of(s) for s in scenarios] or [default_sdk().name]
        )
        faults[uri] = [dataclasses.replace(f, sdk=name) for name in sdks for f in list_faults(platform, name)]
    if only_faults:
        seeded = {platforms[u].platform: [f.name for f in fs] for u, fs in faults.items()}
        problem = fault_name_problem(only_faults, seeded, on_each=False)
        if problem:
            raise ConfigError("--fault", problem)
        faults = {u: [f for f in fs if f.name in only_faults] for u, fs in faults.items()}
    report = SelftestReport(platforms, full, n_workers)

    with tempfile.TemporaryDirectory(prefix="harness-selftest-") as tmp:
        opened: list[CollectorServer] = []

        def new_collector(index: int) -> CollectorServer:
            server = CollectorServer(Path(tmp) / f"capture-{index}.sqlite").start()
            opened.append(server)
            return server

        try:
            if collector_per_worker:
                collectors = [new_collector(i) for i in range(n_workers)]
            else:
                collectors = [new_collector(0)] * n_workers
            pool = _Pool(collectors)
        except BaseException:
            for server in opened:
                server.stop()
            raise
        try:
            _baseline(pool, scenarios, report, say)
            _faults(pool, scenarios, faults, report, full, say)
        finally:
            pool.close()
            for server in opened:
                server.stop()
    if explore_examples > 0:
        from harness.scenario.explore import explore_faults

        targets = [(uri, f.name) for uri, fs in faults.items() for f in fs]
        found = explore_faults(
            targets, examples=explore_examples, budget=explore_budget, workers=n_workers, progress=say
        )
        for (uri, name), result in found.items():
            platforms[uri].faults[name].explored = result
    report.wall_time = time.monotonic() - started
    return report


def _baseline(pool: _Pool, scenarios: Sequence[Scenario], report: SelftestReport, say: Callable[[str], None]) -> None:
    by_id = {s.id: s for s in scenarios}
    jobs = [_Job(uri, None, [by_id[sid]], False) for uri, p in report.platforms.items() for sid in p.scenarios]
    for job in jobs:
        pool.jobs.put(job)
    for i in range(len(jobs)):
        done = pool.done.get()
        plat = report.platforms[done.job.device]
        plat.runs += len(done.runs)
        sid = done.job.scenarios[0].id
        run = done.runs[0] if done.runs else None
        if run is not None and run.outcome == "passed":
            plat.baseline_passed.append(sid)
        else:
            plat.baseline_failed[sid] = run.headline if run is not None else f"crash: {done.crash}"
        say(f"[{i + 1}/{len(jobs)}] baseline {plat.platform}: " + (run.headline if run else f"{sid} {done.crash}"))
    for plat in report.platforms.values():  # suite order, whatever order the workers finished in
        plat.baseline_passed.sort(key=plat.scenarios.index)


def _faults(
    pool: _Pool,
    scenarios: Sequence[Scenario],
    faults: dict[str, list[FaultInfo]],
    report: SelftestReport,
    full: bool,
    say: Callable[[str], None],
) -> None:
    """Phase one: covering scenarios first. Phase two (per fault, when needed): the rest of the suite."""
    pending = 0
    for uri, plat in report.platforms.items():
        passed = [s for s in scenarios if s.id in set(plat.baseline_passed)]
        for fault in faults[uri]:
            usable = [s for s in passed if _sdk_of(s) == fault.sdk]
            covering = _covering(fault, usable)
            plat.faults[fault.name] = FaultOutcome(fault, [s.id for s in covering])
            if full:
                rest = covering + [s for s in usable if s not in covering]
                jobs = [_Job(uri, fault.name, [s], False) for s in rest]
            else:
                unproved = frozenset(_violated(fault, plat.platform)) & {
                    _full_id(c, _sdk_of(s)) for s in covering for c in s.covers
                }
                jobs = [_Job(uri, fault.name, covering, True, unproved)] if covering else []
            if not jobs:  # nothing covers it: straight to the whole suite
                plat.faults[fault.name].fallback = not full
                jobs = [_Job(uri, fault.name, usable, True)] if usable else []
            for job in jobs:
                pool.jobs.put(job)
            pending += len(jobs)
    finished = 0
    while pending:
        done = pool.done.get()
        pending -= 1
        finished += 1
        plat = report.platforms[done.job.device]
        outcome = plat.faults[str(done.job.fault)]
        plat.runs += len(done.runs)
        for run in done.runs:
            outcome.tried.append(run.scenario)
            if run.outcome in ("failed", "error"):
                outcome.caught_by.append(run.scenario)
                outcome.reasons[run.scenario] = run.headline
            else:
                outcome.passed.append(run.scenario)
        if done.crash:
            outcome.crash = done.crash
        if full:
            if len(outcome.tried) == len(plat.baseline_passed) or done.crash:
                say(_line(finished, plat.platform, outcome))
            continue
        if not outcome.caught_by and not outcome.fallback and not done.crash:
            outcome.fallback = True
            rest = [
                s
                for s in scenarios
                if s.id in set(plat.baseline_passed) and s.id not in outcome.tried and _sdk_of(s) == outcome.fault.sdk
            ]
            if rest:
                pool.jobs.put(_Job(done.job.device, done.job.fault, rest, True))
                pending += 1
                continue
        say(_line(finished, plat.platform, outcome))
    for plat in report.platforms.values():
        for outcome in plat.faults.values():
            order = plat.scenarios.index
            outcome.caught_by.sort(key=order)
            outcome.passed.sort(key=order)
            if full:
                outcome.tried.sort(key=order)


def _violated(fault: FaultInfo, platform: str) -> set[str]:
    """The checklist items (namespaced) ``fault`` breaks on ``platform``."""
    ids = {_full_id(v, fault.sdk or default_sdk().name) for v in fault.violates}
    return {i for i in ids if i.partition("#")[0].rpartition("-")[2] == platform}


def _full_id(item: str, sdk: str) -> str:
    """A checklist id in its namespaced form (``android#5`` of ``sdk`` -> ``<sdk>-android#5``)."""
    try:
        return ChecklistId.parse(item, sdk).full
    except ValueError:
        return item


def _sdk_of(scenario: Scenario) -> str:
    """The SDK a scenario drives (a hand-built scenario without ``sdk`` drives the default one)."""
    return scenario.sdk or default_sdk().name


def _line(n: int, platform: str, o: FaultOutcome) -> str:
    found = ", ".join(o.caught_by) or "NOTHING"
    how = " (fallback)" if o.fallback and o.caught_by else ""
    crash = f" [harness error: {o.crash}]" if o.crash else ""
    return f"[{n}] {platform} fault {o.fault.name}: caught by {found}{how}; {len(o.tried)} run(s){crash}"


# -- the matrix ------------------------------------------------------------------------------


def format_report(report: SelftestReport) -> str:
    """The terminal matrix: per fault the scenario(s) that caught it or NOTHING; a grid with ``full``."""
    out: list[str] = []
    for plat in report.platforms.values():
        total = len(plat.scenarios)
        out.append(
            f"{plat.device}: baseline {len(plat.baseline_passed)}/{total} passed; "
            f"faults caught {len(plat.faults) - len(plat.uncaught)}/{len(plat.faults)}; {plat.runs} runs"
        )
        if not plat.scenarios:
            out.append("  no scenario applies to this platform")
        for sid, why in plat.baseline_failed.items():
            out.append(f"  BASELINE FAILED {sid}: {why}")
        out.extend(_grid(plat) if report.full else _compact(plat))
        explored = [o for o in plat.faults.values() if o.explored is not None]
        if explored:
            out.append(
                f"  exploration alone found {len(explored) - len(plat.explore_missed)}/{len(explored)} faults; "
                f"only exploration: {', '.join(plat.explore_only) or 'none'}; "
                f"not found by exploration: {', '.join(plat.explore_missed) or 'none'}"
            )
    state = "OK" if report.ok else "FAILED"
    out.append(f"selftest {state}: {report.runs} runs on {report.workers} workers in {report.wall_time:.1f}s")
    return "\n".join(out)


def _compact(plat: PlatformReport) -> list[str]:
    width = max((len(n) for n in plat.faults), default=5)
    lines = []
    for name, o in plat.faults.items():
        found = ", ".join(o.caught_by) if o.caught_by else "NOTHING"
        note = " (not by a covering scenario)" if o.caught_by and o.fallback else ""
        lines.append(f"  {name:<{width}}  {found}{note}")
    return lines


def _grid(plat: PlatformReport) -> list[str]:
    """Faults down, scenarios across as numbers (legend below): X caught, . passed, - not run."""
    cols = plat.scenarios
    width = max((len(n) for n in plat.faults), default=5)
    tens = "".join(str((i + 1) // 10 % 10) if (i + 1) >= 10 else " " for i in range(len(cols)))
    ones = "".join(str((i + 1) % 10) for i in range(len(cols)))
    lines = [f"  {'':<{width}}  {tens}", f"  {'':<{width}}  {ones}"]
    for name, o in plat.faults.items():
        caught, passed = set(o.caught_by), set(o.passed)
        cells = "".join("X" if s in caught else "." if s in passed else "-" for s in cols)
        lines.append(f"  {name:<{width}}  {cells}  {len(caught) or 'NOTHING'}")
    lines += [f"  {i + 1:>3} {sid}" for i, sid in enumerate(cols)]
    return lines
