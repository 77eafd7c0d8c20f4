"""Regression tests for the virtual device's own races (not SDK rules), each forced with a delay hook.

Each test widens one window that a busy machine opens by chance, so that it fails every time the
race is unguarded: the clock ticker firing a timer while the harness advances the clock, a settle
deciding while a popped timer has not yet run its callback, and an iOS flush reading ids on its
thread after the app's next call. The SDKs run in this process (real SQLite, real HTTP to a real
server on loopback); only the timing is forced. Nothing here asserts wall-clock times: the waits
with timeouts only bound how long a broken build hangs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.sdks.exponea.virtual.android.sdk import AndroidSdk
from harness.sdks.exponea.virtual.faults import Faults
from harness.sdks.exponea.virtual.ios.sdk import IosSdk
from harness.virtual.clock import VirtualClock
from harness.virtual.env import AppEnv
from tests.virtual.ios_phone import ScriptedServer, events

TOKEN, AUTH = "tok", "Token T"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    s = ScriptedServer()
    yield s
    s.close()


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    c = VirtualClock()
    yield c
    c.close()


def _config(base_url: str, **extra: Any) -> dict[str, Any]:
    return {"configuration": {"projectToken": TOKEN, "authorization": AUTH, "baseURL": base_url, **extra}}


def _held(fn: Any) -> tuple[Any, threading.Event, threading.Event]:
    """``fn`` behind a gate: the first call stops at its start until released (or 1 s passed), the
    window between a timer's pop and its callback that a busy machine opens by chance."""
    popped, release = threading.Event(), threading.Event()

    def gated(*args: Any) -> Any:
        if not popped.is_set():
            popped.set()
            release.wait(1.0)  # long enough for an unguarded settle to answer first
        return fn(*args)

    return gated, popped, release


def test_a_ticker_advance_cannot_undo_a_harness_advance(clock: VirtualClock) -> None:
    slow, popped, release = _held(lambda: None)
    clock.schedule("slow", 0.0, slow)
    start = clock.now()
    ticker = threading.Thread(target=clock.advance, args=(0,))  # the ticker's turn, from the old offset
    ticker.start()
    assert popped.wait(5)
    harness = threading.Thread(target=clock.advance, args=(60.0,))  # env.advance_clock meanwhile
    harness.start()
    harness.join(0.5)
    release.set()
    ticker.join(5)
    harness.join(5)
    assert clock.now() >= start + 60.0, "the harness's advance was lost: the clock ran backwards"


def test_ios_settle_waits_for_a_flush_timer_the_ticker_has_popped(tmp_path: Path, server: ScriptedServer) -> None:
    clock = VirtualClock()
    sdk = IosSdk(tmp_path, clock, AppEnv(platform="ios"), Faults([]))
    try:
        sdk.call("init", _config(server.url))
        assert sdk.settle(20)
        sdk._timed_flush, popped, release = _held(sdk._timed_flush)  # type: ignore[method-assign]
        sdk.call("trackEvent", {"eventType": "late", "properties": {}})  # its flush is 3 s away
        ticker = threading.Thread(target=clock.advance, args=(3.5,))  # real time passed the flush delay
        ticker.start()
        assert popped.wait(5)
        assert sdk.settle(20)
        seen = events(server.requests(), "late")
        release.set()
        ticker.join(5)
        assert len(seen) == 1, "settle answered while the flush timer's callback had not run yet"
    finally:
        sdk.close()
        clock.close()


