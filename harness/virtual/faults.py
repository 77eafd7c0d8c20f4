"""Seeded SDK bugs: realistic ways a real SDK release goes wrong, selectable at launch.

Each fault is a name the reference SDK checks at the one place where the bug would live. The suite
proves itself by catching every one of them (``harness selftest``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAULTS", "Fault", "Faults"]


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    description: str
    platforms: tuple[str, ...] = ("android", "ios")


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in [
        Fault("sends-after-stop", "stop", "stopIntegration() keeps the queue and the flush loop running"),
        Fault("tracks-after-stop", "stop", "trackEvent/identifyCustomer are still stored after stopIntegration()"),
        Fault("ids-merged", "identity", "identifyCustomer merges new ids into the old ones instead of replacing"),
        Fault("timestamp-millis", "events", "event timestamps are sent in milliseconds instead of seconds"),
        Fault("defaults-override", "events", "default properties override the call's own properties"),
        Fault("no-device-id", "events", "device_id is missing from event properties"),
        Fault("installation-every-launch", "install", "an installation event is sent on every init"),
        Fault("wrong-event-route", "http", "custom events are posted to /customers instead of /customers/events"),
    ]
}


class Faults:
    """The faults active in one app process."""

    def __init__(self, names: list[str] | None = None) -> None:
        unknown = [n for n in names or [] if n not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
        self.names = frozenset(names or [])

    def __contains__(self, name: str) -> bool:
        if name not in FAULTS:
            raise KeyError(f"fault {name!r} is not declared in FAULTS")
        return name in self.names
