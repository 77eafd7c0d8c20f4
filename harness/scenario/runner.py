"""Playing a scenario on a device and judging what the SDK sent.

The flow is one way: steps → device (driver + SDK transport) → the SDK sends HTTP → collector →
store; the runner records a stimulus trace as it goes, then the profile turns the trace into
expectations and the checker compares them with the captured requests. A crashed app or a lost
device ends the run as an *error* that says what happened, never as a pass.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import tempfile
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.capture.client import CollectorClient
from harness.capture.inapp import CaptureDiff, InAppRecorder, compare_captures
from harness.capture.record import CapturedRequest
from harness.capture.server import CollectorServer
from harness.capture.store import Store
from harness.devices.base import AppTarget, Capability, Device
from harness.errors import ConfigError, HarnessError, InstrumentError, SpecError
from harness.scenario.expect import StepTimes, judge_user_expectations
from harness.scenario.loader import Scenario, Step
from harness.sdk.base import Sdk
from harness.sdk.registry import get_sdk
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.profiles import Profile, profile_for
from harness.spec.trace import Stimulus
from harness.spec.verdict import Match, Verdict
from harness.wire.decode import observe_all

__all__ = ["RunResult", "Runner", "capture_plan", "device_key"]


@dataclass
class RunResult:
    """The outcome of one scenario on one device.

    ``platform``, ``fault``, ``profile`` and ``sdk_version`` say what judged it (for reports, JUnit
    properties and run metadata); the others are what happened.
    """

    scenario: Scenario
    device_uri: str
    outcome: str  # "passed" | "failed" | "error" | "skipped"
    verdict: Verdict | None = None
    error: str | None = None
    trace: list[Stimulus] = field(default_factory=list)
    requests: list[CapturedRequest] = field(default_factory=list)
    expectations: Expectations | None = None
    duration: float = 0.0
    device_time_span: float = 0.0
    platform: str = ""
    fault: str | None = None
    profile: str = ""
    sdk_version: str = ""
    sdk: str = ""
    warnings: list[str] = field(default_factory=list)  # e.g. an unmodelled SDK version judged by a lower one
    # in-app capture (Runner(in_app_capture=True)): what the app's HTTP client sent, and that set
    # against the collector's; ``requests`` is whichever capture judged the run (``judge``)
    app_requests: list[CapturedRequest] | None = None
    capture_diff: CaptureDiff | None = None
    stage: str = "starting"  # what the runner was doing, for an internal error's message

    @property
    def passed(self) -> bool:
        return self.outcome in ("passed", "skipped")

    def headline(self) -> str:
        mark = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}[self.outcome]
        if self.outcome == "error":
            detail = self.error or ""
        elif self.verdict is not None:
            detail = self.verdict.summary()
        else:
            detail = self.error or ""
        if self.capture_diff is not None:
            detail += f"; in-app vs collector: {self.capture_diff.summary()}"
        return f"{mark:<5} {self.scenario.id:<40} {self.device_uri:<18} {detail}"

    def details(self) -> str:
        lines: list[str] = []
        if self.verdict is not None and not self.verdict.passed:
            lines += self.verdict.report().splitlines()
        if self.capture_diff is not None and not self.capture_diff.equal:
            lines += ["in-app capture against the collector's: " + self.capture_diff.report()]
        return "\n".join("    " + line for line in lines)


def capture_plan(in_app_capture: bool, judge: str, base_url: str | None) -> tuple[bool, str]:
    """``(capture in the app?, judge)`` from the user's three options: another backend means only the
    in-app capture sees the traffic, so it judges; judging in-app means capturing in-app."""
    if judge not in ("collector", "in-app"):
        raise ConfigError("judge", f"unknown capture {judge!r}; known: collector, in-app")
    if base_url is not None:
        judge = "in-app"
    return in_app_capture or judge == "in-app", judge


def device_key(device_uri: str, scenario_id: str) -> str:
    """A key for one run's requests that no other run on any host shares: this host's name and a random
    UUID part (a per-process counter would collide when hosts share a store), then the device and scenario
    so that a key still reads as what it is."""
    host = socket.gethostname().split(".")[0]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{host}-{uuid.uuid4().hex[:12]}-{device_uri}-{scenario_id}")


class Runner:
    """Runs scenarios on one device against one collector.

    The runner reaches the collector only through its control API (:class:`CollectorClient`), so the
    collector may run in this process, in another one or on another host. Arrival times are the
    collector host's clock; the runner measures that clock's offset from its own at each run and moves
    ``received_at`` into its own clock before judging, so a skewed host gives the same verdicts.

    Args:
        device: a driver from the registry (not yet opened).
        collector: a started collector (in-process), a :class:`CollectorClient` or a collector's URL;
            each run gets its own device key in the base URL.
        fault: a seeded SDK bug for the virtual device.
        profile: the spec profile; by default the native profile of the device's platform.
        settle_timeout: how long to wait for the SDK to finish sending at the end.
        quiet: for devices that cannot tell when they are done, the quiet window to wait for.
        options: driver options for every run (``AppTarget.options``), e.g. ``{"agent": "flutter"}``
            to reach the SDK through the Flutter plugin's agent on ``jvm:android`` or a phone.
        in_app_capture: also capture in the app (hooks on its HTTP client, devices with Frida) into
            ``in_app_store``, and fail a run in which the app sent a request the collector never got.
        in_app_store: where the in-app capture goes; a temporary store by default.
        judge: which capture the checker judges, ``"collector"`` or ``"in-app"``.
        base_url: the backend the app is configured with instead of the collector (for instance the
            production API); only the in-app capture sees the traffic then, so it is the judge.
    """

    def __init__(
        self,
        device: Device,
        collector: CollectorServer | CollectorClient | str,
        *,
        fault: str | None = None,
        profile: Profile | None = None,
        settle_timeout: float = 15.0,
        quiet: float = 3.0,
        options: Mapping[str, Any] | None = None,
        in_app_capture: bool = False,
        in_app_store: Store | None = None,
        judge: str = "collector",
        base_url: str | None = None,
        sdk_version: str | None = None,
    ) -> None:
        self.in_app_capture, self.judge = capture_plan(in_app_capture, judge, base_url)
        self.base_url = base_url
        self._in_app_store = in_app_store
        self.device = device
        self.collector = collector
        self.client = collector if isinstance(collector, CollectorClient) else CollectorClient(_url(collector))
        self.fault = fault
        self.sdk_version = sdk_version
        self._fixed_profile = profile
        choice = profile_for(None, device.platform, sdk_version)
        # the default SDK's, for the run's device metadata (updated once the app has told its version)
        self.profile = profile or choice.profile
        self.warning = choice.warning
        # SDK -> the version read inside the app (without ``sdk_version``: once per device, on the first
        # scenario, after the app is launched); None: the app could not tell, the newest profile judges
        self.app_versions: dict[str, str | None] = {}
        self._version_warning: str | None = None
        self.settle_timeout = settle_timeout
        self.quiet = quiet
        self.options = dict(options or {})

    def run(self, scenario: Scenario) -> RunResult:
        """Play ``scenario`` and judge it; never raises for one scenario's trouble.

        What the harness reports on purpose (a lost device, a crashed app) ends the run as an
        ``error`` with its message; so does a bug of the harness itself (an exception inside the
        profile or the checker), named as an internal error with where it happened, so that the
        other scenarios still run and the report and JUnit are still written.
        """
        result = RunResult(scenario, self.device.uri, "error", platform=self.device.platform, fault=self.fault)
        sdk = get_sdk(scenario.sdk or None)
        result.sdk = sdk.name
        profile: Profile | None = self.profile
        if self._reads_version(sdk):
            profile = None  # picked once the app has told its SDK version (first scenario on the device)
        elif self._fixed_profile is None and self.device.platform in sdk.profiles:
            profile = self._pick(sdk, result)
        if profile is not None:
            result.profile, result.sdk_version = profile.name, profile.sdk_version
        if not scenario.applies_to(self.device.platform):
            result.outcome = "skipped"
            result.error = f"not for {self.device.platform}"
            return result
        if profile is not None and self._skips(scenario, result):
            return result
        started = time.monotonic()
        try:
            self._run(scenario, result, sdk, profile)
        except HarnessError as exc:
            result.outcome = "error"
            result.error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # a harness bug: one scenario's error, not the end of the run
            result.outcome = "error"
            result.error = f"internal error in scenario {scenario.id!r} while {result.stage}: {_where(exc)}"
            self.device.log.error("%s", result.error, exc_info=True)
        result.duration = time.monotonic() - started
        if result.trace:
            result.device_time_span = result.trace[-1].device_time - result.trace[0].device_time
        return result

    def _reads_version(self, sdk: Sdk) -> bool:
        """Whether this scenario must read the SDK version inside the app to pick its profile."""
        return (
            self.sdk_version is None
            and self._fixed_profile is None
            and self.device.platform in sdk.profiles
            and sdk.name not in self.app_versions
        )

    def _pick(self, sdk: Sdk, result: RunResult) -> Profile:
        """The profile for ``--sdk-version``, else the version the app told (exact, or the nearest lower
        modelled one with a warning), else the newest."""
        read = self.app_versions.get(sdk.name)
        choice = profile_for(sdk.name, self.device.platform, self.sdk_version or read)
        if choice.warning:
            result.warnings.append(choice.warning if self.sdk_version else f"{choice.warning} (read inside the app)")
        if sdk.name == get_sdk(None).name and self._fixed_profile is None:
            self.profile = choice.profile
        return choice.profile

    def _skips(self, scenario: Scenario, result: RunResult) -> bool:
        """Mark ``result`` skipped when the scenario is not for the SDK version its profile models."""
        if scenario.applies_to_version(self.device.platform, result.sdk_version):
            return False
        result.outcome = "skipped"
        wanted = scenario.sdk_versions[self.device.platform]
        result.error = f"needs {self.device.platform} SDK {wanted}, the profile models {result.sdk_version}"
        return True

    def _read_version(self, sdk: Sdk, last: bool = False) -> None:
        """Ask the running app which SDK version it embeds (``device.sdk.sdk_version()``: a Frida agent's
        ``sdkVersion`` export, the virtual app's ``app.sdk_version``), once per device and SDK.

        An app that does not know yet (None) is asked again after the next launch or call (after
        ``init``), and a last time after the steps (``last``); then the newest profile judges, with a
        warning. A device whose transport cannot tell (no ``sdk_version``) is judged by the newest.
        """
        if not self._reads_version(sdk):
            return
        reader = getattr(self.device.sdk, "sdk_version", None)
        if reader is None:
            self.app_versions[sdk.name] = None
            return
        problem = "the app did not tell"
        if self.device.app.is_running():
            try:
                value = reader()
            except HarnessError as exc:
                value, problem = None, f"reading it failed: {exc}"
            if value is not None:
                self.app_versions[sdk.name] = str(value)
                return
        if last or problem != "the app did not tell":
            self.app_versions[sdk.name] = None
            newest = sdk.newest(self.device.platform)
            self._version_warning = (
                f"the {sdk.name} SDK version inside the app is unknown ({problem}); judged by {newest}, the newest"
            )

    def _run(self, scenario: Scenario, result: RunResult, sdk: Sdk, profile: Profile | None) -> None:
        key = device_key(self.device.uri, scenario.id)
        base_url = self.base_url or self.client.device_url(key)
        recorder = None
        if self.in_app_capture:
            recorder = InAppRecorder(self.in_app_store, key, base_path=urlsplit(base_url).path)
        options = {**self.options, "sdk": sdk.name}
        if self.sdk_version:  # the modelled version picked for it, which the reference SDK plays
            options["sdk_version"] = result.sdk_version
        target = AppTarget(base_url=base_url, fault=self.fault, options=options, in_app_capture=recorder)
        times: list[StepTimes] = []
        result.stage = "playing the steps"
        try:
            self.device.open(target)
            self._play(scenario, target, result.trace, times, sdk)
            self._read_version(sdk, last=True)
            self._settle()
        except Exception:
            self._cleanup()
            raise
        self._cleanup()
        if profile is None:  # the first scenario of a run that reads the SDK version inside the app
            profile = self._pick(sdk, result)
            result.warnings += [self._version_warning] if self._version_warning else []
            self._version_warning = None
            result.profile, result.sdk_version = profile.name, profile.sdk_version
            if self._skips(scenario, result):
                return
        run_end = time.time()
        result.requests = self._captured(key)
        if recorder is not None:
            recorder.finish()
            result.app_requests = self.in_app_store.query(device=key)
            if self.base_url is None:
                result.capture_diff = compare_captures(result.app_requests, result.requests)
            if self.judge == "in-app":
                result.requests = result.app_requests
        result.stage = f"deriving the expectations (profile {profile.name})"
        try:
            result.expectations = profile.expect([s for s in result.trace if s.kind != "expect"])
        except SpecError as exc:
            result.error = f"SpecError: {exc}"
            return
        result.stage = "checking the requests"
        observations = observe_all(result.requests, tracking_only=False, sdk=sdk.name)
        result.verdict = check(result.expectations, observations)
        if result.expectations.request_rules is not None:  # a pinned wire shape: every request, whole
            result.verdict.violations += result.expectations.request_rules.violations(result.requests)
        if any(s.kind == "expect" for s in result.trace):
            result.stage = "checking the scenario's expect steps"
            mine, verdict = judge_user_expectations(
                result.trace, times, observations, urlsplit(target.base_url).path, run_end
            )
            _merge(result.expectations, result.verdict, mine, verdict)
        delivered = result.capture_diff is None or not result.capture_diff.lost
        result.outcome = "passed" if result.verdict.passed and delivered else "failed"

    # -- steps -----------------------------------------------------------------------------

    def _play(
        self, scenario: Scenario, target: AppTarget, trace: list[Stimulus], times: list[StepTimes], sdk: Sdk
    ) -> None:
        steps: list[Step] = []
        if scenario.fresh_install:
            steps += [Step("app", "install"), Step("app", "launch")]
        steps += list(scenario.steps)
        for step in steps:
            if step.kind == "app" and step.name == "relaunch":
                self._do(Step("app", "kill", {}, step.line, step.source), target, trace, times, sdk)
                self._do(Step("app", "launch", {}, step.line, step.source), target, trace, times, sdk)
            else:
                self._do(step, target, trace, times, sdk)

    def _do(self, step: Step, target: AppTarget, trace: list[Stimulus], times: list[StepTimes], sdk: Sdk) -> None:
        index = len(trace)
        began = time.time()
        args: Mapping[str, Any] = step.args
        error: str | None = None
        times.append(StepTimes(time.time(), self.device.app.is_running(), step.source or step.name))
        if step.kind == "call":
            if sdk.connect is not None:  # the plug-in points the SDK at the collector (base URLs...)
                args = sdk.load(sdk.connect)(step.name, args, target.base_url)
            try:
                res = self.device.sdk.call(step.name, args, timeout=self.settle_timeout)
                device_time = res.device_time
                agent = self._agent()
                if agent != "native" and sdk.bridge is not None:  # the native call a plugin made
                    args = sdk.load(sdk.bridge)(agent, step.name, args)
            except InstrumentError as exc:  # the SDK threw inside the app; the app lives on
                error = str(exc)
                device_time = self.device.env.now()
        elif step.kind == "sync":
            # Recorded, so a profile knows every flush pass before it had finished (retries).
            self._settle(float(args.get("timeout", self.settle_timeout)))
            device_time = self._device_time()
        elif step.kind == "collector":
            self._respond(target, args)
            device_time = self._device_time()
        elif step.kind == "expect":  # judged after the run (harness/scenario/expect.py)
            device_time = self._device_time()
        else:
            device_time = self._device_time()
            self._lifecycle(step)
        if step.kind == "call" or step.name == "launch":
            self._read_version(sdk)
        trace.append(Stimulus(index, step.kind, step.name, args, device_time, time.time(), error, step.line, began))

    @property
    def in_app_store(self) -> Store:
        """The store of the in-app capture (a temporary one unless given)."""
        if self._in_app_store is None:
            folder = Path(tempfile.mkdtemp(prefix="harness-in-app-"))
            self._in_app_store = Store(folder / "in-app.sqlite")
        return self._in_app_store

    def _agent(self) -> str:
        """The agent in use: the runner's option, else the device's (a ``jvm:android?agent=…`` URI)."""
        device_options = getattr(self.device, "options", None) or {}
        return str(self.options.get("agent") or device_options.get("agent") or "native")

    def _respond(self, target: AppTarget, rule: Mapping[str, Any]) -> None:
        """Install a collector answer rule (``respond`` step) for this run's device key only."""
        if self.base_url is not None:
            raise ConfigError("respond", f"respond rules need the collector as the backend, not {self.base_url}")
        self.client.add_respond(target.base_url.rstrip("/").rsplit("/", 1)[-1], rule)

    def _captured(self, key: str) -> list[CapturedRequest]:
        """This run's requests as the collector stored them, with arrival times in this host's clock."""
        offset = self.client.clock_offset()
        requests = self.client.requests(device=key)
        return [_shifted(r, -offset) for r in requests] if offset else requests

    def _device_time(self) -> float:
        if self.device.app.is_running():
            return self.device.env.now()
        return time.time()

    def _lifecycle(self, step: Step) -> None:
        app, env = self.device.app, self.device.env
        actions = {
            "install": app.install,
            "launch": app.launch,
            "kill": app.kill,
            "background": app.background,
            "foreground": app.foreground,
        }
        if step.kind == "app":
            if step.name == "kill":
                self._drain_capture()
            actions[step.name]()
        elif step.name == "advance_clock":
            env.advance_clock(float(step.args["seconds"]))
        elif step.name == "set_network":
            env.set_network(bool(step.args["online"]))
        elif step.name == "set_push_permission":
            env.set_push_permission(bool(step.args["granted"]))
        elif step.name == "new_push_token":
            env.new_push_token(str(step.args["token"]))
        elif step.name == "deliver_push":
            env.deliver_push(step.args["payload"])
        elif step.name == "click_push":
            env.click_push(step.args["payload"], step.args.get("action") or None)

    def _settle(self, timeout: float | None = None) -> None:
        timeout = self.settle_timeout if timeout is None else timeout
        if Capability.SETTLE in self.device.capabilities:
            if self.device.settle(timeout):
                return
            self.device.log.warning("the SDK did not settle within %.0fs", timeout)
        self.client.wait_quiet(self.quiet, timeout)

    def _drain_capture(self) -> None:
        """With in-app capture, let the agent's messages in transit arrive before the app dies."""
        drain = getattr(self.device.sdk, "drain_capture", None)
        if self.in_app_capture and drain is not None and self.device.app.is_running():
            drain()

    def _cleanup(self) -> None:
        self._drain_capture()
        try:
            self.device.app.kill()
        except HarnessError as exc:
            self.device.log.warning("could not kill the app after the run: %s", exc)


def _url(collector: CollectorServer | str) -> str:
    return collector if isinstance(collector, str) else collector.url


def _shifted(request: CapturedRequest, seconds: float) -> CapturedRequest:
    """``request`` with its arrival (and answer) time moved by ``seconds``: into the runner's clock."""
    answered = None if request.answered_at is None else request.answered_at + seconds
    return dataclasses.replace(request, received_at=request.received_at + seconds, answered_at=answered)


def _merge(expectations: Expectations, verdict: Verdict, mine: list[Expected], theirs: Verdict) -> None:
    """Add the user's expectations and their verdict to the profile's (one report, one vocabulary)."""
    base = len(expectations.requests)
    expectations.requests.extend(mine)
    verdict.matches += [Match(base + m.expected_index, m.request_id, m.ok, m.label, m.copy) for m in theirs.matches]
    verdict.violations += theirs.violations
    verdict.diffs += theirs.diffs
    verdict.notes += theirs.notes


def _where(exc: BaseException) -> str:
    """``ValueError: text (at harness/spec/x.py:12 in f)``: the exception and the frame that raised it."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    place = ""
    if last is not None:
        path = Path(last.filename)
        parts = path.parts
        short = "/".join(parts[parts.index("harness") :]) if "harness" in parts else path.name
        place = f" (at {short}:{last.lineno} in {last.name})"
    return f"{type(exc).__name__}: {exc}{place}"
