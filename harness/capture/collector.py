"""The collector: an ASGI app that plays the Engagement API and stores every request first.

Flow of one request: read the body (capped) → undo content encoding → note what is wrong with it
(not UTF-8, not JSON where JSON is declared, too large, ...) → store it (durably, group commit) →
answer as the real API would. A request is never dropped for being malformed: it is stored with
its problems listed and answered like the real API answers bad input.

Devices are told apart by a path prefix in the base URL each device is given:
``http://host:port/d/<device>/track/v2/...`` is stored with ``device=<device>`` and the path
``/track/v2/...``. Requests without the prefix are stored with ``device=""``.

The app is plain ASGI (no framework) because it has one handler and sits on the hot path.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

from harness.capture.record import CapturedRequest
from harness.capture.routes import match_route
from harness.capture.store import Store

__all__ = ["Collector"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY = 4 * 1024 * 1024  # bytes on the wire
MAX_DECODED = 16 * 1024 * 1024  # bytes after content decoding


class Collector:
    """ASGI application: ``uvicorn.run(Collector(store))``.

    Args:
        store: where requests go.
        run: a label stored with every request (one collector, several runs over time).
    """

    def __init__(self, store: Store, run: str = "") -> None:
        self.store = store
        self.run = run

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = unquote(raw_path.decode("latin-1")) if isinstance(raw_path, bytes) else scope["path"]
        device, api_path = _split_device(path)
        query = scope.get("query_string", b"").decode("latin-1")
        full_path = api_path + (f"?{query}" if query else "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problems: list[str] = []
        raw, too_large = await _read_body(receive)
        if too_large:
            problems.append(f"body larger than {MAX_BODY} bytes (truncated in store)")
        decoded = _decode(raw, headers.get("content-encoding", ""), problems)
        text = _text(decoded, problems)
        _check_json(text, headers.get("content-type", ""), problems)
        method = scope["method"]
        route = match_route(method, api_path)
        status, body = (
            (413, b'{"success":false,"errors":["payload too large"]}')
            if too_large
            else (
                route.status,
                route.body,
            )
        )
        if route.name == "system-time":
            body = json.dumps({"success": True, "time": time.time()}).encode()
        record = CapturedRequest(
            method=method,
            path=full_path,
            headers=headers,
            body=text,
            received_at=time.time(),
            device=device,
            kind=route.kind,
            problems=tuple(problems),
            response_status=status,
            run=self.run,
            raw_body=raw if raw != decoded or problems else b"",
        )
        await asyncio.wrap_future(self.store.submit(record))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def _split_device(path: str) -> tuple[str, str]:
    if path.startswith("/d/"):
        rest = path[3:]
        device, slash, tail = rest.partition("/")
        return device, "/" + tail if slash else "/"
    return "", path


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    too_large = False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        if not too_large:
            if size + len(chunk) > MAX_BODY:
                chunks.append(chunk[: MAX_BODY - size])
                too_large = True
            else:
                chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), too_large


def _decode(raw: bytes, encoding: str, problems: list[str]) -> bytes:
    encoding = encoding.strip().lower()
    if not encoding or encoding == "identity" or not raw:
        return raw
    try:
        if encoding in ("gzip", "x-gzip"):
            out = gzip.GzipFile(fileobj=io.BytesIO(raw)).read(MAX_DECODED + 1)
        elif encoding == "deflate":
            d = zlib.decompressobj()
            out = d.decompress(raw, MAX_DECODED + 1)
        elif encoding == "br":
            try:
                import brotli  # type: ignore[import-not-found]
            except ImportError:
                problems.append("content-encoding br: brotli module not installed; body kept encoded")
                return raw
            out = bytes(brotli.decompress(raw))
        else:
            problems.append(f"unknown content-encoding {encoding!r}; body kept as sent")
            return raw
    except (OSError, EOFError, zlib.error) as exc:
        problems.append(f"content-encoding {encoding}: cannot decode ({exc}); body kept as sent")
        return raw
    if len(out) > MAX_DECODED:
        problems.append(f"decoded body larger than {MAX_DECODED} bytes (truncated)")
        out = out[:MAX_DECODED]
    return out


def _text(body: bytes, problems: list[str]) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"body is not valid UTF-8 ({exc.reason} at byte {exc.start})")
        return body.decode("utf-8", errors="replace")


def _check_json(text: str, content_type: str, problems: list[str]) -> None:
    if not text:
        return
    declared = "json" in content_type.lower()
    try:
        json.loads(text)
    except ValueError as exc:
        if declared:
            problems.append(f"malformed JSON: {exc}")
        else:
            problems.append(f"body is not JSON (content-type {content_type or 'missing'})")
        return
    if not declared:
        problems.append(f"JSON body with content-type {content_type or 'missing'}")
