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
    violates: tuple[str, ...] = ()  # the checklist ids (android#N / ios#N) the bug breaks


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in [
        Fault(
            "sends-after-stop",
            "stop",
            "stopIntegration() keeps the queue and the flush loop running",
            violates=("android#65", "ios#62"),
        ),
        Fault(
            "tracks-after-stop",
            "stop",
            "trackEvent/identifyCustomer are still stored after stopIntegration()",
            violates=("android#66", "ios#63"),
        ),
        Fault(
            "ids-merged",
            "identity",
            "identifyCustomer merges new ids into the old ones instead of replacing",
            violates=("android#13",),
        ),
        Fault(
            "timestamp-millis",
            "events",
            "event timestamps are sent in milliseconds instead of seconds",
            violates=("android#5", "ios#8"),
        ),
        Fault(
            "defaults-override",
            "events",
            "default properties override the call's own properties",
            violates=("android#9", "ios#11"),
        ),
        Fault("no-device-id", "events", "device_id is missing from event properties", violates=("android#10",)),
        Fault(
            "installation-every-launch",
            "install",
            "an installation event is sent on every init",
            violates=("android#17", "ios#1"),
        ),
        Fault(
            "wrong-event-route",
            "http",
            "custom events are posted to /customers instead of /customers/events",
            violates=("android#5", "ios#7"),
        ),
        # -- android (helper vandroid appends here) --
        # -- ios (helper vios appends here) --
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
