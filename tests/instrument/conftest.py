"""Fixtures for the Frida tests: the real virtual app (``python -m harness.virtual``), a real
test-bed JVM connected to it, and an agent attached with Frida.

What reached the reference SDK is read from the test bed's own trace (``HARNESS_TESTBED_TRACE``):
the Java types each mirror method received, and every RPC exchange with the virtual app (the
canonical call as sent, and the virtual app's reply).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.devices.jvm_build import MAIN_CLASS, find_jdk, testbed_classes
from harness.devices.rpc_client import RpcClient
from harness.instrument.frida_session import FridaSession
from harness.sdk.registry import all_sdks


class Bed:
    """The virtual app, the test-bed JVM wired to it, and the JVM's trace."""

    def __init__(self, tmp: Path, app_args: list[str] | None = None) -> None:
        self.data = tmp / "data"
        self.data.mkdir()
        self.trace = tmp / "trace.jsonl"
        self.app = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.virtual",
                "--platform",
                "android",
                "--data",
                str(self.data),
                *(app_args or []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "virtual.log").open("ab"),
        )
        port = self._wait_for_port()
        self.rpc = RpcClient("jvm:android", port)
        java, _ = find_jdk()
        self.proc = subprocess.Popen(
            [java, "-cp", str(testbed_classes()), MAIN_CLASS, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={"HARNESS_TESTBED_TRACE": str(self.trace), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().split()
        assert line and line[0] == "ready", line
        self.pid = int(line[1])

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 60
        path = self.data / "rpc.json"
        while time.monotonic() < deadline:
            assert self.app.poll() is None, "the virtual app exited"
            if path.is_file():
                try:
                    return int(json.loads(path.read_text())["port"])
                except ValueError:
                    pass
            time.sleep(0.02)
        raise AssertionError("the virtual app never listened")

    def lines(self) -> list[dict[str, Any]]:
        if not self.trace.exists():
            return []
        return [json.loads(x) for x in self.trace.read_text().splitlines()]

    def mark(self) -> int:
        """The trace's length now; ``rpc_since(mark)`` then shows only what came after."""
        return len(self.lines())

    def rpc_since(self, mark: int = 0) -> list[dict[str, Any]]:
        """RPC exchanges ``{"rpc": "sdk.X", "params": ..., "reply": ...}`` after ``mark``."""
        return [x for x in self.lines()[mark:] if "rpc" in x]

    def sdk_calls(self, mark: int = 0) -> list[tuple[str, dict[str, Any]]]:
        """The canonical calls that reached the virtual app (``sdk.*`` only) after ``mark``."""
        return [(x["rpc"][4:], x["params"]) for x in self.rpc_since(mark) if x["rpc"].startswith("sdk.")]

    def last_trace(self, method: str) -> dict[str, Any]:
        """The Java types the mirror's ``method`` received the last time it ran."""
        found = [t for t in self.lines() if t.get("method") == method]
        methods = [t.get("method") or t.get("rpc") for t in self.lines()]
        assert found, f"{method} never reached the test bed; saw {methods}"
        return dict(found[-1]["args"])

    def stop(self) -> None:
        self.rpc.close()
        for proc in (self.proc, self.app):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture
def testbed(tmp_path: Path) -> Iterator[Bed]:
    bed = Bed(tmp_path)
    yield bed
    bed.stop()


@pytest.fixture(scope="module")
def module_testbed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    bed = Bed(tmp_path_factory.mktemp("bed"))
    yield bed
    bed.stop()


def agent_files(agent: str) -> list[str]:
    """The files an SDK plug-in loads with ``agent`` on Android (its ``Sdk.agents`` row), minus the capture hook."""
    for sdk in all_sdks():
        for files in sdk.agents.get("android", {}).values():
            if agent in files:
                return [name for name in files if name != "_okhttp_capture"]
    return ["_java", agent]


def attach(bed: Bed, agent: str) -> FridaSession:
    session = FridaSession(agent_files(agent), target=bed.pid, uri="jvm:android")
    session.start()
    return session
