"""Running the collector: a uvicorn server on a socket we bind ourselves.

Binding the socket here (not inside uvicorn) lets callers ask for port 0 and learn the real port
before the first request, and lets tests and ``harness run`` host the collector in a background
thread of their own process while ``harness collector serve`` runs it in the foreground.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from harness.capture.collector import Collector
from harness.capture.fastpath import fast_protocol_class
from harness.capture.rules import AnswerRules
from harness.capture.store import Store, open_store
from harness.errors import CaptureError

if TYPE_CHECKING:
    from harness.capture.inspector import Inspector

__all__ = ["CollectorServer"]


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where installed (about twice the request rate of the stock loop), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


class _Server(uvicorn.Server):
    """uvicorn's server, which on Ctrl-C first ends the collector's endless answers (hung requests, the
    inspector's streams), so that it stops at once instead of after the graceful-shutdown timeout."""

    def __init__(self, config: uvicorn.Config, app: Collector) -> None:
        super().__init__(config)
        self.app = app

    def handle_exit(self, sig: int, frame: Any) -> None:
        with contextlib.suppress(RuntimeError):
            self.app.release()
        super().handle_exit(sig, frame)


class CollectorServer:
    """A collector with its store, served on ``host:port``; one lifecycle: start/stop/is_alive.

    Args:
        store_path: where the captures go: a SQLite file, or a ``postgresql://`` URL (``open_store``).
        host: address to bind; 127.0.0.1 unless a LAN device must reach it.
        port: 0 picks a free port.
        run: label stored with every request (``server.app.run`` changes it for later requests).
        forward: relay every request not taken by an answer rule to this upstream base URL.
        rules: answer rules in their ``--rule`` text form, added at start.
        body_timeout: seconds a client may stall in the middle of a body (answered 408, stored).
        keep_alive: seconds an idle keep-alive connection stays open.
        ui: serve the live inspector (``/_harness/ui``) and its REST API (``/_harness/inspector/``).
        profile: the profile the inspector judges tracking requests by (None: malformed ones only).
        printer: called with each batch of judged request entries as they are stored (the terminal lines).
        sources: more stores the inspector shows beside the collector's, by name (the in-app capture).
        clock_offset: seconds added to this host's clock for ``received_at`` (tests of a skewed host only).
    """

    def __init__(
        self,
        store_path: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        run: str = "",
        *,
        forward: str | None = None,
        rules: list[str] | tuple[str, ...] = (),
        body_timeout: float = 30.0,
        keep_alive: float = 30.0,
        ui: bool = False,
        profile: str | None = None,
        printer: Callable[[list[dict[str, Any]]], object] | None = None,
        sources: Mapping[str, Store] | None = None,
        clock_offset: float = 0.0,
    ) -> None:
        self.keep_alive = keep_alive
        self.store = open_store(store_path)
        self.inspector: Inspector | None = None
        try:
            feed = None
            if ui or printer is not None:  # imported here: the schemas' validator is a slow import
                from harness.capture.inspector import Inspector
                from harness.capture.live import Feed

                self.inspector = Inspector(profile)
                self.inspector.add_source("collector", self.store)
                for name, store in (sources or {}).items():
                    self.inspector.add_source(name, store)
                feed = Feed(self.inspector, printer)
            self.app = Collector(
                self.store,
                run=run,
                forward=forward,
                body_timeout=body_timeout,
                feed=feed,
                ui=ui,
                clock_offset=clock_offset,
            )
            for spec in rules:
                self.app.rules.add_spec(spec)
        except Exception:
            self.store.close()
            raise
        self.host = host
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def rules(self) -> AnswerRules:
        """The answer rules: ``server.rules.add(route="events", status=500, times=2)``."""
        return self.app.rules

    @property
    def faults(self) -> AnswerRules:
        """Deprecated name of :attr:`rules`, kept so existing tests keep working ("fault" now means a
        seeded SDK bug only)."""
        warnings.warn("CollectorServer.faults is deprecated: use .rules", DeprecationWarning, stacklevel=2)
        return self.app.rules

    @property
    def port(self) -> int:
        if self._sock is None:
            raise CaptureError("collector not started")
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def ui_url(self) -> str:
        """The live inspector's page (served when started with ``ui=True``)."""
        return f"{self.url}/_harness/ui"

    def device_url(self, device: str) -> str:
        """The base URL to give a device so that its requests are stored under ``device``."""
        return f"{self.url}/d/{device}"

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
        # without it every answer (headers, then body: two writes) waits ~40 ms on Nagle + delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise CaptureError(f"cannot listen on {self.host}:{self._requested_port}: {exc}") from exc
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            proxy_headers=False,  # X-Forwarded-* from a phone's network mean nothing here
            http=fast_protocol_class() or "httptools",
            lifespan="on",
            timeout_keep_alive=self.keep_alive,  # type: ignore[arg-type]  # uvicorn takes a float
            timeout_graceful_shutdown=5,
            h11_max_incomplete_event_size=64 * 1024,
        )

    def start(self) -> CollectorServer:
        """Serve in a background thread; returns once the server accepts connections."""
        self._sock = self._bind()
        self._server = uvicorn.Server(self._config())
        started = threading.Event()

        def run() -> None:
            assert self._server is not None and self._sock is not None
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self._serve(started))

        self._thread = threading.Thread(target=run, name="collector", daemon=True)
        self._thread.start()
        if not started.wait(15):
            raise CaptureError("collector did not start within 15 s")
        return self

    async def _serve(self, started: threading.Event) -> None:
        assert self._server is not None and self._sock is not None
        config = self._server.config
        if not config.loaded:
            config.load()
        self._server.lifespan = config.lifespan_class(config)
        self._loop = asyncio.get_running_loop()
        await self._server.startup(sockets=[self._sock])
        started.set()
        if self._server.should_exit:
            return
        await self._server.main_loop()
        await self._server.shutdown(sockets=[self._sock])

    def serve_forever(self, on_listening: Callable[[str], object] | None = None) -> None:
        """Serve in the foreground until interrupted (``harness collector serve``)."""
        self._sock = self._bind()
        if on_listening is not None:
            on_listening(self.url)
        self._server = _Server(self._config(), self.app)
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self.store.close()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have ended on its own
                self._loop.call_soon_threadsafe(self.app.release)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        self.store.close()

    def __enter__(self) -> CollectorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
