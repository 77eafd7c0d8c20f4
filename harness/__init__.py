"""engagement-harness: a device bridge and conformance harness for customer-engagement SDKs.

The public surface is small on purpose; everything else lives in subpackages. The names below are
imported lazily (PEP 562), so that ``python -m harness.virtual`` (one process per app launch) does
not pay for the collector, the scenario runner and the spec model it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.capture.record import CapturedRequest
    from harness.capture.server import CollectorServer
    from harness.devices.base import AppTarget, Device, DeviceInfo
    from harness.devices.registry import discover_all, open_device
    from harness.errors import HarnessError
    from harness.scenario.loader import Scenario, find_scenarios, load_scenario
    from harness.scenario.runner import Runner, RunResult
    from harness.sdks.exponea.facade import ExponeaSdk
    from harness.spec.profiles import get_profile

_EXPORTS = {
    "AppTarget": "harness.devices.base",
    "CapturedRequest": "harness.capture.record",
    "CollectorServer": "harness.capture.server",
    "Device": "harness.devices.base",
    "DeviceInfo": "harness.devices.base",
    "ExponeaSdk": "harness.sdks.exponea.facade",
    "HarnessError": "harness.errors",
    "RunResult": "harness.scenario.runner",
    "Runner": "harness.scenario.runner",
    "Scenario": "harness.scenario.loader",
    "discover_all": "harness.devices.registry",
    "find_scenarios": "harness.scenario.loader",
    "get_profile": "harness.spec.profiles",
    "load_scenario": "harness.scenario.loader",
    "open_device": "harness.devices.registry",
}

__all__ = [
    "AppTarget",
    "CapturedRequest",
    "CollectorServer",
    "Device",
    "DeviceInfo",
    "ExponeaSdk",
    "HarnessError",
    "RunResult",
    "Runner",
    "Scenario",
    "discover_all",
    "find_scenarios",
    "get_profile",
    "load_scenario",
    "open_device",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
