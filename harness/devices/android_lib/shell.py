"""``device.shell``: run one command on the device and get its output and exit status.

The ADB ``shell:`` service (protocol v1, which both adb-shell and the adb server's plain ``shell:``
use) reports no exit status, so every command is run as ``CMD; echo <marker>$?`` and the marker line
is cut off the output. Old adbd runs commands on a pty and turns ``\\n`` into ``\\r\\n``; that is undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.devices.android_lib.backend import AdbBackend
from harness.errors import DeviceError

__all__ = ["Shell", "ShellResult"]

_MARK = "__harness_rc="
_RC = re.compile(rf"(?:^|\n){_MARK}(\d+)\n?$")


@dataclass(frozen=True)
class ShellResult:
    """One finished command: its output (stdout and stderr, as adbd merges them) and exit status."""

    command: str
    status: int
    output: str

    @property
    def ok(self) -> bool:
        return self.status == 0


class Shell:
    """Runs shell commands on one device.

    Args:
        uri: the device URI, for error messages.
        backend: the ADB connection.
        timeout: default seconds a command may take.
    """

    def __init__(self, uri: str, backend: AdbBackend, timeout: float = 30.0) -> None:
        self.uri = uri
        self.backend = backend
        self.timeout = timeout

    def run(self, command: str, timeout: float | None = None, check: bool = False) -> ShellResult:
        """Run ``command`` with ``sh`` on the device.

        Raises:
            DeviceError: the device did not answer in time or the connection broke; with ``check``,
                also when the command exits non-zero.
        """
        raw = self.backend.shell(f"{command}; echo {_MARK}$?", timeout or self.timeout)
        text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
        match = _RC.search(text)
        if match is None:
            raise DeviceError(self.uri, f"`{command}` was cut off before it finished (connection lost?)")
        result = ShellResult(command, int(match.group(1)), text[: match.start()].rstrip("\n"))
        if check and not result.ok:
            raise DeviceError(self.uri, f"`{command}` failed (exit {result.status}): {result.output.strip()[:300]}")
        return result

    def push(self, local_path: str, device_path: str, timeout: float | None = None) -> None:
        self.backend.push(local_path, device_path, timeout or self.timeout)
