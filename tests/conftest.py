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
