"""The worker side of a fleet run: ``harness worker`` and the task each scenario run is.

``harness worker`` is a thin layer over Dask's own :class:`distributed.Worker` in this process (no
nanny: the tasks must see this process's collector and devices): it starts a collector the devices
reach, advertises each device as a worker resource, and serves until stopped. A task
(:func:`play`) opens its device on first use (kept open for the next runs), plays one scenario with the
ordinary :class:`~harness.scenario.runner.Runner` against this host's collector and returns the
:class:`~harness.scenario.runner.RunResult`, judged here with this host's clocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.capture.server import CollectorServer
from harness.devices.base import Device
from harness.fleet.resources import device_resource
from harness.scenario.loader import Scenario
from harness.scenario.runner import Runner, RunResult

__all__ = ["FleetHost", "RunSettings", "play", "serve_worker"]


@dataclass(frozen=True)
class RunSettings:
    """What ``harness run`` passes to every run on every host (the options of a local run that apply)."""

    fault: str | None = None
    agent: str | None = None
    sdk_version: str | None = None


@dataclass
class FleetHost:
    """This process's collector and devices, for the tasks the worker runs."""

    name: str
    collector_url: str
    uris: Sequence[str]
    devices: dict[str, Device] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def device(self, uri: str) -> Device:
        """The open device ``uri``, opened (and checked ready) on first use."""
        from harness.devices.registry import check_ready, open_device

        with self.lock:
            if uri not in self.devices:
                device = open_device(uri)
                try:
                    check_ready(device)
                except Exception:
                    device.close()
                    raise
                self.devices[uri] = device
            return self.devices[uri]

    def close(self) -> None:
        with self.lock:
            for device in self.devices.values():
                with contextlib.suppress(Exception):
                    device.close()
            self.devices.clear()


_HOST: FleetHost | None = None


def play(uri: str, scenario: Scenario, settings: RunSettings) -> dict[str, Any]:
    """One scenario on this host's device ``uri``: the task ``harness run --scheduler`` submits.

    Returns ``{"result": RunResult, "device": device metadata}``; a device that cannot be opened raises,
    and the dispatcher turns that into an error run naming this host.
    """
    from harness.report.record import device_meta

    host = _HOST
    if host is None:
        raise RuntimeError("this Dask worker is not a harness worker (start it with `harness worker`)")
    device = host.device(uri)
    runner = Runner(
        device,
        host.collector_url,
        fault=settings.fault,
        options={"agent": settings.agent} if settings.agent else None,
        sdk_version=settings.sdk_version,
    )
    result: RunResult = runner.run(scenario)
    meta = device_meta(device.describe().as_json(), runner.profile.name, runner.profile.sdk_version)
    return {"result": result, "device": meta, "host": host.name}


async def _serve(scheduler: str, name: str, resources: Mapping[str, float], nthreads: int) -> None:
    from distributed import Worker

    worker = Worker(scheduler, name=name, nthreads=nthreads, resources=dict(resources))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(worker.close()))
    await worker
    await worker.finished()  # type: ignore[no-untyped-call]


def serve_worker(
    scheduler: str,
    uris: Sequence[str],
    *,
    name: str,
    collector_host: str = "127.0.0.1",
    store: str,
    clock_offset: float = 0.0,
    on_ready: Any = None,
) -> None:
    """Run ``harness worker`` until it is stopped (Ctrl-C, SIGTERM, or the scheduler closing)."""
    global _HOST
    with CollectorServer(store, host=collector_host, clock_offset=clock_offset) as collector:
        _HOST = FleetHost(name, collector.url, list(uris))
        if on_ready is not None:
            on_ready(collector.url)
        try:
            resources = {device_resource(uri): 1.0 for uri in uris}
            asyncio.run(_serve(scheduler, name, resources, max(1, len(uris))))
        finally:
            _HOST.close()
            _HOST = None
