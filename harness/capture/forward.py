"""Forward mode: relay each request to one configured upstream (the real Engagement API) with httpx.

Never an open proxy: the upstream URL is fixed when the collector starts and every relayed request
goes to ``upstream + path``. The request's ``Host`` header is not sent on (httpx sets the upstream's),
and an absolute-form request target (``POST http://elsewhere/x HTTP/1.1``) only contributes its path,
because the server hands the app the parsed path alone.

The body is relayed as it came (still content-encoded), and the upstream's answer is relayed as it
came too (status, headers less hop-by-hop ones, raw body); the store gets the decoded text of both.
An upstream that cannot be reached or fails mid-answer gives the client a 502 with a body that says
so, and the request is stored with that problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from harness.errors import ConfigError

__all__ = ["Forwarder", "Relayed"]

# RFC 9110 §7.6.1 hop-by-hop fields, plus the ones httpx computes itself.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


@dataclass(frozen=True)
class Relayed:
    """What the upstream answered, ready to send on and to store."""

    status: int
    headers: list[tuple[bytes, bytes]]  # to send to the client (content-length is added by the caller)
    body: bytes  # as received (still content-encoded)
    stored_headers: dict[str, str]
    stored_body: str  # decoded text


class Forwarder:
    """Relays requests to ``upstream`` (``http(s)://host[:port][/base]``).

    Args:
        upstream: the base URL; a request for ``/track/v2/...`` goes to ``upstream + /track/v2/...``.
        timeout: seconds for the whole upstream exchange.
    """

    def __init__(self, upstream: str, timeout: float = 30.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError("--forward", f"{upstream!r} is not an http(s) URL")
        if parts.query or parts.fragment:
            raise ConfigError("--forward", f"{upstream!r}: no query or fragment allowed in the upstream URL")
        self.upstream = upstream.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)

    def url_for(self, path: str) -> str:
        """The upstream URL for a request path (with query); only ever below ``self.upstream``."""
        if not path.startswith("/"):
            path = "/" + path
        return self.upstream + path

    async def relay(
        self, method: str, path: str, headers: Iterable[tuple[bytes, bytes]], body: bytes, problems: list[str]
    ) -> Relayed:
        from harness.capture.collector import decode_body

        send_headers = [(k, v) for k, v in headers if k.decode("latin-1").lower() not in _HOP_BY_HOP]
        url = self.url_for(path)
        try:
            request = self._client.build_request(method, url, headers=send_headers, content=body)
            response = await self._client.send(request, stream=True)
            try:
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            reason = f"upstream {self.upstream} failed: {type(exc).__name__}: {exc}"
            problems.append(f"forward: {reason}")
            text = json.dumps({"success": False, "errors": [f"harness collector: {reason}"]})
            return Relayed(502, [(b"content-type", b"application/json")], text.encode(), {}, text)
        out_headers = [(k, v) for k, v in response.headers.raw if k.decode("latin-1").lower() not in _HOP_BY_HOP]
        stored_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in out_headers}
        response_problems: list[str] = []
        decoded = decode_body(raw, response.headers.get("content-encoding", ""), response_problems)
        problems.extend(f"upstream response: {p}" for p in response_problems)
        return Relayed(
            response.status_code, out_headers, raw, stored_headers, decoded.decode("utf-8", errors="replace")
        )

    async def aclose(self) -> None:
        await self._client.aclose()
