"""Seeded identity bugs of the STAND-IN Antsomi SDK, selectable at launch.

Each fault breaks one identity promise of research other-sdks.md B3/B5 (``violates``: the
``antsomi-flutter#N`` items, see ``Sdk.checklist_names``) at the one place in the stand-in where the bug would live.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAULTS", "Fault", "Faults"]


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    description: str
    platforms: tuple[str, ...] = ("android",)
    violates: tuple[str, ...] = ()


def _f(name: str, description: str, *numbers: int) -> Fault:
    return Fault(name, "identity", description, violates=tuple(f"antsomi-flutter#{n}" for n in numbers))


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in [
        _f("uid-rotates-on-relaunch", "a new UID is generated at every app launch (not stored)", 2),
        _f("uid-missing-on-first-event", "the first event after install carries no uid", 1),
        _f("cid-missing-after-identify", "events after setCustomerProperties carry no customer id", 6),
        _f("cid-kept-after-reset", "resetCustomer/removeCustomer keeps the customer id on later events", 8),
        _f("cid-before-identify", "anonymous events carry the UID as customer id", 5),
        _f("reset-uid-keeps-old", "resetUid keeps the old UID", 9),
        _f("set-uid-ignored", "setUid(X) is ignored: later events keep the old UID", 10),
        _f("event-customer-id-dropped", "an event's customerProps.customer_id is not sent", 7),
        _f("screen-as-custom", "trackScreen sends a custom event instead of a screen view", 11),
        _f("prop-id-missing", "requests carry no prop_id in the query", 3),
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
