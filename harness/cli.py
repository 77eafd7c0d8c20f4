"""The ``harness`` command line (contract: ``design.md``, "Command line").

Each command exits non-zero on failure and prints a one-line reason first: 2 for bad input, 1 for a
failure it found (see :mod:`harness.cli_support`). Input a run can be refused for (fault names, the
report folder, the device's readiness) is checked once, before the first scenario.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import __version__
from harness.cli_support import OneLineParser, debug_wanted, port_number, run_command
from harness.errors import ConfigError, HarnessError

if TYPE_CHECKING:
    from harness.capture.server import CollectorServer
    from harness.capture.store import Store
    from harness.devices.base import Device
    from harness.scenario.loader import Scenario
    from harness.scenario.runner import RunResult

__all__ = ["main"]

PLATFORMS = ("android", "ios")


def _cmd_devices(args: argparse.Namespace) -> int:
    from harness.devices.registry import discover_all

    devices = discover_all()
    if args.json:
        print(json.dumps([d.as_json() for d in devices], indent=2))
    else:
        for d in devices:
            print(f"{d.uri:<28} {d.platform:<8} {d.model:<32} {d.os_version:<8} frida={d.frida}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from harness.devices.registry import open_device
    from harness.scenario.loader import find_scenarios

    scenarios = find_scenarios(args.paths or ["scenarios"])
    if args.k:
        scenarios = [s for s in scenarios if args.k in s.id or args.k in s.title]
    if not scenarios:
        print("error: no scenario selected", file=sys.stderr)
        return 2
    args.scenario_sdks = sorted({s.sdk for s in scenarios})
    if args.scheduler:
        return _run_fleet(args, scenarios)
    uris = list(dict.fromkeys(args.device or ["virtual:android"]))
    devices = [open_device(uri) for uri in uris]
    try:
        _check_run_inputs(args, devices)
        return _run_on(args, scenarios, devices)
    finally:
        for device in devices:
            device.close()


def _check_run_inputs(args: argparse.Namespace, devices: Sequence[Device]) -> None:
    """Everything a run can be refused for, checked once before its first scenario."""
    from harness.devices.registry import check_ready
    from harness.report.folder import check_run_folder
    from harness.scenario.selftest import check_fault_names

    if args.report:
        check_run_folder(args.report, replace=args.force)
    if args.junit and not Path(args.junit).resolve().parent.is_dir():
        raise ConfigError("--junit", f"the folder of {args.junit} does not exist")
    if args.fault:
        real = [d.uri for d in devices if d.uri.partition(":")[0] not in ("virtual", "jvm")]
        if real:
            raise ConfigError(
                "--fault", f"seeded faults live in the virtual SDK (virtual:*, jvm:android); {real[0]} runs a real SDK"
            )
        check_fault_names([args.fault], [d.platform for d in devices], getattr(args, "scenario_sdks", None) or [None])
    if args.ui:
        _ui_profile(devices)
    for device in devices:
        check_ready(device)


def _run_on(args: argparse.Namespace, scenarios: Sequence[Scenario], devices: Sequence[Device]) -> int:
    """Play every scenario on every device; print, then write JUnit and the report folder.

    With ``--ui`` the run's own collector also serves the live inspector, judging by the run's
    profile; after the run it keeps serving until Enter (or Ctrl-C), but only when stdin is a
    terminal, so a run in CI or a pipe ends as it would without ``--ui``.
    """
    from harness.capture.server import CollectorServer
    from harness.scenario.runner import capture_plan

    store = args.store or str(Path(tempfile.mkdtemp(prefix="harness-run-")) / "capture.sqlite")
    in_app_store = None
    if capture_plan(args.in_app_capture, args.judge, args.base_url)[0]:
        from harness.capture.store import Store

        beside = Path(tempfile.mkdtemp(prefix="harness-run-")) if _is_database(store) else Path(store).parent
        in_app_store = Store(args.in_app_store or beside / "in-app.sqlite")
    inspector: dict[str, Any] = {}
    if args.ui:
        inspector = {
            "ui": True,
            "profile": _ui_profile(devices),
            "sources": {"in-app": in_app_store} if in_app_store is not None else None,
        }
    with CollectorServer(store, **inspector) as collector:
        if args.ui:
            print(f"inspector on {collector.ui_url} (profile {inspector['profile']})", flush=True)
        status = _play_all(args, scenarios, devices, collector, in_app_store)
        if args.ui and sys.stdin.isatty():
            print(f"inspector still on {collector.ui_url}: press Enter (or Ctrl-C) to stop", flush=True)
            with contextlib.suppress(EOFError, KeyboardInterrupt):
                input()
    return status


def _ui_profile(devices: Sequence[Device]) -> str:
    """The one profile the inspector judges by: the run's (its devices' platform's)."""
    from harness.spec.profiles import profile_for_platform

    names = list(dict.fromkeys(profile_for_platform(d.platform).name for d in devices))
    if len(names) > 1:
        raise ConfigError(
            "--ui",
            f"the inspector judges by one profile, and these devices use {' and '.join(names)}: "
            "run one platform at a time",
        )
    return names[0]


