"""The fleet's real parts on loopback: a ``dask scheduler`` and two ``harness worker`` processes."""

import subprocess

import pytest

from tests.conftest import ROOT
from tests.fleet.parts import BIN, _free_port, _stop


@pytest.fixture
def cluster(tmp_path):
    """The scheduler's address and the processes: w1 serves virtual:android and virtual:ios, w2 virtual:android."""
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
            start(
                "w1",
                BIN / "harness",
                "worker",
                "--scheduler",
                address,
                "--name",
                "w1",
                "--device",
                "virtual:android",
                "--device",
                "virtual:ios",
                "--store",
                str(tmp_path / "w1.sqlite"),
            )
            start(
                "w2",
                BIN / "harness",
                "worker",
                "--scheduler",
                address,
                "--name",
                "w2",
                "--device",
                "virtual:android",
                "--store",
                str(tmp_path / "w2.sqlite"),
            )
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for name in ("w1", "w2", "scheduler"):
            if name in procs:
                _stop(procs[name])
