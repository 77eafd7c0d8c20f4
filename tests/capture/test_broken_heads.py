"""Requests whose HTTP head never completes, on the real server: malformed, stalled, or cut off mid-head.

Each is stored (``Collector.broken_request``) with what was wrong and the bytes that arrived, instead of
disappearing into a 400 or a closed socket; meanwhile the server keeps serving everyone else. All tests
talk to a real ``CollectorServer`` on loopback over raw sockets, since no HTTP client sends such heads.
"""

import itertools
import json
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from harness.capture.server import CollectorServer
from tests.conftest import ROOT

EVENTS = "/track/v2/projects/t/customers/events"
TIMEOUT = 0.5  # the ``impatient`` collector's body_timeout, which also bounds a head's arrival


@pytest.fixture
def impatient(tmp_path):
    """A collector that gives up on a stalled head (or body) after half a second."""
    with CollectorServer(tmp_path / "c.sqlite", body_timeout=TIMEOUT) as server:
        yield server


def connect(port, timeout=5.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_until_closed(sock):
    """Everything the server sends until it closes the connection (or the socket's timeout)."""
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except OSError:
        pass
    return out


def read_response(sock):
    """One whole response (head and content-length body) from a connection that stays open."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed mid-answer after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    assert len(body) == length, "more than one answer to one request"
    return head, body


def exchange(port, data):
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with connect(port) as s:
        s.sendall(data)
        return read_until_closed(s)


def post(path, body=b"{}", extra=b""):
    """A well-formed POST with a JSON body."""
    return (
        b"POST "
        + path.encode()
        + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )


def raw_bodies(store):
    """``raw_body`` by id, straight from the SQLite file (``Store.query`` does not read that column)."""
    with sqlite3.connect(store.path) as conn:
        return {rid: raw for rid, raw in conn.execute("SELECT id, raw_body FROM requests")}


def served(server, device="after"):
    """A good request on a new connection is still answered 200 and stored (the sync point of several tests)."""
    r = httpx.post(server.device_url(device) + EVENTS, json={"ok": 1})
    assert r.status_code == 200
    return r


# -- malformed heads: 400, one row with the llhttp message and the bytes, the server still serving

MALFORMED = {
    # id: (bytes sent, llhttp's message, method and path understood before the error)
    "bad-method": (
        b"FOO@ /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        "Invalid method encountered",
        None,
    ),
    "space-before-colon": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nHost : x\r\nContent-Length: 2\r\n\r\n{}",
        "Invalid header token",
        ("POST", EVENTS),
    ),
    "control-char-in-target": (
        b"POST /d/m/track\x01v2 HTTP/1.1\r\nHost: x\r\n\r\n",
        "Invalid char in url path",
        None,
    ),
    "space-in-target": (
        b"POST /d/m" + EVENTS.encode() + b" extra HTTP/1.1\r\nHost: x\r\n\r\n",
        "Expected HTTP/",
        ("POST", EVENTS),
    ),
    "bare-lf": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\nHost: x\n\n{}",
        "Expected CRLF after version",
        ("POST", EVENTS),
    ),
    "bare-lf-in-fields": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
        "Missing expected CR after header value",
        ("POST", EVENTS),
    ),
    "garbage": (b"\xff\xfe\xfd garbage\r\n\r\n", "Invalid method encountered", None),
    "tls-client-hello": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)), "Invalid method", None),
    "content-length-12abc": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n{}",
        "Invalid character in Content-Length",
        ("POST", EVENTS),
    ),
    "content-length-twice": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "Duplicate Content-Length",
        ("POST", EVENTS),
    ),
    "content-length-and-chunked": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
        "Transfer-Encoding can't be present with Content-Length",
        ("POST", EVENTS),
    ),
    "obsolete-line-folding": (
        b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nX-A: a\r\n  folded\r\n\r\n",
        "Unexpected whitespace after header value",
        ("POST", EVENTS),
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_head_is_answered_400_and_stored_with_its_bytes(live_collector, case):
    sent, message, understood = MALFORMED[case]
    answer = exchange(live_collector.port, sent)
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert answer.endswith(b"\r\n\r\nInvalid HTTP request received."), answer
    assert b"connection: close" in answer.lower()

    (row,) = live_collector.store.query()  # answered only after the commit: no waiting needed
    assert row.response_status == 400
    (problem,) = row.problems
    assert problem.startswith("malformed HTTP: ") and message in problem, problem
    assert sent.startswith(raw_bodies(live_collector.store)[row.id]), "the bytes received, as received"
    assert sent.decode("utf-8", "replace").startswith(row.body)
    if understood is None:
        assert row.kind == "unknown"
    else:
        assert (row.method, row.path, row.device) == (*understood, "m")
        assert row.kind != "unknown", "method and path were read: the route's kind"

    served(live_collector)
    assert len(live_collector.store.query()) == 2


def test_target_and_fields_read_before_the_error_are_kept(live_collector):
    sent = b"POST /d/m" + EVENTS.encode() + b"?x=1 HTTP/1.1\r\nHost: h\r\nX-Sdk: 4.1\r\nBad Field: y\r\n\r\n"
    assert exchange(live_collector.port, sent).startswith(b"HTTP/1.1 400 ")
    (row,) = live_collector.store.query()
    assert (row.path, row.device) == (EVENTS + "?x=1", "m")
    assert row.headers["host"] == "h"


def test_last_whole_field_before_the_error_is_kept(live_collector):
    sent = b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nHost: h\r\nX-Sdk: 4.1\r\nBad Field: y\r\n\r\n"
    assert exchange(live_collector.port, sent).startswith(b"HTTP/1.1 400 ")
    (row,) = live_collector.store.query()
    assert row.headers == {"host": "h", "x-sdk": "4.1"}


def test_unparsed_method_is_stored_empty(live_collector):
    exchange(live_collector.port, b"FOO@ / HTTP/1.1\r\n\r\n")
    (row,) = live_collector.store.query()
    assert row.method == ""


def test_head_found_malformed_in_a_later_read_keeps_every_piece(live_collector):
    pieces = [b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\n", b"Host: x\r\n", b"Bad Field: y\r\n\r\n"]
    with connect(live_collector.port) as s:
        for piece in pieces:
            s.sendall(piece)
            time.sleep(0.02)  # separate reads
        assert read_until_closed(s).startswith(b"HTTP/1.1 400 ")
    (row,) = live_collector.store.query()
    assert row.problems == ("malformed HTTP: Invalid header token",)
    assert raw_bodies(live_collector.store)[row.id] == b"".join(pieces)


def test_good_request_then_malformed_on_one_connection(live_collector):
    good = post("/d/k" + EVENTS, b'{"n":1}')
    bad = b"POST /d/k" + EVENTS.encode() + b" HTTP/1.1\r\nHost : x\r\n\r\n"
    with connect(live_collector.port) as s:
        s.sendall(good)
        head, _ = read_response(s)
        assert head.startswith(b"HTTP/1.1 200 ")
        s.sendall(bad)
        assert read_until_closed(s).startswith(b"HTTP/1.1 400 ")
    first, second = live_collector.store.query()
    assert first.body == '{"n":1}' and not first.problems and first.response_status == 200
    assert second.response_status == 400 and second.problems[0].startswith("malformed HTTP: Invalid header token")
    assert raw_bodies(live_collector.store)[second.id] == bad, "only the second request's bytes"


def test_good_request_pipelined_with_malformed_one(live_collector):
    """Both in one write: the good one is still answered 200 before the 400, and both are stored."""
    good = post("/d/k" + EVENTS, b'{"n":1}')
    answer = exchange(live_collector.port, good + b"\xff\xfe garbage\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert answer.count(b"HTTP/1.1 ") == 2 and b"HTTP/1.1 400 " in answer
    first, second = live_collector.store.query()
    assert first.response_status == 200 and not first.problems
    assert second.response_status == 400 and "malformed HTTP" in second.problems[0]
    assert raw_bodies(live_collector.store)[second.id].endswith(b"\xff\xfe garbage\r\n\r\n")


def test_asgi_request_pipelined_with_malformed_one_is_answered_first(live_collector):
    chunked = (
        b"POST /d/k" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Transfer-Encoding: chunked\r\n\r\n7\r\n{"n":1}\r\n0\r\n\r\n'
    )
    answer = exchange(live_collector.port, chunked + b"\xff\xfe garbage\r\n\r\n")
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) == [b"200", b"400"]
    first, second = live_collector.store.query()
    assert first.body == '{"n":1}' and first.response_status == 200
    assert second.response_status == 400 and "malformed HTTP" in second.problems[0]


# -- heads that stall: 408 after the timeout, the bytes and their count stored, others served meanwhile


def test_stalled_head_is_answered_408_and_stored(impatient):
    half = b"POST /d/stall" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Ty"
    with connect(impatient.port) as stalled:
        stalled.sendall(half)
        for i in range(3):  # others are served while that client stalls
            assert httpx.post(impatient.device_url("fast") + EVENTS, json={"i": i}).status_code == 200
        answer = read_until_closed(stalled)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in answer.lower()
    (row,) = impatient.store.query(device="stall")
    assert row.response_status == 408
    assert row.problems == (f"client stalled: headers incomplete after {TIMEOUT:g} s (got {len(half)} bytes)",)
    assert row.body == half.decode() and raw_bodies(impatient.store)[row.id] == half
    assert (row.method, row.path, row.headers) == ("POST", EVENTS, {"host": "x"})
    assert len(impatient.store.query(device="fast")) == 3


def test_head_sent_in_pieces_then_stalled_counts_every_piece(impatient):
    pieces = [b"POST /d/stall" + EVENTS.encode(), b" HTTP/1.1\r\n", b"Host: x\r\n"]
    with connect(impatient.port) as s:
        for piece in pieces:
            s.sendall(piece)
            time.sleep(0.02)
        answer = read_until_closed(s)
    assert answer.startswith(b"HTTP/1.1 408 ")
    (row,) = impatient.store.query()
    sent = b"".join(pieces)
    assert row.problems[0].endswith(f"(got {len(sent)} bytes)") and row.body == sent.decode()


def test_trickling_head_is_cut_off_after_the_timeout(impatient):
    """The timeout bounds the whole head from its first read, so a client that trickles a byte at a time
    (each gap shorter than the timeout) cannot hold a connection open forever."""
    head = post("/d/slow" + EVENTS)
    answer = b""
    with connect(impatient.port) as s:
        for i in range(len(head)):
            try:
                s.sendall(head[i : i + 1])
            except OSError:
                break
            s.settimeout(TIMEOUT / 5)
            try:
                answer = s.recv(65536)
            except TimeoutError:
                continue
            break
        s.settimeout(5)
        answer += read_until_closed(s)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    (row,) = impatient.store.query()
    assert "headers incomplete" in row.problems[0] and row.response_status == 408
    assert head.startswith(row.body.encode()) and row.problems[0].endswith(f"(got {len(row.body)} bytes)")


def test_second_head_stalling_on_a_kept_alive_connection_counts_only_its_own_bytes(impatient):
    with connect(impatient.port) as s:
        s.sendall(post("/d/ka" + EVENTS, b'{"n":1}'))
        assert read_response(s)[0].startswith(b"HTTP/1.1 200 ")
        half = b"POST /d/ka" + EVENTS.encode() + b" HTTP/1.1\r\nHo"
        s.sendall(half)
        assert read_until_closed(s).startswith(b"HTTP/1.1 408 ")
    first, second = impatient.store.query()
    assert first.response_status == 200 and not first.problems
    assert second.response_status == 408 and second.problems[0].endswith(f"(got {len(half)} bytes)")
    assert raw_bodies(impatient.store)[second.id] == half


def test_head_stalled_right_after_a_request_in_the_same_write_is_stored_alone(impatient):
    half = b"POST /d/p" + EVENTS.encode() + b" HTTP/1.1\r\nHo"
    with connect(impatient.port) as s:
        s.sendall(post("/d/p" + EVENTS, b'{"n":1}') + half)
        answer = read_until_closed(s)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) == [b"200", b"408"]
    first, second = impatient.store.query()
    assert first.response_status == 200 and not first.problems
    assert second.problems[0].endswith(f"(got {len(half)} bytes)"), second.problems[0]
    assert raw_bodies(impatient.store)[second.id] == half


def test_stalled_pipelined_head_does_not_cut_off_the_answer_before_it(impatient):
    impatient.rules.add("events", action="delay", delay=TIMEOUT * 1.6)
    half = b"POST /d/p" + EVENTS.encode() + b" HTTP/1.1\r\nHo"
    with connect(impatient.port) as s:
        s.sendall(post("/d/p" + EVENTS, b'{"n":1}') + half)
        answer = read_until_closed(s)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) == [b"200", b"408"]
    first, second = impatient.store.query()
    assert (first.response_status, second.response_status) == (200, 408), "stored in arrival order"


def test_stalled_head_larger_than_what_is_kept_reports_every_byte(impatient):
    pieces = [b"POST /d/big" + EVENTS.encode() + b" HTTP/1.1\r\n"] + [b"X-Pad: " + b"a" * 40_000 + b"\r\n"] * 3
    with connect(impatient.port) as s:
        for piece in pieces:
            s.sendall(piece)
            time.sleep(0.02)  # separate reads
        assert read_until_closed(s).startswith(b"HTTP/1.1 408 ")
    (row,) = impatient.store.query()
    assert row.problems[0].endswith(f"(got {len(b''.join(pieces))} bytes)"), row.problems[0]


# -- clients that leave mid-head, or before sending anything


def test_client_gone_mid_head_is_stored_unanswered(impatient):
    half = b"POST /d/gone" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Le"
    with connect(impatient.port) as s:
        s.sendall(half)
    (row,) = impatient.store.wait_for(lambda rs: len(rs) == 1, timeout=10, device="gone")
    assert row.response_status is None
    assert row.problems == (f"client disconnected before the headers were complete (got {len(half)} bytes)",)
    assert row.body == half.decode() and raw_bodies(impatient.store)[row.id] == half
    assert (row.method, row.path) == ("POST", EVENTS)


def test_client_gone_mid_head_after_a_request_on_the_same_connection(live_collector):
    half = b"POST /d/gone" + EVENTS.encode() + b" HTTP/1.1\r\nHo"
    with connect(live_collector.port) as s:
        s.sendall(post("/d/gone" + EVENTS, b'{"n":1}'))
        assert read_response(s)[0].startswith(b"HTTP/1.1 200 ")
        s.sendall(half)
    first, second = live_collector.store.wait_for(lambda rs: len(rs) == 2, timeout=10)
    assert first.response_status == 200 and not first.problems
    assert second.response_status is None
    assert second.problems == (f"client disconnected before the headers were complete (got {len(half)} bytes)",)


def test_client_gone_after_half_a_head_with_a_half_close(live_collector):
    """shutdown(SHUT_WR) (EOF while the client still listens): stored as gone, and no answer is sent."""
    half = b"POST /d/gone" + EVENTS.encode() + b" HTTP/1.1\r\nHost"
    with connect(live_collector.port) as s:
        s.sendall(half)
        s.shutdown(socket.SHUT_WR)
        assert read_until_closed(s) == b""
    (row,) = live_collector.store.wait_for(lambda rs: len(rs) == 1, timeout=10, device="gone")
    assert row.response_status is None and "client disconnected before the headers" in row.problems[0]


@pytest.mark.parametrize("sent", [b"", b"\r\n", b"\r\n\r\n"], ids=["nothing", "crlf", "two-crlf"])
def test_client_that_sends_no_request_leaves_nothing(impatient, sent):
    """Empty lines before a request line are ignored (RFC 9112 2.2), so they are no request either."""
    with connect(impatient.port) as s:
        s.sendall(sent)
    served(impatient)
    (row,) = impatient.store.query()
    assert row.device == "after"
    # and no timer left behind fires later: a second sync point after the timeout
    with connect(impatient.port) as s:
        s.sendall(sent)
        s.settimeout(TIMEOUT * 1.5)
        with pytest.raises(TimeoutError):  # neither an answer nor a close from the server past the timeout
            s.recv(65536)
    served(impatient)
    assert [r.device for r in impatient.store.query()] == ["after", "after"]


# -- heads that arrive in pieces and complete: ordinary requests


def test_head_in_pieces_that_completes_is_an_ordinary_request(impatient):
    request = post("/d/split" + EVENTS, b'{"n":1}')
    cuts = [0, 7, 30, len(request) - 15, len(request)]
    with connect(impatient.port) as s:
        for a, b in itertools.pairwise(cuts):
            s.sendall(request[a:b])
            time.sleep(0.02)
        assert read_response(s)[0].startswith(b"HTTP/1.1 200 ")
        # past the timeout, counted from the first piece: a timer left running would answer 408 and close
        s.settimeout(TIMEOUT * 1.5)
        with pytest.raises(TimeoutError):
            s.recv(65536)
        s.settimeout(5)
        s.sendall(post("/d/split" + EVENTS, b'{"n":2}'))
        assert read_response(s)[0].startswith(b"HTTP/1.1 200 ")
    rows = impatient.store.query()
    assert [(r.body, r.problems, r.response_status) for r in rows] == [('{"n":1}', (), 200), ('{"n":2}', (), 200)]


def test_head_in_pieces_with_a_body_in_pieces(impatient):
    """The head's timer ends with the head; the body then has the ASGI path's own stall timeout."""
    request = post("/d/split" + EVENTS, b'{"body":"in pieces"}')
    end_of_head = request.index(b"\r\n\r\n") + 4
    with connect(impatient.port) as s:
        s.sendall(request[:20])
        time.sleep(0.02)
        s.sendall(request[20 : end_of_head + 5])
        time.sleep(0.02)
        s.sendall(request[end_of_head + 5 :])
        assert read_response(s)[0].startswith(b"HTTP/1.1 200 ")
    (row,) = impatient.store.query()
    assert row.body == '{"body":"in pieces"}' and not row.problems


def test_many_broken_heads_at_once_leave_the_others_served(impatient):
    kinds = [
        b"\xff garbage\r\n\r\n",  # malformed
        b"POST /d/x" + EVENTS.encode() + b" HTTP/1.1\r\nHo",  # stalls
        b"POST /d/x" + EVENTS.encode() + b" HTTP/1.1\r\nHo",  # leaves
    ]

    def client(i):
        with connect(impatient.port) as s:
            s.sendall(kinds[i % 3])
            if i % 3 != 2:
                read_until_closed(s)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(15)]
    for t in threads:
        t.start()
    for _ in range(5):
        served(impatient)
    for t in threads:
        t.join()
    rows = impatient.store.wait_for(lambda rs: len(rs) == 20, timeout=10)
    problems = [r.problems[0].split(":")[0] for r in rows if r.problems]
    assert sum(p == "malformed HTTP" for p in problems) == 5
    assert sum(p == "client stalled" for p in problems) == 5
    assert sum(p.startswith("client disconnected before the headers") for p in problems) == 5
    assert sum(r.device == "after" and r.response_status == 200 for r in rows) == 5


# -- export


def test_export_carries_the_problem_of_a_malformed_request(tmp_path):
    path = tmp_path / "c.sqlite"
    sent = b"POST /d/m" + EVENTS.encode() + b" HTTP/1.1\r\nHost : x\r\n\r\n"
    with CollectorServer(path) as server:
        assert exchange(server.port, sent).startswith(b"HTTP/1.1 400 ")
    out = subprocess.run(
        [sys.executable, "-m", "harness.cli", "collector", "export", "--store", str(path), "--format", "jsonl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    (line,) = out.stdout.splitlines()
    row = json.loads(line)
    assert row["problems"] == ["malformed HTTP: Invalid header token"]
    assert row["response"] == {  # as answered: uvicorn's 400
        "status": 400,
        "headers": {"content-type": "text/plain; charset=utf-8", "connection": "close"},
        "body": "Invalid HTTP request received.",
    }
    assert (row["method"], row["path"], row["device"]) == ("POST", EVENTS, "m")
    assert row["body"] == sent.decode()
