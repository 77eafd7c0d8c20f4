"""The dispatching side of a fleet run: ``harness run --scheduler tcp://HOST:8786``.

Every (scenario, device) pair becomes one Dask task pinned to the worker that owns the device
(``workers=[address]``, ``allow_other_workers=False``) and holding the device's resource, so a device
plays one scenario at a time and devices on different workers play at once. Nothing is retried
(``retries=0``): a run whose worker is lost ends as an error naming the worker and its host, either
from Dask (:class:`distributed.KilledWorker`) or because the scheduler's own worker table, asked
directly every half second (never the client's cached copy, see :func:`identity`), no longer has the
worker while its runs are unfinished (a task pinned to a gone worker would otherwise wait for it
forever); the other runs go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from harness.errors import ConfigError
from harness.fleet.host import RunSettings, play
from harness.fleet.resources import device_resource, devices_of
from harness.scenario.loader import Scenario
from harness.scenario.runner import RunResult

__all__ = ["FleetDevice", "FleetRun", "fleet_devices", "identity", "live_workers", "no_meta", "run_fleet"]

_CHECK = 0.5  # seconds between looks at the scheduler's workers while runs are pending


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
    """The devices of every worker in the scheduler's :func:`identity`; ``wanted`` keeps the given ones
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


def identity(client: Any) -> dict[str, Any]:
    """The scheduler's identity with every worker, asked of the scheduler itself.

    Not ``client.scheduler_info()``: that returns the client's cached identity, which Dask's own
    periodic refresh (``distributed.client.scheduler-info-interval``) overwrites with a copy that lists
    no workers at all (it asks ``identity(n_workers=0)``), and which stays stale when a refresh fails.
    Reading it once called two live workers lost in a full-suite run.
    """
    info: dict[str, Any] = client.sync(client.scheduler.identity, n_workers=-1)
    return info


def live_workers(client: Any) -> set[str] | None:
    """The addresses of the workers the scheduler has now; ``None`` when it cannot be asked (the client
    is reconnecting), which proves nothing about any worker."""
    if client.status != "running":
        return None
    try:
        return set(identity(client).get("workers", {}))
    except (OSError, TimeoutError):
        return None


class FleetRun:
    """Scenario runs sent to the workers, and their results as they finish (``harness run --scheduler``
    and the pytest plugin's ``--harness-scheduler`` both go through it).

    Every run is one Dask task pinned to the worker that owns its device (``workers=[address]``,
    ``allow_other_workers=False``) holding the device's resource, never retried (``retries=0``). A run
    whose worker is lost ends as an error naming the worker and its host: from Dask itself
    (:class:`distributed.KilledWorker`, once a task has outlived ``distributed.scheduler.allowed-failures``
    workers), or because the scheduler has removed the worker from its worker table while the run is
    unfinished. The scheduler removes a worker only when it is gone (its connection closed, or its
    heartbeats stopped for ``distributed.scheduler.worker-ttl``), and a removed worker never comes back
    under its address, so one look at the scheduler's own table is enough; without the look, a task
    pinned to a gone worker would wait for it forever.
    """

    def __init__(self, client: Any, settings: RunSettings) -> None:
        self.client = client
        self.settings = settings
        self.order: dict[Any, tuple[Scenario, FleetDevice]] = {}
        self.pending: set[Any] = set()
        self.lost_scheduler = ""  # why Dask cancelled the unfinished runs, once the scheduler is lost

    def submit(self, scenario: Scenario, device: FleetDevice) -> Any:
        """Send one run to ``device``'s worker; the returned future identifies it in :meth:`finished`."""
        future = self.client.submit(
            play,
            device.uri,
            scenario,
            self.settings,
            key=f"harness-{device.label}-{scenario.id}-{time.time_ns()}",
            workers=[device.address],
            allow_other_workers=False,
            resources={device_resource(device.uri): 1},
            retries=0,
            pure=False,
        )
        self.order[future] = (scenario, device)
        self.pending.add(future)
        return future

    def finished(self) -> Iterator[tuple[Any, RunResult, dict[str, Any] | None]]:
        """``(future, result, device metadata or None)`` for each submitted run, as it finishes."""
        from concurrent.futures import CancelledError  # the base of Dask's FuturesCancelledError

        from distributed import wait

        checked = time.monotonic()
        while self.pending:
            try:
                got = wait(list(self.pending), timeout=_CHECK, return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
                done = set(got.done)
            except TimeoutError:
                done = set()
            except CancelledError as exc:  # Dask cancels every future when the scheduler's connection is lost
                groups = getattr(exc, "error_groups", None) or []
                reason = str(getattr(groups[0], "reason", "")) if groups else ""
                self.lost_scheduler = reason or "its runs cancelled"
                done = set(self.pending)
            if time.monotonic() - checked >= _CHECK:  # are the unfinished runs' workers still there?
                checked = time.monotonic()
                alive = live_workers(self.client)
                if alive is not None:
                    lost = {f for f in self.pending - done if self.order[f][1].address not in alive}
                    for future in lost:
                        future.cancel()
                    done |= lost
            for future in done:
                self.pending.discard(future)
                yield (future, *self._outcome(future))

    def _outcome(self, future: Any) -> tuple[RunResult, dict[str, Any] | None]:
        from distributed import KilledWorker

        scenario, device = self.order[future]
        if future.status == "finished":
            got = future.result()
            result: RunResult = got["result"]
            result.device_uri = device.label
            if result.outcome == "error" and result.error:
                result.error = f"on worker {device.worker} ({device.host}): {result.error}"
            return result, {**got["device"], "uri": device.label, "worker": device.worker}
        if future.status == "error":
            exc = future.exception()
            lost_worker = isinstance(exc, KilledWorker)
            cause = "lost mid-run (KilledWorker)" if lost_worker else f"{type(exc).__name__}: {exc}"
            return _error(scenario, device, cause), None
        if self.lost_scheduler:
            return _error(scenario, device, f"unfinished when the scheduler was lost ({self.lost_scheduler})"), None
        return _error(scenario, device, "left the scheduler mid-run (killed or disconnected)"), None


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
    run = FleetRun(client, settings)
    index = {run.submit(scenario, device): i for i, (device, scenario) in enumerate(
        (d, s) for d in devices for s in scenarios)}  # fmt: skip
    results: dict[int, RunResult] = {}
    metas: dict[str, dict[str, Any]] = {}
    for future, result, meta in run.finished():
        results[index[future]] = result
        if meta is not None:
            metas.setdefault(meta["uri"], meta)
        on_result(result)
    return [results[i] for i in sorted(results)], [metas.get(d.label) or no_meta(d) for d in devices]


def no_meta(device: FleetDevice) -> dict[str, Any]:
    """``run.json``'s entry for a device none of whose runs came back."""
    return {"uri": device.label, "worker": device.worker, "platform": "", "profile": ""}
