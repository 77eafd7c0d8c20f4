"""The one table that maps a device URI scheme to its driver class.

Built-in drivers are named by import path and imported only when used, so ``harness devices`` works
on a machine without Frida, adb-shell or pymobiledevice3 installed. Third-party drivers register
through the ``harness.devices`` entry-point group (``scheme = "package.module:Class"``). Every class
is checked against :class:`~harness.devices.base.DriverClass` when it is loaded.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from harness.devices.base import Device, DeviceInfo, DriverClass, Preflight
from harness.errors import DeviceError, DeviceNotFound, did_you_mean

__all__ = ["BUILTIN_DRIVERS", "check_ready", "discover_all", "driver_for", "open_device", "schemes"]

log = logging.getLogger(__name__)

BUILTIN_DRIVERS: dict[str, str] = {
    "virtual": "harness.devices.virtual:VirtualDevice",
    "jvm": "harness.devices.jvm:JvmDevice",
    "android": "harness.devices.android:AndroidDevice",
    "ios": "harness.devices.ios:IosDevice",
}


def _table() -> dict[str, str]:
    table = dict(BUILTIN_DRIVERS)
    for ep in entry_points(group="harness.devices"):
        if ep.name in table:
            log.warning("device driver %s from %s ignored: the scheme is taken", ep.name, ep.value)
            continue
        table[ep.name] = ep.value
    return table


def schemes() -> list[str]:
    return sorted(_table())


def driver_for(scheme: str, uri: str | None = None) -> type[DriverClass]:
    """Import and check the driver class for ``scheme`` (``uri``, when given, is named in errors)."""
    table = _table()
    if scheme not in table:
        raise DeviceNotFound(
            uri or scheme,
            f"unknown device scheme {scheme!r} (known: {', '.join(table)}){did_you_mean(scheme, table)}",
        )
    module_name, _, attr = table[scheme].partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise DeviceError(f"{scheme}:", f"driver {table[scheme]} cannot be loaded: {exc}") from exc
    missing = [name for name in ("scheme", "from_uri", "discover") if not hasattr(cls, name)]
    if missing or getattr(cls, "scheme", None) != scheme:
        raise DeviceError(f"{scheme}:", f"driver {table[scheme]} breaks the driver contract ({missing or 'scheme'})")
    return cls  # type: ignore[no-any-return]


def open_device(uri: str) -> Device:
    """The driver for ``uri``; the device is not contacted until ``open()``."""
    scheme, sep, _ = uri.partition(":")
    if not sep or not scheme:
        raise DeviceNotFound(uri, "a device URI looks like virtual:android, jvm:android, android:SERIAL or ios:UDID")
    return driver_for(scheme, uri).from_uri(uri)


def check_ready(device: Device) -> None:
    """Ask the driver, once before a run, whether it can run scenarios at all (JDK, Frida, adb serial).

    A driver without a ``preflight()`` is taken as ready. Raises the driver's ``DeviceError``, whose
    message says what to install or which devices there are, so a run stops once instead of failing
    every scenario with the same error.
    """
    if isinstance(device, Preflight):
        device.preflight()


def discover_all() -> list[DeviceInfo]:
    """Every reachable device, virtual ones first; a driver that fails is logged and skipped."""
    found: list[DeviceInfo] = []
    for scheme in _table():
        try:
            found.extend(driver_for(scheme).discover())
        except Exception as exc:  # a broken stack must not hide the other devices
            log.warning("discovery of %s: devices failed: %s", scheme, exc)
    return found
