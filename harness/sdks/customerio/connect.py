"""How the harness points the Customer.io SDK at the collector.

The SDK builder takes ``apiHost``/``cdnHost`` as ``host[:port]/path`` without a scheme and prefixes
``https://`` (analytics-kotlin ``HTTPClient.kt`` ``RequestFactory.settings``/``upload``); the harness's
``scheme`` switch lets the reference SDK and the test beds reach the collector over plain HTTP on loopback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULT_KEY", "connect"]

DEFAULT_KEY = "harness-cdp-key"


def _host(base_url: str) -> str:
    """``http://HOST:PORT/d/DEVICE`` -> ``HOST:PORT/d/DEVICE/v1`` (the region hosts end in ``/v1`` too)."""
    _, _, rest = base_url.partition("://")
    return f"{(rest or base_url).rstrip('/')}/v1"


def connect(name: str, args: Mapping[str, Any], base_url: str) -> Mapping[str, Any]:
    """The collector as ``apiHost`` and ``cdnHost`` of ``init`` unless the scenario gives them."""
    if name != "init":
        return args
    host = _host(base_url)
    given = dict(args.get("configuration") or {})
    config = {"cdpApiKey": DEFAULT_KEY, "apiHost": host, "cdnHost": host, "scheme": "http", **given}
    return {**args, "configuration": config}
