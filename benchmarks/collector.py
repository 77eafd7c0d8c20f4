"""The collector's request rate next to nginx (records nothing) and mitmproxy (records, reverse proxy).

    python benchmarks/collector.py [--duration 8] [--rounds 3] [--connections 32] [--mitm-duration 5] [--no-mitm]
    python benchmarks/collector.py --only-collector [--profile FILE]   # the collector alone, while tuning it

One run loads over loopback, with the same tracking POST (wrk + a Lua script):

- nginx answering a fixed ``{"success":true}``: the rate of an HTTP server that stores nothing;
- a bare uvicorn ASGI app that stores nothing, on the collector's stack (the ceiling of that stack);
- ``harness collector serve`` (a separate process, as users run it), every request stored in SQLite
  before it is answered;
- mitmdump in reverse-proxy mode in front of that nginx, writing every flow to a file (``-w``), which
  is what people use today to record an SDK's traffic. mitmproxy is installed into its own virtual
  environment (``/tmp/venv-mitm`` unless ``--mitm-venv``), never into the project's.

nginx and the collector are loaded in alternation, ``--rounds`` times each (both stay up), and each is
reported by its median round: a shared machine's speed drifts over minutes, and alternating puts the
reference and the collector under the same drift. With two cores or more every server is pinned to
CPU 0 and wrk to CPU 1 (``--no-pin`` to let the scheduler place them): without it the scheduler now
and then puts both on one core, which blurs a round by 10-20 %. Pinning holds the collector (its
checkpoint thread included) to the same one core as nginx's single worker.

It prints req/s, p50/p99 latency, the ratios collector/nginx (per round and of the medians) and
collector/mitmproxy, and requests answered (wrk) vs stored (rows in the store, flows in the mitmproxy
file). The goals (issue 3) are ≥ 0.3 of nginx and ≥ 20x mitmproxy, with every answered request stored.

Needs ``wrk`` and ``nginx`` (Debian: ``apt-get install -y nginx-light wrk``); as root the script
installs them when they are missing.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATH = "/track/v2/projects/bench-token/customers/events"
BODY = (
    '{"customer_ids":{"cookie":"0b3f6c1e-1111-4222-8333-944455556666"},"event_type":"purchase",'
    '"timestamp":1712345678.123,"properties":{"item":"Speed Boost","price":9.99,"count":5,'
    '"os_name":"Android","platform":"Android","sdk":"AndroidSDK","sdk_version":"4.1.0"}}'
)
LUA = f"""
wrk.method = "POST"
wrk.body = '{BODY}'
wrk.headers["Content-Type"] = "application/json; charset=utf-8"
wrk.headers["Authorization"] = "Token bench-key"
wrk.headers["User-Agent"] = "okhttp/4.12.0"
"""
NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{ default_type application/json; return 200 '{{"success":true}}'; }}
  }}
}}
"""


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    answered: int
    errors: int
    stored: int | None = None
    cpu_us: float | None = None  # server CPU (user + system, process and children) per answered request


@dataclass
class Placement:
    """Which CPUs the servers and wrk run on (``None``: wherever the scheduler puts them)."""

    server: set[int] | None = None
    load: set[int] | None = None


PLACEMENT = Placement()  # set once by main()


