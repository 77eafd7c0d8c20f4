import pytest

from tests.pgcluster import bin_dir, cluster, new_database


@pytest.fixture(scope="session")
def pg_server():
    """One private PostgreSQL cluster for the session (tests/pgcluster.py)."""
    if bin_dir() is None:
        pytest.skip("no PostgreSQL server binaries (scripts/test.sh installs Debian's postgresql)")
    with cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_server):
    """A fresh empty database of the session's cluster."""
    return new_database(pg_server)
