"""Push delivery tracking of the messagingpush module (customerio-android 4.19.0).

``PushMessageProcessorImpl`` drops a delivery id that is blank or among the last 10 seen; otherwise
the delivered metric goes either through the event pipeline (the app in the foreground) or, in the
background, through a WorkManager job that ``POST``s ``https://{apiHost}/track`` itself
(``PushDeliveryTracker.kt``, ``core/network/CustomerIOHttpClient.kt``): Basic auth of
``<cdpApiKey>:``, ``Content-Type: application/json; charset=utf-8``, ``User-Agent: Android
Client/<version>`` (A6: no ``Customer.io`` prefix) and the body
``{"anonymousId": D, "event": "Report Delivery Event", "properties": {"recipient", "metric", "deliveryId"}}``
with no messageId, timestamp or context. A failed send is retried by the job (WorkManager's
exponential backoff, 30 s doubling, on the virtual clock) until the app comes to the foreground, when
the job is cancelled and the pending metric goes through the batch instead (research A3, A6).
"""

from __future__ import annotations

import base64
import functools
import threading
from collections.abc import Mapping
from typing import Any

import httpx

from harness.sdks.customerio.virtual.faults import Faults
from harness.sdks.customerio.virtual.storage import Prefs
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["DELIVERY_ID", "DELIVERY_TOKEN", "DeliveryTracker"]

DELIVERY_ID = "CIO-Delivery-ID"
DELIVERY_TOKEN = "CIO-Delivery-Token"
_JOB = "cio-push-delivery"
_SEEN = 10  # PushMessageProcessorImpl keeps the last 10 delivery ids


class DeliveryTracker:
    """The delivered metric's two channels, and the last-10 duplicate filter (persisted)."""

    def __init__(self, prefs: Prefs, env: AppEnv, clock: VirtualClock, faults: Faults, user_agent: str) -> None:
        self.prefs = prefs
        self.env = env
        self.clock = clock
        self.faults = faults
        self.user_agent = user_agent
        self.client = httpx.Client(timeout=5.0, transport=env.network)
        self._lock = threading.RLock()

    def accept(self, delivery_id: str) -> bool:
        """False for a blank id or one among the last 10 seen; otherwise remembered."""
        if not delivery_id.strip():
            return False
        with self._lock:
            seen: list[str] = list(self.prefs.get("push_delivery_ids") or [])
            if delivery_id in seen and "push-delivered-twice" not in self.faults:
                return False
            seen = [*seen, delivery_id][-_SEEN:]
            self.prefs.set(push_delivery_ids=seen)
            return True

    def send_in_background(self, delivery_id: str, token: str, config: Mapping[str, Any]) -> None:
        """Store the pending metric and run the job now (it re-schedules itself while failing)."""
        with self._lock:
            pending = dict(self.prefs.get("push_pending") or {})
            pending[delivery_id] = {"token": token, "config": dict(config), "attempt": 0}
            self.prefs.set(push_pending=pending)
        self._run_job(delivery_id)

    def _run_job(self, delivery_id: str) -> None:
        with self._lock:
            pending = dict(self.prefs.get("push_pending") or {})
            entry = pending.get(delivery_id)
            if entry is None:
                return
        config = entry["config"]
        key = str(config["cdpApiKey"])
        body = {
            "anonymousId": delivery_id,
            "event": "Report Delivery Event",
            "properties": {"recipient": entry["token"], "metric": "delivered", "deliveryId": delivery_id},
        }
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent}
        if "push-track-no-auth" not in self.faults:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode("ascii")
        url = f"{config['scheme']}://{str(config['apiHost']).rstrip('/')}/track"
        try:
            if not self.env.online:
                raise httpx.ConnectError("offline")
            ok = self.client.post(url, json=body, headers=headers).is_success
        except httpx.HTTPError:
            ok = False
        with self._lock:
            pending = dict(self.prefs.get("push_pending") or {})
            if delivery_id not in pending:
                return
            if ok:
                del pending[delivery_id]
                self.prefs.set(push_pending=pending)
                return
            attempt = int(pending[delivery_id]["attempt"]) + 1
            pending[delivery_id] = {**pending[delivery_id], "attempt": attempt}
            self.prefs.set(push_pending=pending)
        self.clock.schedule(f"{_JOB}-{delivery_id}", 30.0 * 2 ** (attempt - 1), lambda: self._run_job(delivery_id))

    def take_pending(self) -> list[tuple[str, str]]:
        """The app came to the foreground: cancel the jobs; their metrics go through the batch."""
        with self._lock:
            pending = dict(self.prefs.get("push_pending") or {})
            self.prefs.set(push_pending={})
        for delivery_id in pending:
            self.clock.cancel(f"{_JOB}-{delivery_id}")
        return [(d, str(e["token"])) for d, e in pending.items()]

    def resume(self) -> None:
        """At launch, jobs left by a killed process run again (WorkManager survives the process)."""
        for delivery_id in list(self.prefs.get("push_pending") or {}):
            self.clock.schedule(f"{_JOB}-{delivery_id}", 0.0, functools.partial(self._run_job, delivery_id))

    def close(self) -> None:
        self.client.close()
