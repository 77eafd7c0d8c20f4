"""A client for a collector running in another process (``harness collector serve``).

It waits the way :class:`~harness.capture.store.Store` does in-process: each call is a long poll on
``/_harness/wait`` that the collector answers as soon as a request is stored, so a waiting test wakes
on arrivals, not on a polling interval.

    client = CollectorClient("http://127.0.0.1:8765")
    events = client.wait_for(lambda rs: any("/customers/events" in r.path for r in rs), timeout=30, device="phone-1")
    assert client.wait_quiet(2.0, timeout=30)
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from harness.capture.record import CapturedRequest
from harness.errors import CaptureError

__all__ = ["CollectorClient"]

_POLL = 30.0  # seconds one long poll may take before the client asks again


class CollectorClient:
    """Talks to a collector's ``/_harness/`` endpoints.

    Args:
        url: the collector's base URL (``http://host:port``, as ``serve`` prints it).
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=httpx.Timeout(10.0, read=_POLL + 10.0), trust_env=False)

    def _get(self, endpoint: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        try:
            response = self._http.get(f"/_harness/{endpoint}", params=clean)
        except httpx.HTTPError as exc:
            raise CaptureError(f"collector at {self.url} unreachable: {exc}") from exc
        if response.status_code != 200:
            raise CaptureError(f"collector at {self.url}: {endpoint} answered {response.status_code}: {response.text}")
        return response.json()

    def health(self) -> dict[str, Any]:
        return dict(self._get("health"))

    def device_url(self, device: str) -> str:
        """The base URL to give a device so that its requests are stored under ``device``."""
        return f"{self.url}/d/{device}"

    def clock_offset(self, samples: int = 3) -> float:
        """Seconds the collector host's clock (``received_at``) is ahead of this host's.

        Each sample reads the collector's clock between two readings of ours and assumes it was read
        half-way (the way NTP does); the sample with the shortest round trip has the smallest error, at
        most half its round trip (well under a millisecond on a LAN). An offset within that error is
        0.0: the clocks cannot be told apart (one host's clock read twice always is).
        """
        best: tuple[float, float] | None = None
        for _ in range(samples):
            before = time.time()
            theirs = float(self.health()["time"])
            after = time.time()
            sample = (after - before, theirs - (before + after) / 2)
            if best is None or sample[0] < best[0]:
                best = sample
        assert best is not None
        rtt, offset = best
        return 0.0 if abs(offset) <= rtt / 2 else offset

    @property
    def last_id(self) -> int:
        """The newest stored request's id: pass it as ``after_id`` to wait for what comes after now."""
        return int(self.health()["last_id"])

    def requests(self, *, device: str | None = None, after_id: int = 0) -> list[CapturedRequest]:
        """What is stored now (no waiting)."""
        got = self._get("wait", after_id=after_id, device=device, timeout=0)
        return [CapturedRequest.from_json(r) for r in got["requests"]]

    def wait_for(
        self,
        predicate: Callable[[list[CapturedRequest]], bool],
        timeout: float,
        *,
        device: str | None = None,
        after_id: int = 0,
    ) -> list[CapturedRequest]:
        """Wait until ``predicate(requests after after_id)`` holds; returns those requests.

        Raises ``TimeoutError`` with the requests seen so far in ``args[1]`` at the deadline.
        """
        deadline = time.monotonic() + timeout
        seen: list[CapturedRequest] = []
        mark = after_id
        wait = 0.0  # the first call answers at once with what is already there
        while True:
            got = self._get("wait", after_id=mark, device=device, timeout=f"{wait:.3f}")
            seen.extend(CapturedRequest.from_json(r) for r in got["requests"])
            mark = max(mark, int(got["last_id"]))
            if (got["requests"] or wait == 0.0) and predicate(seen):
                return seen
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout:.1f}s", seen)
            wait = max(min(remaining, _POLL), 0.001)

    def wait_quiet(self, seconds: float, timeout: float) -> bool:
        """Wait until nothing has been stored for ``seconds``; False if that does not happen within ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            got = self._get("quiet", seconds=seconds, timeout=f"{max(min(remaining, _POLL), 0):.3f}")
            if got["quiet"]:
                return True
            if time.monotonic() >= deadline:
                return False

    def add_rule(self, spec: str | None = None, **rule: Any) -> dict[str, Any]:
        """Add an answer rule: the ``--rule`` text form, or :meth:`AnswerRules.add` keywords."""
        try:
            if spec is not None:
                response = self._http.post("/_harness/rules", content=spec.encode())
            else:
                response = self._http.post("/_harness/rules", json=dict(rule))
        except httpx.HTTPError as exc:
            raise CaptureError(f"collector at {self.url} unreachable: {exc}") from exc
        if response.status_code != 200:
            raise CaptureError(f"collector at {self.url} refused the rule: {response.text}")
        return dict(response.json())

    def add_respond(self, device: str, rule: Mapping[str, Any]) -> dict[str, Any]:
        """A scenario's ``respond`` step: the rule applies to requests of ``device`` only."""
        from harness.capture.rules import respond_rule

        return self.add_rule(**respond_rule(device, rule))

    def clear_rules(self) -> None:
        self._http.delete("/_harness/rules")

    def rules(self) -> list[Mapping[str, Any]]:
        """The active answer rules: id, label, and how many requests each has seen and answered."""
        return list(self._get("rules")["rules"])

    def add_fault(self, spec: str | None = None, **rule: Any) -> dict[str, Any]:
        """Deprecated name of :meth:`add_rule` ("fault" now means a seeded SDK bug only)."""
        warnings.warn("CollectorClient.add_fault is deprecated: use add_rule", DeprecationWarning, stacklevel=2)
        return self.add_rule(spec, **rule)

    def clear_faults(self) -> None:
        """Deprecated name of :meth:`clear_rules`."""
        warnings.warn("CollectorClient.clear_faults is deprecated: use clear_rules", DeprecationWarning, stacklevel=2)
        self.clear_rules()

    def faults(self) -> list[Mapping[str, Any]]:
        """Deprecated name of :meth:`rules`."""
        warnings.warn("CollectorClient.faults is deprecated: use rules", DeprecationWarning, stacklevel=2)
        return self.rules()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CollectorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
