"""The reference Customer.io Android SDK 4.19.0 (Data Pipelines) for the virtual app.

Written from research other-sdks.md Part A (A6 wins) and the sources it names, independently of the
profile (``harness/sdks/customerio/spec``). ``CustomerIO`` is a layer over analytics-kotlin 1.24.1;
what a call does follows customerio-android ``datapipelines/src/main/kotlin/io/customer/sdk/CustomerIO.kt``
(tag 4.19.0, commit f01cb97b):

- ``identifyImpl`` (lines 229-293): a blank userId is ignored; an identify of the last identified
  userId without traits is skipped (4.18.0 dedup, memory of this process only); on a profile switch
  with a registered token ``Device Deleted`` goes first with the old userId; then the identify;
  then, on a first identify or a switch with a registered token, ``Device Created or Updated``.
- ``clearIdentifyImpl`` (lines 319-338): ``Device Deleted`` (when a token is in the context plugin)
  with ``userId = existingUserId.toString()`` (``"null"`` when anonymous), then ``analytics.reset()``
  (a new anonymousId). Which anonymousId the Device Deleted carries is a race of two coroutines on a
  cached thread pool (analytics-kotlin Analytics.kt:98, 509-519, 581-591); A6 models the new one, so
  does this SDK.
- ``registerDeviceTokenImpl``/``trackDeviceAttributes``/``deleteDeviceToken`` (lines 367-423): the
  token is saved (``registeredDeviceToken``, persisted) and held by ``ContextPlugin`` in memory
  (``contextPlugin.deviceToken``): after a cold start events carry no ``device.token`` until the token
  callback or an identify registers it again (A6). A different token in the context first sends
  ``Device Deleted`` with the old token; default attributes come from ``DeviceStore.buildDeviceAttributes``
  (core DeviceStore.kt:60-69) plus what ``AutoTrackDeviceAttributesPlugin`` copies from the context:
  13 keys, no ``ip`` (A6).
- The FCM push module (always added, as in the apps the agents drive): ``ModuleMessagingPushFCM.initialize``
  fetches Firebase's current token and registers it at every init (messagingpush
  ModuleMessagingPushFCM.kt:50-54, 181-187), so after a cold start the token Firebase issued is registered
  again; a token the app passed to ``registerDeviceToken`` is not Firebase's and is not.
- ``ContextPlugin`` (datapipelines plugins/ContextPlugin.kt): ``userAgent`` set, ``library``
  removed, ``device.token`` added when known.
- Lifecycle: analytics-kotlin ``AndroidLifecyclePlugin.kt`` (Installed/Updated at onCreate, lines
  209-262; Opened at onStart with ``from_background``, lines 193-207; Backgrounded at onStop, lines
  184-191) and customerio's ``AutomaticApplicationLifecycleTrackingPlugin.kt`` (Foregrounded at every
  process onStart), both only with ``trackApplicationLifecycleEvents``.

The virtual app's versionCode is derived from its versionName (``major*10000 + minor*100 + patch``).
The settings answer is not read: the configured hosts stay.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.sdks.customerio.virtual.faults import Faults
from harness.sdks.customerio.virtual.pipeline import Pipeline
from harness.sdks.customerio.virtual.push import DELIVERY_ID, DELIVERY_TOKEN, DeliveryTracker
from harness.sdks.customerio.virtual.storage import BatchFiles, Prefs
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["SDK_VERSION", "CustomerIoAndroid", "SdkError"]

SDK_VERSION = "4.19.0"
PACKAGE = "io.harness.virtualapp"
APP_NAME = "Virtual App"
MANUFACTURER = "Harness"
LOCALE = "en-US"
TIMEZONE = "UTC"
REGION_HOSTS = {"US": "cdp.customer.io/v1", "EU": "cdp-eu.customer.io/v1"}
DEVICE_UPDATE = "Device Created or Updated"  # core util/EventNames.kt
DEVICE_DELETE = "Device Deleted"
METRIC_DELIVERY = "Report Delivery Event"
_API_LEVELS = {"10": 29, "11": 30, "12": 31, "13": 33, "14": 34, "15": 35, "16": 36}
_DEFAULTS: dict[str, Any] = {
    "cdpApiKey": "",
    "region": "US",
    "apiHost": None,
    "cdnHost": None,
    "flushAt": 20,
    "flushInterval": 30,
    "trackApplicationLifecycleEvents": True,
    "autoTrackDeviceAttributes": True,
    "screenViewUse": "All",
    "autoTrackPushEvents": True,
    "scheme": "https",
}


class SdkError(Exception):
    """What the real SDK throws to the app (``CustomerIO.instance()`` before ``initialize``)."""


def version_code(version: str) -> int:
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]] + [0, 0, 0]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


class CustomerIoAndroid:
    """One app's ``CustomerIO`` instance; what it stores survives a kill in ``data_dir``."""

    def __init__(self, data_dir: Path, clock: VirtualClock, env: AppEnv, faults: Faults) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.env = env
        self.faults = faults
        self.prefs = Prefs(data_dir / "cio_prefs.json")
        # Firebase Messaging's own storage: the token FCM issued to this install (kept across launches)
        self.fcm = Prefs(data_dir / "firebase_messaging.json")
        self.config: dict[str, Any] = dict(_DEFAULTS)
        self.pipeline: Pipeline | None = None
        self.initialized = False
        self.context_token: str | None = None  # ContextPlugin.deviceToken: memory only (A6)
        self.last_identified: str | None = None  # lastIdentifiedUserIdThisSession
        self.first_launch = True  # AndroidLifecyclePlugin.firstLaunch (per process)
        self.instance_id = str(uuid.uuid4())
        self._lock = threading.RLock()
        self.push = DeliveryTracker(self.prefs, env, clock, faults, f"Android Client/{SDK_VERSION}")
        self.push.resume()

    # -- dispatch ------------------------------------------------------------------------------

    def call(self, method: str, args: Mapping[str, Any]) -> Any:
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise SdkError(f"unknown SDK method {method!r}")
        with self._lock:
            if method != "init" and not self.initialized:
                raise SdkError("CustomerIO is not initialized: call CustomerIO.initialize() first")
            return handler(args)

    # -- init ----------------------------------------------------------------------------------

    def api_init(self, args: Mapping[str, Any]) -> None:
        if self.initialized:
            return  # a second initialize returns the existing instance
        given = dict(args.get("configuration") or {})
        config = {**_DEFAULTS, **{k: v for k, v in given.items() if v is not None}}
        if not str(config["cdpApiKey"]).strip():
            raise SdkError("cdpApiKey is required")
        host = REGION_HOSTS.get(str(config["region"]).upper(), REGION_HOSTS["US"])
        config["apiHost"] = str(config["apiHost"] or host).rstrip("/")
        config["cdnHost"] = str(config["cdnHost"] or host).rstrip("/")
        self.config = config
        self.prefs.set(config=config)
        key = str(config["cdpApiKey"])
        # Segment's State: the anonymousId is created once and stored (State.kt); device.id is the first one.
        if not self.prefs.get("anonymous_id") or "anonymous-id-rotated-on-launch" in self.faults:
            self.prefs.set(anonymous_id=str(uuid.uuid4()))
        if not self.prefs.get("device_id"):
            self.prefs.set(device_id=self.prefs.get("anonymous_id"))
        index_key = f"file_index_{key}"
        files = BatchFiles(
            self.data_dir / "segment-disk-queue",
            key,
            lambda: int(self.prefs.get(index_key) or 0),
            lambda: self.prefs.set(**{index_key: int(self.prefs.get(index_key) or 0) + 1}),
        )
        self.pipeline = Pipeline(
            files, self.env, self.clock, self.faults, self._api_url, self.timestamp, _new_message_ids
        )
        self.pipeline.flush_at = max(1, int(config["flushAt"]))
        self.pipeline.flush_interval = float(config["flushInterval"])
        self.initialized = True
        if "no-settings-fetch" not in self.faults:
            self.pipeline.settings(f"{config['scheme']}://{config['cdnHost']}/projects/{key}/settings")
        if "token-persisted" in self.faults and self.prefs.get("device_token"):
            self.context_token = str(self.prefs.get("device_token"))
        self.pipeline.start_timer()
        if self._lifecycle():
            self._track_install_or_update()
            if self.env.foreground:
                self._app_started()
        elif not self.prefs.get("app_build"):
            self._remember_version()
        if "no-token-fetch-at-init" not in self.faults:
            self._current_fcm_token()

    def _current_fcm_token(self) -> None:
        """``ModuleMessagingPushFCM.initialize()`` -> ``getCurrentFcmToken()`` (messagingpush
        ModuleMessagingPushFCM.kt:50-54, 181-187): FCM hands a token to ``onNewToken`` only when it
        issues a new one (customerio-android issue #61), so the module asks Firebase for the current
        token at every start (FCMTokenProviderImpl.kt:45-68) and publishes it as a
        ``RegisterDeviceTokenEvent``, which CustomerIO handles with ``registerDeviceToken``
        (CustomerIO.kt:163-165). A phone where Firebase has no token (here: none issued yet; on a
        phone, no Google Play services or a failed task) gives null and nothing is registered. The
        virtual app always runs with the push module, as the apps the agents drive do."""
        token = self.fcm.get("token")
        if token:
            self.api_registerDeviceToken({"token": str(token)})

    def _api_url(self, path: str) -> str:
        return f"{self.config['scheme']}://{self.config['apiHost']}{path}"

    def _lifecycle(self) -> bool:
        return bool(self.config["trackApplicationLifecycleEvents"]) or "lifecycle-when-disabled" in self.faults

    def _remember_version(self) -> None:
        self.prefs.set(app_version=self.env.app_version, app_build=str(version_code(self.env.app_version)))

    def _track_install_or_update(self) -> None:
        version, build = self.env.app_version, str(version_code(self.env.app_version))
        previous_version, previous_build = self.prefs.get("app_version"), self.prefs.get("app_build")
        if previous_build is None or "installed-every-launch" in self.faults:
            self.track_event("Application Installed", {"version": version, "build": build})
        elif previous_build != build:
            self.track_event(
                "Application Updated",
                {
                    "version": version,
                    "build": build,
                    "previous_version": previous_version,
                    "previous_build": previous_build,
                },
            )
        self._remember_version()

    def _app_started(self) -> None:
        props: dict[str, Any] = {}
        if self.first_launch:
            props = {"version": self.env.app_version, "build": str(version_code(self.env.app_version))}
        props["from_background"] = not self.first_launch
        self.first_launch = False
        self.track_event("Application Opened", props)
        self.track_event("Application Foregrounded", {})

    # -- the public API ------------------------------------------------------------------------

    @property
    def user_id(self) -> str | None:
        value = self.prefs.get("user_id")
        return str(value) if value else None

    @property
    def registered_token(self) -> str | None:
        value = self.prefs.get("device_token")
        return str(value) if value else None

    def api_identify(self, args: Mapping[str, Any]) -> None:
        user_id = str(args.get("userId") or "")
        traits = dict(args.get("traits") or {})
        if not user_id.strip() and "blank-user-identified" not in self.faults:
            return
        if not traits and user_id == self.last_identified and "identify-not-deduped" not in self.faults:
            return
        current = self.user_id
        switching = current is not None and current != user_id
        if switching and self.registered_token is not None:
            old = user_id if "device-deleted-new-user" in self.faults else current
            self._delete_device_token(user_id=old)
        self.prefs.set(user_id=user_id, traits=traits)
        if "anonymous-id-renewed-on-identify" in self.faults:
            self.prefs.set(anonymous_id=str(uuid.uuid4()))
        self._identify_event(user_id, traits)
        first_or_switch = current is None or switching
        if first_or_switch and self.registered_token is not None and "no-device-update-on-identify" not in self.faults:
            self._track_device_attributes(self.registered_token)
        self.last_identified = user_id

    def api_track(self, args: Mapping[str, Any]) -> None:
        if not str(args["name"]) and "empty-event-name-dropped" in self.faults:
            return
        self.track_event(str(args["name"]), dict(args.get("properties") or {}))

    def api_screen(self, args: Mapping[str, Any]) -> None:
        # ScreenFilterPlugin.kt: with screenViewUse InApp, screen events stay on the device.
        if str(self.config["screenViewUse"]).lower() == "inapp" and "screen-under-inapp" not in self.faults:
            return
        body = {"name": str(args["title"]), "category": "", "properties": dict(args.get("properties") or {})}
        self._enqueue("screen", body)

    def api_clearIdentify(self, args: Mapping[str, Any]) -> None:
        self.last_identified = None
        existing = self.user_id
        new_anonymous = str(uuid.uuid4())
        if "anonymous-id-kept-on-clear" not in self.faults:
            # analytics.reset() sets the new anonymousId before the queued Device Deleted is processed (A6)
            self.prefs.set(anonymous_id=new_anonymous)
        if "no-device-deleted-on-clear" not in self.faults:
            # Kotlin's existingUserId.toString() (CustomerIO.kt clearIdentifyImpl): "null" when anonymous
            anonymous = "" if "device-deleted-blank-anonymous" in self.faults else "null"
            self._delete_device_token(user_id=anonymous if existing is None else str(existing))
        self.prefs.set(user_id=None, traits={})

    def api_setProfileAttributes(self, args: Mapping[str, Any]) -> None:
        attributes = dict(args.get("attributes") or {})
        user_id = self.user_id
        if user_id is not None:
            self.api_identify({"userId": user_id, "traits": attributes})
        elif "profile-attributes-need-user" not in self.faults:
            self._identify_event(None, attributes)

    def api_setDeviceAttributes(self, args: Mapping[str, Any]) -> None:
        self._track_device_attributes(self.registered_token, dict(args.get("attributes") or {}))

    def api_registerDeviceToken(self, args: Mapping[str, Any]) -> None:
        token = str(args.get("token") or "")
        if not token.strip():
            if "blank-token-registered" in self.faults:
                self.track_event(DEVICE_UPDATE, self._device_attributes({}))
            return
        self.prefs.set(device_token=token)
        self._track_device_attributes(token)

    def api_deleteDeviceToken(self, args: Mapping[str, Any]) -> None:
        if "device-deleted-without-user" in self.faults and self.context_token:
            self.track_event(DEVICE_DELETE, {}, user_id="")
        else:
            self._delete_device_token()
        if "token-dropped-on-delete" in self.faults:
            self.context_token = None

    def api_trackMetric(self, args: Mapping[str, Any]) -> None:
        self._metric(str(args["event"]), str(args["deliveryId"]), str(args["deviceToken"]))

    def api_flush(self, args: Mapping[str, Any]) -> None:
        assert self.pipeline is not None
        self.pipeline.flush()

    # -- what the calls share ------------------------------------------------------------------

    def _metric(self, metric: str, delivery_id: str, token: str) -> None:
        """TrackMetricExt.kt ``asMap``: metric lower case, deliveryId, recipient (push)."""
        name = metric.lower()
        if "metric-capitalized" in self.faults:
            name = name.capitalize()
        self.track_event(METRIC_DELIVERY, {"metric": name, "deliveryId": delivery_id, "recipient": token})

    def _track_device_attributes(self, token: str | None, custom: Mapping[str, Any] | None = None) -> None:
        if not token:
            return
        existing = self.context_token
        if existing is not None and existing != token and "no-delete-on-token-refresh" not in self.faults:
            self._delete_device_token(token=existing)
        self.context_token = token
        self.track_event(DEVICE_UPDATE, self._device_attributes(dict(custom or {})))

    def _device_attributes(self, custom: dict[str, Any]) -> dict[str, Any]:
        if not self.config["autoTrackDeviceAttributes"]:
            return custom
        push_enabled: Any = self.env.permission_granted
        if "push-enabled-string" in self.faults:
            push_enabled = "true" if push_enabled else "false"
        attributes: dict[str, Any] = {
            "device_os": self._api_level(),
            "device_model": self.env.device_model,
            "device_manufacturer": MANUFACTURER,
            "app_version": self.env.app_version,
            "cio_sdk_version": SDK_VERSION,
            "device_locale": LOCALE,
            "push_enabled": push_enabled,
        }
        if "device-defaults-win" in self.faults:
            attributes = {**custom, **attributes}
        else:
            attributes.update(custom)  # order matters: custom values win (CustomerIO.kt:394)
        # AutoTrackDeviceAttributesPlugin: copied from the context, over the properties
        context = self._context()
        attributes["network_bluetooth"] = context["network"]["bluetooth"]
        attributes["network_cellular"] = context["network"]["cellular"]
        attributes["network_wifi"] = context["network"]["wifi"]
        if "device-attributes-no-screen" not in self.faults:
            attributes["screen_width"] = context["screen"]["width"]
            attributes["screen_height"] = context["screen"]["height"]
        if "ip-in-device-attributes" in self.faults:
            attributes["ip"] = "10.0.2.15"
        attributes["timezone"] = context["timezone"]
        return attributes

    def _delete_device_token(self, user_id: str | None = None, token: str | None = None) -> None:
        if not self.context_token:
            return
        self.track_event(DEVICE_DELETE, {}, user_id=user_id, token=token)

    def _identify_event(self, user_id: str | None, traits: dict[str, Any]) -> None:
        body: dict[str, Any] = {}
        if traits or "empty-traits-sent" in self.faults:
            body["traits"] = traits
        self._enqueue("identify", body, user_id=user_id)

    def track_event(
        self, name: str, properties: dict[str, Any], user_id: str | None = None, token: str | None = None
    ) -> None:
        self._enqueue("track", {"event": name, "properties": properties}, user_id=user_id, token=token)

    def _enqueue(self, kind: str, body: dict[str, Any], user_id: str | None = None, token: str | None = None) -> None:
        """Build the Segment event (Events.kt applyBaseData/applyBaseEventData, then the plugins) and store it."""
        assert self.pipeline is not None
        for key in ("properties", "traits"):
            if isinstance(body.get(key), dict):
                body = {**body, key: self._serialized(body[key])}
        uid = user_id if user_id is not None else (self.user_id or "")
        event: dict[str, Any] = {"type": kind, **body}
        event["messageId"] = str(uuid.uuid4())
        event["anonymousId"] = str(self.prefs.get("anonymous_id"))
        event["timestamp"] = self.timestamp()
        event["context"] = self._context(token)
        event["integrations"] = {}
        if uid or "anonymous-blank-user-id" in self.faults:  # stringifyBaseEvent drops a blank userId
            event["userId"] = uid
        event["_metadata"] = {"bundled": [], "unbundled": [], "bundledIds": []}
        self.pipeline.files.store(json.dumps(event, separators=(",", ":")))
        self.pipeline.stored()
        if (
            kind == "track"
            and name_of(event) == "Application Backgrounded"
            and "no-flush-when-backgrounded" not in self.faults
        ):
            self.pipeline.flush()  # customerio ApplicationLifecyclePlugin: flush on background

    def _serialized(self, value: Any) -> Any:
        """A caller's value as JsonAnySerializer writes it: a date (``{"$date": ISO}`` on the RPC, a
        java.util.Date in a real app) has no kotlinx serializer, so ``toJsonElement`` gives JsonNull
        (research other-sdks.md A6)."""
        if isinstance(value, dict):
            if list(value) == ["$date"]:
                return str(value["$date"]) if "date-as-string" in self.faults else None
            return {k: self._serialized(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._serialized(v) for v in value]
        return value

    def _api_level(self) -> int:
        return _API_LEVELS.get(self.env.os_version, 34)

    def _context(self, token: str | None = None) -> dict[str, Any]:
        level = self._api_level()
        device: dict[str, Any] = {
            "id": str(self.prefs.get("device_id") or ""),
            "manufacturer": MANUFACTURER,
            "model": self.env.device_model,
            "name": self.env.device_model,
            "type": "android",
        }
        context: dict[str, Any] = {
            "app": {
                "name": APP_NAME,
                "version": self.env.app_version,
                "namespace": PACKAGE,
                "build": str(version_code(self.env.app_version)),
            },
            "device": device,
            "os": {"name": "Android", "version": self.env.os_version},
            "screen": {"density": 2.75, "height": 2400, "width": 1080},
            "network": {"wifi": self.env.online, "cellular": False, "bluetooth": False},
            "locale": LOCALE,
            "timezone": TIMEZONE,
            "instanceId": self.instance_id,
        }
        if "library-kept" in self.faults:
            context["library"] = {"name": "analytics-kotlin", "version": "1.24.1"}
        context["userAgent"] = ("" if "user-agent-no-prefix" in self.faults else "Customer.io ") + (
            f"Android Client/{SDK_VERSION} ({MANUFACTURER} {self.env.device_model}; {level}) "
            f"{PACKAGE}/{self.env.app_version}"
        )
        chosen = token or (None if "token-missing-in-context" in self.faults else self.context_token)
        if chosen:
            device["token"] = chosen
        return context

    def timestamp(self) -> str:
        """SegmentInstant.now(): UTC, milliseconds, ``Z`` (DateTimeUtils.kt)."""
        now = datetime.datetime.fromtimestamp(self.clock.now(), datetime.UTC)
        if "timestamp-no-millis" in self.faults:
            return now.strftime("%Y-%m-%dT%H:%M:%SZ")
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"

    # -- the phone -----------------------------------------------------------------------------

    def on_foreground(self) -> None:
        with self._lock:
            was = self.env.foreground
            self.env.foreground = True
            if not self.initialized:
                return
            if not was and self._lifecycle():
                self._app_started()
            for delivery_id, token in self.push.take_pending():
                self._metric("delivered", delivery_id, token)

    def on_background(self) -> None:
        with self._lock:
            was = self.env.foreground
            self.env.foreground = False
            if self.initialized and was and self._lifecycle():
                self.track_event("Application Backgrounded", {})

    def on_network(self, online: bool) -> None:
        self.env.online = online

    def on_new_token(self, token: str) -> None:
        """FirebaseMessagingService.onNewToken -> CustomerIO registerDeviceToken (RegisterDeviceTokenEvent).
        Firebase keeps the token it issued, for the next start's fetch."""
        with self._lock:
            if token.strip():
                self.fcm.set(token=token)
            if self.initialized:
                self.api_registerDeviceToken({"token": token})

    def _push_enabled(self) -> bool:
        return bool(self.config["autoTrackPushEvents"])

    def on_push_delivered(self, payload: dict[str, Any]) -> bool:
        """CustomerIOFirebaseMessagingService.onMessageReceived; True when it was a CIO push."""
        delivery_id, token = str(payload.get(DELIVERY_ID) or ""), str(payload.get(DELIVERY_TOKEN) or "")
        if DELIVERY_ID not in payload:
            return False
        with self._lock:
            config = self.config if self.initialized else dict(self.prefs.get("config") or {})
            if not config or not bool(config.get("autoTrackPushEvents", True)):
                return True
            if not self.push.accept(delivery_id):
                return True
            if self.initialized and self.env.foreground:
                self._metric("delivered", delivery_id, token)
                return True
        self.push.send_in_background(delivery_id, token, config)
        return True

    def on_push_clicked(self, payload: dict[str, Any], action: dict[str, Any]) -> None:
        """NotificationClickReceiverActivity: the opened metric through the batch."""
        with self._lock:
            if not self.initialized or DELIVERY_ID not in payload:
                return
            if not self._push_enabled() and "opened-when-autotrack-off" not in self.faults:
                return
            self._metric("opened", str(payload[DELIVERY_ID]), str(payload.get(DELIVERY_TOKEN) or ""))

    # -- the harness ---------------------------------------------------------------------------

    def settle(self, timeout: float) -> bool:
        """True once no flush is requested or running (the interval timer is not advanced)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.clock.barrier():
                self.clock.advance(0)
                if self.pipeline is None or self.pipeline.idle(0):
                    return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            assert self.pipeline is not None
            self.pipeline.idle(min(left, 0.5))

    def close(self) -> None:
        if self.pipeline is not None:
            self.pipeline.close()
        self.push.close()


def name_of(event: Mapping[str, Any]) -> Any:
    return event.get("event")


def _new_message_ids(text: str) -> str:
    """The ``new-message-ids-on-retry`` fault: every event of a batch file gets a new messageId."""
    doc = json.loads(text)
    for event in doc.get("batch") or []:
        event["messageId"] = str(uuid.uuid4())
    return json.dumps(doc, separators=(",", ":"))
