"""The inspector's HTTP side: the live page at ``/_harness/ui`` and its REST API under ``/_harness/inspector/``.

The REST API follows Snowplow Micro's (``/micro/all``, ``/micro/good``, ``/micro/bad``, ``/micro/reset``) and
is the JSON the page itself uses, so a test framework sees what a person sees:

- ``GET /_harness/inspector/all`` → ``{"total", "good", "bad", "unchecked", "requests"}`` (events counted)
- ``GET /_harness/inspector/good`` / ``bad`` / ``events`` → ``{"events": [...]}``
- ``GET /_harness/inspector/requests`` → ``{"requests": [...]}`` (request entries, events inside)
- ``POST /_harness/inspector/reset`` → ``{"reset": {source: last id}}``: what is stored so far is no longer shown
- ``GET /_harness/inspector/har`` → HAR 1.2 of the requests the filters show (Authorization masked)
- ``GET /_harness/inspector/info`` → the profile, the sources, each filter's values
- ``GET /_harness/inspector/stream`` → server-sent events: ``snapshot`` (the newest entries), then
  ``entries`` as they are stored, ``reset`` when somebody resets

Every list takes the filters ``source``, ``device``, ``run``, ``route``, ``type`` (event type, or the route's
name for other requests) and ``verdict`` (``good``, ``bad``, ``unchecked``) as query parameters.

The page (``ui/index.html``, ``app.js``, ``app.css``, shipped in the package) is plain HTML and an ES module
with no build step and nothing fetched from elsewhere: its Content-Security-Policy allows its own origin only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from importlib import resources
from typing import Any

import orjson

from harness.capture.export import to_har
from harness.capture.inspector import Inspector, InspectorFilter
from harness.capture.live import Feed

__all__ = ["InspectorEndpoints"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_STATIC = {
    "": ("index.html", b"text/html; charset=utf-8"),
    "app.js": ("app.js", b"text/javascript; charset=utf-8"),
    "app.css": ("app.css", b"text/css; charset=utf-8"),
}
_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
    b" base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEARTBEAT = 15.0  # seconds between SSE comments on an idle stream (keeps proxies from closing it)


def _json(obj: object) -> bytes:
    try:
        return orjson.dumps(obj)
    except TypeError:  # a lone surrogate in a payload: json.dumps escapes it
        return json.dumps(obj).encode()


def _sse(event: str, obj: object) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + _json(obj) + b"\n\n"


class InspectorEndpoints:
    """Serves ``/_harness/ui`` and ``/_harness/inspector/*`` for one collector's inspector."""

    def __init__(self, inspector: Inspector, feed: Feed, closing: Callable[[], asyncio.Event]) -> None:
        self.inspector = inspector
        self.feed = feed
        self.closing = closing
        self._static: dict[str, bytes] = {}

    async def handle(self, name: str, method: str, params: Mapping[str, str], receive: Receive, send: Send) -> None:
        """``name``: the path after ``/_harness/`` (``ui``, ``ui/app.js``, ``inspector/good``...)."""
        if name == "ui" or name.startswith("ui/"):
            await self._page(name[3:], send)
            return
        what = name.removeprefix("inspector/")
        if what == "stream" and method == "GET":
            await self._stream(receive, send)
            return
        if what == "reset" and method == "POST":
            marks = self.inspector.reset()
            for queue in list(self.feed.subscribers):
                queue.put_nowait(("reset", marks))
            await _answer(send, 200, _json({"reset": marks}))
            return
        if method != "GET":
            await _answer(send, 405, _json({"error": f"{method} /_harness/{name}: use GET"}))
            return
        flt = InspectorFilter.from_params(params)  # ValueError: the caller answers 400
        if what in ("good", "bad"):
            flt = InspectorFilter(**{**flt.__dict__, "verdict": what})
        if what in ("good", "bad", "events"):
            body = _json({"events": await asyncio.to_thread(self.inspector.events, flt)})
        elif what == "all":
            body = _json(await asyncio.to_thread(self.inspector.counts, flt))
        elif what == "requests":
            body = _json({"requests": await asyncio.to_thread(self.inspector.requests, flt)})
        elif what == "info":
            body = _json(
                {
                    "profile": self.inspector.profile,
                    "sources": list(self.inspector.sources),
                    "options": await asyncio.to_thread(self.inspector.options),
                    "reset": self.inspector.reset_marks,
                }
            )
        elif what == "har":
            captured = await asyncio.to_thread(self.inspector.captured, flt)
            body = json.dumps(to_har(captured), indent=2, ensure_ascii=False).encode()
            headers = [(b"content-disposition", b'attachment; filename="inspector.har"')]
            await _answer(send, 200, body, headers)
            return
        else:
            await _answer(send, 404, _json({"error": f"no inspector endpoint {method} /_harness/{name}"}))
            return
        await _answer(send, 200, body)

    async def _page(self, file: str, send: Send) -> None:
        known = _STATIC.get(file)
        if known is None:
            await _answer(send, 404, _json({"error": f"no page file {file!r}"}))
            return
        filename, content_type = known
        body = self._static.get(filename)
        if body is None:
            body = self._static[filename] = resources.files("harness.capture").joinpath("ui", filename).read_bytes()
        headers = [(b"content-security-policy", _CSP), (b"x-content-type-options", b"nosniff")]
        await _answer(send, 200, body, headers, content_type)

    async def _stream(self, receive: Receive, send: Send) -> None:
        queue, snapshot = await self.feed.subscribe()
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-store")],
                }
            )
            info = {"entries": snapshot, "profile": self.inspector.profile, "sources": list(self.inspector.sources)}
            await send({"type": "http.response.body", "body": _sse("snapshot", info), "more_body": True})
            gone = asyncio.ensure_future(_disconnected(receive))
            closing = asyncio.ensure_future(self.closing().wait())
            try:
                while True:
                    item = asyncio.ensure_future(queue.get())
                    done, _ = await asyncio.wait(
                        {item, gone, closing}, timeout=HEARTBEAT, return_when="FIRST_COMPLETED"
                    )
                    if item not in done:
                        item.cancel()
                        if done:  # the page went away, or the collector stops
                            return
                        chunk = b": keep-alive\n\n"
                    else:
                        kind, payload = item.result()
                        chunk = _sse(kind, payload)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                gone.cancel()
                closing.cancel()
                with contextlib.suppress(RuntimeError, OSError):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
        except (RuntimeError, OSError):
            return  # the page went away mid-write
        finally:
            self.feed.unsubscribe(queue)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes = b"application/json",
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
