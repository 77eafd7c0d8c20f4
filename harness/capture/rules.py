"""Answer rules: make the collector answer some requests differently, for retry tests.

(Not "faults": that word is kept for the virtual SDK's seeded bugs, ``harness run --fault NAME``.)

A rule says *which* requests it takes (route, method, device key; the nth one, a seeded share of
them, the first ``times`` of them, or those within a time window) and *what* happens to them:
``answer`` (a given status and body), ``delay`` (the normal answer, late), ``reset`` (the connection
is reset without an answer) or ``hang`` (never answered; the SDK's own timeout decides).

Rules are checked in the order they were added; the first one that takes a request decides. A rule
that has used up its ``times``, its ``nth`` or its window retires. Every request is still stored
first, with the rule that answered it (``CapturedRequest.rule``), so a profile can tell that the SDK
was answered 500 and derive the retry it must make.

Rules come from three places, all ending in :meth:`AnswerRules.add`: Python tests
(``server.rules.add(route="events", status=500, times=2)``), the command line
(``--rule 'route=events,status=500,times=2'``, see :func:`parse_rule_spec`) and scenario steps
(``respond: {...}``, :meth:`AnswerRules.add_from_step`, for one device key only).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.capture.routing import route_aliases, route_names
from harness.errors import ConfigError

__all__ = ["ACTIONS", "AnswerRule", "AnswerRules", "parse_rule_spec", "respond_rule"]

ACTIONS = ("answer", "delay", "reset", "hang")

_FAILURE_BODY = b'{"success":false}'


@dataclass
class AnswerRule:
    """One answer rule. Construct through :meth:`AnswerRules.add`, which validates it.

    Selection: ``route`` (an alias, a route name or ``any``), ``method`` (``None`` for any),
    ``device`` (``None`` for every device key), ``nth`` (only the nth matching request from now on),
    ``share`` (this share of matching requests, drawn from an RNG seeded with ``seed``), ``times``
    (retire after answering this many), ``after``/``seconds`` (a window in host time from the moment
    the rule was added: it starts ``after`` seconds later and retires ``seconds`` after being added).
    """

    route: str = "any"
    method: str | None = "POST"
    action: str = "answer"
    status: int | None = None
    body: bytes | None = None
    delay: float = 0.0
    times: int | None = None
    nth: int | None = None
    share: float | None = None
    seconds: float | None = None
    after: float = 0.0
    device: str | None = None
    seed: int = 0
    id: int = 0
    seen: int = field(default=0, compare=False)
    applied: int = field(default=0, compare=False)
    retired: bool = field(default=False, compare=False)
    added_at: float = field(default_factory=time.monotonic, compare=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    @property
    def label(self) -> str:
        """What is stored with each request this rule answered, e.g. ``#1 route=events status=500 times=2``."""
        parts = [f"#{self.id}", f"route={self.route}"]
        if self.method != "POST":
            parts.append(f"method={self.method or '*'}")
        if self.device is not None:
            parts.append(f"device={self.device}")
        if self.action != "answer":
            parts.append(f"action={self.action}")
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.action == "delay":
            parts.append(f"delay={self.delay:g}")
        for name in ("times", "nth", "share", "seconds"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}")
        if self.after:
            parts.append(f"after={self.after:g}")
        return " ".join(parts)

    def _matches(self, method: str, route: str, device: str) -> bool:
        return (
            (self.route == "any" or self.route == route)
            and (self.method is None or self.method == method)
            and (self.device is None or self.device == device)
        )

    def _takes(self, now: float) -> bool:
        """Called for a matching request: counts it and says whether this rule answers it."""
        age = now - self.added_at
        if self.seconds is not None and age >= self.seconds:
            self.retired = True
            return False
        if age < self.after:
            return False
        self.seen += 1
        if self.nth is not None:
            if self.seen < self.nth:
                return False
            self.retired = True
            if self.seen > self.nth:
                return False
        if self.share is not None and self._rng.random() >= self.share:
            return False
        self.applied += 1
        if self.times is not None and self.applied >= self.times:
            self.retired = True
        return True


