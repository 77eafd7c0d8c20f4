"""``device.env`` and ``device.logcat``: the phone around the app, through shell commands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.devices.android_lib.app import check_pm
from harness.devices.android_lib.shell import Shell
from harness.errors import DeviceError

__all__ = ["AndroidEnv", "Logcat"]

POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS"


class AndroidEnv:
    """:class:`~harness.devices.base.Environment` of an Android device.

    Args:
        uri: the device URI, for error messages.
        shell: the device shell.
        package: the app whose permission is granted or revoked (``None`` before ``open()``).
    """

    def __init__(self, uri: str, shell: Shell, package: str | None = None) -> None:
        self.uri = uri
        self.shell = shell
        self.package = package

    def now(self) -> float:
        output = self.shell.run("date +%s.%N", check=True).output.strip()
        try:
            return float(output)
        except ValueError:  # an old toolbox date prints "%N" literally
            try:
                return float(output.split(".")[0])
            except ValueError as exc:
                raise DeviceError(self.uri, f"`date` printed {output[:60]!r}, not a time") from exc

    def advance_clock(self, seconds: float) -> None:
        """Move the wall clock; needs a rooted device (``su`` or adbd running as root)."""
        target = int(self.now() + seconds)
        for command in (f"date @{target}", f"su 0 date @{target}", f"su -c 'date @{target}'"):
            result = self.shell.run(command)
            if result.ok and "denied" not in result.output and "not permitted" not in result.output:
                return
        raise DeviceError(
            self.uri,
            "cannot move the clock: setting the time needs root (a rooted "
            "device, or an emulator image without Google Play and `adb root`)",
        )

    def set_network(self, online: bool) -> None:
        """Wi-Fi and mobile data on or off; falls back to airplane mode where ``svc`` is refused."""
        verb = "enable" if online else "disable"
        wifi = self.shell.run(f"svc wifi {verb}")
        data = self.shell.run(f"svc data {verb}")
        if wifi.ok and data.ok and not re.search(r"Exception|denied|Error", wifi.output + data.output):
            return
        airplane = self.shell.run(f"cmd connectivity airplane-mode {'disable' if online else 'enable'}")
        check_pm(self.uri, airplane, f"turning the network {'on' if online else 'off'}")

    def set_push_permission(self, granted: bool) -> None:
        if self.package is None:
            raise DeviceError(self.uri, "no app is open: call open(AppTarget(package=...)) first")
        verb = "grant" if granted else "revoke"
        result = self.shell.run(f"pm {verb} {self.package} {POST_NOTIFICATIONS}")
        check_pm(self.uri, result, f"pm {verb} {POST_NOTIFICATIONS} for {self.package}")

    def new_push_token(self, token: str) -> None:
        raise DeviceError(
            self.uri,
            "FCM issues tokens on a real device; to hand the SDK a token as onNewToken would, "
            "call handleNewToken via device.sdk (the Frida agent)",
        )

    def deliver_push(self, payload: Mapping[str, Any]) -> None:
        raise DeviceError(
            self.uri,
            "push delivery on a real Android device goes through the Frida agent "
            "(call the SDK's handleRemoteMessage via device.sdk); adb cannot inject FCM",
        )

    def click_push(self, payload: Mapping[str, Any], action: Mapping[str, Any] | None = None) -> None:
        raise DeviceError(
            self.uri,
            "push clicks on a real Android device go through the Frida agent "
            "(trackClickedPush via device.sdk); adb cannot open a notification",
        )


class Logcat:
    """Captures the device log for a time window; start/stop/is_alive like every long-running part.

    Nothing runs on the device in between: ``start()`` notes the device clock and ``stop()`` dumps
    the lines since then (``logcat -d -v epoch -T <seconds>``), so a dropped connection loses nothing.
    """

    def __init__(self, shell: Shell, env: AndroidEnv) -> None:
        self.shell = shell
        self.env = env
        self.since: float | None = None

    def start(self) -> None:
        self.since = self.env.now()

    def is_alive(self) -> bool:
        return self.since is not None

    def stop(self) -> str:
        """The log since ``start()``; ``""`` if it was never started."""
        if self.since is None:
            return ""
        text = self.dump(self.since)
        self.since = None
        return text

    def dump(self, since: float, until: float | None = None) -> str:
        """Log lines with ``since <= time <= until`` (device clock, epoch seconds)."""
        result = self.shell.run(f"logcat -d -v epoch -T {since:.3f}", timeout=60)
        if not result.ok:
            raise DeviceError(self.shell.uri, f"logcat failed: {result.output.strip()[:200]}")
        if until is None:
            return result.output
        kept = []
        for line in result.output.splitlines():
            head = line.split(None, 1)
            try:
                if float(head[0]) > until:
                    continue
            except (ValueError, IndexError):
                pass  # "--------- beginning of main" and continuation lines stay
            kept.append(line)
        return "\n".join(kept)