def _on_cpus(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that pins the child (and what it forks: nginx's worker) to ``cpus``."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def median(results: list[Result]) -> Result:
    """The round with the median rate (the lower middle one for an even count)."""
    return sorted(results, key=lambda r: r.rps)[(len(results) - 1) // 2]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its direct children (nginx's worker), from /proc.

    CPU per request is what a shared machine cannot blur much: req/s depends on how much of the two cores
    the server got while other jobs ran, CPU time per request hardly does."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / tick


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def ensure_tools() -> None:
    missing = [t for t in ("wrk", "nginx") if not (shutil.which(t) or Path(f"/usr/sbin/{t}").exists())]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"missing {', '.join(missing)}: apt-get install -y nginx-light wrk")
    print(f"installing {', '.join(missing)} (apt-get install -y nginx-light wrk)", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "nginx-light", "wrk"], check=True, stdout=subprocess.DEVNULL)


def ensure_mitmproxy(venv: Path) -> Path:
    mitmdump = venv / "bin" / "mitmdump"
    if not mitmdump.exists():
        print(f"installing mitmproxy into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "mitmproxy"], check=True)
    return mitmdump


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(name: str, port: int, script: Path, duration: float, connections: int, pid: int | None = None) -> Result:
    """wrk against ``port``; with ``pid``, also the server's CPU time per answered request."""
    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration:g}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{PATH}",
        ],
        check=True,
        capture_output=True,
        text=True,
        preexec_fn=_on_cpus(PLACEMENT.load),
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    cpu_us = (cpu_seconds(pid) - cpu_before) * 1e6 / answered if pid is not None and answered else None
    return Result(name, rps, p50, p99, answered, errors, cpu_us=cpu_us)


def stop(proc: subprocess.Popen[bytes], sig: int = 2) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_nginx(tmp: Path, workers: str) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    conf = tmp / f"nginx-{workers}.conf"
    conf.write_text(NGINX_CONF.format(dir=tmp, port=port, workers=workers))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp)], stderr=subprocess.DEVNULL, preexec_fn=_on_cpus(PLACEMENT.server)
    )
    wait_port(port)
    return port, proc


def bench_nginx_auto(tmp: Path, script: Path, args: argparse.Namespace) -> Result:
    """nginx with a worker per core, for scale only (not the reference of the ratio)."""
    port, proc = start_nginx(tmp, "auto")
    try:
        run_wrk("warm-up", port, script, 1, args.connections)
        return run_wrk("nginx, auto workers (info)", port, script, args.duration, args.connections, proc.pid)
    finally:
        stop(proc, 3)


def start_collector(tmp: Path) -> tuple[int, subprocess.Popen[bytes], Path]:
    """``harness collector serve`` as users run it (its own process), on a fresh store."""
    port = free_port()
    store = tmp / "capture.sqlite"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "collector",
            "serve",
            "--quiet",
            "--port",
            str(port),
            "--store",
            str(store),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        preexec_fn=_on_cpus(PLACEMENT.server),
    )
    wait_port(port)
    return port, proc, store


def stored_rows(store: Path) -> int:
    conn = sqlite3.connect(store)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
    finally:
        conn.close()


