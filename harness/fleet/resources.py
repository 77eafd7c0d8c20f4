"""How a worker advertises its devices to the scheduler: one Dask worker resource per device.

A resource of amount 1 per device makes Dask run one scenario at a time on each device (a phone
plays one scenario at a time) while the worker's other devices run theirs beside it.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["PREFIX", "device_resource", "devices_of"]

PREFIX = "device:"


def device_resource(uri: str) -> str:
    """The resource name of the device ``uri`` (``device:virtual:android``)."""
    return PREFIX + uri


def devices_of(resources: Mapping[str, float]) -> list[str]:
    """The device URIs a worker advertises, in its resources' order."""
    return [name[len(PREFIX) :] for name in resources if name.startswith(PREFIX)]
