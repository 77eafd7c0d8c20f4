"""The toy API: one tracking route, answered ``{"ok": true}``."""

import re

from harness.capture.record import RequestKind
from harness.sdk.base import RouteRule

ROUTES = [
    RouteRule("toy-track", "POST", re.compile(r"^/toy/v1/[^/]+/track$"), RequestKind.TRACKING, 200, b'{"ok":true}')
]