def bench_collector_alone(tmp: Path, script: Path, args: argparse.Namespace) -> Result:
    """The collector alone (``--only-collector``), optionally recorded by py-spy."""
    port, proc, store = start_collector(tmp)
    try:
        warm = run_wrk("warm-up", port, script, 1, args.connections)
        spy = None
        if args.profile:
            spy = subprocess.Popen(
                ["py-spy", "record", "-p", str(proc.pid), "-o", args.profile, "-d", f"{args.duration:g}"]
                + ["-r", "200", "--native"]
                + ([] if args.profile.endswith(".svg") else ["-f", "raw"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        result = run_wrk("harness collector", port, script, args.duration, args.connections, proc.pid)
        if spy is not None:
            spy.wait(60)
    finally:
        stop(proc)
    result.stored = stored_rows(store) - warm.answered
    return result


def bench_rounds(tmp: Path, script: Path, args: argparse.Namespace) -> tuple[Result, Result, int, int]:
    """nginx (1 worker) and the collector loaded in alternation, ``args.rounds`` times each; their median
    rounds, and the collector's requests answered and stored over all rounds."""
    nginx_port, nginx = start_nginx(tmp, "1")
    try:
        port, collector, store = start_collector(tmp)
        try:
            run_wrk("warm-up", nginx_port, script, 1, args.connections)
            warm = run_wrk("warm-up", port, script, 1, args.connections)
            nginx_runs: list[Result] = []
            collector_runs: list[Result] = []
            for i in range(args.rounds):
                load = (script, args.duration, args.connections)
                n = run_wrk("nginx, 1 worker (stores nothing)", nginx_port, *load, nginx.pid)
                c = run_wrk("harness collector", port, *load, collector.pid)
                nginx_runs.append(n)
                collector_runs.append(c)
                print(
                    f"round {i + 1}/{args.rounds}: nginx {n.rps:.0f} req/s, collector {c.rps:.0f} req/s,"
                    f" ratio {c.rps / n.rps:.3f}",
                    flush=True,
                )
        finally:
            stop(collector)
        answered = sum(r.answered for r in collector_runs)
        stored = stored_rows(store) - warm.answered
    finally:
        stop(nginx, 3)  # SIGQUIT: nginx's graceful stop
    return median(nginx_runs), median(collector_runs), answered, stored


HELLO_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"success":true}'})
"""


def bench_uvicorn_hello(tmp: Path, script: Path, args: argparse.Namespace) -> Result:
    """The ceiling of the collector's stack: uvicorn + httptools + uvloop with an ASGI app that stores nothing."""
    (tmp / "hello_app.py").write_text(HELLO_APP)
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(tmp),
            "hello_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--http",
            "httptools",
            "--loop",
            "auto",
        ],
        stdout=subprocess.DEVNULL,
        preexec_fn=_on_cpus(PLACEMENT.server),
    )
    try:
        wait_port(port)
        run_wrk("warm-up", port, script, 1, args.connections)
        return run_wrk("uvicorn hello (stores nothing)", port, script, args.duration, args.connections, proc.pid)
    finally:
        stop(proc)


