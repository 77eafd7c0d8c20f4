"""The model of the Customer.io Android SDK 4.19.0: a stimulus trace -> the events it sends.

Sources are cited per rule: ``android:`` is customerio/customerio-android@4.19.0 (f01cb97b),
``seg-kt:`` segmentio/analytics-kotlin (1.24.1 per the research; read at 1.25.0's tree where the
lines are unchanged). The rules of CustomerIO.kt quoted below are ``identifyImpl`` (lines 229-293),
``clearIdentifyImpl`` (319-341), ``registerDeviceTokenImpl`` (367-378), ``trackDeviceAttributes``
(380-409) and ``deleteDeviceToken`` (413-423) of ``datapipelines/src/main/kotlin/io/customer/sdk/CustomerIO.kt``.
"""

from __future__ import annotations

import base64
from typing import Any

from harness.errors import SpecError
from harness.sdk.base import parse_version
from harness.sdks.customerio.headers import HeaderRules
from harness.sdks.customerio.spec.profiles.android.answers import AnswerRules
from harness.sdks.customerio.spec.profiles.android.matchers import Bool, Context, Maybe
from harness.sdks.customerio.spec.profiles.android.state import DEFAULT_DEVICE_KEYS, VERSION, Pending, Stored
from harness.sdks.customerio.wire import event_name
from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Absent, Any_, DeviceTime, OneOf, Var
from harness.spec.trace import Stimulus

__all__ = ["Model"]

_TOLERANCE = 3.0  # seconds between the runner's step and the SDK's timestamp
_DEFAULTS: dict[str, Any] = {
    "cdpApiKey": "",
    "flushAt": 20,  # CustomerIOConfigBuilder defaults (research A2/A4)
    "flushInterval": 30,
    "trackApplicationLifecycleEvents": True,
    "autoTrackDeviceAttributes": True,
    "screenViewUse": "All",
    "autoTrackPushEvents": True,
}
_CURRENT: Any = object()  # "the SDK's current value" for an event's userId / token
_DATE = "$date"  # a canonical date value (docs/sdk-calls.md): ``{"$date": ISO-8601}``, a java.util.Date in the app