def _play_all(
    args: argparse.Namespace,
    scenarios: Sequence[Scenario],
    devices: Sequence[Device],
    collector: CollectorServer,
    in_app_store: Store | None,
) -> int:
    from harness.report.record import device_meta
    from harness.scenario.runner import Runner

    uris = [d.uri for d in devices]
    started_wall, started = time.time(), time.monotonic()
    results = []
    devices_meta = []
    total, done = len(scenarios) * len(uris), 0
    for device in devices:
        runner = Runner(
            device,
            collector,
            fault=args.fault,
            options={"agent": args.agent} if args.agent else None,
            in_app_capture=args.in_app_capture,
            in_app_store=in_app_store,
            judge=args.judge,
            base_url=args.base_url,
            sdk_version=args.sdk_version,
        )
        try:
            for scenario in scenarios:
                result = runner.run(scenario)
                results.append(result)
                done += 1
                _print_result(result, done, total)
        finally:
            # after the runs: the profile the SDK version read inside the app picked
            devices_meta.append(
                device_meta(device.describe().as_json(), runner.profile.name, runner.profile.sdk_version)
            )
            device.close()
    return _conclude(args, results, devices_meta, started_wall, started)


def _print_result(result: RunResult, done: int, total: int) -> None:
    """A finished run's line (and its warnings and details), as the run goes."""
    print(f"[{done}/{total}] {result.headline()} ({result.duration:.1f}s)", flush=True)
    for warning in result.warnings:
        print(f"      warning: {warning}", flush=True)
    details = result.details()
    if details:
        print(details, flush=True)


def _conclude(
    args: argparse.Namespace,
    results: Sequence[RunResult],
    devices_meta: Sequence[dict[str, Any]],
    started_wall: float,
    started: float,
) -> int:
    """The end of a run, local or fleet: the matrix, the totals, JUnit and the report folder."""
    from harness.report.folder import write_run
    from harness.report.junit import write_junit
    from harness.report.matrix import build_matrix, format_matrix
    from harness.report.record import result_record, run_meta

    uris = list(dict.fromkeys(r.device_uri for r in results))
    failed = [r for r in results if r.outcome in ("failed", "error")]
    ran = [r for r in results if r.outcome != "skipped"]
    records = [result_record(r) for r in results]
    if len(uris) > 1:
        print(format_matrix(build_matrix(records)))
    print(
        f"{len(ran) - len(failed)} passed, {len(failed)} failed"
        + (f", {len(results) - len(ran)} skipped" if len(results) != len(ran) else "")
    )
    simulated = sum(r.device_time_span for r in results)
    print(f"wall time {time.monotonic() - started:.1f}s; device time simulated {_span(simulated)}")
    if args.junit:
        write_junit(records, args.junit)
    meta = run_meta(
        list(devices_meta),
        fault=args.fault,
        started_at=started_wall,
        duration=time.monotonic() - started,
        command=["harness", *(args.argv or [])],
    )
    if args.report:
        write_run(args.report, meta, records, replace=args.force)
        print(f"report: {Path(args.report) / 'report.html'}")
    if _is_database(getattr(args, "store", None)):
        from harness.capture.pgstore import save_run

        run_id = save_run(args.store, meta, records)
        print(f"run {run_id} stored (harness runs --store URL lists the runs)")
    return 1 if failed else 0


def _is_database(store: object) -> bool:
    """A ``postgresql://`` store (captures and run records in a shared database) rather than a SQLite file."""
    from harness.capture.pgstore import is_database_url

    return is_database_url(store)


def _run_fleet(args: argparse.Namespace, scenarios: Sequence[Scenario]) -> int:
    """``harness run --scheduler``: every scenario on the workers' devices, one run folder."""
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--scheduler", "fleet runs need Dask: pip install 'engagement-harness[fleet]'") from None
    from harness.fleet.dispatch import fleet_devices, identity, run_fleet
    from harness.fleet.host import RunSettings
    from harness.report.folder import check_run_folder

    for option in ("in_app_capture", "base_url", "ui"):
        if getattr(args, option, None):
            raise ConfigError("--scheduler", f"--{option.replace('_', '-')} is not available in fleet runs yet")
    if args.report:
        check_run_folder(args.report, replace=args.force)
    try:
        client = Client(args.scheduler, timeout=10)  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise ConfigError("--scheduler", f"cannot reach the scheduler at {args.scheduler}: {exc}") from None
    with client:
        print(f"dashboard: {client.dashboard_link}", flush=True)
        devices = fleet_devices(identity(client), args.device or ())
        if not devices:
            raise ConfigError("--scheduler", f"no harness worker with devices is connected to {args.scheduler}")
        print(f"{len(devices)} devices: {', '.join(d.label for d in devices)}", flush=True)
        started_wall, started = time.time(), time.monotonic()
        total, done = len(scenarios) * len(devices), 0

        def show(result: RunResult) -> None:
            nonlocal done
            done += 1
            _print_result(result, done, total)

        settings = RunSettings(fault=args.fault, agent=args.agent, sdk_version=args.sdk_version)
        results, metas = run_fleet(client, scenarios, devices, settings, show)
    return _conclude(args, results, metas, started_wall, started)


