"""The fleet's real parts on loopback: a ``dask scheduler`` and two ``harness worker`` processes."""

import contextlib
import subprocess

import pytest

from tests.conftest import ROOT
from tests.fleet.parts import BIN, _free_port, _stop


@contextlib.contextmanager
def _fleet(tmp_path, store_w1, store_w2):
    """A scheduler and two workers: w1 serves virtual:android and virtual:ios, w2 virtual:android; each
    worker's collector writes to its ``store`` (a SQLite path, or one postgresql:// URL for both)."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = {}

    def start(name, *args):
        out = open(logs / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
        procs[name] = subprocess.Popen([*args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    start(
        "scheduler",
        BIN / "dask",
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dashboard-address",
        "127.0.0.1:0",
    )
    try:
        with Client(address, timeout=30) as client:
            for name, store, devices in (
                ("w1", store_w1, ("virtual:android", "virtual:ios")),
                ("w2", store_w2, ("virtual:android",)),
            ):
                device_args = [arg for uri in devices for arg in ("--device", uri)]
                start(name, BIN / "harness", "worker", "--scheduler", address, "--name", name, *device_args,
                      "--store", store)
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for name in ("w1", "w2", "scheduler"):
            if name in procs:
                _stop(procs[name])


@pytest.fixture
def cluster(tmp_path):
    """The scheduler's address and the processes; each worker has a SQLite store of its own."""
    with _fleet(tmp_path, str(tmp_path / "w1.sqlite"), str(tmp_path / "w2.sqlite")) as parts:
        yield parts


@pytest.fixture
def pg_cluster(tmp_path, pg_url):
    """The scheduler's address, the processes and the database: both workers' collectors write to one
    PostgreSQL database of the private test cluster (tests/pgcluster.py)."""
    with _fleet(tmp_path, pg_url, pg_url) as (address, procs):
        yield address, procs, pg_url
