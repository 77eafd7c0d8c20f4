"""In-app capture, for real: the Android agent's OkHttp hook (``_okhttp_capture.js``) in the test-bed
JVM, whose OkHttp mirror carries the reference SDK's requests (``NetworkStack.java``), stored by
``InAppRecorder`` in a real SQLite store and set against the collector's capture.

The suite-wide check (every android scenario: the app's capture equals the collector's) is in
``tests/test_testbed_parity.py``; here are the cases where the two differ, and the bad inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness.capture.inapp import NO_OUTCOME, InAppRecorder, compare_captures, load_capture
from harness.capture.store import Store
from harness.devices.base import AppTarget
from harness.devices.registry import open_device
from harness.errors import ConfigError, DeviceError, InstrumentError
from harness.instrument.frida_session import FridaSession, agent_source, agents_for
from harness.instrument.frida_transport import require_capture_hook
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios" / "exponea"


def _closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()  # nothing listens there now: connections are refused
    return port


def test_requests_the_backend_never_got_are_lost(live_collector, tmp_path):
    """The SDK sends to a backend that refuses connections: the app's capture has every attempt, with
    the failure the app saw; the collector has none of them; the comparison says each was lost."""
    store = Store(tmp_path / "in-app.sqlite")
    recorder = InAppRecorder(store, "dead-backend")
    device = open_device("jvm:android")
    try:
        device.open(AppTarget(base_url=f"http://127.0.0.1:{_closed_port()}", in_app_capture=recorder))
        device.app.install()
        device.app.launch()
        project = {"projectToken": "t", "authorization": "Token k", "baseURL": f"http://127.0.0.1:{_closed_port()}"}
        device.sdk.call("init", {"configuration": project})
        device.sdk.call("trackEvent", {"eventType": "purchase", "properties": {"price": 1}})
        device.sdk.call("flushData", {})
        assert device.settle(15)
    finally:
        device.close()
    recorder.finish()
    app = store.query(device="dead-backend")
    events = [r for r in app if r.path.endswith("/customers/events")]
    assert any(json.loads(r.body).get("event_type") == "purchase" for r in events)
    for r in events:
        assert r.response_status is None
        assert any("the call failed in the app" in p and "Connect" in p for p in r.problems), r.problems
    diff = compare_captures(app, live_collector.store.query())
    assert diff.matched == 0 and len(diff.lost) == len(app) > 0 and not diff.unexplained
    assert "lost (sent by the app, never received)" in diff.report()
    store.close()


def test_runner_fails_a_run_whose_requests_were_lost(live_collector, tmp_path):
    """A scenario that points the SDK past the collector: the verdict on the collector's capture alone
    would be "missing", but the in-app capture shows the SDK did send, and that the requests were lost."""
    scenario = tmp_path / "elsewhere.yaml"
    scenario.write_text(
        (SCENARIOS / "custom-event.yaml")
        .read_text()
        .replace("id: custom-event", "id: custom-event-elsewhere")
        .replace("  - init: {}", f"  - init: {{configuration: {{baseURL: 'http://127.0.0.1:{_closed_port()}'}}}}", 1)
    )
    loaded = load_scenario(scenario)
    assert any("baseURL" in (s.args.get("configuration") or {}) for s in loaded.steps), "the rewrite must apply"
    device = open_device("jvm:android")
    try:
        result = Runner(device, live_collector, in_app_capture=True, settle_timeout=20).run(loaded)
    finally:
        device.close()
    assert result.outcome == "failed"
    assert result.capture_diff is not None and result.capture_diff.lost and result.capture_diff.matched == 0
    assert "lost" in result.headline() and "lost (sent by the app, never received)" in result.details()


class _PlainBackend(BaseHTTPRequestHandler):
    """Stands for the production API: answers {"success": true} and records nothing."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = b'{"success":true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_judged_on_the_in_app_capture_with_another_backend(live_collector, tmp_path):
    """No base-URL change towards the collector: the SDK talks to another backend, and the run is
    judged on what the app's OkHttp sent. The collector sees nothing, the verdict still passes."""
    backend = ThreadingHTTPServer(("127.0.0.1", 0), _PlainBackend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    device = open_device("jvm:android")
    try:
        runner = Runner(device, live_collector, base_url=f"http://127.0.0.1:{backend.server_address[1]}")
        result = runner.run(load_scenario(SCENARIOS / "custom-event.yaml"))
    finally:
        device.close()
        backend.shutdown()
    assert result.outcome == "passed", result.details() or result.error
    assert live_collector.store.query() == []
    assert result.app_requests and result.requests == result.app_requests
    assert all(r.response_status == 200 for r in result.app_requests)


def test_recorder_stores_bad_bodies_flagged_and_unfinished_calls(tmp_path):
    """Nothing is lost: invalid UTF-8 and malformed JSON are stored with the problem named, a call
    without an outcome is stored by finish(), and the base path prefix is stripped like the collector's."""
    store = Store(tmp_path / "s.sqlite")
    rec = InAppRecorder(store, "d1", base_path="/d/d1")
    headers = [["Content-Type", "application/json; charset=utf-8"], ["Authorization", "Token x"]]
    url = "https://api.example.com/d/d1/track/v2/projects/t/customers/events"
    rec({"phase": "request", "id": 1, "method": "POST", "url": url, "headers": headers}, b'{"a":')
    rec({"phase": "response", "id": 1, "status": 200}, None)
    rec({"phase": "request", "id": 2, "method": "POST", "url": url, "headers": headers}, b"\xff\xfe")
    rec({"phase": "request", "id": 3, "problem": "the agent could not read the request: boom"}, None)
    rec({"phase": "response", "id": 99, "status": 200}, None)  # its request came before the capture: ignored
    assert rec.finish() == 2
    rows = {r.body[:5]: r for r in store.query(device="d1")}
    assert len(store.query(device="d1")) == 3
    first = rows['{"a":']
    assert first.path == "/track/v2/projects/t/customers/events" and first.kind == "tracking"
    assert first.response_status == 200 and any("malformed JSON" in p for p in first.problems)
    assert first.headers["host"] == "api.example.com" and first.headers["authorization"] == "Token x"
    bad = next(r for r in store.query(device="d1") if any("UTF-8" in p for p in r.problems))
    assert bad.response_status is None and any(NO_OUTCOME in p for p in bad.problems)
    unreadable = next(r for r in store.query(device="d1") if any("boom" in p for p in r.problems))
    assert unreadable.response_status is None
    store.close()


def test_compare_counts_copies_and_unexplained():
    from harness.capture.record import CapturedRequest

    def req(body: str) -> CapturedRequest:
        return CapturedRequest("POST", "/track/v2/projects/t/customers/events", {}, body, 0.0)

    diff = compare_captures([req("a"), req("a"), req("b")], [req("a"), req("c")])
    assert diff.matched == 1
    assert [r.body for r in diff.lost] == ["a", "b"]
    assert [r.body for r in diff.unexplained] == ["c"]
    assert not diff.equal and compare_captures([req("x")], [req("x")]).equal


def test_load_capture_names_the_bad_line(tmp_path):
    path = tmp_path / "cap.jsonl"
    path.write_text('{"method": "POST", "path": "/x", "body": ""}\n\n{"path": "/y"}\n')
    with pytest.raises(ConfigError, match=r"cap\.jsonl:3"):
        load_capture(path)
    with pytest.raises(ConfigError, match="no such capture"):
        load_capture(tmp_path / "absent.sqlite")


def test_cli_compare_exits_1_on_lost_requests(tmp_path):
    from harness.capture.record import CapturedRequest

    app, backend = Store(tmp_path / "app.sqlite"), Store(tmp_path / "backend.sqlite")
    for body in ("a", "b"):
        app.add(CapturedRequest("POST", "/track/v2/projects/t/customers/events", {}, body, 1.0, device="k"))
    backend.add(CapturedRequest("POST", "/track/v2/projects/t/customers/events", {}, "a", 1.0, device="k"))
    app.close()
    backend.close()
    cmd = [sys.executable, "-m", "harness.cli", "collector", "compare", str(tmp_path / "app.sqlite")]
    proc = subprocess.run([*cmd, str(tmp_path / "backend.sqlite")], capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "1 matched, 1 lost, 0 unexplained" in proc.stdout
    same = subprocess.run([*cmd, str(tmp_path / "app.sqlite")], capture_output=True, text=True, check=False)
    assert same.returncode == 0 and "2 matched, 0 lost" in same.stdout


JAVA_WITHOUT_OKHTTP = """
public class NoOkHttp {
  public static void main(String[] a) throws Exception {
    System.out.println("ready " + ProcessHandle.current().pid());
    System.out.flush();
    while (System.in.read() != -1) { }
  }
}
"""


def test_capture_without_okhttp_is_an_error_not_an_empty_capture(tmp_path: Path):
    """An app whose OkHttp cannot be found (R8-renamed, or another client): asking for in-app capture
    ends with a DeviceError naming what was looked for, never with a capture that silently sees nothing."""
    from harness.devices.jvm_build import find_jdk

    java, javac = find_jdk()
    (tmp_path / "NoOkHttp.java").write_text(JAVA_WITHOUT_OKHTTP)
    subprocess.run([javac, "-d", str(tmp_path), str(tmp_path / "NoOkHttp.java")], check=True)
    proc = subprocess.Popen([java, "-cp", str(tmp_path), "NoOkHttp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline().split()[1])
        session = FridaSession(
            ["_java", "_okhttp_capture"], target=pid, uri="jvm:plain", options={"capture": True}, handlers={}
        )
        session.start()
        try:
            with pytest.raises(
                DeviceError, match=r"no OkHttp call method to hook.*okhttp3\.internal\.connection\.RealCall"
            ):
                require_capture_hook(session)
        finally:
            session.stop()
    finally:
        proc.kill()
        proc.wait()


def test_in_app_capture_refuses_the_direct_network(live_collector):
    device = open_device("jvm:android?network=direct")
    try:
        device.open(AppTarget(base_url=live_collector.device_url("x"), in_app_capture=lambda p, d: None))
        device.app.install()
        with pytest.raises(DeviceError, match="in-app capture needs the app's OkHttp"):
            device.app.launch()
    finally:
        device.close()


def test_ios_capture_agent_loads_and_says_why_it_cannot_hook_here():
    """The iOS hook cannot run here (no Objective-C runtime on Linux), but its script loads through the
    same session, and asking for capture ends with the reason, not with an empty capture."""
    script = "import sys; print('ready', flush=True); sys.stdin.read()"
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"  # attach once its loader is done, never mid-start-up
        session = FridaSession(agents_for("ios"), target=proc.pid, uri="ios:none", options={"capture": True})
        session.start()
        try:
            with pytest.raises(DeviceError, match="no Objective-C runtime"):
                require_capture_hook(session)
        finally:
            session.stop()
    finally:
        proc.kill()
        proc.wait()


def test_every_app_kind_loads_its_capture_hook_after_its_agent():
    assert agents_for("android") == ["_java", "exponea_android", "_okhttp_capture"]
    assert agents_for("android", "flutter") == ["_java", "_flutter", "exponea_flutter_android", "_okhttp_capture"]
    assert agents_for("ios") == ["exponea_ios", "_nsurlsession_capture"]
    source = agent_source(agents_for("android"), {"capture": True})
    assert source.startswith('globalThis.HARNESS_OPTIONS = {"capture": true};')
    with pytest.raises(InstrumentError, match="unknown agent"):
        agents_for("android", "kotlin")