def _json_values(value: Any) -> tuple[Any, bool]:
    """What the SDK writes for a caller's value, and whether a date was in it (android#41).

    seg-kt ``Any.toJsonElement`` (core/.../utilities/JSON.kt:396-429, analytics-kotlin 1.25.0) turns a type
    with no kotlinx serializer into ``JsonNull``: a ``java.util.Date`` goes out as ``null`` (A6)."""
    if isinstance(value, dict):
        if set(value) == {_DATE}:
            return None, True
        pairs = {k: _json_values(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(d for _, d in pairs.values())
    if isinstance(value, list):
        items = [_json_values(v) for v in value]
        return [v for v, _ in items], any(d for _, d in items)
    return value, False


class Model:
    """One run's SDK: stored state, the process's state, and the expectations so far."""

    def __init__(self, version: str = VERSION) -> None:
        self.v = parse_version(version)
        self.version = version
        self.stored = Stored()
        self.out = Expectations(ordered=False, header_rules=HeaderRules("android"))
        self.rules = AnswerRules()
        self.seq = 0
        self.cause = 0
        self.now = 0.0
        self.host_now = 0.0
        self._process_reset()

    def _process_reset(self) -> None:
        self.initialized = False
        self.config: dict[str, Any] = dict(_DEFAULTS)
        self.context_token: str | None = None  # ContextPlugin.deviceToken: memory only (A6)
        self.last_identified: str | None = None  # lastIdentifiedUserIdThisSession (identify dedup)
        self.foreground = True
        self.count = 0  # CountBasedFlushPolicy: events since the last flush
        self.next_timer: float | None = None
        self.next_rules: tuple[str, ...] = ()  # ids the next event also checks (a new anonymousId, a relaunch)

    # -- dispatch ------------------------------------------------------------------------------

    def apply(self, s: Stimulus) -> None:
        self.cause, self.now, self.host_now = s.index, s.device_time, s.host_time
        self.run_due_timers(s.device_time)
        if s.kind == "call" and s.error is not None:
            return  # the call failed in the app (CustomerIO.instance() before initialize): nothing queued
        handler = getattr(self, f"on_{s.kind}_{s.name}", None)
        if handler is None:
            if s.kind == "call":
                raise SpecError(f"customerio-android does not model SDK call {s.name!r} ({s.label()})")
            if s.kind == "collector":
                raise SpecError(f"customerio-android does not model collector step {s.name!r} ({s.label()})")
            return
        handler(s)

    def finish(self) -> None:
        """The end of the trace: failed files still stored were sent as often as they were."""
        for pending in [p for f in self.stored.files for p in f]:
            self._expect(pending, pending.sends)

    # -- events ----------------------------------------------------------------------------------

    def _anon(self, n: int | None = None) -> Var:
        n = self.stored.anon if n is None else n
        return Var(f"anonymousId#{n}", "uuid", "lower", tuple(f"anonymousId#{i}" for i in range(n)))

    def enqueue(
        self,
        kind: str,
        fields: dict[str, Any],
        rules: tuple[str, ...],
        label: str,
        user: Any = _CURRENT,
        token: Any = _CURRENT,
        anon: Any = None,
    ) -> None:
        """Queue one event (seg-kt ``Analytics.process`` -> the destination's storage) and apply the count
        flush policy. Common fields: seg-kt ``Events.kt`` / ``EventPipeline`` (android#4); an anonymous
        event has no ``userId`` key (android#5)."""
        self.seq += 1
        dated = False
        for key in ("properties", "traits"):
            if isinstance(fields.get(key), dict):
                fields[key], found = _json_values(fields[key])
                dated = dated or found
        rules = (*rules, "android#41") if dated else rules
        user = self.stored.user if user is _CURRENT else user
        token = self.context_token if token is _CURRENT else token
        body: dict[str, Any] = {
            "type": kind,
            "messageId": Var(f"messageId#{self.seq}", "uuid", "lower"),
            "timestamp": DeviceTime(self.now, _TOLERANCE),
            "anonymousId": anon if anon is not None else self._anon(),
            "context": Context(token, self.version),
            "integrations": {},
            "_metadata": Maybe(),
            "sentAt": Maybe(),
            "userId": user if user is not None else Absent(),
            **fields,
        }
        rules = ("android#1", "android#3", "android#4", "android#30", "android#32", *rules, *self.next_rules)
        self.next_rules = ()
        if token is not None:
            rules = (*rules, "android#20")
        elif self.stored.token is not None:
            rules = (*rules, "android#35")  # a token is stored, but this process has not registered it
        self.stored.current.append(Pending(body, self.cause, rules, label, self.seq))
        self.count += 1
        if self.count >= int(self.config["flushAt"]):
            self.flush(("android#40",) if int(self.config["flushAt"]) > 1 else ())

    def track(self, name: str, properties: dict[str, Any], rules: tuple[str, ...], **kw: Any) -> None:
        self.enqueue("track", {"event": name, "properties": properties}, rules, name, **kw)

    # -- flushing (seg-kt platform/EventPipeline.kt, policies/*FlushPolicy.kt) --------------------

    def flush(self, why: tuple[str, ...] = ()) -> None:
        """Close the current file and upload every stored file, one request each, in order. A 2xx or a
        4xx other than 429 deletes the file; a 429, 5xx or I/O error keeps it for the next flush, with the
        same messageIds and sentAt (android#29, android#38)."""
        self.count = 0
        for p in self.stored.current:
            p.rules = (*p.rules, *why)
        if self.stored.current:
            self.stored.files.append(self.stored.current)
            self.stored.current = []
        kept: list[list[Pending]] = []
        for batch in self.stored.files:
            answer = self.rules.answer("cio-batch", self.host_now)
            for p in batch:
                p.sends += 1
            if answer.delivered or answer.dropped:
                for p in batch:
                    extra = ("android#29", "android#38") if p.sends > 1 or answer.dropped else ()
                    p.rules = (*p.rules, *extra)
                    self._expect(p, p.sends)
            else:
                for p in batch:
                    p.rules = (*p.rules, "android#29", "android#38")
                    # the file is re-sent as it was closed: the same sentAt on every copy (A6)
                    p.body["sentAt"] = Var(f"sentAt#{p.order}")
                kept.append(batch)
        self.stored.files = kept

    def _expect(self, p: Pending, sends: int) -> None:
        if sends <= 0:
            return
        key = str(self.config["cdpApiKey"])
        self.out.requests.append(
            Expected(
                "batch",
                key,
                None,
                p.body,
                p.cause,
                rules=tuple(dict.fromkeys(p.rules)),
                label=p.label,
                copies=(sends, sends),
                order_key=float(p.order),
                name=event_name(p.body),
            )
        )

    def run_due_timers(self, device_time: float) -> None:
        """FrequencyFlushPolicy: every ``flushInterval`` seconds of the device clock from init (android#40)."""
        interval = float(self.config["flushInterval"])
        while self.initialized and self.next_timer is not None and self.next_timer <= device_time:
            self.now = self.next_timer
            self.flush(("android#40",))
            self.next_timer += interval
        self.now = max(self.now, device_time)

    def on_call_flush(self, s: Stimulus) -> None:
        if self.initialized:
            self.flush()

    def on_collector_respond(self, s: Stimulus) -> None:
        self.rules.add(s.args, s.host_time, s.label())

    # -- the app's life ----------------------------------------------------------------------

    def on_app_install(self, s: Stimulus) -> None:
        self.stored = Stored(anon=self.stored.anon + 1)  # a new install: a new anonymousId, nothing queued
        self.next_rules = ()

    def on_app_kill(self, s: Stimulus) -> None:
        self._process_reset()
        self.next_rules = ("android#6",)  # the next process keeps the stored anonymousId

    def on_call_init(self, s: Stimulus) -> None:
        """``CustomerIO.initialize``: settings fetch (android#2), lifecycle events (android#28), timer."""
        if self.initialized:
            return  # a second initialize returns the existing instance (A2)
        self.initialized = True
        self.config = {**_DEFAULTS, **dict(s.args.get("configuration") or {})}
        self.next_timer = self.now + float(self.config["flushInterval"])
        key = str(self.config["cdpApiKey"])
        self.out.requests.append(
            Expected(
                "settings",
                key,
                None,
                {},
                s.index,
                rules=("android#2",),
                label="settings",
                copies=(1, 10),
                name="settings",
            )
        )
        if not self.config["trackApplicationLifecycleEvents"]:
            self.next_rules = (*self.next_rules, "android#28")  # no Application events: the next is the app's
        else:
            # seg-kt android/.../AndroidLifecyclePlugin.kt:209-258 onCreate: Installed once (Updated on a new
            # build, which the harness never makes); onStart (193-206): Opened {version, build, from_background}
            if not self.stored.build_recorded:
                self.stored.build_recorded = True
                self.track("Application Installed", {"version": Any_(), "build": Any_()}, ("android#28",))
            self.track(
                "Application Opened", {"version": Any_(), "build": Any_(), "from_background": False}, ("android#28",)
            )
            self._foregrounded()
        self._fetch_fcm_token()

    def _fetch_fcm_token(self) -> None:
        """The push module's token fetch at init (android#42).

        ``CustomerIO.initialize`` initializes the DataPipelines module, then every added module
        (android:datapipelines/.../sdk/CustomerIO.kt:504-518); ``ModuleMessagingPushFCM.initialize()`` starts
        with ``getCurrentFcmToken()`` (android:messagingpush/.../ModuleMessagingPushFCM.kt:50-54, 181-187),
        which asks ``FirebaseMessaging.getInstance().token`` (provider/FCMTokenProviderImpl.kt:45-68; null when
        Google Play services are missing, lines 28-51, or the task fails) and publishes a non-null token as
        ``RegisterDeviceTokenEvent``; CustomerIO subscribes to it with ``registerDeviceToken`` (CustomerIO.kt:163-165),
        so it is ``registerDeviceTokenImpl`` again: a ``Device Created or Updated`` even when the token equals
        the stored one (the context token is empty in a new process). Every app the harness drives adds the
        FCM module (both agents do, as an app with push does), so the fetch is modelled at every init.

        The fetch is an asynchronous Task: on the virtual device its answer is queued after the lifecycle
        events, before the app's next call; on a real phone a call made at once may be queued before it."""
        if self.stored.fcm_token:
            self.register(self.stored.fcm_token, ("android#42", "android#15"))

    def _foregrounded(self) -> None:
        """android:datapipelines/.../AutomaticApplicationLifecycleTrackingPlugin.kt:40-44 (since 4.5.1)."""
        if self.v >= (4, 5, 1) and self.config["trackApplicationLifecycleEvents"]:
            self.track("Application Foregrounded", {}, ("android#28",))

    def on_app_background(self, s: Stimulus) -> None:
        """``Application Backgrounded`` (AndroidLifecyclePlugin.kt:184-190), which makes CIO's
        ``ApplicationLifecyclePlugin`` flush the queue (android#28, android#40)."""
        if not self.foreground:
            return
        self.foreground = False
        if self.initialized and self.config["trackApplicationLifecycleEvents"]:
            self.track("Application Backgrounded", {}, ("android#28", "android#40"))
            self.flush(("android#40",))

    def on_app_foreground(self, s: Stimulus) -> None:
        if self.foreground:
            return
        self.foreground = True
        if self.initialized and self.config["trackApplicationLifecycleEvents"]:
            self.track("Application Opened", {"from_background": True}, ("android#28",))
            self._foregrounded()

    # -- tracking calls ------------------------------------------------------------------------

    def on_call_track(self, s: Stimulus) -> None:
        """``track(name, properties)``; no check for an empty name (A6, android#33)."""
        name = str(s.args["name"])
        rules = ("android#5", "android#8") + (("android#33",) if not name else ())
        self.track(name, dict(s.args.get("properties") or {}), rules)

    def on_call_screen(self, s: Stimulus) -> None:
        """``screen(title, properties)``: ``name``, ``properties``, ``category: ""`` (seg-kt ``Analytics.screen``);
        ``screenViewUse(InApp)`` keeps it on the device (ScreenFilterPlugin.kt) (android#23)."""
        if self.config["screenViewUse"] == "InApp":
            self.next_rules = (*self.next_rules, "android#23")  # filtered: the next event is the next item
            return
        fields = {"name": str(s.args["title"]), "category": "", "properties": dict(s.args.get("properties") or {})}
        self.enqueue("screen", fields, ("android#23", "android#8"), f"screen {s.args['title']}")

    def on_call_trackMetric(self, s: Stimulus) -> None:
        """``trackMetric(TrackMetric.Push(...))``: ``Report Delivery Event`` (CustomerIO.kt:425-430; android#24)."""
        props = {"metric": s.args["event"], "deliveryId": s.args["deliveryId"], "recipient": s.args["deviceToken"]}
        self.track("Report Delivery Event", props, ("android#24",))

    # -- identity ------------------------------------------------------------------------------

    def _identify_event(self, user: str | None, traits: dict[str, Any], rules: tuple[str, ...]) -> None:
        """An identify item; Android leaves ``traits`` out when empty (android#7)."""
        fields: dict[str, Any] = {"traits": traits} if traits else {"traits": Absent()}
        self.enqueue("identify", fields, rules, f"identify {user}", user=user)

    def on_call_identify(self, s: Stimulus) -> None:
        self.identify(str(s.args["userId"]), dict(s.args.get("traits") or {}), ("android#7",))

    def identify(self, user: str, traits: dict[str, Any], rules: tuple[str, ...]) -> None:
        if not user.strip():
            return  # blank id: ignored (android#9)
        if self.v >= (4, 18, 0) and not traits and user == self.last_identified:
            return  # identify dedup since 4.18.0 (android#10)
        current = self.stored.user or None
        changing = current is not None and current != user
        first = current is None
        if changing and self.stored.token is not None and self.context_token:
            self.track("Device Deleted", {}, ("android#14",), user=current)  # old profile, old token
        extra = ("android#10",) if self.last_identified == user or traits else ()
        self.stored.user = user
        self._identify_event(user, traits, (*rules, *extra, *(("android#14",) if changing else ())))
        if (first or changing) and self.stored.token is not None:
            self.device_attributes(self.stored.token, {}, ("android#17",) if first else ("android#14",))
        self.last_identified = user

    def on_call_setProfileAttributes(self, s: Stimulus) -> None:
        """CustomerIO.kt:213-221: an identify of the current user, or an anonymous identify (android#11)."""
        attributes = dict(s.args.get("attributes") or {})
        if self.stored.user is not None:
            self.identify(self.stored.user, attributes, ("android#11",))
        else:
            self._identify_event(None, attributes, ("android#11",))

    def on_call_clearIdentify(self, s: Stimulus) -> None:
        """``Device Deleted`` with the old userId (``"null"`` when anonymous: ``existingUserId.toString()``),
        then ``analytics.reset()``: a new anonymousId (android#12, #13, #37). Whether the event is stamped
        before or after the reset is a race in the SDK (A6), so either anonymousId is accepted."""
        self.last_identified = None
        old_anon = self._anon()
        if self.context_token:
            new_anon = self._anon(self.stored.anon + 1)
            self.track(
                "Device Deleted",
                {},
                ("android#12", "android#36", "android#37"),
                user=str(self.stored.user) if self.stored.user is not None else "null",
                anon=OneOf((old_anon, new_anon)),
            )
        else:
            self.next_rules = (*self.next_rules, "android#13")  # no event, but a new anonymousId from now on
        self.stored.user = None
        self.stored.anon += 1

    # -- device and token ----------------------------------------------------------------------

    def device_attributes(self, token: str | None, custom: dict[str, Any], rules: tuple[str, ...]) -> None:
        """``trackDeviceAttributes`` (CustomerIO.kt:380-409): nothing without a token; a changed token first
        deletes the old one (android#18); defaults (android#15, #16, #34) merged with custom ones (custom win,
        android#21); the token becomes the context's."""
        if not token:
            return
        if self.context_token and self.context_token != token:
            self.track("Device Deleted", {}, ("android#18",), token=self.context_token)
        props: dict[str, Any] = {}
        if self.config["autoTrackDeviceAttributes"]:
            props = {k: Any_() for k in DEFAULT_DEVICE_KEYS}
            props["push_enabled"] = Bool()
            props["cio_sdk_version"] = self.version
            rules = (*rules, "android#15", "android#16", "android#34")
        else:
            rules = (*rules, "android#16")
        props.update(custom)
        self.context_token = token
        self.track("Device Created or Updated", props, rules, token=token)

    def on_call_registerDeviceToken(self, s: Stimulus) -> None:
        self.register(str(s.args["token"]))

    def on_env_push_token(self, s: Stimulus) -> None:
        """The FCM token callback: the push module registers it (``CustomerIOFirebaseMessagingService.onNewToken``,
        CustomerIOFirebaseMessagingService.kt:47-56). FCM keeps the token on the phone, where the next init's
        fetch finds it (android#42)."""
        token = str(s.args.get("token") or "")
        if token.strip():
            self.stored.fcm_token = token
        if self.initialized:
            self.register(token)

    on_env_new_push_token = on_env_push_token

    def register(self, token: str, rules: tuple[str, ...] = ("android#15",)) -> None:
        if not token.strip():
            return  # android#19
        self.stored.token = token
        self.device_attributes(token, {}, rules)

    def on_call_setDeviceAttributes(self, s: Stimulus) -> None:
        self.device_attributes(self.stored.token, dict(s.args.get("attributes") or {}), ("android#21",))

    def on_call_deleteDeviceToken(self, s: Stimulus) -> None:
        """``Device Deleted`` with the current user; the token stays (android#22, #36)."""
        if self.context_token:
            self.track("Device Deleted", {}, ("android#22", "android#36"))

    # -- push (android:messagingpush/.../processor/PushMessageProcessorImpl.kt) -----------------

    def _push_ids(self, s: Stimulus) -> tuple[str, str]:
        data = dict(s.args.get("data") or s.args.get("payload") or {})
        return str(data.get("CIO-Delivery-ID") or ""), str(data.get("CIO-Delivery-Token") or "")

    def on_env_deliver_push(self, s: Stimulus) -> None:
        """Delivered (since 4.5.3): a blank or recently seen id is dropped; in the background R3
        ``POST /track`` (Basic auth) goes out at once, in the foreground the batch carries it (android#25, #39)."""
        if self.initialized and not self.config["autoTrackPushEvents"]:
            self.next_rules = (*self.next_rules, "android#25")  # no delivered metric: the next event is the next item
        if not (self.initialized and self.config["autoTrackPushEvents"] and self.v >= (4, 5, 3)):
            return
        delivery, token = self._push_ids(s)
        if not delivery.strip() or delivery in self.stored.delivered:
            return
        self.stored.delivered = [*self.stored.delivered, delivery][-10:]
        props = {"recipient": token, "metric": "delivered", "deliveryId": delivery}
        if self.foreground:
            self.track("Report Delivery Event", props, ("android#25",))
            return
        key = str(self.config["cdpApiKey"])
        auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        tries = 1
        while not self.rules.answer("cio-single", s.host_time).delivered and tries < 10:
            tries += 1  # the worker re-sends a failed metric (A6); its back-off timing is not modelled
        body = {"anonymousId": delivery, "event": "Report Delivery Event", "properties": props}
        self.out.requests.append(
            Expected(
                "single",
                key,
                auth,
                body,
                s.index,
                rules=("android#25", "android#39"),
                label="delivered (background)",
                copies=(1, tries) if tries > 1 else (1, 1),
                name="Report Delivery Event",
            )
        )

    def on_env_click_push(self, s: Stimulus) -> None:
        """Opened: a batched ``Report Delivery Event`` (``trackNotificationClickMetrics``; android#27)."""
        if self.initialized and not self.config["autoTrackPushEvents"]:
            self.next_rules = (*self.next_rules, "android#27")  # no opened metric: the next event is the next item
        if not (self.initialized and self.config["autoTrackPushEvents"]):
            return
        delivery, token = self._push_ids(s)
        if delivery.strip():
            props = {"metric": "opened", "deliveryId": delivery, "recipient": token}
            self.track("Report Delivery Event", props, ("android#27",))
