"""The reference Exponea iOS SDK 4.0.1: the public API and what each call stores.

Written from the research notes (``research/ios-sdk-spec.md``), independently of the spec model.
Calls arrive by their canonical names (``docs/sdk-calls.md``, section iOS). Every tracked thing is
stored as one row per target project in the ``Database``; in ``.immediate`` mode a flush is
scheduled 3 s (virtual clock) after each stored row, identify also flushes at once (ios#3, #21).
The ``Flusher`` sends the rows.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

from harness.sdks.exponea.virtual.faults import Faults, basic_authorization
from harness.sdks.exponea.virtual.ios import push
from harness.sdks.exponea.virtual.ios.config import (
    DEFAULT_BASE_URL,
    FLUSH_MODES,
    ROUTE_KEYS,
    ConfigError,
    IosConfig,
    Target,
    parse_config,
    target_from,
)
from harness.sdks.exponea.virtual.ios.database import Customer, Database, Row
from harness.sdks.exponea.virtual.ios.flusher import SOON, Flusher
from harness.sdks.exponea.virtual.ios.sessions import Sessions
from harness.sdks.exponea.virtual.ios.versions import DEFAULT_VERSION, release
from harness.sdks.exponea.virtual.storage import Prefs
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["IMMEDIATE_FLUSH_DELAY", "IosSdk", "SdkError"]

IMMEDIATE_FLUSH_DELAY = 3.0  # Constants.Tracking.immediateFlushDelay
CAMPAIGN_WINDOW = 3.0  # a saved campaign click or a pending session_start is amendable this long
SETTLE_HORIZON = IMMEDIATE_FLUSH_DELAY + 0.5
_UTM = ("utm_source", "utm_campaign", "utm_content", "utm_medium", "utm_term", "xnpe_cmp")
_PERIODIC = "ios:periodic-flush"
_SAVED_CAMPAIGN = "EXPONEA_SAVED_CAMPAIGN_CLICK"

# Calls that ExpoInitManager queues until configure (dropped while stopped).
_QUEUED = {
    "trackEvent",
    "identifyCustomer",
    "trackPaymentEvent",
    "trackSessionStart",
    "trackSessionEnd",
    "trackPushToken",
    "handleNewToken",
    "trackDeliveredPush",
    "trackDeliveredPushWithoutTrackingConsent",
    "trackClickedPush",
    "trackClickedPushWithoutTrackingConsent",
    "handleCampaignIntent",
    "flushData",
    "anonymize",
    "setFlushMode",
    "setFlushPeriod",
    "setDefaultProperties",
    "setAutomaticSessionTracking",
    "setSessionTimeout",
}
# Public calls behind the hasSufficientAuth gate (project mode with authorization .none: no-op, ios#74).
_AUTH_GATED = {
    "trackEvent",
    "identifyCustomer",
    "trackPaymentEvent",
    "trackSessionStart",
    "trackSessionEnd",
    "trackPushToken",
    "trackDeliveredPush",
    "trackDeliveredPushWithoutTrackingConsent",
    "trackClickedPush",
    "trackClickedPushWithoutTrackingConsent",
    "handleCampaignIntent",
    "flushData",
}
_ANDROID_ONLY = {"trackHmsPushToken", "handleNewHmsToken", "handleRemoteMessage"}


class SdkError(Exception):
    """An error the bridge reports to the caller (an unknown or Android-only method)."""


def _log(message: str) -> None:
    print(f"[ExponeaSDK] {message}", file=sys.stderr, flush=True)


def campaign_data(url: str) -> dict[str, str]:
    """``CampaignData(url:)``: the first occurrence of each utm_* key and ``xnpe_cmp``."""
    found: dict[str, str] = {}
    for key, value in parse_qsl(urlparse(url).query, keep_blank_values=True):
        if key in _UTM and key not in found:
            found[key] = value
    return found


class IosSdk:
    """One app's ``Exponea.shared``; state lives in ``data_dir`` and survives a process kill."""

    def __init__(
        self, data_dir: Path, clock: VirtualClock, env: AppEnv, faults: Faults, version: str = DEFAULT_VERSION
    ) -> None:
        self.release = release(version)
        self.clock = clock
        self.env = env
        self.faults = faults
        self.defaults = Prefs(data_dir / "ExponeaSDK.defaults.json")  # UserDefaults suite "ExponeaSDK"
        self.db = Database(data_dir / "DatabaseModel.sqlite")
        self.lock = threading.RLock()
        self.configured = False
        self.config = IosConfig(main=Target(DEFAULT_BASE_URL, "", "project"))
        self._leaky_stop = "sends-after-stop" in faults
        self._stopping = False
        self._pre_init: list[tuple[str, dict[str, Any]]] = []
        self._timer_seq = 0
        self.flusher = Flusher(
            self.db,
            env,
            clock,
            faults,
            max_retries=lambda: self.config.max_retries,
            authorization=self._row_authorization,
            successful_4xx=self.release.successful_4xx,
            is_stopped=lambda: self.stopped and not self._leaky_stop,
            main_integration_id=lambda: self.config.main.integration_id,
        )
        self.sessions = Sessions(self)
        self.push = push.PushManager(self)

    @property
    def stopped(self) -> bool:
        return bool(self.defaults.get("isStopped"))

    # -- dispatch --------------------------------------------------------------------------

    def call(self, method: str, args: Mapping[str, Any]) -> Any:
        if method in _ANDROID_ONLY:
            raise SdkError(f"{method} is Android only (not on iOS)")
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise SdkError(f"unknown SDK method {method!r}")
        with self.lock:
            if method in _QUEUED and not self.configured:
                if self.stopped and "tracks-after-stop" not in self.faults:
                    return None  # ExpoInitManager drops calls while stopped (ios#63)
                self._pre_init.append((method, dict(args)))
                return None
            gated = method in _AUTH_GATED and "ios-auth-none-tracks" not in self.faults
            if gated and not self.config.has_sufficient_auth:
                _log(f"{method}: authorizationInsufficient (project authorization is .none)")
                return None
            return handler(args)

    # -- configuration ---------------------------------------------------------------------

    def api_init(self, args: Mapping[str, Any]) -> None:
        if self.configured:
            _log("Exponea SDK is already configured")
            return
        try:
            config = parse_config(dict(args.get("configuration") or {}), streams=self.release.has_streams)
        except ConfigError as exc:
            _log(f"configure failed, the SDK stays unconfigured: {exc}")
            return
        self.config = config
        self.configured = True
        self.defaults.set(isStopped=False, EXPONEA_LAST_KNOWN_CONFIGURATION=config.to_json())
        self.device_id()
        self.customer()
        self._initial_setup()
        self.push.verify()
        self._apply_flush_mode()
        self._fetch_bundle()
        pending, self._pre_init = self._pre_init, []
        for method, pending_args in pending:
            self.call(method, pending_args)

    def _initial_setup(self) -> None:
        """``TrackingManager.initialSetup``: installation once per cookie, then the session.

        The session starts whatever the app's state: ``initialSetup`` calls
        ``sessionManager.applicationDidBecomeActive()`` unconditionally (``TrackingManager.swift:124-133@4.0.1``,
        ``SessionManagerType.swift:27``), at configure and in ``anonymize`` (``:722``). A configure in the
        background thus starts a session that the next foreground ends past the timeout (ios#2, ios#50).
        """
        key = "installTracked" + self.customer().uuid
        if not self.defaults.get(key) or "installation-every-launch" in self.faults:
            self.track("INSTALL", "installation", self.device_properties(), self.clock.now())
            self.defaults.set(**{key: True})
        # sessionManager.applicationDidBecomeActive() whatever the app's state (TrackingManager.swift:124-133
        # @4.0.1; SessionManager.swift:74-77 checks only isAutomatic): configure or anonymize in the
        # background starts a session too (found by harness explore: explore-ios-anonymize-in-background).
        if self.config.automatic_session_tracking:
            self.sessions.trigger_start()

    def _apply_flush_mode(self) -> None:
        self.clock.cancel(_PERIODIC)
        if self.config.flush_mode == "immediate":
            self._schedule_flush()
        elif self.config.flush_mode == "periodic" and self.env.foreground:
            self._schedule_periodic()

    def api_setFlushMode(self, args: Mapping[str, Any]) -> None:
        mode = str(args["mode"])
        if mode not in FLUSH_MODES:
            raise SdkError(f"setFlushMode: unknown mode {mode!r}")
        self.config.flush_mode = FLUSH_MODES[mode]
        self._apply_flush_mode()

    def api_setFlushPeriod(self, args: Mapping[str, Any]) -> None:
        self.config.flush_period = int(args["seconds"])
        self.config.flush_mode = "periodic"
        self._apply_flush_mode()

    def api_setDefaultProperties(self, args: Mapping[str, Any]) -> None:
        self.config.default_properties = dict(args.get("properties") or {})

    def api_setAutomaticSessionTracking(self, args: Mapping[str, Any]) -> None:
        self.config.automatic_session_tracking = bool(args["enabled"])

    def api_setSessionTimeout(self, args: Mapping[str, Any]) -> None:
        self.config.session_timeout = float(args["seconds"])

    def api_isInitialized(self, args: Mapping[str, Any]) -> bool:
        return self.configured

    def api_getCustomerCookie(self, args: Mapping[str, Any]) -> str | None:
        return self.customer().uuid if self.configured else None

    # -- identity --------------------------------------------------------------------------

    def device_id(self) -> str:
        """``TelemetryUtility.getInstallId``: an uppercase UUID created lazily."""
        value = self.defaults.get("EXPONEA_TELEMETRY_INSTALL_ID")
        if not value:
            value = str(uuid.uuid4()).upper()
            self.defaults.set(EXPONEA_TELEMETRY_INSTALL_ID=value)
        return str(value)

    def customer(self) -> Customer:
        return self.db.current_customer(self.clock.now())

    def api_identifyCustomer(self, args: Mapping[str, Any]) -> None:
        customer = self.customer()
        # 4.0.1 overwrites a given cookie with the current one (ExponeaInternal+Tracking.swift:121-128, ios#16).
        keep_cookie = "ios-identify-cookie-kept" in self.faults
        ids = {
            str(k): str(v)
            for k, v in (args.get("customerIds") or {}).items()
            if (k != "cookie" or keep_cookie) and v is not None
        }
        customer.ids.update(ids)  # additive merge: same key replaced (research ios §5.2)
        # fetchCurrentCustomerAndUpdate saves the context (DatabaseManager.swift:177-181@4.0.1); the
        # fault leaves the save out, so the ids live in memory until something else saves (ios#19).
        self.db.save_customer(customer, persist="ios-identified-ids-not-persisted" not in self.faults)
        timestamp = args.get("timestamp")
        self.track(
            "TRACK_CUSTOMER",
            None,
            dict(args.get("properties") or {}),
            self.clock.now() if timestamp is None else float(timestamp),
            kind="customer",
        )
        self._fetch_in_app_messages(customer.all_ids())

    def api_anonymize(self, args: Mapping[str, Any]) -> None:
        """``anonymize`` step by step (research ios §5.3); project mode does not flush first."""
        old = self.customer()
        if self.config.automatic_session_tracking:
            ended: dict[str, Any] = {}
            if "ios-anonymize-end-with-duration" in self.faults:  # the regular session end's properties
                ended = {**self.device_properties(), "duration": self.clock.now() - self.sessions.started_at()}
            self.track("SESSION_END", "session_end", ended, self.clock.now())
        if old.push_token is not None:
            self.track_notification_state(old.push_token, False, "Invalidated", None)
        if "ios-anonymize-flushes-first" in self.faults:
            # 4.0.1 flushes first only in stream mode with a JWT (ExponeaInternal+Tracking.swift:493-548).
            done = threading.Event()
            if self.flusher.flush(on_done=lambda _result: done.set()) == "started":
                done.wait(120.0)
        self._fetch_in_app_messages(old.all_ids())
        self.defaults.remove(_SAVED_CAMPAIGN)
        self.sessions.clear()
        if args.get("exponeaProject"):
            self.config.main = target_from(dict(args["exponeaProject"]), "anonymize.exponeaProject")
            self.config.mapping = {
                ROUTE_KEYS[k]: [target_from(dict(p), f"anonymize.projectRouteMap.{k}") for p in v]
                for k, v in (args.get("projectRouteMap") or {}).items()
            }
            self.defaults.set(EXPONEA_LAST_KNOWN_CONFIGURATION=self.config.to_json())
        if "ios-device-id-reset-on-anonymize" in self.faults:
            self.defaults.remove("EXPONEA_TELEMETRY_INSTALL_ID")
        self.db.new_customer(self.clock.now())
        if "ios-anonymize-keeps-ids" in self.faults:
            fresh = self.customer()
            fresh.ids.update({k: v for k, v in old.ids.items() if k != "cookie"})
            self.db.save_customer(fresh)
        self._initial_setup()
        if old.push_token is not None:
            # Asynchronous on a phone (after getNotificationSettings): lands after install and session.
            self.push.track_state(old.push_token)

    # -- tracking --------------------------------------------------------------------------

    def api_trackEvent(self, args: Mapping[str, Any]) -> None:
        timestamp = args.get("timestamp")
        event_type = args.get("eventType")
        if event_type is None and "ios-nil-event-type-empty" in self.faults:
            event_type = ""
        self.track(
            "TRACK_EVENT",
            None if event_type is None else str(event_type),
            dict(args.get("properties") or {}),
            self.clock.now() if timestamp is None else float(timestamp),
        )

    def api_trackPaymentEvent(self, args: Mapping[str, Any]) -> None:
        """``trackPayment(properties:timestamp:)``; the canonical ``purchasedItem`` is mapped to properties."""
        if "purchasedItem" in args:
            item = dict(args["purchasedItem"] or {})
            names = {
                "value": "brutto",
                "currency": "currency",
                "paymentSystem": "payment_system",
                "productId": "item_id",
                "productTitle": "product_title",
                "receipt": "receipt",
            }
            props = {names[k]: v for k, v in item.items() if k in names}
        else:
            props = dict(args.get("properties") or {})
        if "ios-payment-values-truncated" in self.faults:
            props = {k: int(v) if isinstance(v, float) else v for k, v in props.items()}
        timestamp = args.get("timestamp")
        self.track("PAYMENT", "payment", props, self.clock.now() if timestamp is None else float(timestamp))

    def api_trackSessionStart(self, args: Mapping[str, Any]) -> None:
        self.sessions.manual_start()

    def api_trackSessionEnd(self, args: Mapping[str, Any]) -> None:
        self.sessions.manual_end()

    def api_flushData(self, args: Mapping[str, Any]) -> None:
        self.flush()

    def api_trackPushToken(self, args: Mapping[str, Any]) -> None:
        token = args.get("token")
        self.push.track_manual(None if token is None else str(token))

    def api_handleNewToken(self, args: Mapping[str, Any]) -> None:
        self.push.handle_token(str(args["token"]))

    def _info_from_data(self, args: Mapping[str, Any]) -> dict[str, Any]:
        data = dict(args.get("data") or {})
        info: dict[str, Any] = {"attributes": dict(data.get("attributes") or {})}
        if data.get("campaignData"):
            info["url_params"] = dict(data["campaignData"])
        if data.get("consentCategoryTracking") is not None:
            info["consent_category_tracking"] = data["consentCategoryTracking"]
        if data.get("hasTrackingConsent") is not None:
            info["has_tracking_consent"] = data["hasTrackingConsent"]
        return info

    def api_trackDeliveredPush(self, args: Mapping[str, Any]) -> None:
        self.track_delivered(self._info_from_data(args), consider_consent=True)

    def api_trackDeliveredPushWithoutTrackingConsent(self, args: Mapping[str, Any]) -> None:
        self.track_delivered(self._info_from_data(args), consider_consent=False)

    def api_trackClickedPush(self, args: Mapping[str, Any]) -> None:
        self.track_clicked(self._info_from_data(args), dict(args.get("actionData") or {}), consider_consent=True)

    def api_trackClickedPushWithoutTrackingConsent(self, args: Mapping[str, Any]) -> None:
        self.track_clicked(self._info_from_data(args), dict(args.get("actionData") or {}), consider_consent=False)

    def api_handleCampaignIntent(self, args: Mapping[str, Any]) -> None:
        """``trackCampaignClick(url:timestamp:)``: the timestamp is ignored (research ios §3.8)."""
        if self.stopped:
            return
        url = str(args["url"])
        data = campaign_data(url)
        now = self.clock.now()
        if url and (data.get("xnpe_cmp") or "ios-campaign-click-without-cmp" in self.faults):
            self.track("CAMPAIGN_CLICK", "campaign_click", {"url": url, "platform": "ios", **data}, now)
        self._campaign_to_session({"url": url, **data} if url else data)

    def _campaign_to_session(self, data: dict[str, str]) -> None:
        if not self.config.automatic_session_tracking or not data:
            return
        self.sessions.ensure_started()
        now = self.clock.now()
        latest: dict[tuple[str, str], Row] = {}
        for row in self.db.rows("event"):
            if row.event_type == "session_start" and row.timestamp > now - CAMPAIGN_WINDOW:
                latest[(row.base_url, row.integration_id)] = row
        if latest:
            for row in latest.values():
                row.properties.update(data)
                self.db.update_properties(row)
        else:
            self.defaults.set(**{_SAVED_CAMPAIGN: {**data, "timestamp": now}})

    def track_delivered(self, info: dict[str, Any], consider_consent: bool) -> None:
        """``trackPushReceived(userInfo:)`` (in-app path, research ios §3.6)."""
        if consider_consent and not push.consent_flag(info) and "ios-delivered-without-consent" not in self.faults:
            return
        plus_one = "ios-delivered-timestamp-not-plus-one" not in self.faults
        props, timestamp = push.delivered_event(info, self.clock.now(), plus_one)
        custom = None if "ios-delivered-event-type-ignored" in self.faults else push.event_type_of(info)
        self.track("TRACK_EVENT" if custom else "PUSH_DELIVERED", custom or "campaign", props, timestamp)

    def track_clicked(self, info: dict[str, Any], action: dict[str, Any], consider_consent: bool) -> None:
        plus_one = "ios-delivered-timestamp-not-plus-one" not in self.faults
        props, timestamp, forced = push.clicked_event(info, action, self.clock.now(), plus_one)
        forced = forced and "ios-force-track-ignored" not in self.faults
        if "ios-opened-no-action-type" in self.faults:
            props.pop("action_type", None)
        if "ios-button-cta-notification" in self.faults:
            props["cta"] = "notification"
        if "ios-silent-opened-as-clicked" in self.faults:
            props["status"] = "clicked"
        if consider_consent and not push.consent_flag(info) and not forced:
            return
        self.track("PUSH_OPENED", push.event_type_of(info) or "campaign", props, timestamp)

    def device_properties(self) -> dict[str, Any]:
        """``DeviceProperties`` (research ios §3.2)."""
        return {
            "os_name": "iOS",
            "platform": "iOS",
            "os_version": "17.5",
            "sdk": "Exponea iOS SDK",
            "sdk_version": self.release.version,  # Exponea.version
            "device_model": "iPhone 15 Pro",
            "device_type": "mobile",
            "app_version": self.env.app_version,
        }

    def track_session_start(self, ts: float) -> None:
        props = {} if "ios-session-start-no-device-props" in self.faults else self.device_properties()
        saved = self.defaults.get(_SAVED_CAMPAIGN)
        if saved:
            self.defaults.remove(_SAVED_CAMPAIGN)
            if ts - float(saved.get("timestamp", 0)) <= CAMPAIGN_WINDOW:
                props.update({k: v for k, v in saved.items() if k != "timestamp"})
        self.track("SESSION_START", "session_start", props, ts)

    def track_session_end(self, ts: float, duration: float) -> None:
        self.track("SESSION_END", "session_end", {**self.device_properties(), "duration": duration}, ts)

    def track_notification_state(self, token: str, valid: bool, description: str, authorized: bool | None) -> None:
        """``notification_state`` plus its companion (empty) customer update (research ios §3.5)."""
        props = {"platform": "ios", "description": description, "push_notification_token": token, "valid": valid}
        now = self.clock.now()
        self.track("NOTIFICATION_STATE", "notification_state", props, now)
        if "ios-legacy-apns-property" in self.faults and valid:
            self.track("TRACK_CUSTOMER", None, {"apple_push_notification_id": token}, now, kind="customer")
        if "ios-no-companion-update" not in self.faults:
            self.track("NOTIFICATION_STATE", None, props, now, kind="customer")
        if description != "Invalidated":
            customer = self.customer()
            customer.push_token = token
            customer.last_token_track = now
            self.db.save_customer(customer)
            self.defaults.set(
                EXPONEA_NOTIFICATION_STATE_APP_VERSION=self.env.app_version,
                EXPONEA_NOTIFICATION_STATE_APPLICATION_ID=self.config.application_id,
            )
        if authorized is not None:
            self.defaults.set(EXPONEA_LAST_KNOWN_AUTHORIZATION=authorized)

    def track(
        self, key: str, event_type: str | None, properties: dict[str, Any], timestamp: float, kind: str = "event"
    ) -> None:
        """``TrackingManager.trackInternal``: enrich, store one row per project, maybe flush."""
        if self.stopped and "tracks-after-stop" not in self.faults and not self._leaky_stop:
            return
        with_defaults = key != "NOTIFICATION_STATE" or "ios-defaults-on-notification-state" in self.faults
        if kind == "customer":
            allowed = self.config.allow_default_customer_properties or "ios-customer-defaults-always" in self.faults
            with_defaults = with_defaults and allowed
        defaults = dict(self.config.default_properties) if with_defaults else {}
        props: dict[str, Any] = dict(defaults)
        if kind == "event":
            props["application_id"] = self.config.application_id
            if "no-device-id" not in self.faults:
                props["device_id"] = self.device_id()
        props.update(properties)
        if "defaults-override" in self.faults:
            props.update(defaults)
        if "ios-nsnull-kept" not in self.faults:
            props = clean_nulls(props)
        if "timestamp-millis" in self.faults:
            timestamp = float(round(timestamp * 1000))
        customer = self.customer()
        frozen = customer.all_ids() if "ios-ids-at-track-time" in self.faults else None
        route_kind = kind
        if kind == "event" and key == "TRACK_EVENT" and "wrong-event-route" in self.faults:
            route_kind = "customer"
        targets = self.config.projects(key)
        if "ios-mapping-ignored" in self.faults:
            targets = targets[:1]
        # DatabaseManager.swift:336, 395@4.0.1 store the row's integrationId; the fault leaves it out.
        keeps_project = "ios-row-project-not-stored" not in self.faults
        for target in targets:
            self.db.add(
                Row(
                    kind=route_kind,
                    event_type=event_type,
                    timestamp=timestamp,
                    properties=props,
                    base_url=target.base_url,
                    integration_id=target.integration_id if keeps_project else "",
                    integration_type=target.integration_type,
                    customer=customer.uuid,
                    sdk_type=key,
                    frozen_ids=frozen,
                    authorization=target.authorization if self.release.stores_row_authorization else None,
                )
            )
        self._on_stored(key)

    def _on_stored(self, key: str) -> None:
        if self.config.flush_mode != "immediate":
            return
        # identify flushes at once (TrackingManager.swift:250-257@4.0.1, ios#21); the
        # ios-identify-waits-for-delay fault leaves that branch out.
        at_once = key == "TRACK_CUSTOMER" and "ios-identify-waits-for-delay" not in self.faults
        if at_once or "ios-no-flush-delay" in self.faults:
            self.flush()
        if "ios-no-flush-delay" not in self.faults:
            self._schedule_flush()

    # -- flushing --------------------------------------------------------------------------

    def flush(self) -> str:
        return self.flusher.flush()

    def _timed_flush(self) -> None:
        self.flush()

    def _schedule_flush(self) -> None:
        """``flushDataWith(delay: 3)``: every call schedules its own flush (no debouncing)."""
        self._timer_seq += 1
        self.clock.schedule(f"{SOON}flush:{self._timer_seq}", IMMEDIATE_FLUSH_DELAY, self._timed_flush)

    def _schedule_periodic(self) -> None:
        def tick() -> None:
            self.flush()
            if self.configured and self.config.flush_mode == "periodic" and self.env.foreground:
                self._schedule_periodic()

        self.clock.schedule(_PERIODIC, float(self.config.flush_period), tick)

    def _row_authorization(self, row: Row) -> str | None:
        """3.11.0: the row's stored authorization, the current one standing in for none; else the current."""
        return row.authorization or self._tracking_authorization()

    def _tracking_authorization(self) -> str | None:
        """Every tracking request carries the *current* main project's authorization (§2.2 quirk)."""
        return None if self.config.stream else self.config.main.authorization

    def _api_path(self, project_path: str, stream_path: str) -> str:
        main = self.config.main
        base = main.base_url[:-1] if main.base_url.endswith("/") else main.base_url
        template = stream_path if self.config.stream else project_path
        return base + template.format(id=main.integration_id)

    def _fetch_bundle(self) -> None:
        url = self._api_path(
            "/wxstatic/projects/{id}/bundle-ios.json?v=2", "/wxstatic/streams/{id}/bundle-ios.json?v=2"
        )
        self.flusher.get(url, self._fetch_authorization())

    def _fetch_in_app_messages(self, ids: dict[str, str]) -> None:
        url = self._api_path(
            "/webxp/s/{id}/inappmessages?compatibility=3", "/webxp/streams/{id}/inappmessages?compatibility=3"
        )
        self.flusher.post(url, {"device": "ios", "customer_ids": ids}, self._fetch_authorization())

    def _fetch_authorization(self) -> str | None:
        """The fetches go to the main project with its authorization, like tracking (§2.2)."""
        if "fetch-basic-auth" in self.faults:
            return basic_authorization(self.config.main.integration_id)
        return self._tracking_authorization()

    # -- stop and clear --------------------------------------------------------------------

    def api_stopIntegration(self, args: Mapping[str, Any]) -> None:
        """``stopIntegration`` (research ios §6.1): final events, one flush, then teardown."""
        if self._stopping or self.stopped:
            return
        if not self.configured or not self.release.stop_sends_final_events:
            self._teardown()  # 3.11.0: isStopped first, then the wipe; queued rows are never sent
            return
        self._stopping = True
        try:
            if "ios-stop-no-final-events" not in self.faults:
                if self.config.automatic_session_tracking:
                    self.track("SESSION_END", "session_end", {}, self.clock.now())
                token = self.customer().push_token
                if token is not None:
                    self.track_notification_state(token, False, "Invalidated", None)
            done = threading.Event()
            if self.flusher.flush(on_done=lambda _result: done.set()) == "started":
                done.wait(120.0)
            self._teardown()
        finally:
            self._stopping = False

    def _teardown(self) -> None:
        """``performTeardown`` (``ExponeaInternal.swift:672-680@4.0.1``): the queued calls go with the rest.

        Before configure the stop has no tracking or flushing manager and tears down at once
        (``:682-686``); ``afterInit.actionBlocks.removeAll()`` is what keeps a later configure from
        replaying the calls made before the stop (ios#64).
        """
        if self.configured or "ios-stop-before-configure-keeps-queue" not in self.faults:
            self._pre_init.clear()
        self.clock.cancel(_PERIODIC)
        self.sessions.clear()
        if not self._leaky_stop:
            self.db.wipe()
        if "ios-stop-keeps-device-id" in self.faults:
            self.defaults.clear(keep=("EXPONEA_TELEMETRY_INSTALL_ID",))
        else:
            self.defaults.clear()
        self.defaults.set(isStopped=True)
        self.configured = self._leaky_stop  # the fault: the SDK object keeps working after the stop

    def api_clearLocalCustomerData(self, args: Mapping[str, Any]) -> None:
        if self.configured and "ios-clear-while-configured" in self.faults:
            self.db.wipe()
            self.defaults.clear(keep=("isStopped", "EXPONEA_LAST_KNOWN_CONFIGURATION"))
            return
        if self.configured or not self.defaults.get("EXPONEA_LAST_KNOWN_CONFIGURATION"):
            _log("clearLocalCustomerData: only possible while not configured, after a configuration was saved")
            return
        self._pre_init.clear()
        self.db.wipe()
        self.defaults.clear(keep=("isStopped",))

    # -- lifecycle and environment ---------------------------------------------------------

    def on_foreground(self) -> None:
        with self.lock:
            self.env.foreground = True
            if not self.configured:
                return
            if self.config.automatic_session_tracking:
                self.sessions.trigger_start()
            self.push.verify(foreground=True)
            if self.config.flush_mode == "periodic":
                self._schedule_periodic()

    def on_background(self) -> None:
        with self.lock:
            self.env.foreground = False
            if not self.configured:
                return
            self.clock.cancel(_PERIODIC)
            if self.config.automatic_session_tracking:
                self.sessions.on_background()
            elif self.config.flush_mode != "manual":
                self.flush()

    def on_new_token(self, token: str) -> None:
        """``didRegisterForRemoteNotificationsWithDeviceToken`` → ``handlePushNotificationToken``."""
        with self.lock:
            if self.configured:
                self.push.handle_token(token)

    def on_push_delivered(self, payload: dict[str, Any]) -> None:
        """The app's notification delegate: ``trackPushReceived(userInfo:)`` for Exponea pushes."""
        info = push.user_info(payload)
        with self.lock:
            if self.configured and info.get("source") == "xnpe_platform":
                self.track_delivered(info, consider_consent=True)

    def on_push_clicked(self, payload: dict[str, Any], action: dict[str, Any]) -> None:
        """A tap: the app comes forward, then ``handlePushNotificationOpened(userInfo:actionIdentifier:)``."""
        info = push.user_info(payload)
        with self.lock:
            if not self.env.foreground:
                self.on_foreground()
            foreign = info.get("source") != "xnpe_platform" and "ios-foreign-push-opened" not in self.faults
            if not self.configured or self.stopped or foreign:
                return  # ios#48
            self.track_clicked(info, action, consider_consent=True)
            params = info.get("url_params")
            if isinstance(params, dict):
                self._campaign_to_session({k: str(params[k]) for k in _UTM if k in params})

    def on_network(self, online: bool) -> None:
        self.env.online = online

    def settle(self, timeout: float) -> bool:
        """True once nothing is in flight and no flush is due within the immediate-flush delay.

        Timers that only stand for "a moment later" on a phone (the 3 s immediate-flush delay, the
        1 s stream re-send) are fired at once by moving the virtual clock to them, as if the
        harness had waited that long; the periodic flush and the background work item are not.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Decide while no timer callback runs: one the ticker has popped but not yet run (a
            # flush about to start) would otherwise be neither pending nor busy, and we would
            # answer "settled" just before it sends.
            with self.clock.barrier():
                self.clock.advance(0)  # timers already due fire now, not at the ticker's next turn
                due = self.clock.next_due(SOON)
                soon = due is not None and due[0] - self.clock.now() <= SETTLE_HORIZON
                busy = self.flusher.busy()
                if not busy and not soon:
                    return True
            if busy:
                if soon and due is not None and ":resend:" in due[1]:
                    self.clock.advance(max(0.0, due[0] - self.clock.now()))
                else:
                    self.flusher.wait_idle(0.05)
                continue
            if due is not None:
                self.clock.advance(max(0.0, due[0] - self.clock.now()))
        return False

    def close(self) -> None:
        self.flusher.close()


def clean_nulls(props: dict[str, Any]) -> dict[str, Any]:
    """NSNull values cannot be stored in Core Data and are dropped (ios#12); NaN stays until sent."""
    return {k: (clean_nulls(v) if isinstance(v, dict) else v) for k, v in props.items() if v is not None}
