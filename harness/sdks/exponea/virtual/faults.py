"""Seeded SDK bugs: realistic ways a real SDK release goes wrong, selectable at launch.

Each fault is a name the reference SDK checks at the one place where the bug would live. The suite
proves itself by catching every one of them (``harness selftest``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

__all__ = ["FAULTS", "Fault", "Faults", "basic_authorization"]


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
            "inapp-fetch-after-stop",
            "stop",
            "stopIntegration() leaves the in-app message manager running: a call after the stop (itself dropped) "
            "still fetches in-app messages",
            platforms=("android",),
            violates=("android#66",),
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
        Fault(
            "fetch-basic-auth",
            "http",
            "the SDK's own fetches (content-block bundle, in-app messages) send Basic auth built from the"
            " project token instead of the configured authorization",
        ),
        # -- android (helper vandroid appends here) --
        Fault(
            "token-not-invalidated-on-anonymize",
            "push-token",
            "anonymize() does not send notification_state Invalidated for the stored token on the old project",
            platforms=("android",),
            violates=("android#61",),
        ),
        Fault(
            "token-every-launch",
            "push-token",
            "ON_TOKEN_CHANGE behaves like EVERY_LAUNCH: the same token is re-sent at every init and foreground",
            platforms=("android",),
            violates=("android#29",),
        ),
        Fault(
            "token-valid-when-denied",
            "push-token",
            "requirePushAuthorization with permission denied still reports valid:true, Permission granted",
            platforms=("android",),
            violates=("android#31",),
        ),
        Fault(
            "old-token-not-invalidated",
            "push-token",
            "handleNewToken with a different token does not invalidate the old one first",
            platforms=("android",),
            violates=("android#32",),
        ),
        Fault(
            "hms-platform-android",
            "push-token",
            "HMS tokens are reported with platform android instead of huawei",
            platforms=("android",),
            violates=("android#27",),
        ),
        Fault(
            "token-with-default-properties",
            "push-token",
            "notification_state carries the default properties",
            platforms=("android",),
            violates=("android#26",),
        ),
        Fault(
            "token-lost-before-init",
            "push-token",
            "a token handed over before any configuration is dropped instead of sent at the next init",
            platforms=("android",),
            violates=("android#33",),
        ),
        Fault(
            "no-resend-on-app-update",
            "push-token",
            "a changed app version or applicationId does not re-send the stored token (pre-4.10 behaviour)",
            platforms=("android",),
            violates=("android#30",),
        ),
        Fault(
            "legacy-token-property",
            "push-token",
            "the token goes out as the pre-4.6 customer property google_push_notification_id, not notification_state",
            platforms=("android",),
            violates=("android#26", "android#27"),
        ),
        Fault(
            "session-end-wrong-duration",
            "sessions",
            "the session-end worker counts the time spent in the background into duration",
            platforms=("android",),
            violates=("android#21",),
        ),
        Fault(
            "session-not-resumed",
            "sessions",
            "a foreground within sessionTimeout ends the session and starts a new one",
            platforms=("android",),
            violates=("android#19",),
        ),
        Fault(
            "session-worker-no-flush",
            "sessions",
            "the session-end worker does not flush in MANUAL mode",
            platforms=("android",),
            violates=("android#21", "android#57"),
        ),
        Fault(
            "anonymize-no-session-end",
            "identity",
            "anonymize() does not end the old customer's session",
            platforms=("android",),
            violates=("android#61",),
        ),
        Fault(
            "no-retry-after-5xx",
            "retry",
            "a 5xx answer deletes the event instead of keeping it for the next flush",
            platforms=("android",),
            violates=("android#52",),
        ),
        Fault(
            "retry-forever-on-4xx",
            "retry",
            "4xx answers never count a try, so the event is retried forever",
            platforms=("android",),
            violates=("android#53",),
        ),
        Fault(
            "connection-failure-not-counted",
            "retry",
            "an unreachable server does not count a try, so the event is never dropped",
            platforms=("android",),
            violates=("android#54",),
        ),
        Fault(
            "body-inspected",
            "retry",
            'a 200 answer with {"success":false} counts as a failure and the event is re-sent',
            platforms=("android",),
            violates=("android#56",),
        ),
        Fault(
            "offline-events-lost",
            "flush",
            "a flush while offline drops the queued events",
            platforms=("android",),
            violates=("android#55",),
        ),
        Fault(
            "newest-first",
            "flush",
            "the queue is flushed newest first instead of in timestamp order",
            platforms=("android",),
            violates=("android#4",),
        ),
        Fault(
            "no-flush-on-background",
            "flush",
            "PERIOD/APP_CLOSE mode does not flush when the app goes to the background",
            platforms=("android",),
            violates=("android#59",),
        ),
        Fault(
            "periodic-flush-never",
            "flush",
            "the periodic flush job runs but does not flush",
            platforms=("android",),
            violates=("android#59",),
        ),
        Fault(
            "pre-init-calls-dropped",
            "events",
            "calls made before init are dropped instead of run after it",
            platforms=("android",),
            violates=("android#77",),
        ),
        Fault(
            "identify-without-defaults",
            "identity",
            "identifyCustomer leaves out the default properties although allowDefaultCustomerProperties is on",
            platforms=("android",),
            violates=("android#12",),
        ),
        Fault(
            "delivered-without-consent",
            "push",
            "trackDeliveredPush sends the event although the payload has no tracking consent",
            platforms=("android",),
            violates=("android#38",),
        ),
        Fault(
            "force-track-ignored",
            "push",
            "xnpe_force_track in the action URL does not override a missing consent",
            platforms=("android",),
            violates=("android#40",),
        ),
        Fault(
            "sent-timestamp-ignored",
            "push",
            "the delivered timestamp is the receive time even when it is not after sent_timestamp",
            platforms=("android",),
            violates=("android#41",),
        ),
        Fault(
            "silent-push-shown",
            "push",
            "a silent push is reported with state shown",
            platforms=("android",),
            violates=("android#45",),
        ),
        Fault(
            "utm-params-dropped",
            "push",
            "url_params (utm_*, xnpe_cmp) of a push are not added to delivered/clicked events",
            platforms=("android",),
            violates=("android#42",),
        ),
        Fault(
            "payment-field-names",
            "payments",
            "payment properties use the Kotlin field names (value, paymentSystem, productId), not brutto/item_id",
            platforms=("android",),
            violates=("android#46",),
        ),
        Fault(
            "campaign-click-without-cmp",
            "campaigns",
            "a deep link without xnpe_cmp still sends a campaigns/clicks request",
            platforms=("android",),
            violates=("android#48",),
        ),
        Fault(
            "campaign-session-no-utm",
            "campaigns",
            "session_start does not carry the stored campaign's utm values",
            platforms=("android",),
            violates=("android#48", "android#42"),
        ),
        Fault(
            "route-map-duplicates",
            "projects",
            "projectRouteMap entries equal to the main project are not de-duplicated",
            platforms=("android",),
            violates=("android#50",),
        ),
        Fault(
            "anonymize-keeps-external-ids",
            "identity",
            "anonymize() keeps the external customer ids for the new cookie",
            platforms=("android",),
            violates=("android#63",),
        ),
        Fault(
            "anonymize-new-device-id",
            "identity",
            "anonymize() also renews device_id",
            platforms=("android",),
            violates=("android#63",),
        ),
        Fault(
            "clear-while-initialized",
            "stop",
            "clearLocalCustomerData() wipes the customer while the SDK is initialized",
            platforms=("android",),
            violates=("android#68",),
        ),
        Fault(
            "stop-keeps-token",
            "stop",
            "stopIntegration() does not clear the legacy token store, so the next init re-sends the token",
            platforms=("android",),
            violates=("android#67",),
        ),
        Fault(
            "authorization-token-doubled",
            "http",
            "the tracking Authorization header is built as 'Token ' + the configured value, so it reads Token Token K",
            platforms=("android",),
            violates=("android#1",),
        ),
        Fault(
            "content-type-no-charset",
            "http",
            "tracking POSTs say Content-Type application/json without '; charset=utf-8'",
            platforms=("android",),
            violates=("android#2",),
        ),
        Fault(
            "null-timestamp-filled",
            "events",
            "trackEvent with timestamp null sends the current time instead of no timestamp key",
            platforms=("android",),
            violates=("android#6",),
        ),
        Fault(
            "null-event-type-string",
            "events",
            "trackEvent with eventType null sends event_type 'null' (string conversion) instead of no key",
            platforms=("android",),
            violates=("android#7",),
        ),
        Fault(
            "ids-rewritten-on-identify",
            "identity",
            "identifyCustomer rewrites the customer_ids of queued events: earlier events go out with the new ids",
            platforms=("android",),
            violates=("android#14",),
        ),
        Fault(
            "user-cookie-accepted",
            "identity",
            "identifyCustomer takes a cookie the app passes in instead of ignoring it",
            platforms=("android",),
            violates=("android#15",),
        ),
        Fault(
            "installation-no-os-version",
            "install",
            "the installation event leaves out os_version",
            platforms=("android",),
            violates=("android#16",),
        ),
        Fault(
            "session-end-at-foreground",
            "sessions",
            "a foreground after sessionTimeout stamps session_end with the foreground time, not the background time",
            platforms=("android",),
            violates=("android#20",),
        ),
        Fault(
            "manual-start-in-automatic",
            "sessions",
            "trackSessionStart() is honoured while automaticSessionTracking is on",
            platforms=("android",),
            violates=("android#22",),
        ),
        Fault(
            "manual-no-autoclose",
            "sessions",
            "manualSessionAutoClose is ignored: a second trackSessionStart sends no session_end",
            platforms=("android",),
            violates=("android#23",),
        ),
        Fault(
            "manual-autoclose-always",
            "sessions",
            "manualSessionAutoClose=false is ignored: a second trackSessionStart also sends a session_end",
            platforms=("android",),
            violates=("android#24",),
        ),
        Fault(
            "manual-end-duration-now",
            "sessions",
            "trackSessionEnd(ts) computes duration to the current time instead of to ts",
            platforms=("android",),
            violates=("android#25",),
        ),
        Fault(
            "push-token-deduped",
            "push-token",
            "trackPushToken with the token already stored sends nothing (ON_TOKEN_CHANGE rules on the explicit call)",
            platforms=("android",),
            violates=("android#28",),
        ),
        Fault(
            "daily-new-token-sent",
            "push-token",
            "with tokenTrackFrequency DAILY a new token is sent on the same day",
            platforms=("android",),
            violates=("android#34",),
        ),
        Fault(
            "foreign-push-handled",
            "push",
            "handleRemoteMessage handles a payload whose source is not xnpe_platform",
            platforms=("android",),
            violates=("android#43",),
        ),
        Fault(
            "auto-push-ignores-flag",
            "push",
            "handleRemoteMessage tracks delivery although automaticPushNotification is false",
            platforms=("android",),
            violates=("android#44",),
        ),
        Fault(
            "route-map-first-only",
            "http",
            "only the first project of a projectRouteMap entry gets the event",
            platforms=("android",),
            violates=("android#49",),
        ),
        Fault(
            "immediate-no-flush",
            "flush",
            "IMMEDIATE mode does not flush after an event; events wait for another trigger",
            platforms=("android",),
            violates=("android#58",),
        ),
        Fault(
            "anonymize-moves-queued-events",
            "identity",
            "anonymize(exponeaProject) also sends the events queued before it to the new project",
            platforms=("android",),
            violates=("android#62",),
        ),
        Fault(
            "anonymize-session-when-manual",
            "identity",
            "anonymize() starts a new session although automaticSessionTracking is off",
            platforms=("android",),
            violates=("android#64",),
        ),
        Fault(
            "clear-keeps-device-id",
            "stop",
            "clearLocalCustomerData() keeps device_id",
            platforms=("android",),
            violates=("android#69",),
        ),
        Fault(
            "null-authorization-omitted",
            "http",
            "with authorization null the Authorization header is left out instead of the literal 'null'",
            platforms=("android",),
            violates=("android#75",),
        ),
        Fault(
            "html-escaped-json",
            "events",
            "the JSON writer escapes < > & ' as \\u003c-style sequences (Gson's default HTML escaping)",
            platforms=("android",),
            violates=("android#78",),
        ),
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


def basic_authorization(user: str) -> str:
    """The header of the ``fetch-basic-auth`` fault: HTTP Basic of ``user:`` (RFC 7617)."""
    return "Basic " + base64.b64encode(f"{user}:".encode()).decode("ascii")