def _cmd_worker(args: argparse.Namespace) -> int:
    """``harness worker``: Dask's worker with this host's devices and a collector they reach."""
    import socket

    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError("worker", "fleet workers need Dask: pip install 'engagement-harness[fleet]'") from None
    from harness.devices.registry import open_device
    from harness.fleet.host import check_advertise, serve_worker

    collector_host = args.collector_host or "127.0.0.1"
    if args.advertise is not None:
        collector_host = check_advertise(args.advertise, args.collector_host)
    uris = list(dict.fromkeys(args.device))
    for uri in uris:  # a bad URI is refused now, not at the first run
        open_device(uri).close()
    store = args.store or str(Path(tempfile.mkdtemp(prefix="harness-worker-")) / "capture.sqlite")
    name = args.name or socket.gethostname()
    serve_worker(
        args.scheduler,
        uris,
        name=name,
        collector_host=collector_host,
        advertise=args.advertise,
        store=store,
        on_ready=lambda url: print(f"worker {name}: devices {', '.join(uris)}; collector {url}", flush=True),
    )
    return 0


def _span(seconds: float) -> str:
    """Device time for people: hours once it is more than a few minutes of the SDK's clock."""
    if seconds >= 600:
        return f"{seconds / 3600:.1f} h ({seconds:.0f}s)"
    return f"{seconds:.0f}s"


def _cmd_diff(args: argparse.Namespace) -> int:
    from harness.report.diff import baseline_path, diff_runs

    if args.baseline:
        if len(args.runs) != 1:
            print("error: with --baseline give exactly one run folder", file=sys.stderr)
            return 2
        base = baseline_path(args.store, args.baseline)
        if not base.is_dir():
            print(f"error: no baseline pinned for SDK version {args.baseline} in {args.store}", file=sys.stderr)
            return 2
        run_a, run_b = str(base), args.runs[0]
    elif len(args.runs) == 2 and _is_database(args.store):
        from harness.capture.pgstore import load_run_record
        from harness.report.diff import diff_records

        (_, ra), (_, rb) = (load_run_record(args.store, run) for run in args.runs)
        report = diff_records(ra, rb, tolerance=args.tolerance, names=(f"run {args.runs[0]}", f"run {args.runs[1]}"))
        print(json.dumps(report.as_json(), indent=2, default=str) if args.json else report.text())
        return 1 if report.regression else 0
    elif len(args.runs) == 2:
        run_a, run_b = args.runs
    else:
        print("error: give two run folders (RUN_A RUN_B), or --baseline VERSION RUN", file=sys.stderr)
        return 2
    report = diff_runs(run_a, run_b, tolerance=args.tolerance)
    print(json.dumps(report.as_json(), indent=2, default=str) if args.json else report.text())
    return 1 if report.regression else 0


def _cmd_runs(args: argparse.Namespace) -> int:
    """``harness runs --store URL``: the runs recorded in a PostgreSQL store, oldest first."""
    from harness.capture.pgstore import list_runs

    if not _is_database(args.store):
        raise ConfigError("--store", f"{args.store!r} is not a postgresql:// URL (run records live in PostgreSQL)")
    runs = list_runs(args.store)
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    print(f"{'ID':>5}  {'STARTED (UTC)':<20}  {'PASSED':>6}  {'FAILED':>6}  {'HOST':<16}  SDK / DEVICES")
    for r in runs:
        print(
            f"{r['id']:>5}  {r['started']:<20}  {r['passed']:>6}  {r['failed']:>6}  {r['host']:<16}"
            f"  {r['sdk']} / {', '.join(r['devices'])}"
        )
    return 0


def _cmd_baseline(args: argparse.Namespace) -> int:
    from harness.report.diff import pin_baseline

    if args.baseline_command == "pin":
        target = pin_baseline(args.run, args.store, args.sdk_version, force=args.force)
        print(f"pinned {args.run} as the baseline for SDK version {target.name}: {target}")
        return 0
    store = Path(args.store)
    for folder in sorted(p for p in store.iterdir() if (p / "baseline.json").is_file()) if store.is_dir() else []:
        info = json.loads((folder / "baseline.json").read_text(encoding="utf-8"))
        pinned = time.strftime("%Y-%m-%d %H:%M", time.gmtime(info.get("pinned_at", 0)))
        print(f"{folder.name:<16} pinned {pinned} UTC from {info.get('source', '?')}")
    return 0


