"""Benchmark (not a test): the Exponea Android suite on N virtual devices served by 1 worker vs by 2.

Both layouts run in the same invocation with real parts on loopback: a ``dask scheduler`` process and
``harness worker`` processes (one worker holding every device, then two workers holding half each),
driven through :func:`harness.fleet.dispatch.run_fleet` as ``harness run --scheduler`` drives them.
The devices are ``virtual:android?instance=I`` (the same URIs in both layouts), so the two runs'
verdicts are compared scenario by scenario and device by device; a difference fails the benchmark.
The ratio is 1-worker wall time / 2-worker wall time (goal >= 1.8 on a machine with the cores for it:
each worker is one Python process, and each virtual device is a process of its own).

    python benchmarks/fleet.py [--devices 4] [--scenarios N] [--suite scenarios/exponea]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from distributed import Client

from harness.fleet.dispatch import fleet_devices, identity, run_fleet
from harness.fleet.host import RunSettings
from harness.scenario.loader import Scenario, find_scenarios
from harness.scenario.runner import RunResult

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process this benchmark started (SIGTERM, then SIGKILL); a worker closes its devices itself."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def cluster(tmp: Path, layout: Sequence[Sequence[str]]) -> Iterator[Client]:
    """A scheduler and one ``harness worker`` per entry of ``layout`` (that worker's device URIs)."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []
    logs = tmp / f"logs-{len(layout)}"
    logs.mkdir()

    def start(name: str, *args: str) -> None:
        out = open(logs / f"{name}.log", "wb")  # noqa: SIM115  (lives as long as the process)
        procs.append(subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))

    start("scheduler", str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
          "--dashboard-address", "127.0.0.1:0")  # fmt: skip
    try:
        client = Client(address, timeout=30)
        for i, uris in enumerate(layout, 1):
            devices = [arg for uri in uris for arg in ("--device", uri)]
            start(f"w{i}", str(BIN / "harness"), "worker", "--scheduler", address, "--name", f"w{i}", *devices,
                  "--store", str(tmp / f"w{i}-of-{len(layout)}.sqlite"))  # fmt: skip
        with client:
            client.wait_for_workers(len(layout), timeout=120)
            yield client
    finally:
        for proc in reversed(procs[1:]):
            _stop(proc)
        _stop(procs[0])


def play(tmp: Path, scenarios: Sequence[Scenario], layout: Sequence[Sequence[str]]) -> tuple[float, list[RunResult]]:
    """Wall time of the whole suite on every device of ``layout``, and the results."""
    with cluster(tmp, layout) as client:
        devices = fleet_devices(identity(client))
        started = time.monotonic()
        results, _ = run_fleet(client, scenarios, devices, RunSettings(), lambda r: None)
        return time.monotonic() - started, results


def verdicts(results: Sequence[RunResult]) -> dict[tuple[str, str], str]:
    """(scenario, device URI without its worker) -> outcome."""
    return {(r.scenario.id, r.device_uri.rsplit("@", 1)[0]): r.outcome for r in results}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--devices", type=int, default=4, help="virtual Android devices (split evenly over 2 workers)")
    p.add_argument("--scenarios", type=int, default=None, help="only the first N scenarios (for a quick check)")
    p.add_argument("--suite", default=str(ROOT / "scenarios" / "exponea"), help="the scenario folder")
    args = p.parse_args()
    if args.devices < 2:
        p.error("--devices must be at least 2 (each of the 2 workers needs one)")
    scenarios = [s for s in find_scenarios([args.suite]) if s.applies_to("android")][: args.scenarios]
    if not scenarios:
        p.error(f"no Android scenario in {args.suite}")
    uris = [f"virtual:android?instance={i}" for i in range(1, args.devices + 1)]
    one, two = [uris], [uris[0::2], uris[1::2]]
    print(f"{len(scenarios)} Android scenarios x {len(uris)} virtual devices; {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as d:
        tmp = Path(d)
        t1, r1 = play(tmp, scenarios, one)
        print(f"1 worker  ({len(uris)} devices):     {t1:7.1f} s", flush=True)
        t2, r2 = play(tmp, scenarios, two)
        print(f"2 workers ({len(two[0])} + {len(two[1])} devices): {t2:7.1f} s", flush=True)
    v1, v2 = verdicts(r1), verdicts(r2)
    differ = sorted(k for k in v1.keys() | v2.keys() if v1.get(k) != v2.get(k))
    counts = {o: sum(1 for v in v1.values() if v == o) for o in sorted(set(v1.values()))}
    print(f"\n1 worker / 2 workers = {t1 / t2:.2f}x   (goal >= 1.8 with the cores for it; {os.cpu_count()} cores)")
    print(f"load average {os.getloadavg()[0]:.1f}; verdicts of the 1-worker run: {counts}")
    if differ:
        for scenario, uri in differ:
            print(f"VERDICTS DIFFER: {scenario} on {uri}: {v1.get((scenario, uri))} vs {v2.get((scenario, uri))}")
        return 1
    print(f"verdicts identical in both runs ({len(v1)} runs each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
