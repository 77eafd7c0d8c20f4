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
            platforms=("android",),  # merging is the correct behaviour on iOS (research ios §5.2)
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
        Fault("no-device-id", "events", "device_id is missing from event properties", violates=("android#10", "ios#7")),
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
        Fault(
            "ios-cookie-lowercase",
            "identity",
            "the cookie UUID is sent lower-case instead of UUID().uuidString",
            platforms=("ios",),
            violates=("ios#14",),
        ),
        Fault(
            "ios-ids-at-track-time",
            "identity",
            "customer_ids are snapshotted when an event is tracked instead of resolved at flush time",
            platforms=("ios",),
            violates=("ios#20",),
        ),
        Fault(
            "ios-no-companion-update",
            "push-token",
            "notification_state is stored without its companion empty customer update",
            platforms=("ios",),
            violates=("ios#28",),
        ),
        Fault(
            "ios-no-token-invalidation",
            "push-token",
            "a new APNs token does not invalidate the previous one",
            platforms=("ios",),
            violates=("ios#30",),
        ),
        Fault(
            "ios-everylaunch-no-foreground",
            "push-token",
            "tokenTrackFrequency everyLaunch tracks at configure but not on a foreground",
            platforms=("ios",),
            violates=("ios#34",),
        ),
        Fault(
            "ios-retries-beyond-max",
            "http",
            "a row failing with a 4xx is attempted twice maxRetries times before it is dropped",
            platforms=("ios",),
            violates=("ios#67",),
        ),
        Fault(
            "ios-stream-401-no-resend",
            "http",
            "in stream mode a 401 is not re-sent after 1 s",
            platforms=("ios",),
            violates=("ios#73",),
        ),
        Fault(
            "ios-nan-breaks-request",
            "events",
            "NaN/Inf properties are not removed, JSONSerialization throws and the request goes out with no body",
            platforms=("ios",),
            violates=("ios#13",),
        ),
        Fault(
            "ios-session-duration-to-relaunch",
            "sessions",
            "session_end duration runs to the relaunch instead of to the backgrounding time",
            platforms=("ios",),
            violates=("ios#50",),
        ),
        Fault(
            "ios-delivered-timestamp-not-plus-one",
            "push",
            "a push event in the past of sent/delivered_timestamp takes that timestamp, not timestamp + 1",
            platforms=("ios",),
            violates=("ios#40", "ios#47"),
        ),
        Fault(
            "ios-no-flush-delay",
            "flush",
            "immediate mode flushes at once instead of 3 s after the event (no session_start amend)",
            platforms=("ios",),
            violates=("ios#3", "ios#26"),
        ),
        Fault(
            "ios-500-dropped",
            "http",
            "a 500 with a non-JSON body counts a retry, so the row is dropped after maxRetries",
            platforms=("ios",),
            violates=("ios#68",),
        ),
        Fault(
            "ios-offline-counts-retry",
            "http",
            "a flush while offline counts a retry on every row (and drops them at maxRetries)",
            platforms=("ios",),
            violates=("ios#69",),
        ),
        Fault(
            "ios-customer-props-not-stripped",
            "identity",
            "customer updates keep platform/description/valid/... instead of stripping them",
            platforms=("ios",),
            violates=("ios#17", "ios#28"),
        ),
        Fault(
            "ios-defaults-on-notification-state",
            "push-token",
            "default properties are added to notification_state",
            platforms=("ios",),
            violates=("ios#10", "ios#27"),
        ),
        Fault(
            "ios-stop-no-final-events",
            "stop",
            "stopIntegration sends neither the bare session_end nor the token invalidation",
            platforms=("ios",),
            violates=("ios#62",),
        ),
        Fault(
            "ios-device-id-reset-on-anonymize",
            "identity",
            "anonymize also regenerates the install id, so device_id changes",
            platforms=("ios",),
            violates=("ios#57",),
        ),
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
