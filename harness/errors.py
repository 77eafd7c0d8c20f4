"""The harness's error tree.

Every error the harness raises on purpose derives from :class:`HarnessError`, so a caller that
wants "anything the harness says went wrong" catches one class::

    HarnessError
    ├── ConfigError                 a setting or option has a bad value (names the setting)
    ├── DeviceError                 a device cannot be reached or did not do what was asked (names the URI)
    │   ├── DeviceNotFound          no device answers to the URI
    │   └── AppCrashed              the app under test died or stopped answering
    ├── InstrumentError             an SDK call inside the app failed (names the method)
    │   └── RpcTimeout              the app did not answer an SDK call in time
    ├── CaptureError                the collector or the capture store failed
    ├── SpecError                   a profile or a payload schema is unknown or broken
    └── ScenarioError               a scenario file is malformed (names file and line)

Errors of the libraries underneath (adb-shell, pymobiledevice3, Frida, sqlite3, httpx) are translated
at the edge where they happen and chained with ``raise ... from``, so a traceback shows both.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AppCrashed",
    "CaptureError",
    "ConfigError",
    "DeviceError",
    "DeviceNotFound",
    "HarnessError",
    "InstrumentError",
    "RpcTimeout",
    "ScenarioError",
    "SpecError",
    "did_you_mean",
]


class HarnessError(Exception):
    """Root of every error the harness raises on purpose."""


class ConfigError(HarnessError):
    """A setting has a bad value; the message starts with the setting's name."""

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"{setting}: {problem}")


class DeviceError(HarnessError):
    """A device failed; the message starts with the device URI."""

    def __init__(self, uri: str, problem: str) -> None:
        self.uri = uri
        self.problem = problem
        super().__init__(f"{uri}: {problem}")


class DeviceNotFound(DeviceError):
    """No device answers to the URI (unplugged, wrong serial, emulator not started)."""


class AppCrashed(DeviceError):
    """The app under test exited or stopped answering while a test was using it."""


class InstrumentError(HarnessError):
    """An SDK call inside the app raised or could not be delivered."""

    def __init__(self, method: str, problem: str) -> None:
        self.method = method
        self.problem = problem
        super().__init__(f"{method}: {problem}")


class RpcTimeout(InstrumentError):
    """The app did not answer an SDK call within the timeout."""


class CaptureError(HarnessError):
    """The collector or the capture store failed."""


class SpecError(HarnessError):
    """A profile, rule or payload schema is unknown or inconsistent."""


class ScenarioError(HarnessError):
    """A scenario file is malformed; the message is ``file:line: problem``."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'``) for the close matches of ``word``, else ``""``.

    Appended to an error that names an unknown fault, device scheme or profile, so a typo costs one
    look at the message rather than a search through a list of sixty names.
    """
    close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
