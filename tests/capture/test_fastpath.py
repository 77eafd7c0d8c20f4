"""The server's fast path (whole requests answered without ASGI) against the real server on loopback.

The hardening, answer rule and forward tests cover the ASGI path and the hand-over to it; these check that the
fast path is really in use and that what it stores and answers is what the ASGI path would.
"""

import json
import socket
import time

import httptools
import httpx

from harness.capture.fastpath import fast_protocol_class
from harness.capture.server import CollectorServer

EVENTS = "/track/v2/projects/t/customers/events"


def _read_responses(sock: socket.socket, count: int) -> bytes:
    """Read until ``count`` complete responses (all with Content-Length) have arrived."""
    out = b""
    sock.settimeout(10)
    while out.count(b"HTTP/1.1 ") < count or not _complete(out, count):
        chunk = sock.recv(65536)
        if not chunk:
            break
        out += chunk
    return out


def _complete(data: bytes, count: int) -> bool:
    rest, seen = data, 0
    while seen < count:
        head, sep, tail = rest.partition(b"\r\n\r\n")
        if not sep:
            return False
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        if len(tail) < length:
            return False
        rest, seen = tail[length:], seen + 1
    return True


def test_the_server_uses_the_fast_protocol(tmp_path):
    protocol = fast_protocol_class()
    assert protocol is not None, "uvicorn's httptools protocol changed: the fast path is off"
    with CollectorServer(tmp_path / "c.sqlite") as server:
        assert server._server is not None
        assert server._server.config.http_protocol_class is protocol


def test_fast_answer_and_record_match_the_route(live_collector):
    body = {"event_type": "fast", "properties": {"n": 1}}
    r = httpx.post(
        f"{live_collector.device_url('dev-1')}{EVENTS}?x=1",
        json=body,
        headers={"Authorization": "Token k"},
    )
    assert r.status_code == 200
    assert r.json() == {"success": True, "errors": []}
    assert r.headers["content-type"] == "application/json"
    assert "date" in r.headers
    [req] = live_collector.store.query()
    assert (req.method, req.path, req.device, req.kind) == ("POST", f"{EVENTS}?x=1", "dev-1", "tracking")
    assert json.loads(req.body) == body
    assert req.headers["authorization"] == "Token k"
    assert req.response_status == 200
    assert req.problems == ()
    assert req.run == ""


def test_fast_path_notes_problems_and_keeps_raw_bytes(live_collector):
    r = httpx.post(f"{live_collector.url}{EVENTS}", content=b"\xff{not json", headers={"content-type": "text/plain"})
    assert r.status_code == 200
    [req] = live_collector.store.query()
    assert any("not valid UTF-8" in p for p in req.problems)
    assert any("not JSON" in p for p in req.problems)
    with live_collector.store._reader() as conn:
        raw = conn.execute("SELECT raw_body FROM requests WHERE id = ?", (req.id,)).fetchone()[0]
    assert raw == b"\xff{not json"


def test_run_label_and_unknown_paths_on_the_fast_path(live_collector):
    live_collector.app.run = "run-7"
    r = httpx.get(f"{live_collector.url}/nowhere")
    assert r.status_code == 404
    [req] = live_collector.store.query(run="run-7")
    assert (req.path, req.kind, req.response_status) == ("/nowhere", "unknown", 404)


