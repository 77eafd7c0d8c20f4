"""A virtual app whose driver died (a test process or fleet worker killed) stops instead of lingering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

DRIVER = textwrap.dedent(
    """
    import sys
    from harness.devices.base import AppTarget
    from harness.devices.virtual import VirtualDevice

    device = VirtualDevice("virtual:android", "android")
    device.open(AppTarget(base_url="http://127.0.0.1:9/unused"))
    device.app.install()
    device.app.launch()
    print(device._proc.pid, flush=True)  # the app's pid, then wait to be killed without close()
    sys.stdin.read()
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose: it serves nothing (it waits for its reaper, init)
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_app_stops_when_its_driver_is_killed():
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert driver.stdout is not None
        app_pid = int(driver.stdout.readline())
        assert _alive(app_pid), "the app runs while its driver lives"
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=10)
        deadline = time.monotonic() + 30  # a bound on waiting, not a timing assertion
        while _alive(app_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(app_pid), "the app outlived its killed driver"
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