def bench_mitm(tmp: Path, script: Path, args: argparse.Namespace) -> Result:
    """mitmdump as a reverse proxy in front of nginx (1 worker), recording every flow to a file."""
    mitmdump = ensure_mitmproxy(Path(args.mitm_venv))
    nginx_port, nginx = start_nginx(tmp, "1")
    port = free_port()
    flows = tmp / "flows.mitm"
    proc = subprocess.Popen(
        [
            str(mitmdump),
            "--mode",
            f"reverse:http://127.0.0.1:{nginx_port}",
            "--listen-host",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            str(flows),
            "-q",
            "--set",
            f"confdir={tmp / 'mitm-conf'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_on_cpus(PLACEMENT.server),
    )
    try:
        wait_port(port, timeout=60)
        result = run_wrk("mitmproxy reverse proxy (-w)", port, script, args.mitm_duration, args.connections, proc.pid)
    finally:
        stop(proc)
        stop(nginx, 3)
    count = subprocess.run(
        [
            str(Path(args.mitm_venv) / "bin" / "python"),
            "-c",
            "import sys\nfrom mitmproxy import io\n"
            "with open(sys.argv[1], 'rb') as f:\n    print(sum(1 for _ in io.FlowReader(f).stream()))",
            str(flows),
        ],
        capture_output=True,
        text=True,
    )
    result.stored = int(count.stdout.strip()) if count.returncode == 0 and count.stdout.strip() else None
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=8.0, help="seconds of load per round for nginx and the collector")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds of nginx and the collector (median)")
    p.add_argument("--mitm-duration", type=float, default=5.0, help="seconds of load for mitmproxy")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--no-mitm", action="store_true")
    p.add_argument("--no-nginx-auto", action="store_true", help="skip the informative nginx run with auto workers")
    p.add_argument("--no-pin", action="store_true", help="do not pin servers to CPU 0 and wrk to CPU 1")
    p.add_argument("--mitm-venv", default="/tmp/venv-mitm")
    p.add_argument(
        "--only-collector",
        action="store_true",
        help="load only the collector and print its rate and CPU per request (for iterating on its speed)",
    )
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="with --only-collector: record the collector with py-spy, a flame graph (.svg) or collapsed stacks",
    )
    args = p.parse_args()
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    cpus = sorted(os.sched_getaffinity(0))
    if not args.no_pin and len(cpus) >= 2:
        PLACEMENT.server, PLACEMENT.load = {cpus[0]}, {cpus[1]}
    placement = f"servers pinned to CPU {cpus[0]}, wrk to CPU {cpus[1]}" if PLACEMENT.server else "not pinned"
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="bench-collector-") as d:
        tmp = Path(d)
        script = tmp / "post.lua"
        script.write_text(LUA)
        if args.only_collector:
            alone = bench_collector_alone(tmp, script, args)
            cpu = "-" if alone.cpu_us is None else f"{alone.cpu_us:.1f}"
            print(
                f"collector alone: {alone.rps:.0f} req/s, CPU {cpu} us/request, p99 {alone.p99_ms:.2f} ms,"
                f" {alone.answered} answered, {alone.stored} stored, {alone.errors} errors,"
                f" load average {os.getloadavg()[0]:.1f} ({placement})"
            )
            return 0 if alone.answered <= (alone.stored or 0) else 1
        print(f"{args.rounds} rounds of {args.duration:g} s each for nginx and the collector, alternating", flush=True)
        nginx_result, collector, answered, stored = bench_rounds(tmp, script, args)
        hello = bench_uvicorn_hello(tmp, script, args)
        results = [nginx_result, hello, collector]
        mitm = None if args.no_mitm else bench_mitm(tmp, script, args)
        if mitm is not None:
            results.append(mitm)
        if not args.no_nginx_auto:
            results.append(bench_nginx_auto(tmp, script, args))
    print(
        f"\nloopback, the same wrk -t1 -c{args.connections} for every server, POST {PATH} ({len(BODY)} bytes JSON),"
        f" {os.cpu_count()} cores ({placement}), load average {os.getloadavg()[0]:.1f}; nginx with"
        " worker_processes 1 (the collector is one process on one event loop); nginx and the collector: the"
        f" median of {args.rounds} alternating rounds; Python servers on {interpreter()}\n"
    )
    print(
        f"{'server':<36}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'answered':>10}{'stored':>9}{'errors':>7}"
        f"{'CPU us/req':>11}"
    )
    for r in results:
        stored_text = "-" if r.stored is None else str(r.stored)
        cpu = "-" if r.cpu_us is None else f"{r.cpu_us:.1f}"
        print(
            f"{r.name:<36}{r.rps:>9.0f}{r.p50_ms:>8.2f}{r.p99_ms:>8.2f}{r.answered:>10}{stored_text:>9}{r.errors:>7}"
            f"{cpu:>11}"
        )
    print()
    print(f"collector / nginx (1 worker)  = {collector.rps / nginx_result.rps:.3f}   (goal >= 0.30; medians)")
    if collector.cpu_us and nginx_result.cpu_us:
        print(
            f"CPU per request, nginx / collector = {nginx_result.cpu_us / collector.cpu_us:.2f}   (nginx used"
            f" {nginx_result.cpu_us * nginx_result.rps / 1e4:.0f}% of a core)"
        )
    print(f"collector / uvicorn hello = {collector.rps / hello.rps:.2f}   (the stack's own ceiling)")
    if mitm is not None:
        print(f"collector / mitmproxy = {collector.rps / mitm.rps:.1f}   (goal >= 20)")
    lost = answered - stored
    print(
        f"collector, all rounds: {answered} answered, {stored} stored"
        + (" (every answered request stored)" if lost <= 0 else f" ({lost} ANSWERED BUT NOT STORED)")
    )
    return 0 if lost <= 0 else 1


def interpreter() -> str:
    """The interpreter the collector ran on: its build is worth several per cent of the collector's rate
    (a Debian python3.11 against a pyenv build configured without ``--enable-optimizations``: ~10 %)."""
    return f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"


if __name__ == "__main__":
    sys.exit(main())