def test_body_split_across_reads_is_handed_to_the_asgi_path(live_collector):
    """Headers first, the body later: the request leaves the fast path and is read by the ASGI app."""
    payload = b'{"event_type":"split"}'
    head = (
        f"POST {EVENTS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live_collector.port)) as s:
        s.sendall(head + payload[:5])
        time.sleep(0.3)
        s.sendall(payload[5:])
        out = _read_responses(s, 1)
    assert out.startswith(b"HTTP/1.1 200")
    [req] = live_collector.store.query()
    assert req.body == payload.decode()
    assert req.problems == ()


def test_pipelined_fast_requests_are_answered_in_order_and_all_stored(live_collector):
    requests = b"".join(
        (
            f"POST /d/p/track/v2/projects/t/customers/events?i={i} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
        ).encode()
        for i in range(20)
    )
    with socket.create_connection(("127.0.0.1", live_collector.port)) as s:
        s.sendall(requests + b"GET /_harness/health HTTP/1.1\r\nHost: x\r\n\r\n")
        out = _read_responses(s, 21)
    assert out.count(b"HTTP/1.1 200") == 21
    stored = live_collector.store.query(device="p")
    assert [r.path.rsplit("=", 1)[1] for r in stored] == [str(i) for i in range(20)]


def _post(sock: socket.socket, i: int) -> bytes:
    sock.sendall(
        f"POST {EVENTS}?i={i} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: 2\r\n\r\n{{}}".encode()
    )
    return _read_responses(sock, 1)


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False


def test_idle_keep_alive_connection_is_closed_and_a_busy_one_is_not(tmp_path):
    """One keep-alive timer per idle spell (not per request): a connection that keeps sending outlives the
    timer's first due time, and is closed once it has been idle for the whole keep-alive period."""
    with CollectorServer(tmp_path / "c.sqlite", keep_alive=0.6) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as busy:
            for i in range(8):  # 8 x 0.2 s: well past the 0.6 s of the first timer
                assert _post(busy, i).startswith(b"HTTP/1.1 200")
                time.sleep(0.2)
            assert _post(busy, 99).startswith(b"HTTP/1.1 200")  # still open
            assert _closed_by_server(busy, 5)  # idle now: closed
        with socket.create_connection(("127.0.0.1", server.port)) as idle:
            assert _post(idle, 0).startswith(b"HTTP/1.1 200")
            assert _closed_by_server(idle, 5)
        assert len(server.store.query()) == 10


def test_json_verdicts_are_json_loads_ones(live_collector):
    """The body check tries orjson first; what only json.loads accepts (NaN, lone surrogate escapes) is
    still JSON, and malformed JSON keeps json's message."""
    bodies = [b'{"a":NaN}', b'"\\ud800"', b'{"a":1}x', b"[1,2]"]
    for body in bodies:
        r = httpx.post(f"{live_collector.url}{EVENTS}", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 200
    problems = [req.problems for req in live_collector.store.query()]
    assert problems[0] == () and problems[1] == () and problems[3] == ()
    assert problems[2] == ("malformed JSON: Extra data: line 1 column 8 (char 7)",)


def test_connection_close_and_http_1_0_on_the_fast_path(live_collector):
    """The fast answer says ``connection: close`` and closes when the client asked for it (or spoke
    HTTP/1.0 without keep-alive); the request is stored all the same."""
    for version, extra in (("1.1", "Connection: close\r\n"), ("1.0", "")):
        with socket.create_connection(("127.0.0.1", live_collector.port)) as s:
            s.sendall(
                f"POST {EVENTS}?v={version} HTTP/{version}\r\nHost: x\r\n{extra}"
                f"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}".encode()
            )
            out = _read_responses(s, 1)
            assert out.startswith(b"HTTP/1.1 200")
            assert b"connection: close\r\n" in out.lower()
            assert _closed_by_server(s, 5)
    assert [r.path.rsplit("=", 1)[1] for r in live_collector.store.query()] == ["1.1", "1.0"]


def test_checker_says_whole_only_when_llhttp_ended_the_message():
    """The fast path's last word (``_Checker``): llhttp's end-of-message callback is ``list.pop`` on a
    one-item list. With the server's own pre-checks in front of it no request reaches it incomplete, so the
    mechanism itself is checked here: a cut-off message leaves the item, a whole one takes it, and a second
    message in the same bytes is an error."""
    from harness.capture.fastpath import _Checker

    body = b'{"a":1}'
    whole = b"POST " + EVENTS.encode() + b" HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body

    checker = _Checker()
    checker.parser.feed_data(whole[:-1])
    assert checker.token == [None], "the body is one byte short: not ended"

    checker = _Checker()
    checker.parser.feed_data(whole)
    assert checker.token == []
    checker.token.append(None)  # as the fast path does after a whole request
    checker.parser.feed_data(whole)
    assert checker.token == [], "the parser is reusable for the next request"

    checker = _Checker()
    try:
        checker.parser.feed_data(whole + whole)
    except httptools.HttpParserError:
        pass
    else:
        raise AssertionError("two messages in one feed must be refused")
