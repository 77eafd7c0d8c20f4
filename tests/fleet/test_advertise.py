"""``harness worker --advertise HOST``: the address the devices reach the worker's collector at."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="fleet runs need the [fleet] extra (dask[distributed])")
from distributed import Client

from harness.errors import ConfigError
from harness.fleet.host import advertised_url, check_advertise
from tests.conftest import ROOT
from tests.fleet.parts import _free_port, _stop

BIN = Path(sys.executable).parent


def _worker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "harness", "worker", "--scheduler", "tcp://127.0.0.1:1", "--device", "virtual:android", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("http://lab.example:8080", "is not a host name or IP address"),
        ("203.0.113.7", "is not an address of this host"),
        ("no-such-host.invalid", "cannot resolve"),
    ],
)
def test_a_bad_advertised_address_is_refused_in_one_line_before_the_worker_starts(value, why):
    done = _worker("--advertise", value)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --advertise: ") and why in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_loopback_advertised_address_keeps_the_collector_on_loopback():
    assert check_advertise("127.0.0.1", None) == "127.0.0.1"
    assert check_advertise("localhost", None) == "127.0.0.1"
    assert check_advertise("127.0.0.1", "0.0.0.0") == "0.0.0.0"
    assert advertised_url("http://0.0.0.0:4321", "lab-host.lan") == "http://lab-host.lan:4321"
    assert advertised_url("http://127.0.0.1:4321", None) == "http://127.0.0.1:4321"
    with pytest.raises(ConfigError, match="not a host name"):
        check_advertise("lab:8080", None)


def test_the_devices_get_base_urls_on_the_advertised_host(tmp_path):
    """A worker advertising ``localhost`` (a name, so it differs from the bound 127.0.0.1): the virtual
    device sends to http://localhost:PORT/d/KEY, as its requests' Host header shows, and the run passes."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    store = tmp_path / "w.sqlite"
    log = open(tmp_path / "logs.txt", "wb")  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [
                BIN / "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                "127.0.0.1:0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    try:
        with Client(address, timeout=30) as client:
            procs.append(
                subprocess.Popen(
                    [
                        BIN / "harness",
                        "worker",
                        "--scheduler",
                        address,
                        "--name",
                        "lan",
                        "--device",
                        "virtual:android",
                        "--advertise",
                        "localhost",
                        "--store",
                        str(store),
                    ],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            client.wait_for_workers(1, timeout=60)
        run = subprocess.run(
            [BIN / "harness", "run", "--scheduler", address, "-k", "identify", "--report", str(tmp_path / "out")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    finally:
        for proc in reversed(procs):
            _stop(proc)
        log.close()
    assert "collector http://localhost:" in (tmp_path / "logs.txt").read_text()
    with sqlite3.connect(store) as db:
        hosts = {json.loads(h).get("host") for (h,) in db.execute("SELECT headers FROM requests WHERE device != ''")}
    assert hosts and all(h and h.startswith("localhost:") for h in hosts), hosts
