"""The reference Exponea Android SDK 4.10.0: the public API and what each call stores.

Written from the research notes (``research/android-sdk-spec.md``), independently of the spec
model. Calls arrive by their canonical names (``docs/sdk-calls.md``) from the app's RPC. What a call
stores goes to the persisted queue; the flusher sends it.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from harness.sdks.exponea.virtual.android.campaigns import Campaigns
from harness.sdks.exponea.virtual.android.flusher import Flusher
from harness.sdks.exponea.virtual.android.flushmodes import FlushModes
from harness.sdks.exponea.virtual.android.push import NotificationData, Push, Tokens
from harness.sdks.exponea.virtual.android.sessions import Sessions
from harness.sdks.exponea.virtual.faults import Faults, basic_authorization
from harness.sdks.exponea.virtual.storage import EventQueue, Prefs, QueuedEvent
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["AndroidSdk", "SdkError"]

SDK_VERSION = "4.10.0"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9-]+$")
_APP_ID_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")

DEFAULT_CONFIG: dict[str, Any] = {
    "projectToken": "",
    "authorization": None,
    "baseURL": "https://api.exponea.com",
    "projectRouteMap": {},
    "defaultProperties": {},
    "automaticSessionTracking": True,
    "sessionTimeout": 60.0,
    "campaignTTL": 10.0,
    "tokenTrackFrequency": "ON_TOKEN_CHANGE",
    "requirePushAuthorization": False,
    "allowDefaultCustomerProperties": True,
    "manualSessionAutoClose": True,
    "applicationId": "default-application",
    "maxTries": 10,
    "automaticPushNotification": True,
}

# Calls that Exponea queues in ExponeaInitManager while not initialized.
_GATED = {
    "trackEvent",
    "identifyCustomer",
    "trackPaymentEvent",
    "trackSessionStart",
    "trackSessionEnd",
    "flushData",
    "trackPushToken",
    "trackHmsPushToken",
    "trackDeliveredPush",
    "trackDeliveredPushWithoutTrackingConsent",
    "setAutomaticSessionTracking",
}
# Calls whose default timestamp Kotlin evaluates at the call site (before init: the call's time).
_STAMPED = {"trackEvent", "trackPaymentEvent", "trackDeliveredPush", "trackDeliveredPushWithoutTrackingConsent"}
# Calls that run without init through an "SDK-less" manager when a configuration is stored (§9.2).
_SDKLESS = {"trackClickedPush", "trackClickedPushWithoutTrackingConsent"}


class SdkError(Exception):
    """An exception the SDK itself would throw to the app (e.g. InvalidConfigurationException)."""


class AndroidSdk:
    """One app's SDK instance; state lives in ``data_dir`` and survives a process kill."""

    def __init__(self, data_dir: Path, clock: VirtualClock, env: AppEnv, faults: Faults) -> None:
        self.clock = clock
        self.env = env
        self.faults = faults
        self.prefs = Prefs(data_dir / "exponea_prefs.json")
        self.queue = EventQueue(data_dir / "ExponeaEventDatabase.sqlite")
        self.initialized = False
        self.stopped = False
        self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
        self._pre_init: list[Callable[[], None]] = []
        self._lock = threading.RLock()
        self._background_jobs = 0
        self._jobs_done = threading.Condition()
        self._leaky_stop = "sends-after-stop" in faults
        self._inapp_after_stop: tuple[str, str, str | None, str] | None = None
        self.flusher = Flusher(
            self.queue,
            env,
            lambda: int(self.config["maxTries"]),
            lambda: self.stopped and not self._leaky_stop,
            faults,
        )
        self.sessions = Sessions(self)
        self.tokens = Tokens(self)
        self.push = Push(self)
        self.campaigns = Campaigns(self)
        self.modes = FlushModes(self)

    @property
    def flush_mode(self) -> str:
        return self.modes.mode

    # -- dispatch --------------------------------------------------------------------------

    def call(self, method: str, args: Mapping[str, Any]) -> Any:
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise SdkError(f"unknown SDK method {method!r}")
        with self._lock:
            if method in _SDKLESS and not self.initialized and not self.stopped and self.use_stored_config():
                return handler(args)
            if method in _GATED | _SDKLESS and not self.initialized:
                if self.stopped:
                    if "tracks-after-stop" in self.faults or (self._leaky_stop and method == "flushData"):
                        return handler(args)
                    if self._inapp_after_stop is not None and method == "trackEvent":
                        self._fetch_in_app_messages(*self._inapp_after_stop)
                    return None  # calls made while stopped are dropped
                if "pre-init-calls-dropped" in self.faults:
                    return None
                # Kotlin evaluates default arguments at the call site: the timestamp is "now" of the call.
                pending = dict(args)
                if method in _STAMPED and "timestamp" not in pending:
                    pending["timestamp"] = self.clock.now()
                self._pre_init.append(lambda: handler(pending))
                return None
            return handler(args)

    def use_stored_config(self) -> bool:
        """The SDK-less path (§9.2): not initialized, but a configuration from an earlier run is stored."""
        if self.initialized:
            return True
        stored = self.prefs.get("config")
        if self.stopped or not stored:
            return False
        self.config = {**DEFAULT_CONFIG, **stored}
        return True

    def can_track_now(self) -> bool:
        return not self.stopped and (self.initialized or self.use_stored_config())

    # -- configuration ---------------------------------------------------------------------

    def api_init(self, args: Mapping[str, Any]) -> None:
        if self.initialized:
            return  # "Exponea SDK was already initialized" is only logged
        given = dict(args.get("configuration") or {})
        config = dict(DEFAULT_CONFIG)
        config.update({k: v for k, v in given.items() if k not in ("flushMode", "flushPeriod")})
        self._validate(config)
        self.stopped = False
        self.config = config
        self.prefs.set(config=config)
        if not self.prefs.get("device_id"):
            self.prefs.set(device_id=str(uuid.uuid4()))
        self.initialized = True
        self.push.last_push_id = None  # a new ExponeaComponent, a new FcmManagerImpl
        # flushMode/flushPeriod are process-global Exponea properties; the app sets them around init.
        if "flushPeriod" in given:
            self.modes.period = float(given["flushPeriod"])
        self.modes.set_mode(str(given.get("flushMode", self.modes.mode)))
        self._track_install()
        self.tokens.track_saved()
        self.sessions.start_tracking()
        self._fetch_bundle()
        pending, self._pre_init = self._pre_init, []
        for run in pending:
            run()

    def _validate(self, config: Mapping[str, Any]) -> None:
        token = str(config.get("projectToken") or "")
        if not token.strip() or not _TOKEN_RE.match(token):
            raise SdkError("InvalidConfigurationException: Project token provided is not valid")
        auth = config.get("authorization")
        if auth is not None and not str(auth).startswith("Token "):
            raise SdkError("InvalidConfigurationException: Use 'Token <access token>' as authorization")
        if not _APP_ID_RE.match(str(config.get("applicationId"))) or len(str(config["applicationId"])) > 50:
            raise SdkError("InvalidConfigurationException: applicationId is not valid")
        for projects in (config.get("projectRouteMap") or {}).values():
            for project in projects:
                if not _TOKEN_RE.match(str(project.get("projectToken") or "")):
                    raise SdkError("InvalidConfigurationException: Project token provided is not valid")

    def api_setFlushMode(self, args: Mapping[str, Any]) -> None:
        self.modes.set_mode(str(args["mode"]))

    def api_setFlushPeriod(self, args: Mapping[str, Any]) -> None:
        self.modes.set_period(float(args["seconds"]))

    def api_setDefaultProperties(self, args: Mapping[str, Any]) -> None:
        self.config["defaultProperties"] = dict(args.get("properties") or {})

    def api_setSessionTimeout(self, args: Mapping[str, Any]) -> None:
        self.config["sessionTimeout"] = float(args["seconds"])
        if self.initialized:
            self.prefs.set(config=self.config)

    def api_setAutomaticSessionTracking(self, args: Mapping[str, Any]) -> None:
        """``isAutomaticSessionTracking = …``: the setter starts or stops the session listener."""
        enabled = bool(args["enabled"])
        was = bool(self.config["automaticSessionTracking"])
        self.config["automaticSessionTracking"] = enabled
        self.prefs.set(config=self.config)
        if enabled and not was:
            # startSessionListener does nothing while its listener is registered, i.e. while automatic
            # tracking was already on (SessionManagerImpl.kt:54-66@4.10.0, isListenerActive): turning it
            # on again starts no second session. Found by harness explore (the profile had it right).
            self.sessions.start_tracking()
        else:
            self.sessions.stop()

    def api_isInitialized(self, args: Mapping[str, Any]) -> bool:
        return self.initialized

    def api_getCustomerCookie(self, args: Mapping[str, Any]) -> str | None:
        return self._cookie() if self.initialized else None

    # -- identity --------------------------------------------------------------------------

    def _cookie(self) -> str:
        cookie = self.prefs.get("cookie")
        if not cookie:
            cookie = str(uuid.uuid4())
            self.prefs.set(cookie=cookie)
        return str(cookie)

    def customer_ids(self) -> dict[str, Any]:
        ids: dict[str, Any] = {"cookie": self._cookie()}
        ids.update(self.prefs.get("external_ids") or {})
        return ids

    def api_identifyCustomer(self, args: Mapping[str, Any]) -> None:
        given = dict(args.get("customerIds") or {})
        new_ids = {k: v for k, v in given.items() if k != "cookie" or "user-cookie-accepted" in self.faults}
        if "ids-merged" in self.faults:
            merged = dict(self.prefs.get("external_ids") or {})
            merged.update(new_ids)
            new_ids = merged
        self.prefs.set(external_ids=new_ids)
        if "ids-rewritten-on-identify" in self.faults:
            for queued in self.queue.all():
                self.queue.delete(queued.id)
                self.queue.add(dataclasses.replace(queued, customer_ids=self.customer_ids()))
        self.track("TRACK_CUSTOMER", None, dict(args.get("properties") or {}), self.clock.now())

    def api_anonymize(self, args: Mapping[str, Any]) -> None:
        """``ExponeaComponent.anonymize``, step by step (research §5; android#61-64)."""
        if not self.initialized:
            return
        self._pre_init.clear()  # step 0
        automatic = bool(self.config["automaticSessionTracking"])
        if automatic and "anonymize-no-session-end" not in self.faults:
            self.sessions.end_now()  # step 1, old customer and project
        if "token-not-invalidated-on-anonymize" not in self.faults:
            self.tokens.invalidate_stored()  # step 2
        keep = ["external_ids"] if "anonymize-keeps-external-ids" in self.faults else []
        wiped = ["device_initiated", "campaign", "cookie", "external_ids", "session_start", "session_end"]
        wiped += ["delivered_at"]
        self.prefs.remove(*[k for k in wiped if k not in keep])  # step 3
        if "anonymize-new-device-id" in self.faults:
            self.prefs.set(device_id=str(uuid.uuid4()))
        project = args.get("exponeaProject")
        if project and "anonymize-moves-queued-events" in self.faults:  # rows keep their project in the SDK
            moved = {
                "baseUrl": project.get("baseUrl", self.config["baseURL"]),
                "projectToken": project.get("projectToken", self.config["projectToken"]),
                "authorization": project.get("authorization"),
            }
            for queued in self.queue.all():
                self.queue.delete(queued.id)
                self.queue.add(dataclasses.replace(queued, project=moved))
        if project:  # step 4; a null argument keeps the current value
            self.config["baseURL"] = project.get("baseUrl", self.config["baseURL"])
            self.config["projectToken"] = project.get("projectToken", self.config["projectToken"])
            self.config["authorization"] = project.get("authorization")
        if args.get("projectRouteMap") is not None:
            self.config["projectRouteMap"] = dict(args["projectRouteMap"])
        self.prefs.set(config=self.config)
        self._track_install()  # step 5
        # step 6, in the foreground or not: ExponeaComponent.anonymize calls trackSessionStart whenever
        # automaticSessionTracking is on (exponea-android-sdk ExponeaComponent.kt:308-310 @348cfd0594d7);
        # found by harness explore (scenarios/exponea/explore-anonymize-in-background.yaml)
        if automatic or "anonymize-session-when-manual" in self.faults:
            self.sessions.start_now()
        token = self.prefs.get("push_token")
        if token:  # step 7
            self.tokens.track(str(token), "EVERY_LAUNCH", str(self.prefs.get("push_token_type") or "FCM"))
        self._fetch_bundle()  # step 8

    # -- tracking --------------------------------------------------------------------------

    def api_trackEvent(self, args: Mapping[str, Any]) -> None:
        timestamp = args["timestamp"] if "timestamp" in args else self.clock.now()
        if "timestamp" in args and isinstance(timestamp, float) and "timestamp-whole-seconds" in self.faults:
            timestamp = float(int(timestamp))
        self.track("TRACK_EVENT", args.get("eventType"), dict(args.get("properties") or {}), timestamp)

    def api_trackSessionStart(self, args: Mapping[str, Any]) -> None:
        self.sessions.manual_start(args)

    def api_trackSessionEnd(self, args: Mapping[str, Any]) -> None:
        self.sessions.manual_end(args)

    def api_trackPaymentEvent(self, args: Mapping[str, Any]) -> None:
        """``trackPaymentEvent``: the PurchasedItem's wire keys plus device properties (android#46)."""
        item = dict(args.get("purchasedItem") or {})
        timestamp = args["timestamp"] if args.get("timestamp") is not None else self.clock.now()
        names = (
            ("value", "currency", "paymentSystem", "productId", "productTitle", "receipt")
            if "payment-field-names" in self.faults
            else ("brutto", "currency", "payment_system", "item_id", "product_title", "receipt")
        )
        props: dict[str, Any] = {
            names[0]: float(item["value"]),
            names[1]: str(item["currency"]),
            names[2]: str(item["paymentSystem"]),
            names[3]: str(item["productId"]),
            names[4]: str(item["productTitle"]),
        }
        if item.get("receipt") is not None:
            props[names[5]] = str(item["receipt"])
        props.update(self.device_properties())
        self.track("PAYMENT", "payment", props, timestamp)

    def api_trackPushToken(self, args: Mapping[str, Any]) -> None:
        if "push-token-deduped" in self.faults and self.prefs.get("push_token") == str(args["token"]):
            return
        self.tokens.track(str(args["token"]), "EVERY_LAUNCH", "FCM")  # android#26, #28

    def api_trackHmsPushToken(self, args: Mapping[str, Any]) -> None:
        self.tokens.track(str(args["token"]), "EVERY_LAUNCH", "HMS")  # android#27

    def api_handleNewToken(self, args: Mapping[str, Any]) -> None:
        self.tokens.handle_new(str(args["token"]), "FCM")

    def api_handleNewHmsToken(self, args: Mapping[str, Any]) -> None:
        self.tokens.handle_new(str(args["token"]), "HMS")

    def _timestamp(self, args: Mapping[str, Any]) -> Any:
        return args["timestamp"] if "timestamp" in args else self.clock.now()

    def api_trackDeliveredPush(self, args: Mapping[str, Any]) -> None:
        self.push.delivered(NotificationData.from_call(args.get("data")), self._timestamp(args), True)

    def api_trackDeliveredPushWithoutTrackingConsent(self, args: Mapping[str, Any]) -> None:
        self.push.delivered(NotificationData.from_call(args.get("data")), self._timestamp(args), False)

    def _clicked(self, args: Mapping[str, Any], respect_consent: bool) -> None:
        data = NotificationData.from_call(args["data"]) if args.get("data") is not None else None
        self.push.clicked(data, args.get("actionData"), self._timestamp(args), respect_consent)

    def api_trackClickedPush(self, args: Mapping[str, Any]) -> None:
        self._clicked(args, True)

    def api_trackClickedPushWithoutTrackingConsent(self, args: Mapping[str, Any]) -> None:
        self._clicked(args, False)

    def api_handleRemoteMessage(self, args: Mapping[str, Any]) -> bool:
        show = args.get("showNotification")
        return self.push.handle_remote_message(args.get("messageData"), True if show is None else bool(show))

    def api_handleCampaignIntent(self, args: Mapping[str, Any]) -> bool:
        url = args.get("url")
        return self.campaigns.handle_intent(None if url is None else str(url))

    def api_flushData(self, args: Mapping[str, Any]) -> None:
        if self.stopped and not self._leaky_stop:
            return  # "Flushing denied, SDK is stopping"
        self.flusher.request()

    def device_properties(self) -> dict[str, Any]:
        return {
            "os_name": "Android",
            "os_version": self.env.os_version,
            "sdk": "AndroidSDK",
            "sdk_version": SDK_VERSION,
            "device_model": self.env.device_model,
            "device_type": "mobile",
            "app_version": self.env.app_version,
        }

    def flush_if_immediate(self) -> None:
        if not self.initialized:
            return  # an SDK-less path flushes only what it stored (track)
        manual = self.modes.mode == "MANUAL" and "manual-mode-flushes" in self.faults
        if (self.modes.mode == "IMMEDIATE" and "immediate-no-flush" not in self.faults) or manual:
            self.flusher.request()

    def track(self, sdk_type: str, event_type: str | None, properties: dict[str, Any], timestamp: Any) -> None:
        """``EventManagerImpl.processTrack``: enrich, snapshot ids, store per project, maybe flush."""
        if self.stopped and "tracks-after-stop" not in self.faults:
            return
        allow_defaults = (sdk_type != "PUSH_TOKEN" or "token-with-default-properties" in self.faults) and (
            sdk_type != "TRACK_CUSTOMER"
            or (bool(self.config["allowDefaultCustomerProperties"]) and "identify-without-defaults" not in self.faults)
        )
        props: dict[str, Any] = {}
        if allow_defaults:
            props.update(self.config.get("defaultProperties") or {})
        if "defaults-override" in self.faults and allow_defaults:
            props = {**properties, **(self.config.get("defaultProperties") or {})}
        else:
            props.update(properties)
        if sdk_type != "TRACK_CUSTOMER":
            props["application_id"] = self.config["applicationId"]
            if "no-device-id" not in self.faults:
                props["device_id"] = self.prefs.get("device_id")
        if sdk_type == "TRACK_CUSTOMER" and "identify-without-timestamp" in self.faults:
            timestamp = None
        if timestamp is None and sdk_type == "TRACK_EVENT" and "null-timestamp-filled" in self.faults:
            timestamp = self.clock.now()
        if event_type is None and sdk_type == "TRACK_EVENT" and "null-event-type-string" in self.faults:
            event_type = "null"
        if isinstance(timestamp, int | float) and "timestamp-millis" in self.faults:
            timestamp = round(timestamp * 1000)
        route = {"TRACK_CUSTOMER": "customers", "CAMPAIGN_CLICK": "campaign"}.get(sdk_type, "events")
        if route == "events" and sdk_type == "TRACK_EVENT" and "wrong-event-route" in self.faults:
            route = "customers"
        # Room round trip: numbers come back as doubles.
        stored_props = _doubles(props)
        ids = self.customer_ids()
        stored: list[QueuedEvent] = []
        for project in self._projects(sdk_type):
            stored.append(
                QueuedEvent(
                    route=route,
                    event_type=event_type,
                    timestamp=None if timestamp is None else float(timestamp),
                    customer_ids=ids,
                    properties=stored_props,
                    project=project,
                    sdk_event_type=sdk_type,
                )
            )
            self.queue.add(stored[-1])
        if self.initialized:
            self.flush_if_immediate()
        elif self.modes.mode == "IMMEDIATE":
            # Not initialized: an SDK-less manager (push, click, campaign intent with a stored
            # configuration, §9.2) flushes on its own thread only the events it stored.
            self.run_in_background(lambda: self.flusher.own_pass(stored))

    def _projects(self, sdk_type: str) -> list[dict[str, Any]]:
        """``[main] + projectRouteMap[type]``, then ``distinct()`` (android#49, #50)."""
        main = {
            "baseUrl": self.config["baseURL"],
            "projectToken": self.config["projectToken"],
            "authorization": self.config["authorization"],
        }
        projects = [main]
        for p in (self.config.get("projectRouteMap") or {}).get(sdk_type, []):
            candidate = {
                "baseUrl": p["baseUrl"],
                "projectToken": p["projectToken"],
                "authorization": p.get("authorization"),
            }
            if candidate not in projects or "route-map-duplicates" in self.faults:
                projects.append(candidate)
            if "route-map-first-only" in self.faults:
                break
        return projects

    def _track_install(self) -> None:
        if self.prefs.get("device_initiated") and "installation-every-launch" not in self.faults:
            return
        props = self.device_properties()
        if "installation-no-os-version" in self.faults:
            del props["os_version"]
        self.track("INSTALL", "installation", props, self.clock.now())
        self.prefs.set(device_initiated=True)

    def _fetch_in_app_messages(self, base_url: str, token: str, authorization: str | None, cookie: str) -> None:
        """``POST /webxp/s/{token}/inappmessages?compatibility=3`` (android §9.1); only the
        ``inapp-fetch-after-stop`` fault sends it (the model SDK has no in-app messages otherwise)."""
        url = f"{base_url}/webxp/s/{token}/inappmessages?compatibility=3"
        body = {"customer_ids": {"cookie": cookie}, "device": "android"}
        self.run_in_background(lambda: self.flusher.post_json(url, body, authorization))

    def _fetch_bundle(self) -> None:
        url = f"{self.config['baseURL']}/wxstatic/projects/{self.config['projectToken']}/bundle-android.json?v=2"
        auth = self.config["authorization"]
        if "fetch-basic-auth" in self.faults:
            auth = basic_authorization(str(self.config["projectToken"]))
        self.run_in_background(lambda: self.flusher.get(url, auth))

    def run_in_background(self, job: Callable[[], None]) -> None:
        with self._jobs_done:
            self._background_jobs += 1

        def run() -> None:
            try:
                job()
            finally:
                with self._jobs_done:
                    self._background_jobs -= 1
                    self._jobs_done.notify_all()

        threading.Thread(target=run, daemon=True).start()

    # -- stop and clear --------------------------------------------------------------------

    def api_stopIntegration(self, args: Mapping[str, Any]) -> None:
        if not self.initialized:
            return
        if "inapp-fetch-after-stop" in self.faults:  # the in-app manager keeps what it had loaded
            cfg = self.config
            self._inapp_after_stop = (cfg["baseURL"], cfg["projectToken"], cfg["authorization"], self._cookie())
        self.stopped = True
        if not self._leaky_stop:
            self.queue.clear()
        self.sessions.stop()
        self.modes.stop()
        self._wipe_local_data(keep_token="stop-keeps-token" in self.faults)
        self._pre_init.clear()
        self.initialized = False

    def api_clearLocalCustomerData(self, args: Mapping[str, Any]) -> None:
        if not self.prefs.get("config"):
            return  # nothing was ever configured
        if self.initialized and "clear-while-initialized" not in self.faults:
            return  # android#68: refused while initialized
        self.queue.clear()
        self._wipe_local_data()

    def _wipe_local_data(self, keep_token: bool = False) -> None:
        keys = ["cookie", "external_ids", "device_initiated", "config", "session_start", "session_end"]
        keys += ["campaign", "delivered_at"]
        if "clear-keeps-device-id" not in self.faults:
            keys.append("device_id")
        if not keep_token:  # the fault: the legacy token store survives, untracked (no date)
            keys += ["push_token", "push_token_type"]
        keys += ["push_token_date", "push_token_permission", "push_token_app_version", "push_token_application_id"]
        self.prefs.remove(*keys)

    # -- lifecycle -------------------------------------------------------------------------

    def on_foreground(self) -> None:
        with self._lock:
            self.env.foreground = True
            if self.initialized:
                self.tokens.track_saved()
                self.sessions.on_foreground()
                self.modes.on_foreground()

    def on_background(self) -> None:
        with self._lock:
            self.env.foreground = False
            if self.initialized:
                self.sessions.on_background()
                self.modes.on_background()

    def on_new_token(self, token: str) -> None:
        """FirebaseMessagingService.onNewToken → Exponea.handleNewToken."""
        with self._lock:
            self.tokens.handle_new(token, "FCM")

    def on_push_delivered(self, payload: dict[str, Any]) -> bool:
        """onMessageReceived → Exponea.handleRemoteMessage."""
        with self._lock:
            return self.push.handle_remote_message(payload)

    def on_push_clicked(self, payload: dict[str, Any], action: dict[str, Any]) -> None:
        """The SDK's notification click receiver."""
        with self._lock:
            self.push.handle_click(payload, action)

    def on_network(self, online: bool) -> None:
        with self._lock:
            self.env.online = online
            if online:
                self.sessions.on_network()
                self.modes.on_network()

    def settle(self, timeout: float) -> bool:
        """True once nothing is being sent and nothing queued would be sent now.

        The check runs inside the clock's barrier, after firing the timers already due, so a timer
        callback popped by the ticker but not yet run (a flush request on its way) cannot slip past.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self.clock.barrier():
                self.clock.advance(0)
                with self._jobs_done:
                    jobs = self._background_jobs
                if jobs == 0 and self.flusher.idle(0):
                    return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not self.flusher.idle(min(left, 0.5)):
                continue
            with self._jobs_done:
                self._jobs_done.wait_for(lambda: self._background_jobs == 0, min(max(left, 0.0), 0.5))

    def close(self) -> None:
        self.flusher.close()


def _doubles(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {k: _doubles(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_doubles(v) for v in value]
    return value
