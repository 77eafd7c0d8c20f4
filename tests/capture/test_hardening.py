"""Bad input on the real server: it is stored with what was wrong, and it never takes the server down."""

import contextlib
import gzip
import re
import socket
import threading

import brotli
import httpx
import pytest

from harness.capture.collector import MAX_DECODED
from harness.capture.server import CollectorServer

EVENTS = "/track/v2/projects/t/customers/events"


@pytest.fixture
def impatient(tmp_path):
    """A collector that gives up on a stalled body after half a second."""
    with CollectorServer(tmp_path / "c.sqlite", body_timeout=0.5) as server:
        yield server


def raw_exchange(port, data, timeout=10.0):
    """Send ``data`` and read until the server closes the connection (or the timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except OSError:
            pass
    return out


def test_brotli_body_is_decoded(live_collector):
    raw = b'{"event_type":"br"}'
    r = httpx.post(
        live_collector.url + EVENTS,
        content=brotli.compress(raw),
        headers={"content-encoding": "br", "content-type": "application/json"},
    )
    assert r.status_code == 200
    (stored,) = live_collector.store.query()
    assert stored.body == raw.decode() and not stored.problems


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_decompression_bomb_is_capped(live_collector, encoding):
    bomb = b"0" * (MAX_DECODED + 4096)
    body = brotli.compress(bomb) if encoding == "br" else gzip.compress(bomb)
    assert len(body) < 100_000
    r = httpx.post(live_collector.url + EVENTS, content=body, headers={"content-encoding": encoding})
    assert r.status_code == 200
    (stored,) = live_collector.store.query()
    assert any("decoded body larger than" in p for p in stored.problems), stored.problems
    assert len(stored.body) == MAX_DECODED


def test_broken_brotli_is_stored_as_sent(live_collector):
    httpx.post(live_collector.url + EVENTS, content=b"\x00garbage", headers={"content-encoding": "br"})
    (stored,) = live_collector.store.query()
    assert any("content-encoding br: cannot decode" in p for p in stored.problems)


def test_unknown_content_encoding_is_noted(live_collector):
    httpx.post(live_collector.url + EVENTS, content=b"{}", headers={"content-encoding": "zstd-ish"})
    (stored,) = live_collector.store.query()
    assert any("unknown content-encoding" in p for p in stored.problems)


def test_raw_deflate_is_decoded(live_collector):
    import zlib

    c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = c.compress(b'{"a":1}') + c.flush()
    httpx.post(
        live_collector.url + EVENTS,
        content=body,
        headers={"content-encoding": "deflate", "content-type": "application/json"},
    )
    (stored,) = live_collector.store.query()
    assert stored.body == '{"a":1}' and not stored.problems


def test_stalled_body_is_answered_408_stored_and_does_not_block_others(impatient):
    head = (
        b"POST /d/slow" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as stalled:
        stalled.sendall(head + b'{"half": ')
        # while that client stalls, others are served
        for i in range(3):
            assert httpx.post(impatient.device_url("fast") + EVENTS, json={"i": i}).status_code == 200
        answer = b""
        while chunk := stalled.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"connection: close" in answer.lower()
    (slow,) = impatient.store.query(device="slow")
    assert slow.response_status == 408 and slow.body == '{"half": '
    assert any("client stalled" in p and "got 9 of 100 bytes" in p for p in slow.problems), slow.problems
    assert len(impatient.store.query(device="fast")) == 3


def test_client_that_disconnects_mid_body_is_stored(impatient):
    head = b"POST /d/gone" + EVENTS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n"
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as s:
        s.sendall(head + b'{"part')
    (gone,) = impatient.store.wait_for(lambda rs: len(rs) == 1, timeout=10, device="gone")
    assert gone.response_status is None and gone.body == '{"part'
    assert any("disconnected before the body was complete (got 6 of 50 bytes)" in p for p in gone.problems)


def test_chunked_body_is_read(live_collector):
    def chunks():
        yield b'{"a":'
        yield b"1}"

    r = httpx.post(live_collector.url + EVENTS, content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 200
    (stored,) = live_collector.store.query()
    assert stored.body == '{"a":1}' and stored.headers["transfer-encoding"] == "chunked"


def test_keep_alive_sequence_on_one_connection(live_collector):
    with httpx.Client() as c:
        for i in range(20):
            assert c.post(live_collector.url + EVENTS, json={"i": i}).status_code == 200
    stored = live_collector.store.query()
    assert [s.json_body()["i"] for s in stored] == list(range(20))


def test_pipelined_mixed_requests_are_answered_in_order(live_collector):
    def req(path, body, extra=""):
        return (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    data = req(EVENTS, b'{"n":1}') + req("/unknown/path", b"{}") + req(EVENTS, b"{bad", "Connection: close\r\n")
    answer = raw_exchange(live_collector.port, data)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)  # a status line follows the previous body directly
    assert statuses == [b"200", b"404", b"200"]
    stored = live_collector.store.query()
    assert [s.path for s in stored] == [EVENTS, "/unknown/path", EVENTS]
    assert any("malformed JSON" in p for p in stored[2].problems)


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello to a plain port
        b"GARBAGE / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\n" + b"X-Long: " + b"a" * 200_000 + b"\r\n\r\n",
    ],
    ids=["tls", "bad-method", "negative-length", "huge-header"],
)
def test_malformed_http_does_not_hurt_the_server(live_collector, garbage):
    raw_exchange(live_collector.port, garbage, timeout=2.0)
    assert httpx.post(live_collector.url + EVENTS, json={}).status_code == 200
    assert live_collector.is_alive()


def test_many_bad_clients_at_once_leave_the_server_serving(impatient):
    def bad(i):
        kind = i % 3
        with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as s:
            if kind == 0:
                s.sendall(b"POST " + EVENTS.encode() + b" HTTP/1.1\r\nContent-Length: 10\r\n\r\n{")
            elif kind == 1:
                s.sendall(b"\xff\xfe\xfd garbage\r\n\r\n")
            else:
                body = b"\xff\xfe not utf8"
                s.sendall(
                    b"POST "
                    + EVENTS.encode()
                    + b" HTTP/1.1\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
            s.settimeout(5)
            with contextlib.suppress(OSError):
                s.recv(1024)

    threads = [threading.Thread(target=bad, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert httpx.post(impatient.url + EVENTS, json={"ok": 1}).status_code == 200
    stored = impatient.store.query()
    assert sum(any("not valid UTF-8" in p for p in s.problems) for s in stored) == 10
    assert sum(any("client stalled" in p for p in s.problems) for s in stored) == 10