def _cmd_collector_serve(args: argparse.Namespace) -> int:
    from harness.capture.server import CollectorServer
    from harness.capture.terminal import TerminalPrinter

    server = CollectorServer(
        args.store,
        host=args.host,
        port=args.port,
        run=args.run,
        forward=args.forward,
        rules=args.rule or (),
        body_timeout=args.body_timeout,
        ui=args.ui,
        profile=args.profile,
        printer=None if args.quiet else TerminalPrinter(),
    )

    def listening(url: str) -> None:
        print(f"listening on {url}", flush=True)
        if args.ui:
            print(
                f"inspector on {url}/_harness/ui (profile {args.profile or 'none: malformed requests only'})",
                flush=True,
            )
        if args.forward:
            print(f"forwarding to {args.forward}", flush=True)
        for rule in server.rules.active:
            print(f"answer rule {rule.label}", flush=True)

    server.serve_forever(on_listening=listening)
    return 0


def _cmd_collector_export(args: argparse.Namespace) -> int:
    from harness.capture.export import export
    from harness.capture.store import open_store

    if not _is_database(args.store) and not Path(args.store).exists():
        print(f"error: no capture store at {args.store}", file=sys.stderr)
        return 2
    store = open_store(args.store)
    try:
        text = export(store.query(), args.format, mask_authorization=not args.no_mask)
    finally:
        store.close()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_collector_compare(args: argparse.Namespace) -> int:
    from harness.capture.inapp import compare_captures, load_capture

    try:
        app = load_capture(args.app, args.device)
        backend = load_capture(args.backend, args.device)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    diff = compare_captures(app, backend)
    if args.json:
        print(
            json.dumps(
                {
                    "matched": diff.matched,
                    "lost": [r.as_json() for r in diff.lost],
                    "unexplained": [r.as_json() for r in diff.unexplained],
                },
                indent=2,
            )
        )
    else:
        print(diff.report())
    return 1 if diff.lost else 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    from harness.scenario.coverage import committed_selftest, coverage

    paths = args.paths or ["scenarios"]
    # an item counts as covered only when a caught fault backs it (issue 17): from --selftest, else from
    # the selftest result committed with the suite (scenarios/_selftest.json), unless --covers-only
    results = [args.selftest] if args.selftest else [] if args.covers_only else committed_selftest(paths)
    report = coverage(find_paths=paths, selftest=results or None)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    from harness.sdk.registry import default_sdk

    if results:
        print(f"fault-backed coverage from {', '.join(map(str, results))}")
    shown_as_platform = {default_sdk().profile_name(p) for p in report["checklists"]}
    for platform, data in report["checklists"].items():
        if platform in shown_as_platform:  # the default SDK's checklist, printed once under its platform
            continue
        covered = len(data["covered"])
        what = "fault-backed" if "fault_backed" in data else "covered"
        print(f"{platform}: {covered}/{data['total']} checklist items {what} ({data['percent']:.1f}%)")
        if "scenario_covered" in data:
            print(f"  named in a scenario's covers: {len(data['scenario_covered'])}/{data['total']}")
        by_id = sorted(data["uncovered"].items(), key=lambda kv: int(kv[0].split("#")[1]))
        for item, reason in by_id:
            if item not in data["out_of_scope"]:
                print(f"  uncovered {item}: {reason}")
        for item, reason in by_id:
            if item in data["out_of_scope"]:
                print(f"  out of scope {item}: {reason}")
    return 0


def _cmd_selftest(args: argparse.Namespace) -> int:
    from harness.scenario.selftest import DEFAULT_DEVICES, format_report, selftest

    to_stdout = args.json == "-"
    report = selftest(
        args.paths or ["scenarios"],
        args.device or DEFAULT_DEVICES,
        workers=args.jobs,
        full=args.full,
        only_faults=args.fault or (),
        collector_per_worker=args.collector_per_worker,
        progress=None if to_stdout else lambda line: print(line, flush=True),
        explore_examples=args.explore_examples if args.explore else 0,
        explore_budget=args.explore_budget,
    )
    if args.json:
        text = json.dumps(report.as_json(), indent=2)
        if to_stdout:
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    if not to_stdout:
        print(format_report(report))
    return 0 if report.ok else 1


def _cmd_explore(args: argparse.Namespace) -> int:
    from harness.scenario.explore import explore

    report = explore(
        args.device,
        sdk=args.sdk,
        fault=args.fault,
        examples=args.examples,
        seed=args.seed,
        max_steps=args.max_steps,
        out=args.out,
        budget=args.budget,
        workers=args.jobs,
        progress=not args.quiet,
        keep_going=args.keep_going,
    )
    rate = report.sequences / max(report.wall_time, 1e-9) * 60
    print(
        f"explored {report.sequences} sequences on {report.device}"
        + (f" with fault {report.fault}" if report.fault else "")
        + f" in {report.wall_time:.0f}s ({rate:.0f}/min, {report.workers} worker(s)): {report.agreed} agreed, "
        f"{report.unmodelled} unmodelled, {len(report.findings)} disagreement(s)"
    )
    for f in report.findings:
        print(f"DISAGREEMENT {f.outcome} rules {', '.join(f.rules) or '-'}: {len(f.steps)} step(s) after shrinking")
        if f.without_fault is not None and f.without_fault != "passed":
            print(f"    NOTE: without the fault it {f.without_fault} too: a disagreement of the fault-free SDK")
        print("    steps: " + json.dumps(f.steps))
        print(f.details)
        if f.path:
            print(f"    written to {f.path}")
    if args.json:
        Path(args.json).write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    return 1 if report.found else 0


