"""What the collector answers each request, predicted from the ``respond`` stimuli of a trace.

A profile needs the answers to derive retries and drops (ios §2.4, android §2.4). The rules are the
``respond`` steps of docs/scenarios.md, installed in trace order; the first installed rule that
still applies to a request answers it, and a request no rule matches gets ``200``. ``times`` and
``nth`` count matching requests in the order the profile sends them, so a scenario that wants a
deterministic answer on a platform that sends concurrently (iOS) should have one matching request
in flight at a time. ``share`` below 1 cannot be predicted and is refused.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import SpecError

__all__ = ["Answer", "AnswerRules"]

# Scenario route names → observation routes.
_ROUTES = {"events": "events", "customers": "customers", "campaigns": "campaign_clicks", "batch": "batch"}


@dataclass(frozen=True)
class Answer:
    """``action`` is ``answer`` (with ``status``/``body``), ``delay``, ``reset`` or ``hang``."""

    action: str = "answer"
    status: int = 200
    body: Any = None

    @property
    def connection_error(self) -> bool:
        return self.action in ("reset", "hang")


@dataclass
class _Rule:
    route: str
    method: str
    answer: Answer
    times: int | None
    nth: int | None
    until_host_time: float | None
    seen: int = 0
    used: int = 0

    def take(self, route: str, method: str, host_time: float) -> Answer | None:
        if self.route != "any" and self.route != route:
            return None
        if method != self.method or (self.until_host_time is not None and host_time >= self.until_host_time):
            return None
        if self.times is not None and self.used >= self.times:
            return None
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return None
        self.used += 1
        return self.answer


class AnswerRules:
    """The collector's answer rules for one run, consumed as the profile sends requests."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(self, rule: Mapping[str, Any], host_time: float, where: str) -> None:
        route = str(rule.get("route", "any"))
        if route != "any" and route not in _ROUTES:
            raise SpecError(f"{where}: respond route {route!r} is not one of any, {', '.join(_ROUTES)}")
        share = rule.get("share")
        if share is not None and float(share) not in (0.0, 1.0):
            raise SpecError(f"{where}: respond share={share} cannot be predicted by a profile")
        if share is not None and float(share) == 0.0:
            return
        action = str(rule.get("action", "answer"))
        if action not in ("answer", "delay", "reset", "hang"):
            raise SpecError(f"{where}: respond action {action!r} is unknown")
        status = int(rule.get("status", 200))
        body = rule.get("body", {"success": False} if status >= 400 else {"success": True})
        seconds = rule.get("seconds")
        self._rules.append(
            _Rule(
                route=_ROUTES.get(route, "any"),
                method=str(rule.get("method", "POST")).upper(),
                answer=Answer(action, status if action == "answer" else 200, body),
                times=int(rule["times"]) if rule.get("times") is not None else None,
                nth=int(rule["nth"]) if rule.get("nth") is not None else None,
                until_host_time=host_time + float(seconds) if seconds is not None else None,
            )
        )

    def copy(self) -> AnswerRules:
        """An independent copy: a profile that does not know whether a request was made keeps both."""
        return copy.deepcopy(self)

    def counts(self) -> tuple[tuple[int, int], ...]:
        """How many requests each rule has seen and answered: two copies with equal counts answer alike."""
        return tuple((rule.seen, rule.used) for rule in self._rules)

    def has_rules(self) -> bool:
        """True once any rule was installed (a request may have got an answer other than 200)."""
        return bool(self._rules)

    def answer(self, route: str, host_time: float, method: str = "POST") -> Answer:
        for rule in self._rules:
            got = rule.take(route, method, host_time)
            if got is not None:
                return got
        return Answer()
