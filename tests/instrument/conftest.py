"""Fixtures for the Frida tests: a real test-bed JVM, a fake RPC peer, and an attached agent."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_virtual_app import FakeVirtualApp

from harness.devices.jvm_build import MAIN_CLASS, find_jdk, testbed_classes
from harness.instrument.frida_session import FridaSession


class Bed:
    """A running test-bed JVM, its RPC peer and its type trace."""

    def __init__(self, tmp: Path) -> None:
        self.peer = FakeVirtualApp()
        self.trace = tmp / "trace.jsonl"
        java, _ = find_jdk()
        self.proc = subprocess.Popen(
            [java, "-cp", str(testbed_classes()), MAIN_CLASS, str(self.peer.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={"HARNESS_TESTBED_TRACE": str(self.trace), "PATH": "/usr/bin:/bin"},
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().split()
        assert line[0] == "ready", line
        self.pid = int(line[1])

    def traces(self) -> list[dict[str, Any]]:
        if not self.trace.exists():
            return []
        return [json.loads(x) for x in self.trace.read_text().splitlines()]

    def last_trace(self, method: str) -> dict[str, Any]:
        found = [t for t in self.traces() if t["method"] == method]
        assert found, f"{method} never reached the test bed; saw {[t['method'] for t in self.traces()]}"
        return dict(found[-1]["args"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.peer.close()


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


def attach(bed: Bed, agent: str) -> FridaSession:
    session = FridaSession(["_java", agent], target=bed.pid, uri="jvm:android")
    session.start()
    return session
