"""The SDK seam: what a vendor plug-in provides (``base.py``) and the registry that finds them (``registry.py``).

Generic modules ask the registry for an SDK by name and never name a vendor themselves. This package
imports neither ``harness.spec`` nor ``harness.virtual`` at run time, so both sides (and the virtual
app process) can use it.
"""

from harness.sdk.base import ChecklistId, Sdk, parse_version
from harness.sdk.registry import all_sdks, default_sdk, get_sdk, pick_version

__all__ = ["ChecklistId", "Sdk", "all_sdks", "default_sdk", "get_sdk", "parse_version", "pick_version"]