class AnswerRules:
    """The collector's answer rules; safe to change from any thread while the collector serves.

    Args:
        seed: the base seed for ``share`` rules (each rule's RNG is seeded with ``seed + rule id``
            unless the rule gives its own), so a run with the same rules draws the same requests.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._rules: list[AnswerRule] = []
        self._next_id = 1
        self.history: list[AnswerRule] = []  # every rule ever added, retired ones included

    def __bool__(self) -> bool:
        return bool(self._rules)

    @property
    def active(self) -> list[AnswerRule]:
        """The active rules, in the order they are checked."""
        with self._lock:
            return list(self._rules)

    def add(
        self,
        route: str = "any",
        *,
        method: str | None = "POST",
        action: str = "answer",
        status: int | None = None,
        body: bytes | str | Any = None,
        delay: float = 0.0,
        times: int | None = None,
        nth: int | None = None,
        share: float | None = None,
        seconds: float | None = None,
        after: float = 0.0,
        device: str | None = None,
        seed: int | None = None,
    ) -> AnswerRule:
        """Add a rule (checked after the ones already there); raises ``ConfigError`` naming a bad field."""
        # the short names scenarios use (docs/scenarios.md) come from the SDK plug-ins (Sdk.route_aliases)
        aliases = route_aliases()
        route = aliases.get(route, route)
        if route != "any" and route not in route_names():
            known = ", ".join([*aliases, "any", *route_names()])
            raise ConfigError("rule.route", f"unknown route {route!r} (known: {known})")
        if method is not None:
            method = method.upper()
            if method in ("*", "ANY"):
                method = None
        if action not in ACTIONS:
            raise ConfigError("rule.action", f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
        if action == "answer" and status is None:
            raise ConfigError("rule.status", "action 'answer' needs a status")
        if status is not None and not 100 <= int(status) <= 599:
            raise ConfigError("rule.status", f"status {status} is not between 100 and 599")
        if action == "delay" and delay <= 0:
            raise ConfigError("rule.delay", "action 'delay' needs delay > 0 (seconds)")
        for name, value in (("times", times), ("nth", nth)):
            if value is not None and int(value) < 1:
                raise ConfigError(f"rule.{name}", f"{name} must be at least 1, got {value}")
        if share is not None and not 0 <= share <= 1:
            raise ConfigError("rule.share", f"share must be between 0 and 1, got {share}")
        if seconds is not None and seconds < 0:
            raise ConfigError("rule.seconds", f"seconds must not be negative, got {seconds}")
        with self._lock:
            rule_id = self._next_id
            self._next_id += 1
            rule = AnswerRule(
                route=route,
                method=method,
                action=action,
                status=None if status is None else int(status),
                body=_body_bytes(body, status),
                delay=float(delay),
                times=None if times is None else int(times),
                nth=None if nth is None else int(nth),
                share=None if share is None else float(share),
                seconds=None if seconds is None else float(seconds),
                after=float(after),
                device=device,
                seed=self.seed + rule_id if seed is None else seed,
                id=rule_id,
            )
            rule._rng.seed(rule.seed)
            self._rules.append(rule)
            self.history.append(rule)
        return rule

    def add_from_step(self, device_key: str, rule: Mapping[str, Any]) -> AnswerRule:
        """A scenario's ``respond`` step (docs/scenarios.md): the rule applies to ``device_key`` only."""
        return self.add(**respond_rule(device_key, rule))

    def add_spec(self, spec: str) -> AnswerRule:
        """A rule from its command-line form, see :func:`parse_rule_spec`."""
        return self.add(**parse_rule_spec(spec))

    def remove(self, rule: AnswerRule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, route: str, device: str) -> AnswerRule | None:
        """The rule that answers this request, if any (counts the request for every matching rule it reaches)."""
        if not self._rules:
            return None
        now = time.monotonic()
        with self._lock:
            chosen = None
            for rule in self._rules:
                if rule._matches(method, route, device) and rule._takes(now):
                    chosen = rule
                    break
            if any(r.retired for r in self._rules):
                self._rules = [r for r in self._rules if not r.retired]
            return chosen


def answer_body(rule: AnswerRule, normal: bytes) -> bytes:
    """The body a rule answers with: its own, else ``{"success":false}`` for errors, else the route's."""
    if rule.body is not None:
        return rule.body
    if rule.status is not None and rule.status >= 400:
        return _FAILURE_BODY
    return normal


def _body_bytes(body: object, status: int | None) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, separators=(",", ":")).encode()


_INT_KEYS = {"status", "times", "nth", "seed"}
_FLOAT_KEYS = {"delay", "share", "seconds", "after"}
_STR_KEYS = {"route", "method", "action", "device"}


def parse_rule_spec(spec: str) -> dict[str, Any]:
    """``route=events,status=500,times=2`` → keyword arguments for :meth:`AnswerRules.add`.

    ``body=`` takes the rest of the string (it may contain commas), so it must come last.
    """
    out: dict[str, Any] = {}
    rest = spec.strip()
    while rest:
        item, _, tail = rest.partition(",")
        key, eq, value = item.partition("=")
        key = key.strip()
        if key == "body":
            out["body"] = rest.partition("=")[2]
            break
        rest = tail.strip()
        if not eq:
            raise ConfigError(f"--rule {spec!r}", f"{item!r} is not key=value")
        value = value.strip()
        try:
            if key in _INT_KEYS:
                out[key] = int(value)
            elif key in _FLOAT_KEYS:
                out[key] = float(value)
            elif key in _STR_KEYS:
                out[key] = value
            else:
                known = sorted(_INT_KEYS | _FLOAT_KEYS | _STR_KEYS | {"body"})
                raise ConfigError(f"--rule {spec!r}", f"unknown key {key!r} (known: {', '.join(known)})")
        except ValueError:
            raise ConfigError(f"--rule {spec!r}", f"{key}={value!r} is not a number") from None
    if "route" not in out:
        out["route"] = "any"
    return out


def respond_rule(device_key: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    """A ``respond`` step's rule as :meth:`AnswerRules.add` keywords for ``device_key`` only (checked here,
    so that a collector in another process refuses the same keys with the same message)."""
    known = {"route", "method", "status", "body", "action", "delay", "times", "nth", "share", "seconds"}
    unknown = set(rule) - known
    if unknown:
        raise ConfigError("respond", f"unknown keys {sorted(unknown)} (known: {sorted(known)})")
    return {**rule, "device": device_key}
