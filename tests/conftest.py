import sys
from pathlib import Path

import pytest

from harness.capture.server import CollectorServer

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]


@pytest.fixture
def live_collector(tmp_path):
    """A real collector on loopback with its own SQLite store."""
    with CollectorServer(tmp_path / "capture.sqlite") as server:
        yield server


@pytest.fixture
def python():
    return sys.executable


@pytest.fixture(scope="session")
def pg_server():
    """One private PostgreSQL cluster for the session (tests/pgcluster.py), shared by tests/store and
    tests/fleet. Skipped only when no server binaries are installed (scripts/test.sh, which CI runs,
    installs Debian's postgresql); a cluster that is installed but fails to start is an error."""
    from tests.pgcluster import bin_dir, cluster

    if bin_dir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb): apt-get install postgresql, as scripts/test.sh does")
    pytest.importorskip("psycopg", reason="the postgresql:// store needs psycopg (the [fleet] extra)")
    with cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_server):
    """A fresh empty database of the session's cluster."""
    from tests.pgcluster import new_database

    return new_database(pg_server)
