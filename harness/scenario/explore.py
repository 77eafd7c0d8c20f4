"""Model-based random testing: random step sequences on a device, judged by the profile, shrunk.

Hypothesis's stateful testing (``RuleBasedStateMachine``) draws the sequences: one rule per step of
the vocabulary (the SDK's calls and the app, phone, clock, network, permission and collector-answer
steps), each with an argument strategy generated from the step's JSON Schema by
:func:`from_schema` (hypothesis-jsonschema 0.23 breaks on Hypothesis 6.170's internals, and the
vocabulary uses a small subset of JSON Schema, so a small generator here); the vendor may narrow a
schema in ``<vendor package>.explore:SCHEMAS`` so
draws look like an app's, e.g. no base URL that points away from the collector). Preconditions keep a
sequence playable: SDK calls only while the app runs, ``foreground`` only after ``background``.

A sequence is played at the machine's teardown, as one in-memory :class:`Scenario` through the
ordinary :class:`Runner` (fresh install, collector, profile, checker), so exploration judges exactly
as ``harness run`` does. A run that fails (or errors other than by an unmodelled trace) is a
disagreement: Hypothesis shrinks it to a minimal sequence, which is written as a scenario YAML file.

Why rounds: Hypothesis has no time budget, so a worker runs rounds of a few examples, each with its
own seed derived from ``--seed``, until the examples or the budget are spent; one device instance
serves every example of a worker (each example is a fresh install on it, and ``install`` resets the
phone state a run may change: permission, foreground; ``open`` resets the network). Workers are
processes (Hypothesis is not thread-safe), each with its own collector and device.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError
from harness.scenario.loader import Scenario, Step
from harness.scenario.vocabulary import StepSpec, steps_for
from harness.sdk.registry import get_sdk

__all__ = ["ExploreReport", "Finding", "explore", "explore_faults", "scenario_yaml", "step_strategies"]

Schema = dict[str, Any]
RawStep = str | dict[str, Any]

# steps that talk to the running app (an RPC): only drawn while it runs
_NEEDS_APP = {"background", "foreground", "push_token", "deliver_push", "click_push", "kill"}
_SHRINK_PLAYS = 10  # failing plays Hypothesis's shrinker gets before :func:`_minimize` takes over
_ROUND = 10  # examples per Hypothesis run (the budget is looked at between runs and between examples)


@dataclass
class Finding:
    """A disagreement, shrunk: the minimal sequence and what the judge said about it."""

    platform: str
    fault: str | None
    seed: int  # the --seed of the search
    round_seed: int  # the Hypothesis seed of the round that found it
    steps: list[RawStep]
    outcome: str
    headline: str
    details: str
    rules: list[str]
    flaky: bool = False
    path: str | None = None
    # with a fault: the outcome of the shrunk sequence without it ("passed": the fault alone explains it)
    without_fault: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class ExploreReport:
    device: str
    fault: str | None
    seed: int
    sequences: int = 0  # sequences played on the device (shrinking included)
    agreed: int = 0
    unmodelled: int = 0  # the profile refused the trace (SpecError): neither agreement nor disagreement
    findings: list[Finding] = field(default_factory=list)
    wall_time: float = 0.0
    workers: int = 1

    @property
    def found(self) -> bool:
        return bool(self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "fault": self.fault,
            "seed": self.seed,
            "sequences": self.sequences,
            "agreed": self.agreed,
            "unmodelled": self.unmodelled,
            "findings": [f.as_json() for f in self.findings],
            "wall_time": round(self.wall_time, 2),
            "workers": self.workers,
        }


# -- strategies --------------------------------------------------------------------------------


def _narrowed(sdk: str, platform: str | None = None) -> tuple[dict[str, Schema], frozenset[str]]:
    """The vendor's narrowed schemas and skipped steps (``<vendor package>.explore``), if it has them:
    ``SKIP`` everywhere, ``PLATFORM_SKIP[platform]`` on that platform (calls its SDK does not have)."""
    entry = get_sdk(sdk)
    package = entry.calls.partition(":")[0].rpartition(".")[0]
    try:
        module = importlib.import_module(f"{package}.explore")
    except ModuleNotFoundError:
        return {}, frozenset({"expect", "expect_nothing"})
    skip = frozenset(getattr(module, "SKIP", {"expect", "expect_nothing"}))
    if platform is not None:
        skip |= frozenset(getattr(module, "PLATFORM_SKIP", {}).get(platform, ()))
    return dict(getattr(module, "SCHEMAS", {})), skip


def step_strategies(sdk: str, platform: str | None = None) -> dict[str, Any]:
    """Step name -> strategy of its YAML value (None for a bare step), from the argument schemas."""
    from hypothesis import strategies as st

    narrowed, skip = _narrowed(sdk, platform)
    out: dict[str, Any] = {}
    for name, spec in steps_for(sdk).items():
        if name in skip:
            continue
        if spec.schema is None:
            out[name] = st.none()
            continue
        schema = narrowed.get(name, spec.schema)
        out[name] = from_schema(schema)
    return out


def from_schema(schema: Schema) -> Any:
    """A Hypothesis strategy of the values ``schema`` accepts, for the subset the vocabulary uses:
    ``enum``/``const``, ``anyOf``/``oneOf``, the JSON types (one or a list), ``properties`` with
    ``required``/``additionalProperties``/``propertyNames``/``min``-``maxProperties``, ``items``,
    numeric bounds and ``minLength``. Anything else is a ``ConfigError`` (so a new keyword is noticed)."""
    from hypothesis import strategies as st

    known = {
        "enum",
        "const",
        "anyOf",
        "oneOf",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "items",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "minLength",
        "maxItems",
    }
    unknown = set(schema) - known
    if unknown:
        raise ConfigError("explore", f"cannot draw from JSON Schema keyword(s) {sorted(unknown)}: narrow the schema")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s) for s in schema[key]])
    kinds = schema.get("type", ["null", "boolean", "integer", "string", "object"])
    if isinstance(kinds, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kinds])
    if kinds == "null":
        return st.none()
    if kinds == "boolean":
        return st.booleans()
    if kinds in ("integer", "number"):
        low = int(schema.get("minimum", schema.get("exclusiveMinimum", -1000)) or 0)
        if "exclusiveMinimum" in schema:
            low += 1
        high = int(schema.get("maximum", max(low, 0) + 1000))
        return st.integers(low, high)
    if kinds == "string":
        return st.text("abcxyz-_ 0123456789", min_size=max(1, schema.get("minLength", 0)), max_size=12)
    if kinds == "array":
        return st.lists(from_schema(schema.get("items", {"type": "string"})), max_size=schema.get("maxItems", 3))
    return _object(schema)


def _object(schema: Schema) -> Any:
    from hypothesis import strategies as st

    properties: dict[str, Schema] = schema.get("properties", {})
    required = [k for k in schema.get("required", []) if k in properties]
    optional = [k for k in properties if k not in required]
    extra = schema.get("additionalProperties", {})
    fixed = st.fixed_dictionaries(
        {k: from_schema(properties[k]) for k in required},
        optional={k: from_schema(properties[k]) for k in optional},
    )
    if extra is False or not (extra or "propertyNames" in schema):
        base = fixed
    else:
        names = schema.get("propertyNames", {"type": "string", "minLength": 1})
        more = st.dictionaries(from_schema(names), from_schema(extra or {"type": "string"}), max_size=3)
        base = st.builds(lambda a, b: {**b, **a}, fixed, more)
    low, high = schema.get("minProperties", 0), schema.get("maxProperties", 10**6)
    return base.filter(lambda d: low <= len(d) <= high)


def _raw(name: str, value: Any) -> RawStep:
    return name if value is None else {name: value}


def _to_step(raw: RawStep, vocabulary: Mapping[str, StepSpec], line: int) -> Step:
    name, value = (raw, None) if isinstance(raw, str) else next(iter(raw.items()))
    spec = vocabulary[name]
    return Step(spec.kind, spec.name, spec.args(value), line, name)


def build_scenario(steps: Sequence[RawStep], platform: str, sdk: str, ident: str = "explored") -> Scenario:
    """The in-memory scenario of a drawn sequence (fresh install, as every scenario file starts)."""
    vocabulary = steps_for(sdk)
    return Scenario(
        id=ident,
        title="explored sequence",
        covers=(),
        platforms=(platform,),
        steps=tuple(_to_step(s, vocabulary, i + 1) for i, s in enumerate(steps)),
        path="<explore>",
        sdk=sdk,
    )


# -- the state machine -------------------------------------------------------------------------


class Disagreement(AssertionError):
    """The device and the profile disagreed on a sequence (what Hypothesis shrinks)."""


@dataclass
class _Context:
    """One worker's device, runner and tallies, shared by every example the worker plays."""

    play: Callable[[Sequence[RawStep]], tuple[str, str, str, list[str]]]
    deadline: float
    sequences: int = 0
    agreed: int = 0
    unmodelled: int = 0
    failing: list[tuple[list[RawStep], str, str, str, list[str]]] = field(default_factory=list)

    def best(self) -> list[RawStep] | None:
        """The shortest failing sequence so far."""
        return min((f[0] for f in self.failing), key=len) if self.failing else None


