"""The toy call vocabulary: ``init`` (the collector's URL is filled in by ``connect``) and ``track``."""

from collections.abc import Mapping
from typing import Any

from harness.sdk.calls import CallSpec

CALLS = {
    "init": CallSpec(optional=("token", "baseUrl"), types={"token": {"type": "string"}, "baseUrl": {"type": "string"}}),
    "track": CallSpec(
        required=("name",),
        optional=("properties",),
        types={"name": {"type": "string"}, "properties": {"type": "object"}},
    ),
}


def connect(name: str, args: Mapping[str, Any], base_url: str) -> Mapping[str, Any]:
    if name == "init":
        return {"token": "toy-token", "baseUrl": base_url, **dict(args or {})}
    return args
