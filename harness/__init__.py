"""engagement-harness: a device bridge and conformance harness for customer-engagement SDKs.

The public surface is small on purpose; everything else lives in subpackages.
"""

from harness.capture.record import CapturedRequest
from harness.capture.server import CollectorServer
from harness.devices.base import AppTarget, Device, DeviceInfo
from harness.devices.registry import discover_all, open_device
from harness.errors import HarnessError
from harness.instrument.facade import ExponeaSdk
from harness.scenario.loader import Scenario, find_scenarios, load_scenario
from harness.scenario.runner import Runner, RunResult
from harness.spec.profiles import get_profile

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
