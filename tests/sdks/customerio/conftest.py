"""A virtual Android phone running the reference Customer.io SDK against the real collector.

When the vendor's own ``customerio`` entry is not installed, a ``*.dist-info`` folder registering
``tests.sdks.customerio.plugin:SDK`` is put on ``sys.path`` (this process: the collector's routes)
and on ``PYTHONPATH`` (the app process), as ``tests/test_toy_sdk.py`` does. Expectations in these
tests come from research other-sdks.md Part A, written out by hand; they never use a profile.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.capture import routing
from harness.capture.server import CollectorServer
from harness.devices.base import AppTarget
from harness.devices.virtual import VirtualDevice
from harness.sdk import registry
from tests.conftest import ROOT

KEY = "harness-cdp-key"


def _registered() -> bool:
    try:
        registry.get_sdk("customerio")
        return True
    except Exception:
        return False


@pytest.fixture(scope="module")  # undone after each module: other tests see the plain registry
def cio_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if _registered():
        yield
        return
    site = tmp_path_factory.mktemp("cio-site")
    dist = site / "harness_cio_reference_tests-0.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: harness-cio-reference-tests\nVersion: 0.0.0\n")
    (dist / "entry_points.txt").write_text("[harness.sdks]\ncustomerio = tests.sdks.customerio.plugin:SDK\n")
    old_path, old_env = list(sys.path), os.environ.get("PYTHONPATH")
    sys.path.insert(0, str(site))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [str(site), str(ROOT), old_env] if p)
    _forget()
    yield
    sys.path[:] = old_path
    if old_env is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old_env
    _forget()


def _forget() -> None:
    registry.reset()
    routing.route_table.cache_clear()
    routing.match_route.cache_clear()


@pytest.fixture
def collector(cio_site: None, tmp_path: Path) -> Iterator[CollectorServer]:
    with CollectorServer(tmp_path / "capture.sqlite") as server:
        yield server


class Phone:
    """The app under test and what the collector stored for its device key."""

    def __init__(self, collector: CollectorServer, fault: str | None = None) -> None:
        self.collector = collector
        self.key = f"c{uuid.uuid4().hex[:8]}"
        self.base_url = collector.device_url(self.key)
        self.device = VirtualDevice("virtual:android", "android")
        self.device.open(AppTarget(base_url=self.base_url, fault=fault, options={"sdk": "customerio"}))
        self.device.app.install()
        self.device.app.launch()

    # -- driving ------------------------------------------------------------------------------

    def init(self, **config: Any) -> None:
        host = self.base_url.split("://", 1)[1] + "/v1"
        self.call(
            "init",
            configuration={"cdpApiKey": KEY, "apiHost": host, "cdnHost": host, "scheme": "http", **config},
        )

    def call(self, method: str, **args: Any) -> Any:
        result = self.device.sdk.call(method, args)
        return result.value

    def rpc(self, method: str, **params: Any) -> Any:
        return self.device.rpc(method, params).value

    def flush(self) -> None:
        self.call("flush")
        self.settle()

    def settle(self) -> None:
        assert self.device.settle(15.0), "the SDK did not settle"

    def relaunch(self) -> None:
        self.device.app.kill()
        self.device.app.launch()

    def close(self) -> None:
        self.device.close()

    # -- what was sent --------------------------------------------------------------------------

    def requests(self, suffix: str | None = None) -> list[Any]:
        rows = list(self.collector.store.query(device=self.key))
        return [r for r in rows if suffix is None or r.path.endswith(suffix)]

    def batches(self) -> list[dict[str, Any]]:
        """Every batch upload's body, as the collector stored it after undoing ``Content-Encoding``."""
        out = []
        for r in self.requests("/v1/b"):
            assert not [p for p in r.problems if "content-encoding" in p], r.problems
            out.append(json.loads(r.body))
        return out

    def events(self) -> list[dict[str, Any]]:
        """Every event of every batch, in upload order (re-sent copies included)."""
        return [e for b in self.batches() for e in b["batch"]]

    def names(self) -> list[str]:
        return [str(e.get("event") or e["type"]) for e in self.events()]


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@pytest.fixture
def phone_factory(collector: CollectorServer) -> Iterator[Any]:
    phones: list[Phone] = []

    def make(fault: str | None = None) -> Phone:
        phone = Phone(collector, fault)
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.close()


@pytest.fixture
def phone(phone_factory: Any) -> Phone:
    return phone_factory()
