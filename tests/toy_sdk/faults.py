"""The toy SDK's seeded bug: ``track`` sends the event name upper-cased."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    description: str
    platforms: tuple = ("android",)
    violates: tuple = ()


FAULTS = {
    "toy-shouts": Fault("toy-shouts", "events", "track sends the event name upper-cased", violates=("toy-android#1",))
}


class Faults:
    def __init__(self, names=None):
        unknown = [n for n in names or [] if n not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
        self.names = frozenset(names or [])

    def __contains__(self, name):
        return name in self.names
