"""The collector's answer to the STAND-IN Antsomi endpoint.

The real endpoint is not public (research other-sdks.md B1); the stand-in posts to
``{collector}/d/DEVICE/antsomi/v3/event?portal_id=..&prop_id=..&resp_type=json&format=json`` (the
historical V3 iOS shape, B4) and reads only the status. The answer ``{"code":200}`` is this
project's choice, not a documented body.
"""

from __future__ import annotations

import re

from harness.capture.record import RequestKind
from harness.sdk.base import RouteRule

__all__ = ["ROUTES"]

ROUTES: list[RouteRule] = [
    RouteRule("antsomi-event", "POST", re.compile(r"^/antsomi/v3/event$"), RequestKind.TRACKING, 200, b'{"code":200}'),
]
