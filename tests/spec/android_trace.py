"""Hand-written stimulus traces for the Android profile tests."""

from __future__ import annotations

from typing import Any

from harness.spec.profiles import get_profile
from harness.spec.trace import Stimulus

CONFIG = {"projectToken": "T", "authorization": "Token k", "baseURL": "http://c"}
T0 = 1_700_000_000.0


def trace(*steps: tuple[Any, ...], start: float = T0) -> list[Stimulus]:
    """install + launch, then each ``(kind, name, args[, seconds after the previous step])``."""
    out = [Stimulus(0, "app", "install", {}, start, 1.0), Stimulus(1, "app", "launch", {}, start, 1.0)]
    t = start
    for step in steps:
        kind, name, args = step[:3]
        t += step[3] if len(step) > 3 else 1.0
        out.append(Stimulus(len(out), kind, name, args, t, t - start + 1.0))
    return out


def expect(*steps: tuple[Any, ...], start: float = T0) -> Any:
    return get_profile("exponea-android").expect(trace(*steps, start=start))


def init(**config: Any) -> tuple[str, str, dict[str, Any]]:
    return ("call", "init", {"configuration": {**CONFIG, **config}})


def call(name: str, **args: Any) -> tuple[str, str, dict[str, Any]]:
    return ("call", name, args)


def env(name: str, **args: Any) -> tuple[str, str, dict[str, Any]]:
    return ("env", name, args)


SETTLE = ("sync", "settle", {})


def named(ex: Any, event_type: str) -> list[Any]:
    return [e for e in ex.requests if e.body.get("event_type") == event_type]


def props(e: Any) -> dict[str, Any]:
    return dict(e.body["properties"])
