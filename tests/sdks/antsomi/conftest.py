"""A virtual Android phone running the STAND-IN Antsomi SDK against the real collector.

The stimulus trace each test gives the profile is written out by hand next to the calls, so the
identity layer is judged on real observations (real HTTP, real SQLite, the real decoder).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.capture.server import CollectorServer
from harness.devices.base import AppTarget
from harness.devices.virtual import VirtualDevice
from harness.sdks.antsomi.wire import decode
from harness.spec.trace import Stimulus
from harness.wire.observation import Observation

PORTAL, PROPS = "561", "5643"


class Phone:
    """The app under test, the trace of what was done to it, and what the collector stored."""

    def __init__(self, collector: CollectorServer, fault: str | None = None, version: str | None = None) -> None:
        self.collector = collector
        self.key = f"a{uuid.uuid4().hex[:8]}"
        self.base_url = collector.device_url(self.key)
        self.device = VirtualDevice("virtual:android", "android")
        options: dict[str, Any] = {"sdk": "antsomi"}
        if version:
            options["sdk_version"] = version
        self.device.open(AppTarget(base_url=self.base_url, fault=fault, options=options))
        self.device.app.install()
        self.device.app.launch()
        self.trace: list[Stimulus] = []

    def call(self, method: str, **args: Any) -> Any:
        if method == "config":
            args = {"portalId": PORTAL, "propsId": PROPS, "url": f"{self.base_url}/antsomi/v3/event", **args}
        self.trace.append(Stimulus(len(self.trace), "call", method, args))
        return self.device.sdk.call(method, args).value

    def relaunch(self) -> None:
        self.device.app.kill()
        self.trace.append(Stimulus(len(self.trace), "app", "kill"))
        self.device.app.launch()
        self.trace.append(Stimulus(len(self.trace), "app", "launch"))

    def observations(self) -> list[Observation]:
        rows = sorted(self.collector.store.query(device=self.key), key=lambda r: r.id)
        return [o for r in rows for o in decode(r)]

    def close(self) -> None:
        self.device.close()


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[CollectorServer]:
    with CollectorServer(tmp_path / "capture.sqlite") as server:
        yield server


@pytest.fixture
def phone_factory(collector: CollectorServer) -> Iterator[Any]:
    phones: list[Phone] = []

    def make(fault: str | None = None, version: str | None = None) -> Phone:
        phone = Phone(collector, fault, version)
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.close()
