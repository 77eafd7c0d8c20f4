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
import ipaddress
import signal
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.capture.client import CollectorClient
from harness.capture.server import CollectorServer
from harness.devices.base import Device
from harness.errors import ConfigError
from harness.fleet.resources import device_resource
from harness.scenario.loader import Scenario
from harness.scenario.runner import Runner, RunResult

__all__ = ["FleetHost", "RunSettings", "advertised_url", "check_advertise", "play", "serve_worker"]


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
    device_base: str = ""  # the collector's URL as the devices reach it (``--advertise``); "": collector_url
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
    with _AdvertisedClient(host.collector_url, host.device_base or host.collector_url) as client:
        runner = Runner(
            device,
            client,
            fault=settings.fault,
            options={"agent": settings.agent} if settings.agent else None,
            sdk_version=settings.sdk_version,
        )
        result: RunResult = runner.run(scenario)
    meta = device_meta(device.describe().as_json(), runner.profile.name, runner.profile.sdk_version)
    return {"result": result, "device": meta, "host": host.name}


class _AdvertisedClient(CollectorClient):
    """The worker's own collector, controlled over its bound address, while the devices get base URLs
    on the advertised one (a LAN phone cannot reach the worker's loopback)."""

    def __init__(self, url: str, device_base: str) -> None:
        super().__init__(url)
        self.device_base = device_base.rstrip("/")

    def device_url(self, device: str) -> str:
        return f"{self.device_base}/d/{device}"


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() in _LOOPBACK_NAMES


def check_advertise(host: str, collector_host: str | None) -> str:
    """The address to bind the collector to for ``harness worker --advertise host``, or a
    :class:`~harness.errors.ConfigError` saying why the devices could not reach the collector there.

    ``host`` must be a bare host name or IP address (no scheme, port or path) that names this machine:
    binding a socket to it proves that, so a typo or another machine's address is refused now rather
    than as a device timing out in every run. Without ``collector_host`` the collector listens on every
    interface for an address other than loopback (on 127.0.0.1 for a loopback one).
    """
    text = host.strip()
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(bare)
        literal = True
    except ValueError:
        literal = False
    if not bare or (not literal and any(c in bare for c in "/:@?# ")):
        raise ConfigError(
            "--advertise", f"{host!r} is not a host name or IP address (give HOST alone, no scheme or port)"
        )
    try:
        infos = socket.getaddrinfo(bare, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ConfigError("--advertise", f"cannot resolve {host!r}: {exc}") from None
    family, _, _, _, address = infos[0]
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((address[0], 0))
    except OSError:
        raise ConfigError("--advertise", f"{host!r} ({address[0]}) is not an address of this host") from None
    if collector_host is None:
        return "127.0.0.1" if _is_loopback(bare) else ("::" if family == socket.AF_INET6 else "0.0.0.0")
    if _is_loopback(collector_host) and not _is_loopback(bare):
        raise ConfigError(
            "--advertise",
            f"the collector listens on {collector_host} only, so devices cannot reach it at {host} "
            "(leave out --collector-host, or give 0.0.0.0)",
        )
    return collector_host


def advertised_url(collector_url: str, advertise: str | None) -> str:
    """``collector_url`` with its host replaced by the advertised one (the port stays)."""
    if not advertise:
        return collector_url
    from urllib.parse import urlsplit

    host = advertise.strip().strip("[]")
    netloc = f"[{host}]" if ":" in host else host
    return f"http://{netloc}:{urlsplit(collector_url).port}"


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
    advertise: str | None = None,
    store: str,
    clock_offset: float = 0.0,
    on_ready: Any = None,
) -> None:
    """Run ``harness worker`` until it is stopped (Ctrl-C, SIGTERM, or the scheduler closing).

    ``advertise``: the host the devices reach the collector at (checked by :func:`check_advertise`);
    the worker itself talks to its collector on the bound address.
    """
    global _HOST
    with CollectorServer(store, host=collector_host, clock_offset=clock_offset) as collector:
        control = collector.url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:")
        device_base = advertised_url(collector.url, advertise)
        _HOST = FleetHost(name, control, list(uris), device_base)
        if on_ready is not None:
            on_ready(device_base)
        try:
            resources = {device_resource(uri): 1.0 for uri in uris}
            asyncio.run(_serve(scheduler, name, resources, max(1, len(uris))))
        finally:
            _HOST.close()
            _HOST = None
