"""What the collector answers each upload, predicted from the trace's ``respond`` steps (docs/scenarios.md).

Route names are the collector's (``cio-batch``, ``cio-single``, ``any``); ``times`` and ``nth`` count the
matching uploads in the order the model sends them (Android sends one batch at a time:
analytics-kotlin ``EventPipeline.upload`` runs on one coroutine). ``share`` below 1 cannot be predicted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import SpecError

__all__ = ["Answer", "AnswerRules"]

ROUTES = ("cio-batch", "cio-single", "any")


@dataclass(frozen=True)
class Answer:
    action: str = "answer"  # answer | delay | reset | hang
    status: int = 200

    @property
    def delivered(self) -> bool:
        """The upload succeeded: 2xx (a delay still answers)."""
        return self.action in ("answer", "delay") and 200 <= self.status < 300

    @property
    def dropped(self) -> bool:
        """analytics-kotlin ``EventPipeline.handleUploadException``: a 4xx other than 429 deletes the batch."""
        return self.action == "answer" and 400 <= self.status < 500 and self.status != 429


@dataclass
class _Rule:
    route: str
    answer: Answer
    times: int | None
    nth: int | None
    until: float | None
    seen: int = 0

    def take(self, route: str, host_time: float) -> Answer | None:
        if self.route not in ("any", route) or (self.until is not None and host_time >= self.until):
            return None
        if self.times is not None and self.times <= 0:
            return None
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return None
        if self.times is not None:
            self.times -= 1
        return self.answer


class AnswerRules:
    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(self, rule: Mapping[str, Any], host_time: float, where: str) -> None:
        route = str(rule.get("route", "any"))
        if route not in ROUTES:
            raise SpecError(f"{where}: respond route {route!r} is not one of {', '.join(ROUTES)}")
        share = rule.get("share")
        if share is not None and float(share) not in (0.0, 1.0):
            raise SpecError(f"{where}: respond share={share} cannot be predicted by a profile")
        if share is not None and float(share) == 0.0:
            return
        action = str(rule.get("action", "answer"))
        if action not in ("answer", "delay", "reset", "hang"):
            raise SpecError(f"{where}: respond action {action!r} is unknown")
        status = int(rule.get("status", 200)) if action == "answer" else 200
        seconds = rule.get("seconds")
        self._rules.append(
            _Rule(
                route,
                Answer(action, status),
                int(rule["times"]) if rule.get("times") is not None else None,
                int(rule["nth"]) if rule.get("nth") is not None else None,
                host_time + float(seconds) if seconds is not None else None,
            )
        )

    def answer(self, route: str, host_time: float) -> Answer:
        for rule in self._rules:
            got = rule.take(route, host_time)
            if got is not None:
                return got
        return Answer()