def _cmd_check(args: argparse.Namespace) -> int:
    from harness.spec.lint import lint_file

    if (args.pin is None) == (args.profile is None):
        raise HarnessError("give --profile NAME (a modelled SDK) or --pin DIR (a pinned profile), not both")
    if args.pin is not None:
        return _check_pinned(args)
    problems: list[str] = []
    total = 0
    for file in args.files:
        path = Path(file)
        if not path.is_file():
            raise HarnessError(
                f"{path}: {'not a file' if path.exists() else 'no such file'} (want captured requests as JSONL)"
            )
        try:
            found, count = lint_file(args.profile, path)
        except UnicodeDecodeError as exc:
            raise HarnessError(f"{path}: not JSONL text ({exc.reason} at byte {exc.start})") from exc
        problems += found
        total += count
    for p in problems:
        print(p)
    print(f"{total} requests checked, {len(problems)} violations")
    return 1 if problems else 0


def _check_pinned(args: argparse.Namespace) -> int:
    """``harness check --pin DIR CAPTURES...``: captures of any SDK against a pinned profile."""
    from harness.learn.sources import load_sessions
    from harness.spec.pinned import load_pinned

    profile = load_pinned(args.pin)
    sessions = load_sessions(args.files)
    violations = []
    total = 0
    reported: set[tuple[str, str, str]] = set()  # each unreviewed field once, whichever capture shows it
    for session in sessions:
        found, count = profile.check(session.requests, reported=reported, identity=False)
        total += count
        violations += [(session, v) for v in found]
    identity = profile.check([])[0]  # the unconfirmed identity proposals, once
    for session, v in violations:
        print(f"{session.source} {session.key}: {v.line()}")
    for v in identity:
        print(v.line())
    unreviewed = sum(1 for _, v in violations if v.kind == "unreviewed") + len(identity)
    print(
        f"{total} requests checked against {args.pin}, {len(violations) + len(identity)} violations"
        + (f" ({unreviewed} unreviewed)" if unreviewed else "")
    )
    return 1 if violations or identity else 0


def _cmd_learn(args: argparse.Namespace) -> int:
    from harness.learn.review import apply_review, review_text

    if args.review is not None:
        if args.captures:
            raise HarnessError("--review DIR takes no captures (learn first, then review the folder)")
        if args.confirm or args.set or args.confirm_schema or args.confirm_all_fields:
            for line in apply_review(
                args.review,
                confirm=args.confirm or [],
                assign=args.set or [],
                schemas=args.confirm_schema or [],
                all_fields=args.confirm_all_fields,
            ):
                print(line)
        print(review_text(args.review))
        return 0
    from harness.learn.infer import learn
    from harness.learn.sources import load_sessions

    if not args.captures or args.out is None:
        raise HarnessError("give CAPTURES... --out DIR (or --review DIR)")
    if args.sdk is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", args.sdk):
        # a label, not a plug-in lookup: the SDK being learned usually has no plug-in yet
        raise HarnessError(f"--sdk {args.sdk!r}: want a name of letters, digits, '-', '_' or '.'")
    sessions = load_sessions(args.captures)
    pin = learn(sessions, args.out, sdk=args.sdk, name=args.name, inputs=args.captures, force=args.force)
    fields = sum(len(e["fields"]) for kind in ("endpoints", "events") for e in pin[kind].values())
    print(
        f"learned {len(pin['endpoints'])} endpoints and {len(pin['events'])} events ({fields} fields) from "
        f"{pin['provenance']['requests']} requests in {len(sessions)} installs into {args.out}"
    )
    print(review_text(args.out))
    print(f"review it: harness learn --review {args.out} (everything starts unreviewed)")
    return 0


def _cmd_sdks(args: argparse.Namespace) -> int:
    from harness.sdk.listing import describe_sdks

    rows = describe_sdks()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['name']}: {row['title']}{' (default)' if row['default'] else ''}")
        for platform, info in row["platforms"].items():
            versions = ", ".join(info["versions"])
            print(
                f"  {platform:<8} versions {versions:<20} profile {info['profile']:<20} checklist {info['checklist']}"
            )
    return 0


def _cmd_faults(args: argparse.Namespace) -> int:
    from harness.scenario.selftest import FaultInfo, list_faults

    faults: dict[str, FaultInfo] = {}
    for platform in [args.platform] if args.platform else list(PLATFORMS):
        for fault in list_faults(platform, args.sdk):
            faults.setdefault(fault.name, fault)
    rows = sorted(faults.values(), key=lambda f: f.name)
    if args.json:
        print(json.dumps([dataclasses.asdict(f) for f in rows], indent=2))
        return 0
    name_w = max([len("NAME"), *(len(f.name) for f in rows)])
    ids_w = max([len("VIOLATES"), *(len(", ".join(f.violates)) for f in rows)])
    print(f"{'NAME':<{name_w}}  {'PLATFORMS':<11}  {'VIOLATES':<{ids_w}}  DESCRIPTION")
    for f in rows:
        print(f"{f.name:<{name_w}}  {','.join(f.platforms):<11}  {', '.join(f.violates):<{ids_w}}  {f.description}")
    platforms = [args.platform] if args.platform else PLATFORMS
    counts = ", ".join(f"{sum(p in f.platforms for f in rows)} on {p}" for p in platforms)
    print(f"{len(rows)} seeded faults ({counts}); use one with harness run --fault NAME")
    return 0


