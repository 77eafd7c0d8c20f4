"""``device.app``: the app under test's life on an Android device, through ``pm``/``am``/``monkey``.

Package-manager answers are text; :func:`check_pm` turns the known failure shapes (``Failure [...]``,
``Unknown package``, ``SecurityException``, ``Exception occurred while executing``) into one
:class:`~harness.errors.DeviceError` that names the URI, the command and the reason.
"""

from __future__ import annotations

import os
import re
import shlex
import time

from harness.devices.android_lib.shell import Shell, ShellResult
from harness.errors import AppCrashed, DeviceError

__all__ = ["AndroidApp", "check_pm"]

_FAILURE = re.compile(
    r"Failure \[([^\]]*)\]|Failed|Unknown package|SecurityException|"
    r"Exception occurred while executing|Error: |not installed|Unknown permission"
)
_PACKAGE = re.compile(r"^[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+$")


def check_pm(uri: str, result: ShellResult, what: str) -> ShellResult:
    """Raise a clear ``DeviceError`` when a ``pm``/``am``/``cmd`` call reports a failure."""
    text = result.output.strip()
    if result.ok and not _FAILURE.search(text):
        return result
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    reason = next((ln for ln in lines if _FAILURE.search(ln)), lines[0] if lines else f"exit {result.status}")
    if "SecurityException" in text:
        reason = "permission denied: " + reason
    raise DeviceError(uri, f"{what} failed: {reason[:300]}")


class AndroidApp:
    """:class:`~harness.devices.base.AppControl` for one package.

    Args:
        uri: the device URI, for error messages.
        shell: the device shell.
        package: the app's package name.
        apk: a local APK; when given, ``install()`` reinstalls it, otherwise it wipes the app's data.
        launch_timeout: seconds to wait for the process after launching.
    """

    def __init__(
        self, uri: str, shell: Shell, package: str, apk: str | None = None, launch_timeout: float = 20.0
    ) -> None:
        if not _PACKAGE.match(package):
            raise DeviceError(uri, f"{package!r} is not an Android package name")
        self.uri = uri
        self.shell = shell
        self.package = package
        self.apk = apk
        self.launch_timeout = launch_timeout

    def _pm(self, command: str, what: str, timeout: float | None = None) -> ShellResult:
        return check_pm(self.uri, self.shell.run(command, timeout=timeout), what)

    def is_installed(self) -> bool:
        result = self.shell.run(f"pm path {self.package}")
        return result.ok and "package:" in result.output

    def require_installed(self) -> None:
        if not self.is_installed():
            hint = "" if self.apk else " (give an APK in AppTarget.options['apk'] to install it)"
            raise DeviceError(self.uri, f"package {self.package} is not installed{hint}")

    def install(self) -> None:
        """Fresh install: reinstall the APK if one is given, else ``pm clear`` the installed app."""
        if self.apk is None:
            self.require_installed()
            self._pm(f"pm clear {self.package}", f"pm clear {self.package}")
            return
        if not os.path.isfile(self.apk):
            raise DeviceError(self.uri, f"APK {self.apk} does not exist")
        remote = f"/data/local/tmp/harness-{self.package}.apk"
        if self.is_installed():
            self._pm(f"pm uninstall {self.package}", f"uninstall {self.package}")
        self.shell.push(self.apk, remote, timeout=300)
        try:
            self._pm(
                f"pm install -r -t {shlex.quote(remote)}",
                f"install {os.path.basename(self.apk)}",
                timeout=300,
            )
        finally:
            self.shell.run(f"rm -f {shlex.quote(remote)}")

    def uninstall(self) -> None:
        self._pm(f"pm uninstall {self.package}", f"uninstall {self.package}")

    def pid(self) -> int | None:
        result = self.shell.run(f"pidof {self.package}")
        fields = result.output.split()
        return int(fields[0]) if result.ok and fields and fields[0].isdigit() else None

    def is_running(self) -> bool:
        return self.pid() is not None

    def launch(self) -> None:
        """Cold start from the launcher activity, then wait for the process.

        Readiness for SDK calls is the SDK transport's business (the Frida session waits for the
        agent); this waits only until the process exists.
        """
        result = self.shell.run(f"monkey -p {self.package} -c android.intent.category.LAUNCHER 1")
        if "No activities found" in result.output or "monkey aborted" in result.output:
            self.require_installed()
            raise DeviceError(self.uri, f"{self.package} has no launcher activity: {result.output.strip()[:200]}")
        check_pm(self.uri, result, f"launch {self.package}")
        deadline = time.monotonic() + self.launch_timeout
        while not self.is_running():
            if time.monotonic() > deadline:
                raise AppCrashed(
                    self.uri,
                    f"{self.package} was launched but no process appeared "
                    f"within {self.launch_timeout:g}s (crashed at start?)",
                )
            time.sleep(0.2)

    def kill(self) -> None:
        self._pm(f"am force-stop {self.package}", f"force-stop {self.package}")

    def background(self) -> None:
        if not self.is_running():
            raise AppCrashed(self.uri, f"{self.package} is not running, so it cannot be sent to the background")
        self.shell.run("input keyevent KEYCODE_HOME", check=True)

    def foreground(self) -> None:
        """Bring the app back (the launcher intent resumes the existing task)."""
        if not self.is_running():
            raise AppCrashed(self.uri, f"{self.package} is not running, so it cannot come to the foreground")
        self.launch()
