"""The pymobiledevice3 edge of the iOS driver: one async loop thread, and the library calls it makes.

pymobiledevice3 (11.x) is async-only; the harness's device contract is synchronous. One model, not
two copies: every driver call submits a coroutine to a private event loop that runs in its own thread
(:class:`AsyncRunner`) and waits for its result. Every pymobiledevice3 error is translated here into
a :class:`~harness.errors.DeviceError` naming the URI, chained with ``raise ... from``.

pymobiledevice3 is GPL-3.0-or-later and an optional extra; it is imported only inside functions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from harness.errors import DeviceError, DeviceNotFound

__all__ = [
    "INSTALL_HINT",
    "AsyncRunner",
    "connect_provider",
    "list_udids",
    "require_pmd3",
    "translate",
    "usbmux_address",
]

T = TypeVar("T")
INSTALL_HINT = "iOS devices need pymobiledevice3: pip install 'engagement-harness[ios]'"


def require_pmd3(uri: str) -> None:
    """Raise a clear ``DeviceError`` if pymobiledevice3 is not installed."""
    try:
        import pymobiledevice3  # noqa: F401
    except ImportError as exc:
        raise DeviceError(uri, INSTALL_HINT) from exc


_GONE = {"NoDeviceConnectedError", "DeviceNotFoundError", "ConnectionFailedToUsbmuxdError", "BadDevError"}
_UNTRUSTED = {
    "NotPairedError",
    "PairingDialogResponsePendingError",
    "UserDeniedPairingError",
    "NotTrustedError",
}


def translate(uri: str, exc: BaseException, doing: str) -> DeviceError:
    """The ``DeviceError`` for a pymobiledevice3 (or socket) failure while ``doing`` something."""
    name = type(exc).__name__
    text = f"{doing}: {name}: {exc}" if str(exc) else f"{doing}: {name}"
    if name in {
        "NoDeviceConnectedError",
        "DeviceNotFoundError",
        "ConnectionFailedToUsbmuxdError",
        "BadDevError",
    }:
        return DeviceNotFound(uri, f"{text} (is the device plugged in and usbmuxd running?)")
    if name in {
        "NotPairedError",
        "PairingDialogResponsePendingError",
        "UserDeniedPairingError",
        "NotTrustedError",
    }:
        return DeviceError(uri, f"{text} (unlock the device and trust this computer)")
    if name in {"DeveloperModeIsNotEnabledError", "DeveloperDiskImageNotFoundError", "DeveloperModeError"}:
        return DeviceError(
            uri,
            f"{text} (enable Developer Mode; mount the developer image with `pymobiledevice3 mounter auto-mount`)",
        )
    if name in {"InvalidServiceError", "StartServiceError"}:
        return DeviceError(uri, f"{text} (iOS 17+ needs `sudo pymobiledevice3 remote tunneld` running)")
    if isinstance(exc, TimeoutError | concurrent.futures.TimeoutError):
        return DeviceError(uri, f"{doing}: no answer in time")
    return DeviceError(uri, text)


class AsyncRunner:
    """A private event loop in a daemon thread; ``run`` submits a coroutine and waits for it."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=f"pmd3-{self.uri}", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], doing: str, timeout: float = 60.0) -> T:
        """Run ``coro`` on the loop; library errors become ``DeviceError``s about ``doing``."""
        future = asyncio.run_coroutine_threadsafe(coro, self._ensure())
        try:
            return future.result(timeout)
        except DeviceError:
            raise
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise translate(self.uri, exc, doing) from exc
        except Exception as exc:  # pymobiledevice3 has no single root for socket and protocol errors
            raise translate(self.uri, exc, doing) from exc

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=2)
            loop.close()


async def connect_provider(udid: str) -> Any:
    """A service provider for ``udid``: an iOS 17+ tunnel from ``remote tunneld`` if one runs, else lockdown.

    iOS 17 moved the developer services (DVT process control) behind a RemoteXPC tunnel; the
    ``pymobiledevice3 remote tunneld`` daemon (root) keeps one per device and serves them on
    127.0.0.1:49151. Without it, usbmux lockdown still gives install, syslog and port connections.
    """
    from pymobiledevice3.lockdown import create_using_usbmux

    try:
        from pymobiledevice3.tunneld.api import get_tunneld_device_by_udid

        rsd = await asyncio.wait_for(get_tunneld_device_by_udid(udid), 6)
        if rsd is not None:
            return rsd
    except Exception:  # no tunneld: fall back to lockdown over usbmux
        pass
    return await create_using_usbmux(serial=udid)


def usbmux_address() -> str:
    """Where pymobiledevice3 looks for usbmuxd: ``USBMUXD_SOCKET_ADDRESS`` (``HOST:PORT`` or a socket
    path, as libusbmuxd reads it), else the platform's default (``/var/run/usbmuxd``; on Windows
    ``127.0.0.1:27015``), for messages that say which usbmuxd did not answer."""
    import os

    from pymobiledevice3.osu.os_utils import get_os_utils

    configured = os.getenv("USBMUXD_SOCKET_ADDRESS")
    if configured:
        return configured
    address = get_os_utils().usbmux_address[0]
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)


async def list_udids() -> list[str]:
    from pymobiledevice3.usbmux import list_devices

    return [device.serial for device in await list_devices()]


ProviderFactory = Callable[[str], Coroutine[Any, Any, Any]]
