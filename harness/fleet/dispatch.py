"""The dispatching side of a fleet run: ``harness run --scheduler tcp://HOST:8786``.

Every (scenario, device) pair becomes one Dask task pinned to the worker that owns the device
(``workers=[address]``, ``allow_other_workers=False``) and holding the device's resource, so a device
plays one scenario at a time and devices on different workers play at once. Nothing is retried
(``retries=0``): a run whose worker is lost ends as an error naming the worker and its host, either
from Dask (:class:`distributed.KilledWorker`) or because this side sees the worker leave the
scheduler while its runs are unfinished (a task pinned to a gone worker would otherwise wait for it
forever); the other runs go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from harness.errors import ConfigError
from harness.fleet.host import RunSettings, play
from harness.fleet.resources import device_resource, devices_of
from harness.scenario.loader import Scenario
from harness.scenario.runner import RunResult

__all__ = ["FleetDevice", "fleet_devices", "run_fleet"]

_CHECK = 0.5  # seconds between looks at the scheduler's workers while runs are pending
_MISSED = 3  # looks in a row without a worker before its pending runs are called lost


@dataclass(frozen=True)
class FleetDevice:
    """A device of a worker: its URI on that host, the worker's address, name and host."""

    uri: str
    address: str
    worker: str
    host: str

    @property
    def label(self) -> str:
        """The device as reports name it: ``virtual:android@worker`` (URIs repeat across hosts)."""
        return f"{self.uri}@{self.worker}"


def fleet_devices(info: dict[str, Any], wanted: Sequence[str] = ()) -> list[FleetDevice]:
    """The devices of every worker in ``Client.scheduler_info()``; ``wanted`` keeps the given ones
    (``URI`` on any worker, or ``URI@worker``)."""
    devices = [
        FleetDevice(uri, address, str(w.get("name", address)), str(w.get("host", "")))
        for address, w in sorted(info.get("workers", {}).items(), key=lambda kv: str(kv[1].get("name")))
        for uri in devices_of(w.get("resources") or {})
    ]
    if wanted:
        unknown = [u for u in wanted if not any(u in (d.uri, d.label) for d in devices)]
        if unknown:
            known = ", ".join(d.label for d in devices) or "none"
            raise ConfigError("--device", f"no worker has {unknown[0]} (the workers' devices: {known})")
        devices = [d for d in devices if d.uri in wanted or d.label in wanted]
    return devices


def _error(scenario: Scenario, device: FleetDevice, message: str) -> RunResult:
    return RunResult(scenario, device.label, "error", error=f"worker {device.worker} ({device.host}): {message}")


def run_fleet(
    client: Any,
    scenarios: Sequence[Scenario],
    devices: Sequence[FleetDevice],
    settings: RunSettings,
    on_result: Callable[[RunResult], object],
) -> tuple[list[RunResult], list[dict[str, Any]]]:
    """Play every scenario on every device; ``on_result`` is called as each run finishes.

    Returns the results (in scenario order per device, as a local run lists them) and the devices'
    metadata for ``run.json``.
    """
    from distributed import KilledWorker, wait

    order: dict[Any, tuple[int, Scenario, FleetDevice]] = {}
    for d_index, device in enumerate(devices):
        for s_index, scenario in enumerate(scenarios):
            future = client.submit(
                play,
                device.uri,
                scenario,
                settings,
                key=f"harness-{device.label}-{scenario.id}-{time.time_ns()}",
                workers=[device.address],
                allow_other_workers=False,
                resources={device_resource(device.uri): 1},
                retries=0,
                pure=False,
            )
            order[future] = (d_index * len(scenarios) + s_index, scenario, device)
    results: dict[int, RunResult] = {}
    metas: dict[str, dict[str, Any]] = {}
    pending = set(order)
    checked = time.monotonic()
    missed: dict[str, int] = {}  # worker address -> looks in a row that did not find it
    while pending:
        try:
            finished = wait(list(pending), timeout=_CHECK, return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
            done = set(finished.done)
        except TimeoutError:
            done = set()
        if time.monotonic() - checked >= _CHECK and client.status == "running":  # are the workers still there?
            checked = time.monotonic()
            alive = set(client.scheduler_info(n_workers=-1).get("workers", {}))
            # a worker is lost when the scheduler has gone on without it for _MISSED looks in a row: one look
            # can miss a worker while this client's connection to the scheduler is being re-established
            for device in {order[f][2] for f in pending - done}:
                missed[device.address] = 0 if device.address in alive else missed.get(device.address, 0) + 1
            lost = {f for f in pending - done if missed.get(order[f][2].address, 0) >= _MISSED}
            for future in lost:
                future.cancel()
            done |= lost
        for future in done:
            pending.discard(future)
            index, scenario, device = order[future]
            if future.status == "finished":
                got = future.result()
                result = got["result"]
                result.device_uri = device.label
                if result.outcome == "error" and result.error:
                    result.error = f"on worker {device.worker} ({device.host}): {result.error}"
                metas.setdefault(device.label, {**got["device"], "uri": device.label, "worker": device.worker})
            elif future.status == "error":
                exc = future.exception()
                lost_worker = isinstance(exc, KilledWorker)
                cause = "lost mid-run (KilledWorker)" if lost_worker else f"{type(exc).__name__}: {exc}"
                result = _error(scenario, device, cause)
            else:
                result = _error(scenario, device, "left the scheduler mid-run (killed or disconnected)")
            results[index] = result
            on_result(result)
    for device in devices:
        metas.setdefault(device.label, {"uri": device.label, "worker": device.worker, "platform": "", "profile": ""})
    return [results[i] for i in sorted(results)], [metas[d.label] for d in devices]
