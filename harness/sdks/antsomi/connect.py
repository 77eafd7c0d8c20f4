"""Points the (stand-in) Antsomi SDK at the collector: ``config`` gets ``url`` unless the scenario gives it.

The real SDK reads its endpoint from its own build (the old V3 SDK from a bundled plist, B4); a real
app is captured in place (in-app capture or forward mode), so only the stand-in takes ``url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["connect"]


def connect(name: str, args: Mapping[str, Any], base_url: str) -> Mapping[str, Any]:
    if name != "config" or args.get("url"):
        return args
    return {**args, "url": f"{base_url.rstrip('/')}/antsomi/v3/event"}
