"""Seeded bugs of the reference Customer.io Android SDK: real bug classes, selectable at launch.

Each fault is checked at the one place where the bug would live and changes the wire only in the
rule it names (``violates``: the ``customerio-android#N`` numbers of research other-sdks.md A5; the
A6 additions live in A5's numbers where one fits). Many come from customerio-android's CHANGELOG.md
(for instance 4.18.0 "dedup identify", 4.5.3 "push delivered metric", 3.x "device token not
re-registered after a profile switch") or from analytics-kotlin's EventPipeline retry rules.
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
    violates: tuple[str, ...] = ()  # checklist ids customerio-android#N the bug breaks


def _f(name: str, area: str, description: str, *numbers: int) -> Fault:
    return Fault(name, area, description, violates=tuple(f"customerio-android#{n}" for n in numbers))


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in [
        _f("identify-not-deduped", "identity", "a repeated identify(sameUserId) without traits is sent again", 10),
        _f("blank-user-identified", "identity", "identify with a blank userId sends an identify event", 9),
        _f("anonymous-id-rotated-on-launch", "identity", "a new anonymousId is generated at every launch", 6),
        _f("anonymous-id-kept-on-clear", "identity", "clearIdentify keeps the old anonymousId", 12, 13),
        _f("no-device-deleted-on-clear", "identity", "clearIdentify with a token sends no Device Deleted", 12),
        _f(
            "device-deleted-new-user",
            "identity",
            "on a profile switch, Device Deleted carries the new userId instead of the old one",
            14,
        ),
        _f(
            "no-device-update-on-identify",
            "push token",
            "the first identify with a stored token sends no Device Created or Updated",
            17,
        ),
        _f(
            "no-delete-on-token-refresh",
            "push token",
            "registerDeviceToken(T2) with T1 registered sends no Device Deleted for T1",
            18,
        ),
        _f("blank-token-registered", "push token", "registerDeviceToken('') sends Device Created or Updated", 19),
        _f("token-missing-in-context", "context", "context.device.token is not added to later events", 20),
        _f("push-enabled-string", "device", "push_enabled is sent as the string 'true'/'false' (the iOS type)", 15),
        _f("ip-in-device-attributes", "device", "Device Created or Updated properties also carry an ip", 15, 16),
        _f("library-kept", "context", "context.library (analytics-kotlin's name and version) is kept", 4, 32),
        _f("timestamp-no-millis", "events", "event timestamps are written without milliseconds", 4),
        _f("empty-traits-sent", "events", "identify with empty traits sends traits: {}", 7),
        _f("date-as-string", "events", "a java.util.Date property is sent as its ISO-8601 text instead of null", 41),
        _f("anonymous-blank-user-id", "events", "anonymous events carry userId: '' instead of no userId key", 5),
        _f("metric-capitalized", "metrics", "Report Delivery Event metric is written 'Opened' (enum name)", 24),
        _f("screen-under-inapp", "events", "screen events are sent although screenViewUse is InApp", 23),
        _f(
            "lifecycle-when-disabled",
            "lifecycle",
            "Application Installed/Opened/... are sent although trackApplicationLifecycleEvents is false",
            28,
        ),
        _f("installed-every-launch", "lifecycle", "Application Installed is sent at every launch", 28),
        _f("retries-400", "retry", "a batch answered 400 is kept and re-sent", 29),
        _f("drops-on-500", "retry", "a batch answered 500 is deleted instead of re-sent", 29),
        _f("new-message-ids-on-retry", "retry", "a re-sent batch gets new messageIds", 29, 38),
        _f("sent-at-rewritten", "retry", "a re-sent batch gets a new sentAt (A6: the old one is repeated)", 3, 29, 38),
        _f("batch-not-gzipped", "http", "batch bodies are sent as plain JSON without Content-Encoding: gzip", 3, 31),
        _f("authorization-on-batch", "http", "batch uploads carry Authorization: Basic <key>:", 3),
        _f("push-delivered-twice", "push", "a push whose delivery id was seen among the last 10 is reported again", 25),
        _f("push-track-no-auth", "push", "the background POST /track has no Authorization header", 25, 39),
        _f(
            "opened-when-autotrack-off",
            "push",
            "a notification click sends the opened metric although autoTrackPushEvents is false",
            27,
        ),
        # -- fault-backed coverage (issue 17): one fault per checklist item that had none --
        _f("batch-path-v1-batch", "http", "batches are posted to /batch (Segment's own route) instead of /b", 1),
        _f("no-settings-fetch", "http", "init does not fetch the CDN settings", 2),
        _f("anonymous-id-renewed-on-identify", "identity", "identify generates a new anonymousId", 8),
        _f(
            "profile-attributes-need-user",
            "identity",
            "setProfileAttributes without an identified user sends nothing",
            11,
        ),
        _f(
            "device-defaults-win", "device", "setDeviceAttributes: the default attributes override the app's values", 21
        ),
        _f(
            "device-deleted-without-user", "push token", "deleteDeviceToken sends Device Deleted without the userId", 22
        ),
        _f("user-agent-no-prefix", "context", "context.userAgent lacks the 'Customer.io ' prefix", 30),
        _f("empty-event-name-dropped", "events", "track('') is dropped instead of sent as it is", 33),
        _f(
            "device-attributes-no-screen",
            "device",
            "the default device attributes leave out screen_width/screen_height",
            34,
        ),
        _f(
            "token-persisted", "push token", "the device token is stored and put on events again after a cold start", 35
        ),
        _f(
            "token-dropped-on-delete",
            "push token",
            "deleteDeviceToken removes the token from later events' context",
            36,
        ),
        _f(
            "device-deleted-blank-anonymous",
            "identity",
            "clearIdentify while anonymous sends userId '' (dropped) not 'null'",
            37,
        ),
        _f("no-flush-when-backgrounded", "flush", "Application Backgrounded does not force a flush", 40),
        # -- the push module's token fetch at init (ModuleMessagingPushFCM.getCurrentFcmToken) --
        _f(
            "no-token-fetch-at-init",
            "push token",
            "init does not fetch the current FCM token: after a cold start the token is not registered again",
            42,
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
