"""The upload side of the event pipeline: flush policies, the settings fetch and batch uploads.

Modelled on analytics-kotlin 1.24.1:
- ``HTTPClient.kt``: settings ``GET https://{cdnHost}/projects/{writeKey}/settings`` with
  ``Content-Type: application/json; charset=utf-8`` (lines 155-157); batch ``POST https://{apiHost}/b``
  with ``Content-Type: text/plain`` and ``Content-Encoding: gzip`` (lines 166-169); every request has
  ``User-Agent: analytics-kotlin/<version>`` (lines 190-191) and no Authorization.
- ``platform/EventPipeline.kt``: a flush closes the open file, then uploads every closed file in
  order; a 2xx deletes it, a 4xx other than 429 deletes it (the batch is dropped), a 429, a 5xx or
  an I/O error keeps it for the next flush (research A3/A6).
- Flush policies: ``CountBasedFlushPolicy(flushAt)`` and ``FrequencyFlushPolicy(flushInterval)``
  (a timer on the virtual clock), plus customerio-android's ``ApplicationLifecyclePlugin`` flushing
  on ``Application Backgrounded`` (research A4).

Uploads run on one worker thread (the network dispatcher is single-threaded in analytics-kotlin,
Analytics.kt:100), so RPC calls never wait for the network.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from harness.sdks.customerio.virtual.faults import Faults
from harness.sdks.customerio.virtual.storage import BatchFiles
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv

__all__ = ["SEGMENT_USER_AGENT", "Pipeline"]

SEGMENT_USER_AGENT = "analytics-kotlin/1.24.1"
_FLUSH_TIMER = "cio-flush-interval"


class Pipeline:
    """Flushes and uploads one write key's batch files."""

    def __init__(
        self,
        files: BatchFiles,
        env: AppEnv,
        clock: VirtualClock,
        faults: Faults,
        url: Callable[[str], str],
        stamp: Callable[[], str],
        refresh_ids: Callable[[str], str],
    ) -> None:
        self.files = files
        self.env = env
        self.clock = clock
        self.faults = faults
        self._url = url  # path ("/b") -> full URL on the configured apiHost
        self._stamp = stamp  # the device clock as an ISO-8601 ms Z timestamp
        self._refresh_ids = refresh_ids  # the new-message-ids-on-retry fault's rewrite
        self.client = httpx.Client(timeout=15.0, transport=env.network)
        self.flush_at = 20
        self.flush_interval = 30.0
        self._count = 0
        self._cond = threading.Condition()
        self._requests = 0  # flush requests not yet taken by the worker
        self._busy = False
        self._closed = False
        self._failed: set[str] = set()  # closed files that failed once (for the retry faults)
        self._worker = threading.Thread(target=self._run, name="cio-upload", daemon=True)
        self._worker.start()

    # -- policies ------------------------------------------------------------------------------

    def start_timer(self) -> None:
        """FrequencyFlushPolicy: a flush every ``flush_interval`` seconds of virtual time."""

        def tick() -> None:
            self.flush()
            self.clock.schedule(_FLUSH_TIMER, self.flush_interval, tick)

        self.clock.schedule(_FLUSH_TIMER, self.flush_interval, tick)

    def stored(self) -> None:
        """CountBasedFlushPolicy: one more event stored; a flush when ``flush_at`` are reached."""
        with self._cond:
            self._count += 1
            due = self._count >= self.flush_at
        if due:
            self.flush()

    def flush(self) -> None:
        with self._cond:
            self._count = 0
            self._requests += 1
            self._cond.notify_all()

    # -- worker --------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._requests > 0 or self._closed)
                if self._closed:
                    return
                self._requests = 0
                self._busy = True
            try:
                self._flush_now()
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _flush_now(self) -> None:
        self.files.rollover(self._stamp())
        for path in self.files.closed():
            self._upload(path)

    def _upload(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        retry = path.name in self._failed
        if retry and "sent-at-rewritten" in self.faults:
            doc = json.loads(text)
            doc["sentAt"] = self._stamp()
            text = json.dumps(doc, separators=(",", ":"))
        if retry and "new-message-ids-on-retry" in self.faults:
            text = self._refresh_ids(text)
        headers = {"Content-Type": "text/plain", "User-Agent": SEGMENT_USER_AGENT}
        body = text.encode("utf-8")
        if "batch-not-gzipped" not in self.faults:
            headers["Content-Encoding"] = "gzip"
            body = gzip.compress(body)
        if "authorization-on-batch" in self.faults:
            key = base64.b64encode(f"{self.files.write_key}:".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {key}"
        try:
            if not self.env.online:
                raise httpx.ConnectError("offline")
            route = "/batch" if "batch-path-v1-batch" in self.faults else "/b"
            status = self.client.post(self._url(route), content=body, headers=headers).status_code
        except httpx.HTTPError:
            status = None  # an I/O error: the file stays
        if status is not None and 200 <= status < 300:
            drop = True
        elif status is not None and 400 <= status < 500 and status != 429:
            drop = "retries-400" not in self.faults
        else:
            drop = "drops-on-500" in self.faults and status is not None and status >= 500
        if drop:
            self.files.remove(path)
            self._failed.discard(path.name)
        else:
            self._failed.add(path.name)

    def settings(self, url: str) -> None:
        """The settings fetch at init (R1); its answer is not used (the configured hosts stay)."""
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": SEGMENT_USER_AGENT}

        with contextlib.suppress(httpx.HTTPError):
            self.client.get(url, headers=headers)

    def idle(self, timeout: float) -> bool:
        """True once no flush is requested or running (waits up to ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            left = max(0.0, deadline - time.monotonic())
            return self._cond.wait_for(lambda: self._requests == 0 and not self._busy, left)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.clock.cancel(_FLUSH_TIMER)
        self.client.close()