def _profile_names() -> list[str]:
    """The profiles ``harness check`` has payload schemas for, then their short forms."""
    from harness.sdk.registry import all_sdks, default_sdk

    names = sorted(sdk.profile_name(p) for sdk in all_sdks() for p in sdk.schemas)
    return names + sorted(default_sdk().schemas)


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="harness", description="Conformance harness for customer-engagement SDKs.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help="print the version and exit")
    p.add_argument("--debug", action="store_true", help="print the traceback of an error too (or set HARNESS_DEBUG=1)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("devices", help="list reachable devices (the virtual ones are always there)")
    d.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    d.set_defaults(func=_cmd_devices)

    r = sub.add_parser("run", help="run scenarios on a device")
    r.add_argument("paths", nargs="*", help="scenario files or folders (default: scenarios/)")
    r.add_argument(
        "--device", action="append", help="device URI, repeatable: one run per device (default: virtual:android)"
    )
    r.add_argument("--junit", metavar="FILE", help="write JUnit XML here")
    r.add_argument("--report", metavar="DIR", help="write the run's report folder here (a new or empty folder)")
    r.add_argument("--force", action="store_true", help="with --report: replace an earlier run in that folder")
    r.add_argument("-k", help="only scenarios whose id or title contains this")
    r.add_argument(
        "--fault", metavar="NAME", help="start the virtual device with this seeded SDK bug (harness faults lists them)"
    )
    r.add_argument(
        "--sdk-version",
        metavar="V",
        help="judge by (and let the virtual app play) this SDK version: an unmodelled one is judged by the nearest "
        "lower modelled version, with a warning (default: the version read inside the app on the first scenario, "
        "else the newest modelled; harness sdks lists them)",
    )
    r.add_argument(
        "--agent",
        choices=["native", "flutter"],
        help="Frida agent on jvm:android and phones: the native SDK's API or the Flutter plugin's channel",
    )
    r.add_argument(
        "--store",
        help="capture store: a SQLite path (default: a temporary file) or a postgresql:// URL, which also keeps"
        " the run's record (harness runs)",
    )
    r.add_argument(
        "--in-app-capture",
        action="store_true",
        help="also capture in the app (Frida hooks on OkHttp/NSURLSession); a request the app sent that the "
        "collector never got fails the run",
    )
    r.add_argument("--in-app-store", help="SQLite store of the in-app capture (default: in-app.sqlite beside --store)")
    r.add_argument(
        "--judge",
        choices=["collector", "in-app"],
        default="collector",
        help="which capture the checker judges (default collector; in-app implies --in-app-capture)",
    )
    r.add_argument(
        "--base-url",
        metavar="URL",
        help="configure the SDK with this backend (e.g. the production API) instead of the collector; "
        "implies --judge in-app",
    )
    r.add_argument(
        "--ui",
        action="store_true",
        help="serve the live inspector from the run's collector, judged by the run's profile (URL printed at "
        "start; on a terminal it keeps serving after the run until Enter)",
    )
    r.add_argument(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="a fleet run: play on the devices of the `harness worker`s of this Dask scheduler "
        "(--device URI or URI@WORKER picks some; default every device of every worker)",
    )
    r.set_defaults(func=_cmd_run)

    w = sub.add_parser("worker", help="serve this host's devices to a fleet run (a Dask worker)")
    w.add_argument("--scheduler", required=True, metavar="tcp://HOST:8786", help="the Dask scheduler")
    w.add_argument("--device", action="append", required=True, help="device URI, repeatable")
    w.add_argument("--name", help="the worker's name in reports (default: the host name); unique per scheduler")
    w.add_argument(
        "--collector-host",
        default=None,
        help="address this host's collector listens on (default 127.0.0.1; with a non-loopback --advertise, "
        "every interface)",
    )
    w.add_argument(
        "--advertise",
        metavar="HOST",
        help="the address of this host that its devices reach the collector at, for phones on a LAN "
        "(default: loopback, for virtual devices and emulators); an address of this host",
    )
    w.add_argument(
        "--store", help="this host's capture store: a SQLite path (default: a temporary file) or a postgresql:// URL"
    )
    w.set_defaults(func=_cmd_worker)

    c = sub.add_parser("collector", help="the capture collector")
    csub = c.add_subparsers(dest="collector_command", required=True)
    cs = csub.add_parser("serve", help="run the collector in the foreground")
    cs.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 for LAN phones)")
    cs.add_argument("--port", type=port_number, default=8765, help="port (default 8765; 0 picks a free one)")
    cs.add_argument(
        "--store",
        default="capture.sqlite",
        help="capture store: a SQLite path (default capture.sqlite) or a postgresql:// URL shared by many collectors",
    )
    cs.add_argument("--run", default="", help="label stored with every request")
    cs.add_argument("--forward", metavar="URL", help="relay every request to this upstream API and store its answers")
    cs.add_argument(
        "--rule",
        action="append",
        metavar="RULE",
        help="answer rule, e.g. 'route=events,status=500,times=2' (repeatable; see README)",
    )
    # The deprecated name of --rule, hidden from help ("fault" means a seeded SDK bug: run --fault).
    # Same dest, so rules given under either name keep their order (the first that takes a request decides).
    cs.add_argument("--fault", action="append", dest="rule", metavar="RULE", help=argparse.SUPPRESS)
    cs.add_argument("--body-timeout", type=float, default=30.0, help="seconds a client may stall mid-body (default 30)")
    cs.add_argument("--ui", action="store_true", help="serve the live inspector at /_harness/ui and its REST API")
    cs.add_argument("--profile", help="judge tracking requests by this profile's schemas (harness sdks lists them)")
    cs.add_argument("--quiet", action="store_true", help="no line per stored request")
    cs.set_defaults(func=_cmd_collector_serve)
    ce = csub.add_parser("export", help="export captured requests")
    ce.add_argument("--store", required=True, help="the capture store to read (SQLite path or postgresql:// URL)")
    ce.add_argument("--format", choices=["har", "jsonl"], required=True, help="HAR 1.2, or one JSON request a line")
    ce.add_argument("-o", "--output", metavar="FILE", help="write here instead of to stdout")
    ce.add_argument("--no-mask", action="store_true", help="keep Authorization values")
    ce.set_defaults(func=_cmd_collector_export)
    cc = csub.add_parser(
        "compare", help="set an in-app capture against the backend's: lost requests exit 1 (stores or JSONL)"
    )
    cc.add_argument("app", help="the in-app capture (store or JSONL)")
    cc.add_argument("backend", help="the collector's capture (store or JSONL)")
    cc.add_argument("--device", help="only this device key")
    cc.add_argument("--json", action="store_true", help="print matched, lost and unexplained requests as JSON")
    cc.set_defaults(func=_cmd_collector_compare)

    ck = sub.add_parser(
        "check", help="judge captured requests against a profile's payload schemas, or against a pinned profile"
    )
    profiles = _profile_names()
    ck.add_argument(
        "--profile",
        choices=profiles,
        metavar="NAME",
        help=f"the profile whose payload schemas judge the requests: {', '.join(profiles)}",
    )
    ck.add_argument("--pin", metavar="DIR", help="a pinned profile folder (harness learn, then reviewed)")
    ck.add_argument(
        "files",
        nargs="+",
        metavar="CAPTURES",
        help="captured requests: JSONL (harness collector export --format jsonl); with --pin also run folders, "
        "capture stores and HAR files",
    )
    ck.set_defaults(func=_cmd_check)

    le = sub.add_parser("learn", help="infer a pinned profile (schemas, examples, identity) from captures")
    le.add_argument("captures", nargs="*", metavar="CAPTURES", help="run folders, capture stores, JSONL or HAR files")
    le.add_argument("--out", metavar="DIR", help="the pinned profile folder to write")
    le.add_argument("--sdk", help="the SDK the captures are of, a name recorded in pin.json (no plug-in needed)")
    le.add_argument("--name", help="the profile's name (default: the folder's name)")
    le.add_argument("--force", action="store_true", help="replace the pinned profile in --out")
    le.add_argument("--review", metavar="DIR", help="show a pinned profile's proposals; with the flags below, confirm")
    le.add_argument(
        "--confirm",
        action="append",
        metavar="WHAT",
        help="confirm proposals: identity, uid, cid, event, or calls (the event name each track-like call sends)",
    )
    le.add_argument("--set", action="append", metavar="KEY=PATH", help="set and confirm uid=, cid= or event=P1,P2")
    le.add_argument("--confirm-schema", action="append", metavar="NAME", help="confirm every field of this schema")
    le.add_argument("--confirm-all-fields", action="store_true", help="confirm every field of every schema")
    le.set_defaults(func=_cmd_learn)

    st = sub.add_parser("selftest", help="prove the suite: every seeded fault of the virtual devices must be caught")
    st.add_argument("paths", nargs="*", help="scenario files or folders (default: scenarios/)")
    st.add_argument(
        "--device",
        action="append",
        help="virtual device URI, repeatable (default: virtual:android and virtual:ios)",
    )
    st.add_argument("-j", "--jobs", type=int, help="parallel runs, each on its own virtual device (default: CPU count)")
    st.add_argument("--full", action="store_true", help="run every scenario against every fault (the full grid)")
    st.add_argument("--fault", action="append", metavar="NAME", help="only this fault (repeatable)")
    st.add_argument("--json", metavar="FILE", help="write the machine-readable report here ('-' for stdout only)")
    st.add_argument("--collector-per-worker", action="store_true", help=argparse.SUPPRESS)  # for measuring
    st.add_argument("--explore", action="store_true", help="also explore each fault alone (harness explore)")
    st.add_argument("--explore-examples", type=int, default=30, help="sequences per fault with --explore (30)")
    st.add_argument(
        "--explore-budget", type=float, default=60.0, metavar="SECONDS", help="seconds per fault with --explore (60)"
    )
    st.set_defaults(func=_cmd_selftest)

    ex = sub.add_parser(
        "explore", help="random step sequences on a device, judged by the profile, shrunk on disagreement"
    )
    ex.add_argument("--sdk", help="the SDK plug-in whose calls are drawn (default: the default SDK)")
    ex.add_argument("--device", default="virtual:android", help="device URI (default: virtual:android)")
    ex.add_argument("--fault", metavar="NAME", help="a seeded fault of the virtual SDK")
    ex.add_argument("--examples", type=int, default=100, help="sequences to play (default 100)")
    ex.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    ex.add_argument("--max-steps", type=int, default=12, help="most steps in a sequence (default 12)")
    ex.add_argument("--out", default="explored", help="folder for the shrunk scenarios (default: explored/)")
    ex.add_argument("--budget", type=float, metavar="SECONDS", help="stop drawing new sequences after this long")
    ex.add_argument("-j", "--jobs", type=int, default=1, help="worker processes, each with its own device")
    ex.add_argument("--json", metavar="FILE", help="write the machine-readable report here")
    ex.add_argument("--keep-going", action="store_true", help="after a disagreement, look for other ones")
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    ex.set_defaults(func=_cmd_explore)

    df = sub.add_parser("diff", help="compare the payloads of two recorded runs (exit 1 on a regression)")
    df.add_argument("runs", nargs="+", metavar="RUN", help="RUN_A RUN_B, or one RUN with --baseline")
    df.add_argument("--baseline", metavar="SDK_VERSION", help="compare RUN with the baseline pinned for this version")
    df.add_argument(
        "--store",
        default="baselines",
        help="where baselines are pinned (default: baselines/); a postgresql:// URL: RUN_A RUN_B are run ids there",
    )
    df.add_argument("--tolerance", type=float, default=2.0, help="seconds two durations may differ (default 2)")
    df.add_argument("--json", action="store_true", help="print the comparison as JSON")
    df.set_defaults(func=_cmd_diff)

    rn = sub.add_parser("runs", help="list the runs recorded in a PostgreSQL store")
    rn.add_argument("--store", required=True, metavar="URL", help="the postgresql:// store the runs used")
    rn.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    rn.set_defaults(func=_cmd_runs)

    bl = sub.add_parser("baseline", help="pin recorded runs as golden baselines per SDK version")
    bsub = bl.add_subparsers(dest="baseline_command", required=True)
    bp = bsub.add_parser("pin", help="copy a run folder into the store as the baseline of an SDK version")
    bp.add_argument("run", help="the run folder (written by harness run --report DIR)")
    bp.add_argument("--sdk-version", help="default: the run's own SDK version")
    bp.add_argument("--store", default="baselines", help="where baselines are pinned (default: baselines/)")
    bp.add_argument("--force", action="store_true", help="replace a baseline already pinned")
    bp.set_defaults(func=_cmd_baseline)
    bls = bsub.add_parser("list", help="list pinned baselines")
    bls.add_argument("--store", default="baselines", help="where baselines are pinned (default: baselines/)")
    bls.set_defaults(func=_cmd_baseline)

    cv = sub.add_parser("coverage", help="checklist ids the scenarios cover, and those they do not")
    cv.add_argument("paths", nargs="*", help="scenario files or folders (default: scenarios/)")
    cv.add_argument("--json", action="store_true", help="print the coverage as JSON")
    cv.add_argument(
        "--selftest",
        metavar="FILE",
        help="a selftest report (selftest --json FILE): an item counts as covered only when a caught seeded fault"
        " backs it (default: the committed scenarios/_selftest.json)",
    )
    cv.add_argument(
        "--covers-only",
        action="store_true",
        help="count an item as covered when a scenario names it in covers (ignore the committed selftest result)",
    )
    cv.set_defaults(func=_cmd_coverage)

    sk = sub.add_parser("sdks", help="list the SDK plug-ins: platforms, modelled versions, profiles, checklists")
    sk.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    sk.set_defaults(func=_cmd_sdks)

    fl = sub.add_parser("faults", help="list the seeded SDK bugs of the virtual devices (for --fault)")
    fl.add_argument("--platform", choices=PLATFORMS, help="only the faults seeded on this platform")
    fl.add_argument("--sdk", help="the SDK plug-in whose reference SDK seeds them (default: the default SDK)")
    fl.add_argument("--json", action="store_true", help="print a JSON list (name, area, platforms, violates, ...)")
    fl.set_defaults(func=_cmd_faults)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return run_command(args.func, args, debug=debug_wanted(args.debug))


if __name__ == "__main__":
    sys.exit(main())