def test_android_settle_waits_for_a_flush_timer_the_ticker_has_popped(tmp_path: Path, server: ScriptedServer) -> None:
    clock = VirtualClock()
    sdk = AndroidSdk(tmp_path, clock, AppEnv(platform="android"), Faults([]))
    try:
        sdk.call("init", _config(server.url, projectToken=TOKEN))
        assert sdk.settle(20)
        sdk.modes._worker, popped, release = _held(sdk.modes._worker)  # type: ignore[method-assign]
        sdk.call("setFlushMode", {"mode": "PERIOD"})
        sdk.call("trackEvent", {"eventType": "periodic", "properties": {}})
        assert sdk.settle(20)
        assert not [r for r in server.requests() if "periodic" in r.body]
        ticker = threading.Thread(target=clock.advance, args=(3600.0,))  # the periodic job falls due
        ticker.start()
        assert popped.wait(5)
        assert sdk.settle(20)
        seen = [r for r in server.requests() if "periodic" in r.body]
        release.set()
        ticker.join(5)
        assert len(seen) == 1, "settle answered while the periodic flush job had not run yet"
    finally:
        sdk.close()
        clock.close()


def test_ios_flush_sends_the_ids_it_started_with(tmp_path: Path, server: ScriptedServer) -> None:
    """The first identify's flush owns its rows: an identify right after it does not reach them,
    however late the flush thread gets the CPU (forced here by a slow read on that thread)."""
    clock = VirtualClock()
    sdk = IosSdk(tmp_path, clock, AppEnv(platform="ios"), Faults([]))
    try:
        sdk.call("init", _config(server.url))
        assert sdk.settle(20)
        rows = sdk.db.rows

        def slow_on_flush_thread(kind: str | None = None) -> Any:
            if threading.current_thread().name == "flush":
                threading.Event().wait(0.5)
            return rows(kind)

        sdk.db.rows = slow_on_flush_thread  # type: ignore[method-assign]
        sdk.call("identifyCustomer", {"customerIds": {"registered": "jane"}, "properties": {"first_name": "Jane"}})
        sdk.call("identifyCustomer", {"customerIds": {"email": "jane@example.com"}, "properties": {}})
        assert sdk.settle(20)
        first = [
            json.loads(r.body)
            for r in server.requests()
            if r.path.endswith("/customers") and "Jane" in r.body and r.method == "POST"
        ]
        assert len(first) == 1
        assert "email" not in first[0]["customer_ids"], "the second identify reached a row the first flush owned"
    finally:
        sdk.close()
        clock.close()


def test_an_sdk_call_reports_the_clock_it_started_with(tmp_path: Path, server: ScriptedServer) -> None:
    """The clock the harness records for a call is never later than what the call stamped (and so
    than its 3 s flush minus the delay); the longer a busy machine makes the call, the more a clock
    taken after it was off. A stored row takes more than the clock's millisecond, so the
    after-the-call clock failed this every time."""
    from tests.virtual.ios_phone import Phone

    phone = Phone(server.url)
    try:
        phone.init()
        phone.settle()
        before = phone.now()
        reply = phone.dev.sdk.call("trackEvent", {"eventType": "stamped", "properties": {}})
        phone.settle()
        (body,) = events(server.requests(), "stamped")
        assert before <= reply.device_time <= body["timestamp"]
    finally:
        phone.close()


def test_a_scenario_starts_from_a_known_phone(tmp_path: Path, server: ScriptedServer) -> None:
    """Permission denied and offline at the end of one scenario do not leak into the next (same device)."""
    from harness.devices.base import AppTarget
    from harness.devices.registry import open_device

    dev = open_device("virtual:android")
    try:
        dev.open(AppTarget(base_url=server.url))
        dev.app.install()
        dev.app.launch()
        dev.env.set_push_permission(False)
        dev.env.set_network(False)
        end_of_first = dev.env.now()
        dev.app.kill()
        dev.open(AppTarget(base_url=server.url))  # the next scenario
        dev.app.install()
        dev.app.launch()
        assert dev.env.now() >= end_of_first
        dev.sdk.call("init", {"configuration": {"projectToken": TOKEN, "authorization": AUTH, "baseURL": server.url}})
        assert dev.settle(20)
        assert [r for r in server.requests() if "installation" in r.body], "the second scenario started offline"
        dev.rpc("env.new_push_token", {"token": "tok-1"})
        assert dev.settle(20)
        states = [json.loads(r.body) for r in server.requests() if '"notification_state"' in r.body]
        assert states and all(s["properties"].get("valid") is True for s in states)
    finally:
        dev.close()