def rule_copies(calls: int, others: int) -> int:
    """How many rules each app, phone, clock, network and collector step gets.

    Hypothesis draws a sequence's next step uniformly among the rules whose precondition holds. With
    one rule per step, a vocabulary of ~25 SDK calls and ~14 other steps makes a relaunch, a wait past
    the session timeout, a permission flip or a collector answer a rare draw, and two of them in one
    sequence rarer still, while the faults of sessions, retries, permissions and flush timers need just
    that. So every non-call step gets this many identical rules, about as many as there are calls: a
    step is then as likely to be something happening to the app as a call of it.
    """
    return max(1, round(calls / max(1, others)))


def _machine(sdk: str, ctx: _Context, platform: str | None = None) -> type[Any]:
    """A RuleBasedStateMachine class with one rule per step; teardown plays and judges the sequence."""
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

    strategies = step_strategies(sdk, platform)
    vocabulary = steps_for(sdk)

    class Explore(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.steps: list[RawStep] = []
            self.running = True  # the runner installs and launches before the first step
            self.foreground = True

        @initialize(value=strategies["init"])
        def first_init(self, value: Any) -> None:
            self.steps.append(_raw("init", value))

        @precondition(lambda self: not self.running)
        @rule(then_init=st.booleans(), value=strategies["init"])
        def launch(self, then_init: bool, value: Any) -> None:
            self.steps.append("launch")
            self.running, self.foreground = True, True
            if then_init:
                self.steps.append(_raw("init", value))

        @rule(then_init=st.booleans(), value=strategies["init"])
        def relaunch(self, then_init: bool, value: Any) -> None:
            self.steps.append("relaunch")
            self.running, self.foreground = True, True
            if then_init:
                self.steps.append(_raw("init", value))

        @precondition(lambda self: self.running)
        @rule()
        def kill(self) -> None:
            self.steps.append("kill")
            self.running = False

        @rule()
        def install(self) -> None:
            self.steps.append("install")
            self.running = False

        @precondition(lambda self: self.running and self.foreground)
        @rule()
        def background(self) -> None:
            self.steps.append("background")
            self.foreground = False

        @precondition(lambda self: self.running and not self.foreground)
        @rule()
        def foreground_(self) -> None:
            self.steps.append("foreground")
            self.foreground = True

        def teardown(self) -> None:
            if not self.steps:
                return
            if time.monotonic() > ctx.deadline and not ctx.failing:
                return  # the budget is spent: the rest of the round is drawn but not played
            if len(ctx.failing) >= _SHRINK_PLAYS:
                # Hypothesis's shrinker is slow on sequences with paired steps (background/foreground);
                # past a few failing plays it stops here and :func:`_minimize` finishes the job: the
                # best sequence so far fails again without another play, every other one passes
                if self.steps == ctx.best():
                    raise Disagreement("the shortest failing sequence so far")
                return
            outcome, headline, details, rules = ctx.play(self.steps)
            ctx.sequences += 1
            if outcome == "unmodelled":
                ctx.unmodelled += 1
                return
            if outcome in ("passed", "skipped"):
                ctx.agreed += 1
                return
            ctx.failing.append((list(self.steps), outcome, headline, details, rules))
            raise Disagreement(headline)

    handled = {"init", "launch", "relaunch", "kill", "install", "background", "foreground"}
    calls = sum(1 for n in strategies if n not in handled and vocabulary[n].kind == "call")
    others = sum(1 for n in strategies if n != "init" and vocabulary[n].kind != "call")
    copies = rule_copies(calls, others)
    for name in ("launch", "relaunch", "kill", "install", "background", "foreground_"):
        for i in range(1, copies):  # the app's own steps, weighted like the rest (rule_copies)
            setattr(Explore, f"{name}{i}", getattr(Explore, name))
    for name, strategy in strategies.items():
        if name in handled:
            continue
        kind = vocabulary[name].kind
        needs_app = kind == "call" or name in _NEEDS_APP
        attribute = f"step_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"
        for i in range(1 if kind == "call" else copies):
            method = rule(value=strategy)(_adder(name, attribute))
            if needs_app:
                method = precondition(lambda self: self.running)(method)
            setattr(Explore, f"{attribute}{i or ''}", method)
    return Explore


def _adder(name: str, function_name: str) -> Callable[[Any, Any], None]:
    """The rule body that appends step ``name``. Its own ``__name__`` per step: Hypothesis's swarm
    testing switches rules on and off by function name for a whole sequence, so with one shared name
    every step but the app's own would be on or off together."""

    def add(self: Any, value: Any) -> None:
        self.steps.append(_raw(name, value))

    add.__name__ = add.__qualname__ = function_name
    return add


# -- one worker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    device: str
    sdk: str
    fault: str | None
    seed: int
    worker: int
    examples: int
    max_steps: int
    budget: float | None
    verbose: bool
    keep_going: bool = False
    # with a fault: go on past disagreements the fault does not explain (a fault-free one would
    # otherwise end the search for every fault alike) and stop at the first one it alone explains
    until_fault: bool = False


def _round_seed(seed: int, worker: int, round_: int) -> int:
    digest = hashlib.sha256(f"{seed}/{worker}/{round_}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _judge(result: Any) -> tuple[str, str, str, list[str]]:
    """(outcome, headline, details, violated rules) of a RunResult; a SpecError is "unmodelled"."""
    if result.outcome == "error" and (result.error or "").startswith("SpecError"):
        return "unmodelled", result.headline(), result.error or "", []
    rules = sorted({r for v in (result.verdict.violations if result.verdict else []) for r in v.rules})
    return result.outcome, result.headline(), result.details() or (result.error or ""), rules


def _without_fault(with_fault: Any, clean: Any, steps: list[RawStep], platform: str, sdk: str) -> str:
    """The shrunk sequence's outcome without the fault: ``passed`` only when it passes without the
    fault and fails with it on a second play of each (a sequence with a kill or an answer rule can race,
    and a race that failed once with the fault and passed once without is no evidence of the fault)."""
    scenario = build_scenario(steps, platform, sdk)
    first = _judge(clean.run(scenario))[0]
    if first != "passed":
        return first
    if _judge(with_fault.run(scenario))[0] in ("passed", "skipped", "unmodelled"):
        return "flaky"
    return "passed" if _judge(clean.run(scenario))[0] == "passed" else "flaky"


def _minimize(
    steps: list[RawStep],
    verdict: tuple[str, str, str, list[str]],
    play: Callable[[Sequence[RawStep]], tuple[str, str, str, list[str]]],
    valid: Callable[[RawStep], bool] = lambda _step: True,
) -> tuple[list[RawStep], tuple[str, str, str, list[str]]]:
    """Drop steps one at a time (from the end) while the sequence still fails the same way: the same
    outcome and at least one of the same violated rules (one-minimal, as delta debugging's ddmin)."""
    rules = set(verdict[3])
    changed = True
    while changed:
        changed = False
        for i in reversed(range(1, len(steps))):  # the first step (init) stays
            candidate = steps[:i] + steps[i + 1 :]
            again = play(candidate)
            if again[0] == verdict[0] and (not rules or rules & set(again[3])):
                steps, verdict, changed = candidate, again, True
                break
    # then the arguments: drop each key of a step's object argument (and of the objects in it, such
    # as init's configuration) while the sequence still fails the same way; Hypothesis's shrinker
    # leaves them as drawn once :func:`_minimize` has taken over
    for i in range(len(steps)):
        for path in _key_paths(steps[i]):
            simpler = _without(steps[i], path)
            if not valid(simpler):
                continue  # the loader would refuse the written file (a required key)
            candidate = [*steps[:i], simpler, *steps[i + 1 :]]
            again = play(candidate)
            if again[0] == verdict[0] and (not rules or rules & set(again[3])):
                steps, verdict = candidate, again
    return steps, verdict


def _validator(sdk: str) -> Callable[[RawStep], bool]:
    """Whether a step's argument passes its vocabulary schema (what the loader checks)."""
    import jsonschema

    vocabulary = steps_for(sdk)

    def valid(step: RawStep) -> bool:
        if isinstance(step, str):
            return True
        name, value = next(iter(step.items()))
        schema = vocabulary[name].schema
        return schema is None or jsonschema.Draft202012Validator(schema).is_valid(value)

    return valid


def _key_paths(step: RawStep) -> list[tuple[str, ...]]:
    """The keys of a step's object argument and of the objects one level in, deepest first."""
    if isinstance(step, str):
        return []
    value = next(iter(step.values()))
    if not isinstance(value, dict):
        return []
    inner = [(k, k2) for k, v in value.items() if isinstance(v, dict) for k2 in v]
    return [*inner, *((k,) for k in value)]


def _without(step: RawStep, path: tuple[str, ...]) -> RawStep:
    """``step`` with the key at ``path`` removed (a copy; a path no longer there changes nothing)."""
    assert isinstance(step, dict)
    name, value = next(iter(step.items()))
    value = json.loads(json.dumps(value))
    node = value
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)
    return {name: value}


def _work(job: _Job) -> dict[str, Any]:
    """Explore on one device until ``job.examples`` sequences or the budget are spent."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis import seed as seed_of
    from hypothesis.errors import Flaky
    from hypothesis.stateful import run_state_machine_as_test

    from harness.capture.server import CollectorServer
    from harness.devices.registry import open_device
    from harness.scenario.runner import Runner

    started = time.monotonic()
    deadline = started + job.budget if job.budget else float("inf")
    out: dict[str, Any] = {"sequences": 0, "agreed": 0, "unmodelled": 0, "findings": []}
    seen: set[tuple[str, frozenset[str], str | None]] = set()
    with (
        tempfile.TemporaryDirectory(prefix="harness-explore-") as tmp,
        CollectorServer(Path(tmp) / "capture.sqlite") as collector,
    ):
        device = open_device(job.device)
        try:
            runner = Runner(device, collector, fault=job.fault)

            def play(steps: Sequence[RawStep]) -> tuple[str, str, str, list[str]]:
                scenario = build_scenario(steps, device.platform, job.sdk)
                return _judge(runner.run(scenario))

            ctx = _Context(play, deadline)
            machine = _machine(job.sdk, ctx, device.platform)
            round_ = 0
            while ctx.sequences < job.examples and time.monotonic() < deadline:
                before = ctx.sequences
                round_seed = _round_seed(job.seed, job.worker, round_)
                config = settings(
                    max_examples=min(_ROUND, job.examples - ctx.sequences),
                    stateful_step_count=job.max_steps,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                    phases=[Phase.generate, Phase.shrink],
                    report_multiple_bugs=False,
                )
                try:
                    run_state_machine_as_test(seed_of(round_seed)(machine), settings=config)
                except (Disagreement, Flaky) as exc:
                    best = ctx.best() or []
                    steps, outcome, headline, details, rules = next(f for f in ctx.failing if f[0] == best)
                    steps, (outcome, headline, details, rules) = _minimize(
                        steps, (outcome, headline, details, rules), play, _validator(job.sdk)
                    )
                    ctx.failing.clear()
                    clean = None
                    if job.fault is not None:  # is it the fault, or a disagreement without it too?
                        clean = _without_fault(runner, Runner(device, collector), steps, device.platform, job.sdk)
                    key = (outcome, frozenset(rules), clean)
                    new = key not in seen
                    seen.add(key)
                    if new:  # a repeat goes on to the next round (a new seed), not this one again
                        out["findings"].append(
                            Finding(
                                device.platform,
                                job.fault,
                                job.seed,
                                round_seed,
                                steps,
                                outcome,
                                headline,
                                details,
                                rules,
                                flaky=isinstance(exc, Flaky),
                                without_fault=clean,
                            ).as_json()
                        )
                    if not job.keep_going or (job.until_fault and clean == "passed"):
                        break
                finally:
                    if job.verbose:
                        rate = ctx.sequences / max(time.monotonic() - started, 1e-9) * 60
                        print(
                            f"[worker {job.worker}] {device.platform}{' fault ' + job.fault if job.fault else ''}: "
                            f"{ctx.sequences} sequences ({ctx.agreed} agreed, {ctx.unmodelled} unmodelled), "
                            f"{rate:.0f}/min",
                            flush=True,
                        )
                round_ += 1
                if ctx.sequences == before:  # nothing played (budget) : stop
                    break
        finally:
            device.close()
    out.update(sequences=ctx.sequences, agreed=ctx.agreed, unmodelled=ctx.unmodelled)
    return out


# -- the command -------------------------------------------------------------------------------


def explore(
    device: str = "virtual:android",
    *,
    sdk: str | None = None,
    fault: str | None = None,
    examples: int = 100,
    seed: int = 0,
    max_steps: int = 12,
    out: str | Path | None = None,
    budget: float | None = None,
    workers: int = 1,
    progress: bool = False,
    keep_going: bool = False,
) -> ExploreReport:
    """Explore ``examples`` random sequences on ``device`` (split over ``workers`` processes).

    Raises ConfigError for bad input (before anything runs). Each finding is written to ``out`` as a
    scenario YAML file when ``out`` is given. ``keep_going``: after a disagreement, go on exploring and
    report each new one (a new outcome and set of violated rules) instead of stopping at the first.
    """
    entry = get_sdk(sdk)
    if examples < 1:
        raise ConfigError("--examples", f"must be at least 1, got {examples}")
    if max_steps < 1:
        raise ConfigError("--max-steps", f"must be at least 1, got {max_steps}")
    if workers < 1:
        raise ConfigError("-j", f"must be at least 1, got {workers}")
    if budget is not None and budget <= 0:
        raise ConfigError("--budget", f"must be more than 0 seconds, got {budget}")
    from harness.devices.registry import open_device

    probe = open_device(device)
    platform = probe.platform
    probe.close()
    if platform not in entry.platforms:
        raise ConfigError("--device", f"SDK {entry.name} models no {platform!r}")
    if fault is not None:
        if not device.startswith(("virtual:", "jvm:")):
            raise ConfigError("--fault", f"seeded faults live in the virtual SDK; {device} runs a real SDK")
        from harness.scenario.selftest import check_fault_names

        check_fault_names([fault], [platform], [entry.name])
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ConfigError("--out", f"{out} is not a folder")

    started = time.monotonic()
    share = [examples // workers + (1 if i < examples % workers else 0) for i in range(workers)]
    jobs = [
        _Job(device, entry.name, fault, seed, i, n, max_steps, budget, progress, keep_going)
        for i, n in enumerate(share)
        if n
    ]
    if len(jobs) == 1:
        results = [_work(jobs[0])]
    else:
        with ProcessPoolExecutor(len(jobs), mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_work, jobs))
    report = ExploreReport(device, fault, seed, workers=len(jobs))
    for res in results:
        report.sequences += res["sequences"]
        report.agreed += res["agreed"]
        report.unmodelled += res["unmodelled"]
        report.findings += [Finding(**f) for f in res["findings"]]
    for finding in report.findings:
        if out is not None:
            finding.path = str(write_finding(finding, Path(out), entry.name, device))
    report.wall_time = time.monotonic() - started
    return report


def explore_faults(
    targets: Sequence[tuple[str, str]],
    *,
    sdk: str | None = None,
    examples: int = 30,
    budget: float | None = 60.0,
    seed: int = 0,
    max_steps: int = 8,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """Explore each ``(device URI, fault)`` on its own (``harness selftest --explore``): per target the
    sequences played and the shrunk finding (None: exploration did not find the fault)."""
    entry = get_sdk(sdk)
    jobs = [
        _Job(uri, entry.name, fault, seed, 0, examples, max_steps, budget, False, keep_going=True, until_fault=True)
        for uri, fault in targets
    ]
    say = progress or (lambda _line: None)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if not jobs:
        return out
    with ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_work, job): (job.device, str(job.fault)) for job in jobs}
        from concurrent.futures import as_completed

        for i, future in enumerate(as_completed(futures)):
            key = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # a harness bug shows in the report, not as the end of the selftest
                res = {"sequences": 0, "agreed": 0, "unmodelled": 0, "findings": [], "crash": f"{exc!r}"}
            # found: a shrunk sequence that fails with the fault and passes without it
            res["finding"] = next((f for f in res["findings"] if f.get("without_fault") == "passed"), None)
            out[key] = res
            found = res["finding"]
            how = f"found in {len(found['steps'])} step(s) {json.dumps(found['steps'])}" if found else "NOT found"
            say(f"[{i + 1}/{len(jobs)}] explore {key[0]} fault {key[1]}: {how}; {res['sequences']} sequence(s)")
    return out


def _short(rule: str, platform: str) -> str | None:
    """A violated rule as a ``covers`` id of ``platform`` (``<sdk>-android#5`` -> ``android#5``)."""
    match = re.search(r"(android|ios)#\d+$", rule)
    return match.group(0) if match and match.group(1) == platform else None


def scenario_yaml(finding: Finding, sdk: str, device: str, ident: str) -> str:
    """The shrunk sequence as a scenario file the loader accepts, with the seed to replay the search."""
    covers = sorted(
        {c for r in finding.rules if (c := _short(r, finding.platform))}, key=lambda c: int(c[c.index("#") + 1 :])
    )
    fault = f" --fault {finding.fault}" if finding.fault else ""
    head = [
        f"# found by: harness explore --sdk {sdk} --device {device}{fault} --seed {finding.seed} "
        f"(Hypothesis seed of the round {finding.round_seed}), shrunk by Hypothesis",
        f"# judged:   {finding.headline.strip()}",
        *(f"#   {line.strip()}" for line in finding.details.splitlines()[:12] if line.strip()),
        f"# replay:   harness run --device {device}{fault} THIS_FILE",
    ]
    body = {
        "id": ident,
        "title": f"explored sequence ({finding.outcome} on {finding.platform}"
        + (f", fault {finding.fault})" if finding.fault else ")"),
        "covers": covers,
        "platforms": [finding.platform],
        "steps": finding.steps,
    }
    if sdk != get_sdk(None).name:
        body["sdk"] = sdk
    text = yaml.safe_dump(body, sort_keys=False, default_flow_style=None, allow_unicode=True, width=110)
    return "\n".join(head) + "\n" + text


def write_finding(finding: Finding, folder: Path, sdk: str, device: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tag = finding.fault or "-".join(_short(r, finding.platform) or "" for r in finding.rules[:2]).replace("#", "")
    base = re.sub(
        r"[^a-z0-9-]+", "-", f"explore-{finding.platform}-{tag or finding.outcome}-{finding.round_seed}".lower()
    )
    path = folder / f"{base.strip('-')}.yaml"
    path.write_text(scenario_yaml(finding, sdk, device, path.stem), encoding="utf-8")
    return path


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
