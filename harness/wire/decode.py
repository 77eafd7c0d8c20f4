"""Captured requests → observations, through the decoder of the SDK that made them.

Each SDK plug-in decodes its own wire format (``Sdk.decoder``: one request → zero or more
observations, so a batch may carry many events). Which SDK a request belongs to: the one the caller
names (the runner knows its scenario's SDK), else the SDK whose route table matches the path, else
the default SDK, which also reads the paths no SDK routes (so an unknown tracking path is still
flagged by the vendor that knows what its tracking paths look like).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from collections.abc import Callable, Iterable

from harness.capture.record import CapturedRequest
from harness.capture.routing import match_route
from harness.sdk.registry import default_sdk, get_sdk
from harness.wire.observation import Observation

__all__ = ["Decoder", "decoder_for", "mark_copies", "observe", "observe_all", "owner_of"]

Decoder = Callable[[CapturedRequest], list[Observation]]


@functools.cache
def decoder_for(sdk: str | None = None) -> Decoder:
    """The wire decoder of ``sdk`` (None: the default SDK)."""
    entry = get_sdk(sdk)
    decoder: Decoder = entry.load(entry.decoder)
    return decoder


def owner_of(request: CapturedRequest) -> str:
    """The name of the SDK whose route table has the request's path (the default SDK if none has)."""
    route = match_route(request.method, request.path.split("?", 1)[0])
    return route.sdk or default_sdk().name


def observe(request: CapturedRequest, sdk: str | None = None) -> Observation:
    """The first observation of one request (every decoder returns at least one per request it reads)."""
    return decoder_for(sdk or owner_of(request))(request)[0]


def observe_all(
    requests: Iterable[CapturedRequest], tracking_only: bool = True, sdk: str | None = None
) -> list[Observation]:
    """Observations in arrival order; by default only the tracking ones (the others are not events).

    ``sdk`` decodes every request with that SDK's decoder (a run knows its SDK); None picks the owner
    of each request. The cyclic garbage collector is paused meanwhile, as in the checker: decoding
    allocates many small objects and no cycles, and with a large heap its passes would cost more than
    the work.
    """
    fixed = decoder_for(sdk) if sdk is not None else None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        out: list[Observation] = []
        for r in requests:
            out += (fixed or decoder_for(owner_of(r)))(r)
    finally:
        if was_enabled:
            gc.enable()
    out = mark_copies(out)
    return [o for o in out if o.route != "other"] if tracking_only else out


def mark_copies(observations: list[Observation]) -> list[Observation]:
    """Each observation whose ``event_id`` an earlier one carried, marked ``copy_of`` that one's key: a
    re-sent event (a retried batch) is a copy, not a new event. Observations without ids stay as they are."""
    first: dict[str, int] = {}
    out = observations
    for i, obs in enumerate(observations):
        if obs.event_id is None:
            continue
        seen = first.setdefault(obs.event_id, obs.key)
        if seen != obs.key and obs.copy_of != seen:
            if out is observations:
                out = list(observations)
            out[i] = dataclasses.replace(obs, copy_of=seen)
    return out
