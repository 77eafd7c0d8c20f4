"""The ``harness`` command line (contract: ``design.md``, "Command line").

Each command exits non-zero on failure and prints a one-line reason first.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from harness.errors import HarnessError

__all__ = ["main"]


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
    from harness.capture.server import CollectorServer
    from harness.devices.registry import open_device
    from harness.report.junit import write_junit
    from harness.scenario.loader import find_scenarios
    from harness.scenario.runner import Runner

    scenarios = find_scenarios(args.paths or ["scenarios"])
    if args.k:
        scenarios = [s for s in scenarios if args.k in s.id or args.k in s.title]
    if not scenarios:
        print("error: no scenario selected", file=sys.stderr)
        return 2
    device = open_device(args.device)
    store = args.store or str(Path(tempfile.mkdtemp(prefix="harness-run-")) / "capture.sqlite")
    results = []
    with CollectorServer(store) as collector:
        runner = Runner(device, collector, fault=args.fault)
        try:
            for i, scenario in enumerate(scenarios, 1):
                result = runner.run(scenario)
                results.append(result)
                print(f"[{i}/{len(scenarios)}] {result.headline()}", flush=True)
                details = result.details()
                if details:
                    print(details, flush=True)
        finally:
            device.close()
    failed = [r for r in results if r.outcome in ("failed", "error")]
    ran = [r for r in results if r.outcome != "skipped"]
    print(
        f"{len(ran) - len(failed)} passed, {len(failed)} failed"
        + (f", {len(results) - len(ran)} skipped" if len(results) != len(ran) else "")
    )
    if args.junit:
        write_junit(results, args.junit)
    return 1 if failed else 0


def _cmd_collector_serve(args: argparse.Namespace) -> int:
    from harness.capture.server import CollectorServer

    server = CollectorServer(
        args.store,
        host=args.host,
        port=args.port,
        run=args.run,
        forward=args.forward,
        faults=args.fault or (),
        body_timeout=args.body_timeout,
    )

    def listening(url: str) -> None:
        print(f"listening on {url}", flush=True)
        if args.forward:
            print(f"forwarding to {args.forward}", flush=True)
        for rule in server.faults.rules:
            print(f"answer rule {rule.label}", flush=True)

    server.serve_forever(on_listening=listening)
    return 0


def _cmd_collector_export(args: argparse.Namespace) -> int:
    from harness.capture.export import export
    from harness.capture.store import Store

    if not Path(args.store).exists():
        print(f"error: no capture store at {args.store}", file=sys.stderr)
        return 2
    store = Store(args.store)
    try:
        text = export(store.query(), args.format, mask_authorization=not args.no_mask)
    finally:
        store.close()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    from harness.scenario.coverage import coverage

    report = coverage(find_paths=args.paths or ["scenarios"])
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for platform, data in report["checklists"].items():
        covered = len(data["covered"])
        print(f"{platform}: {covered}/{data['total']} checklist items covered ({data['percent']:.1f}%)")
        by_id = sorted(data["uncovered"].items(), key=lambda kv: int(kv[0].split("#")[1]))
        for item, reason in by_id:
            if item not in data["out_of_scope"]:
                print(f"  uncovered {item}: {reason}")
        for item, reason in by_id:
            if item in data["out_of_scope"]:
                print(f"  out of scope {item}: {reason}")
    return 0


def _cmd_selftest(args: argparse.Namespace) -> int:
    from harness.scenario.selftest import selftest

    report = selftest(args.paths or ["scenarios"], device_uri=args.device, progress=not args.json)
    if args.json:
        print(json.dumps(report, indent=2))
    uncaught = [name for name, v in report["faults"].items() if not v["caught_by"]]
    ok = report["baseline"]["failed"] == 0 and not uncaught
    if not args.json:
        print(
            f"baseline: {report['baseline']['passed']} passed, {report['baseline']['failed']} failed; "
            f"faults caught: {len(report['faults']) - len(uncaught)}/{len(report['faults'])}"
        )
        for name in uncaught:
            print(f"  NOT CAUGHT: {name}")
    return 0 if ok else 1


def _cmd_check(args: argparse.Namespace) -> int:
    from harness.spec.lint import lint_file

    problems, total = lint_file(args.profile, args.file)
    for p in problems:
        print(p)
    print(f"{total} requests checked, {len(problems)} violations")
    return 1 if problems else 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness", description="Conformance harness for customer-engagement SDKs.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("devices", help="list reachable devices (the virtual ones are always there)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_cmd_devices)

    r = sub.add_parser("run", help="run scenarios on a device")
    r.add_argument("paths", nargs="*", help="scenario files or folders (default: scenarios/)")
    r.add_argument("--device", default="virtual:android", help="device URI (default: virtual:android)")
    r.add_argument("--junit", help="write JUnit XML here")
    r.add_argument("--report", help="write the run's report folder here")
    r.add_argument("-k", help="only scenarios whose id or title contains this")
    r.add_argument("--fault", help="start the virtual device with this seeded SDK bug")
    r.add_argument("--store", help="capture store path (default: a temporary file)")
    r.set_defaults(func=_cmd_run)

    c = sub.add_parser("collector", help="the capture collector")
    csub = c.add_subparsers(dest="collector_command", required=True)
    cs = csub.add_parser("serve", help="run the collector in the foreground")
    cs.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 for LAN phones)")
    cs.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    cs.add_argument("--store", default="capture.sqlite", help="SQLite capture store (default capture.sqlite)")
    cs.add_argument("--run", default="", help="label stored with every request")
    cs.add_argument("--forward", metavar="URL", help="relay every request to this upstream API and store its answers")
    cs.add_argument(
        "--fault",
        action="append",
        metavar="RULE",
        help="answer rule, e.g. 'route=events,status=500,times=2' (repeatable; see README)",
    )
    cs.add_argument("--body-timeout", type=float, default=30.0, help="seconds a client may stall mid-body (default 30)")
    cs.set_defaults(func=_cmd_collector_serve)
    ce = csub.add_parser("export", help="export captured requests")
    ce.add_argument("--store", required=True)
    ce.add_argument("--format", choices=["har", "jsonl"], required=True)
    ce.add_argument("-o", "--output")
    ce.add_argument("--no-mask", action="store_true", help="keep Authorization values")
    ce.set_defaults(func=_cmd_collector_export)

    ck = sub.add_parser("check", help="lint captured requests (JSONL) against a profile's payload schemas")
    ck.add_argument("--profile", required=True)
    ck.add_argument("file")
    ck.set_defaults(func=_cmd_check)

    st = sub.add_parser("selftest", help="run the suite against every seeded fault of the virtual device")
    st.add_argument("paths", nargs="*")
    st.add_argument("--device", default="virtual:android")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=_cmd_selftest)

    cv = sub.add_parser("coverage", help="checklist ids the scenarios cover, and those they do not")
    cv.add_argument("paths", nargs="*")
    cv.add_argument("--json", action="store_true")
    cv.set_defaults(func=_cmd_coverage)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
