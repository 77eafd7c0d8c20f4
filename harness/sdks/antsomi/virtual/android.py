"""A STAND-IN Antsomi CDP365 SDK for the virtual app. It is NOT the real SDK and NOT its real wire.

Antsomi publishes no source or wire format for its mobile SDKs (research other-sdks.md B1). This
stand-in is written from the documented identity model (B3), the public API (B2) and the behaviour
items (B5), independently of the profile (``harness/sdks/antsomi/spec``), so the record -> learn ->
pin -> check flow and the identity rules can be proven on the virtual device. Its wire is the
*historical* V3 iOS shape (B4, vietvk92/CDP365AnalyticSwift ``ANSender``/``ANEventAPISerializer``):

- ``POST <url>?portal_id=P&prop_id=S&resp_type=json&format=json``,
  ``Content-Type: application/json; charset=utf-8``, no auth header, one event per request, sent at
  once over real HTTP (delivery timing of the real SDK is unknown, B2 "Flush: none found");
- body ``{uid, aid, sid, ec, ea, context{app, sdk, device, os, network}, extra, items, dims}`` with
  ``dims.customers.customer_id`` when a customer id is known (web tracker's dims, B4);
- a screen view is ``ec:"screen", ea:"view"`` (B4) with ``extra.screen_name/title/type``; a custom
  event is ``ec:"custom", ea:<en>`` (this project's choice: B4 does not say), with ``extra`` holding
  the eventProps and ``dims.customers`` the customerProps, ``dims.users`` the userProps.

Identity (B3/B5): the UID is generated at first ``config`` and stored in a file, so relaunches and
kills keep it; ``setCustomerProperties`` stores the CID; ``resetCustomer``/``removeCustomer`` forget it
and keep the UID (the docs do not say it rotates); ``resetUid`` makes a new UID; ``setUid`` sets it.
``config`` sends nothing on Android (B5 #4 is iOS only).

Releases: ``1.0.0`` sends ``sid`` (session start) as a number; ``1.1.0`` sends it as a string, the
field-type change a pinned profile and ``harness diff`` must catch.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from harness.sdks.antsomi.virtual.faults import Faults
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["AntsomiStandIn", "SdkError"]

VERSIONS = ("1.0.0", "1.1.0")


class SdkError(Exception):
    """What the stand-in throws to the app (a call before ``config``, a bad argument)."""


class AntsomiStandIn:
    """One app's stand-in ``AntsomiSDK.instance``; identity survives a kill in ``data_dir``."""

    def __init__(
        self, data_dir: Path, clock: VirtualClock, env: AppEnv, faults: Faults, version: str = "1.1.0"
    ) -> None:
        if version not in VERSIONS:
            raise SdkError(f"the stand-in has releases {', '.join(VERSIONS)}, not {version}")
        self.version = version
        self.clock = clock
        self.env = env
        self.faults = faults
        self.path = data_dir / "antsomi_standin.json"
        try:
            self.stored: dict[str, Any] = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            self.stored = {}
        self.config: dict[str, Any] | None = None
        self.session = clock.now()
        self.sent = 0  # events sent by this process
        self.client = httpx.Client(timeout=15.0, transport=env.network)
        self._lock = threading.RLock()

    def _save(self, **values: Any) -> None:
        self.stored.update(values)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.stored))
        tmp.replace(self.path)

    # -- dispatch ------------------------------------------------------------------------------

    def call(self, method: str, args: Mapping[str, Any]) -> Any:
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise SdkError(f"unknown SDK method {method!r}")
        with self._lock:
            if method != "config" and self.config is None:
                raise SdkError("AntsomiSDK is not configured: call config() first")
            return handler(args)

    def api_config(self, args: Mapping[str, Any]) -> bool:
        if not args.get("url"):
            raise SdkError("the stand-in needs `url` (the harness fills it in)")
        self.config = dict(args)
        if not self.stored.get("uid") or "uid-rotates-on-relaunch" in self.faults:
            self._save(uid=str(uuid.uuid4()))
        return True

    def api_setCustomerProperties(self, args: Mapping[str, Any]) -> None:
        if "cid-missing-after-identify" in self.faults:
            return
        self._save(cid=str(args["customerId"]), customer=dict(args.get("customerProperties") or {}))

    def api_resetCustomer(self, args: Mapping[str, Any]) -> None:
        if "cid-kept-after-reset" not in self.faults:
            self._save(cid=None, customer={})

    def api_removeCustomer(self, args: Mapping[str, Any]) -> None:
        self.api_resetCustomer(args)

    def api_getUid(self, args: Mapping[str, Any]) -> str:
        return str(self.stored["uid"])

    def api_setUid(self, args: Mapping[str, Any]) -> None:
        if "set-uid-ignored" not in self.faults:
            self._save(uid=str(args["uid"]))

    def api_resetUid(self, args: Mapping[str, Any]) -> None:
        if "reset-uid-keeps-old" not in self.faults:
            self._save(uid=str(uuid.uuid4()))

    def api_getCustomerId(self, args: Mapping[str, Any]) -> str | None:
        cid = self.stored.get("cid")
        return str(cid) if cid else None  # no customer: null, as a Dart String? getter answers

    def api_getPortalId(self, args: Mapping[str, Any]) -> str:
        assert self.config is not None
        return str(self.config["portalId"])

    def api_getPropsId(self, args: Mapping[str, Any]) -> str:
        assert self.config is not None
        return str(self.config["propsId"])

    def api_track(self, args: Mapping[str, Any]) -> None:
        customer = dict(args.get("customerProps") or {})
        if "event-customer-id-dropped" in self.faults:
            customer.pop("customer_id", None)
        self._send(
            "custom",
            str(args["en"]),
            dict(args.get("eventProps") or {}),
            list(args.get("items") or []),
            customer,
            dict(args.get("userProps") or {}),
            dict(args.get("objectProps") or {}),
        )

    def api_trackScreen(self, args: Mapping[str, Any]) -> None:
        extra = {
            "screen_name": args["name"],
            "screen_title": args.get("title", ""),
            "screen_type": args.get("type", ""),
        }
        if "screen-as-custom" in self.faults:
            self._send("custom", str(args["name"]), extra, [], {}, {}, {})
        else:
            self._send("screen", "view", extra, [], {}, {}, {})

    # -- the wire (historical V3 shape, B4) -------------------------------------------------------

    def _send(
        self,
        ec: str,
        ea: str,
        extra: dict[str, Any],
        items: list[Any],
        customer: dict[str, Any],
        user: dict[str, Any],
        objects: dict[str, Any],
    ) -> None:
        assert self.config is not None
        uid = self.stored["uid"]
        customers = {**dict(self.stored.get("customer") or {}), **customer}
        cid = customer.get("customer_id") or self.stored.get("cid")
        if cid is None and "cid-before-identify" in self.faults:
            cid = uid
        if cid:
            customers["customer_id"] = cid
        else:
            customers.pop("customer_id", None)
        dims: dict[str, Any] = {}
        if customers:
            dims["customers"] = customers
        if user:
            dims["users"] = user
        dims.update(objects)
        sid: Any = int(self.session)
        if self.version != "1.0.0":
            sid = str(sid)  # release 1.1.0: the session id became a string
        body: dict[str, Any] = {
            "uid": uid,
            "aid": self.config.get("applicationId", ""),
            "sid": sid,
            "ec": ec,
            "ea": ea,
            "context": {
                "app": {"id": self.config.get("applicationId", ""), "version": self.env.app_version},
                "sdk": {"name": "antsomi-standin", "version": self.version},
                "device": {"model": self.env.device_model},
                "os": {"name": self.env.platform, "version": self.env.os_version},
                "network": {"online": self.env.online},
            },
            "extra": extra,
            "items": items,
            "dims": dims,
        }
        if self.sent == 0 and not self.stored.get("sent_any") and "uid-missing-on-first-event" in self.faults:
            del body["uid"]
        query = {"portal_id": self.config["portalId"], "prop_id": self.config["propsId"]}
        if "prop-id-missing" in self.faults:
            del query["prop_id"]
        url = f"{self.config['url']}?{urlencode({**query, 'resp_type': 'json', 'format': 'json'})}"
        self.sent += 1
        if not self.stored.get("sent_any"):
            self._save(sent_any=True)
        # offline: the stand-in does not queue (the real SDK's retry is unknown, B2)
        with contextlib.suppress(httpx.HTTPError):
            self.client.post(
                url,
                content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )

    # -- the app's life -----------------------------------------------------------------------

    def on_foreground(self) -> None:
        return None

    def on_background(self) -> None:
        return None

    def on_network(self, online: bool) -> None:
        self.env.online = online

    def on_new_token(self, token: str) -> None:
        return None

    def on_push_delivered(self, payload: dict[str, Any]) -> bool:
        return False

    def on_push_clicked(self, payload: dict[str, Any], action: dict[str, Any]) -> None:
        return None

    def settle(self, timeout: float) -> bool:
        """Events are sent during the call, so nothing is ever pending."""
        return True

    def close(self) -> None:
        self.client.close()
