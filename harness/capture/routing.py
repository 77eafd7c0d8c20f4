"""The collector's route table: the routes of every registered SDK, and the 404 for anything else.

Each SDK plug-in lists the routes its SDK calls and how the real API answers them
(``Sdk.routes``, rows of :class:`~harness.sdk.base.RouteRule`); the table here is their union, in
registry order. A path no SDK routes is stored too and answered 404, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from harness.capture.record import RequestKind
from harness.sdk.base import RouteRule
from harness.sdk.registry import all_sdks, get_sdk

__all__ = ["NOT_FOUND", "Route", "match_route", "route_aliases", "route_names", "route_table"]

Answer = Callable[[str], bytes]  # the request body (text) -> the answer body


@dataclass(frozen=True)
class Route:
    name: str
    kind: str
    status: int
    body: bytes  # the answer's body, or what an answer rule's delay keeps when ``answer`` is set
    answer: Answer | None = None  # computes the body from the request, for answers that depend on it
    sdk: str = ""  # the SDK whose table has the route ("" for the 404)
    json_types: tuple[str, ...] = ()  # content types under which JSON is this route's normal traffic
    secrets: tuple[str, ...] = ()  # body keys holding credentials, masked in exports


# Paths the API does not serve: the collector's own document (no source describes the real API's 404 body).
NOT_FOUND = Route("unknown", RequestKind.UNKNOWN, 404, b'{"success":false,"errors":["not found"]}')


@functools.cache
def route_table() -> tuple[tuple[str, RouteRule], ...]:
    """(SDK name, rule) for every registered SDK's routes, in registry order."""
    out: list[tuple[str, RouteRule]] = []
    for sdk in all_sdks():
        out += [(sdk.name, RouteRule(*rule)) for rule in sdk.load(sdk.routes)]
    return tuple(out)


@functools.lru_cache(maxsize=4096)  # SDKs call a handful of paths over and over; the hot path skips the regexes
def match_route(method: str, path: str) -> Route:
    """The route for ``method`` and ``path`` (without query string or device prefix)."""
    for sdk, rule in route_table():
        if rule.pattern.match(path) and (rule.method is None or rule.method == method):
            return Route(rule.name, rule.kind, rule.status, rule.body, rule.answer, sdk, rule.json_types, rule.secrets)
    return NOT_FOUND


def route_names(sdk: str | None = None) -> list[str]:
    """Every route name the collector knows (what answer rules can name), ``unknown`` included;
    with ``sdk``: that SDK's routes only."""
    if sdk is not None:
        return list(dict.fromkeys(rule.name for owner, rule in route_table() if owner == sdk))
    return [*dict.fromkeys(rule.name for _, rule in route_table()), NOT_FOUND.name]


def route_aliases(sdk: str | None = None) -> dict[str, str]:
    """Short route names -> route names (``Sdk.route_aliases``): ``sdk``'s, or every SDK's (a short
    name two SDKs use keeps the default SDK's meaning, then the first in registry order's)."""
    sdks = all_sdks() if sdk is None else [get_sdk(sdk)]
    out: dict[str, str] = {}
    for entry in sorted(sdks, key=lambda s: not s.default):
        out = {**dict(entry.route_aliases), **out}
    return out
