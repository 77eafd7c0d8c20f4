"""The iOS SDK's ``FlushingManager`` and ``RequestFactory``: one POST per row, all at once.

A flush (research ios §7) is refused when the SDK is stopped, when another flush runs
(``flushAlreadyInProgress``) and when the device is offline (``noInternetConnection``: nothing sent,
no retry counted, ios#69). Otherwise it reads the customer rows, then the event rows, each ascending
by timestamp, resolves every row's ``customer_ids`` from its customer *now* (ios#20), and starts all
requests without awaiting them (a pool of 6, URLSession's per-host connection limit), so arrival
order at the server is not guaranteed. The rows and their ids are read synchronously when the flush
starts; only the sending runs on the flush thread. Responses (§2.4): any status below 400 deletes the row; a
connection error keeps it untouched; a 5xx whose body is not a ``MultipleErrorResponse`` keeps it
forever (ios#68); every other failure counts a retry and the row is deleted once ``retries + 1``
reaches ``maxRetries`` (5 attempts, ios#67). In stream mode a 401 (or a 403 without a JWT) is
re-sent once, 1 s later on the virtual clock (ios#73).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import httpx

from harness.sdks.exponea.virtual.faults import Faults
from harness.sdks.exponea.virtual.ios.database import Database, Row
from harness.sdks.exponea.virtual.ios.jsonser import clean, dumps
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["SOON", "Flusher", "ios_headers", "track_url"]

SOON = "ios-soon:"  # timers that a settle may fire at once (flush delay, stream re-send)
USER_AGENT = "VirtualApp/1 CFNetwork/1496.0.7 Darwin/23.5.0"
REQUEST_TIMEOUT = 60.0  # URLSessionConfiguration.default.timeoutIntervalForRequest
_STRIPPED = ("push_notification_token", "valid", "description", "platform", "application_id", "device_id")


def ios_headers(authorization: str | None, with_body: bool = True) -> dict[str, str]:
    """``RequestFactory.prepareRequest`` names (lower case) plus what URLSession adds itself."""
    headers = {"content-type": "application/json", "accept": "application/json"}
    if authorization:
        headers["authorization"] = authorization
    headers.update(
        {"user-agent": USER_AGENT, "accept-language": "en-GB,en;q=0.9", "accept-encoding": "gzip, deflate, br"}
    )
    if not with_body:
        headers.pop("content-type")
    return headers


def track_url(row: Row) -> str:
    """The route of a row (§2.1), one trailing ``/`` of the base URL stripped (ios#6)."""
    base = row.base_url[:-1] if row.base_url.endswith("/") else row.base_url
    if row.kind == "customer":
        route = "customers"
    elif row.event_type == "campaign_click":
        route = "campaigns/clicks"
    else:
        route = "customers/events"
    if row.integration_type == "stream":
        return f"{base}/track/u/v1/{route}?stream_id={row.integration_id}"
    return f"{base}/track/v2/projects/{row.integration_id}/{route}"


def body_of(row: Row, customer_ids: dict[str, str], keep_nan: bool = False, strip: bool = True) -> dict[str, Any]:
    """``TrackingParameters``: the three body shapes of §2.3."""
    props = row.properties if keep_nan else clean(row.properties)
    if row.kind == "customer" and strip:
        props = {k: v for k, v in props.items() if k not in _STRIPPED}
        return {"customer_ids": customer_ids, "properties": props, "timestamp": row.timestamp}
    if row.event_type == "campaign_click":
        return {
            "customer_ids": customer_ids,
            "url": props.get("url"),
            "properties": {"platform": "ios"},
            "timestamp": row.timestamp,
            "event_type": "campaign_click",
        }
    body: dict[str, Any] = {"customer_ids": customer_ids, "properties": props, "timestamp": row.timestamp}
    if row.event_type is not None:
        body["event_type"] = row.event_type
    return body


def _is_multiple_error(text: str) -> bool:
    """Does the body decode as ``MultipleErrorResponse {errors: [{code, description, message}], success}``?"""
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    if not isinstance(doc, dict) or not isinstance(doc.get("success"), bool) or not isinstance(doc.get("errors"), list):
        return False
    return all(
        isinstance(e, dict)
        and isinstance(e.get("code"), int)
        and not isinstance(e.get("code"), bool)
        and isinstance(e.get("description"), str)
        and isinstance(e.get("message"), str)
        for e in doc["errors"]
    )


def _empty_untrusted(row: Row, ids: dict[str, str]) -> bool:
    """A stream-mode customer update with only a cookie and no (unstripped) properties."""
    if row.kind != "customer" or row.integration_type != "stream" or set(ids) != {"cookie"}:
        return False
    return not {k: v for k, v in clean(row.properties).items() if k not in _STRIPPED}


class Flusher:
    """Runs flushes on a thread of their own; sends rows through a small pool."""

    def __init__(
        self,
        db: Database,
        env: AppEnv,
        clock: VirtualClock,
        faults: Faults,
        *,
        max_retries: Callable[[], int],
        authorization: Callable[[Row], str | None],
        successful_4xx: frozenset[int] = frozenset({402}),
        is_stopped: Callable[[], bool],
        main_integration_id: Callable[[], str] = lambda: "",
    ) -> None:
        self.db = db
        self.env = env
        self.clock = clock
        self.faults = faults
        self._max_retries = max_retries
        self._authorization = authorization
        self._successful_4xx = successful_4xx
        self._is_stopped = is_stopped
        self._main_integration_id = main_integration_id
        self._client = httpx.Client(timeout=REQUEST_TIMEOUT, transport=env.network)
        for name in list(self._client.headers):
            self._client.headers.pop(name)
        self._pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="urlsession")
        self._cond = threading.Condition()
        self._flushes = 0  # flushes running: at most one, FlushingManager's isFlushingData guard
        self._background = 0
        self._resend_seq = 0
        self.last_result = ""
        self.before_send: Callable[[], None] | None = None  # test hook: runs on the flush thread first

    # -- public ----------------------------------------------------------------------------

    def flush(self, on_done: Callable[[str], None] | None = None) -> str:
        """``flushData``: start a flush; returns ``started`` or why not (the callback gets the end)."""
        with self._cond:
            if self._is_stopped():
                result = "stopped"
            elif self._flushes and "ios-flush-no-in-progress-guard" not in self.faults:
                result = "flushAlreadyInProgress"  # FlushingManager.swift:99-104@4.0.1 (ios#70)
            elif not self.env.online and "ios-offline-counts-retry" not in self.faults:
                result = "noInternetConnection"
            else:
                self._flushes += 1
                result = "started"
        if result != "started":
            self.last_result = result
            if on_done is not None:
                on_done(result)
            return result
        try:
            # The rows and their ids are read before the call that started the flush returns: read
            # later on the flush thread, a busy machine lets the app's next call (an identify) reach
            # rows this flush already owns, a window the real SDK's loop does not stretch that far.
            batch = self._collect()
        except BaseException:
            with self._cond:
                self._flushes -= 1
                self._cond.notify_all()
            raise
        threading.Thread(target=self._run, args=(on_done, batch), name="flush", daemon=True).start()
        return result

    def busy(self) -> bool:
        with self._cond:
            return self._flushes > 0 or self._background > 0

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._flushes and self._background == 0, timeout)

    def background(self, job: Callable[[], None]) -> None:
        """A non-tracking request (bundle, in-app messages) on its own thread; failures are ignored."""
        with self._cond:
            self._background += 1

        def run() -> None:
            try:
                job()
            except httpx.HTTPError:
                pass
            finally:
                with self._cond:
                    self._background -= 1
                    self._cond.notify_all()

        threading.Thread(target=run, daemon=True).start()

    def get(self, url: str, authorization: str | None) -> None:
        self.background(lambda: self._client.get(url, headers=ios_headers(authorization, with_body=False)).close())

    def post(self, url: str, body: dict[str, Any], authorization: str | None) -> None:
        payload = dumps(clean(body)).encode()
        self.background(lambda: self._client.post(url, content=payload, headers=ios_headers(authorization)).close())

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    # -- one flush -------------------------------------------------------------------------

    def _run(self, on_done: Callable[[str], None] | None, batch: list[tuple[Row, dict[str, str]]]) -> None:
        result = "error"
        try:
            successes = self._send_all(batch)
            result = f"success({successes})"
        finally:
            with self._cond:
                self._flushes -= 1
                self.last_result = result
                self._cond.notify_all()
            if on_done is not None:
                on_done(result)

    def _collect(self) -> list[tuple[Row, dict[str, str]]]:
        """Customer rows, then event rows, each with the ids of its customer as they are now."""
        batch = []
        for row in self.db.rows("customer") + self.db.rows("event"):
            if not row.integration_id:
                # ``integrationId ?? defaultIntegrationId``: the main project as it is now
                # (TrackEvent.swift:129, TrackCustomer.swift:122@4.0.1); only a fault stores none.
                row.integration_id = self._main_integration_id()
            ids = self._customer_ids(row)
            if not ids:
                continue  # kept for later (its customer is gone)
            if _empty_untrusted(row, ids) and "ios-stream-empty-update-sent" not in self.faults:
                self.db.delete(row.seq)  # isEmptyUntrustedCustomerUpdate (ios#29)
                continue
            batch.append((row, ids))
        return batch

    def _send_all(self, batch: list[tuple[Row, dict[str, str]]]) -> int:
        if self.before_send is not None:
            self.before_send()
        if "ios-batch-flush" in self.faults:
            batch = self._send_batched(batch)
        jobs = [self._pool.submit(self._send_row, row, ids) for row, ids in batch]
        wait(jobs)
        return sum(1 for j in jobs if j.exception() is None and j.result())

    def _send_batched(self, batch: list[tuple[Row, dict[str, str]]]) -> list[tuple[Row, dict[str, str]]]:
        """The ``ios-batch-flush`` fault: a project's plain rows go as one ``/batch`` POST; the rest is returned.

        The real flush calls ``repository.trackObject`` once per row (``FlushingManager.swift:206-216@4.0.1``),
        each an ``uploadTrackingData`` of one body (``ServerRepository+TrackingRepository.swift:12-50``).
        """
        groups: dict[tuple[str, str], list[tuple[Row, dict[str, str]]]] = {}
        rest = []
        for row, ids in batch:
            if row.integration_type == "project" and row.event_type != "campaign_click" and self.env.online:
                groups.setdefault((row.base_url, row.integration_id), []).append((row, ids))
            else:
                rest.append((row, ids))
        for (base_url, project), rows in groups.items():
            if len(rows) < 2:
                rest.extend(rows)
                continue
            commands = [
                {"name": "customers" if row.kind == "customer" else "customers/events", "data": body_of(row, ids)}
                for row, ids in rows
            ]
            base = base_url[:-1] if base_url.endswith("/") else base_url
            content = dumps({"commands": commands}).encode()
            url = f"{base}/track/v2/projects/{project}/batch"
            status, _text = self._post(url, content, self._authorization(rows[0][0]))
            if status is not None and status < 400 and not self._is_stopped():
                for row, _ids in rows:
                    self.db.delete(row.seq)
        return rest

    def _customer_ids(self, row: Row) -> dict[str, str]:
        if row.frozen_ids is not None:
            ids = dict(row.frozen_ids)
        else:
            customer = self.db.customer(row.customer)
            if customer is None:
                return {}
            ids = customer.all_ids()
        if "ios-cookie-lowercase" in self.faults:
            ids["cookie"] = ids["cookie"].lower()
        return ids

    def _send_row(self, row: Row, ids: dict[str, str]) -> bool:
        if not self.env.online:
            outcome = "retry" if "ios-offline-counts-retry" in self.faults else "keep"
        else:
            outcome = self._attempt(row, ids)
        if self._is_stopped():
            return False
        if outcome == "success":
            self.db.delete(row.seq)
            return True
        if outcome == "retry":
            limit = self._max_retries()
            if "ios-retries-beyond-max" in self.faults:
                limit *= 2
            if row.retries + 1 >= limit:
                self.db.delete(row.seq)
            else:
                self.db.set_retries(row.seq, row.retries + 1)
        return False

    def _attempt(self, row: Row, ids: dict[str, str]) -> str:
        auth = self._authorization(row)
        if auth is not None and auth.startswith("Bearer ") and "ios-bearer-sent-as-token" in self.faults:
            auth = "Token " + auth[len("Bearer ") :]
        url = track_url(row)
        if row.integration_type == "stream" and "ios-stream-project-route" in self.faults:
            url = url.split("?", 1)[0].replace("/track/u/v1/", f"/track/v2/projects/{row.integration_id}/")
        if "ios-base-url-slash-kept" in self.faults and row.base_url.endswith("/"):
            url = row.base_url + url[len(row.base_url) - 1 :]
        try:
            body = body_of(
                row,
                ids,
                keep_nan="ios-nan-breaks-request" in self.faults,
                strip="ios-customer-props-not-stripped" not in self.faults,
            )
            if row.kind == "customer" and "ios-identify-no-timestamp" in self.faults:
                body.pop("timestamp", None)
            if row.event_type == "campaign_click" and "ios-campaign-click-props-full" in self.faults:
                body["properties"] = {k: v for k, v in row.properties.items() if k != "url"}
            if "ios-nsnull-kept" in self.faults and isinstance(body.get("properties"), dict):
                body["properties"].update({k: None for k, v in row.properties.items() if v is None})
            content: bytes | None = dumps(body).encode()
        except ValueError:
            content = None  # JSONSerialization threw: httpBody stays nil and the request goes out empty
        status, text = self._post(url, content, auth)
        if (
            row.integration_type == "stream"
            and (status == 401 or (status == 403 and not auth))
            and "ios-stream-401-no-resend" not in self.faults
        ):
            self._virtual_sleep(1.0)
            status, text = self._post(url, content, auth)
        if status is None:
            return "keep"  # connectionError
        if status >= 500:
            if _is_multiple_error(text) or "ios-500-dropped" in self.faults:
                return "retry"
            return "keep"
        if status >= 400 and status not in self._successful_4xx:
            return "retry"  # RequestFactory's switch has no case for 402 (nor 403 in 3.11.0): default is success
        return "success"

    def _post(self, url: str, content: bytes | None, auth: str | None) -> tuple[int | None, str]:
        headers = ios_headers(auth)
        if "ios-no-accept-header" in self.faults:
            headers.pop("accept")
        if content is None:
            headers.pop("content-type")
        try:
            response = self._client.post(url, content=content or b"", headers=headers)
        except httpx.HTTPError:
            return None, ""
        return response.status_code, response.text

    def _virtual_sleep(self, seconds: float) -> None:
        """``DispatchQueue.asyncAfter``: wait on the virtual clock (a settle fires it at once)."""
        done = threading.Event()
        with self._cond:
            self._resend_seq += 1
            name = f"{SOON}resend:{self._resend_seq}"
        self.clock.schedule(name, seconds, done.set)
        done.wait(seconds + 5.0)
