"""The pytest plugin: scenario files become test items, and fixtures give tests a device and a capture.

Registered through the ``pytest11`` entry point. Options live in one group (``harness``); fixtures
form a scoped chain, as in pytest-playwright:

- session: ``harness_settings`` → ``collector`` → ``device`` → ``harness_runner``;
- function: ``app`` (a freshly installed and launched app with a typed SDK facade and its own
  capture window).

``device_target_args`` is the extension point: override it in ``conftest.py`` to pass driver
options (an APK path, a package name). YAML files under a folder named ``scenarios`` are collected
as one item per scenario and device. On failure, the captured requests are written as HAR to
``--harness-output`` (kept only for failed tests unless ``--harness-keep-all``).

``--harness-report DIR`` writes one run folder (HTML report, captures, verdicts, matrix, JUnit; see
:mod:`harness.report.folder`) for the whole session. Under pytest-xdist each worker hands its
records to the controller through ``workeroutput`` and the controller writes the one folder;
scenario items carry an ``xdist_group`` per device, so ``-n N --dist loadgroup`` runs one device
per worker.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.capture.export import export
from harness.capture.record import CapturedRequest
from harness.capture.server import CollectorServer
from harness.capture.store import Store
from harness.devices.base import AppTarget, Device
from harness.devices.registry import open_device
from harness.errors import HarnessError, ScenarioError
from harness.instrument.facade import ExponeaSdk
from harness.report.record import device_meta, result_record, run_meta
from harness.scenario.loader import Scenario, load_scenario
from harness.scenario.runner import DEFAULT_PROJECT, Runner, RunResult, capture_plan

__all__ = ["AppSession", "HarnessSettings"]


@dataclass(frozen=True)
class HarnessSettings:
    """The plugin's options, read once."""

    devices: tuple[str, ...]
    fault: str | None
    store: Path | None
    output: Path
    keep_all: bool
    settle_timeout: float
    report: Path | None = None
    agent: str | None = None
    in_app_capture: bool = False
    judge: str = "collector"
    base_url: str | None = None

    @property
    def options(self) -> dict[str, Any]:
        """``AppTarget.options`` every session gets from the command line."""
        return {"agent": self.agent} if self.agent else {}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "engagement SDK conformance harness")
    group.addoption(
        "--device",
        action="append",
        default=[],
        metavar="URI",
        help="device URI to run on (repeatable; default virtual:android)",
    )
    group.addoption("--fault", default=None, help="seeded SDK bug for the virtual device")
    group.addoption("--harness-store", default=None, help="capture store file (default: a temporary file)")
    group.addoption("--harness-output", default="test-results", help="where HAR files of failed tests go")
    group.addoption("--harness-keep-all", action="store_true", help="keep HAR files of passing tests too")
    group.addoption(
        "--harness-report",
        default=None,
        metavar="DIR",
        help="write the session's run folder here: HTML report, captures, verdicts, matrix, JUnit",
    )
    group.addoption(
        "--harness-agent",
        choices=["native", "flutter"],
        default=None,
        help="Frida agent on jvm:android and phones: the native SDK's API or the Flutter plugin's channel",
    )
    group.addoption(
        "--harness-in-app-capture",
        action="store_true",
        help="also capture in the app (Frida hooks on its HTTP client); a request the collector never got fails",
    )
    group.addoption(
        "--harness-judge",
        choices=["collector", "in-app"],
        default="collector",
        help="which capture the checker judges (in-app implies --harness-in-app-capture)",
    )
    group.addoption(
        "--harness-base-url",
        default=None,
        metavar="URL",
        help="configure the SDK with this backend instead of the collector (implies --harness-judge in-app)",
    )
    group.addoption(
        "--harness-settle-timeout", type=float, default=15.0, help="seconds to wait for the SDK to finish sending"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario(path): a conformance scenario collected from a YAML file")
    config.addinivalue_line("markers", "harness_device(uri): run this test on the given device URI only")
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist runs a group on one worker (--dist loadgroup)")
    report = config.getoption("--harness-report", default=None)
    if report and not hasattr(config, "workerinput"):  # refuse before the tests, not after them
        from harness.report.folder import RunFolderError, check_run_folder

        try:
            check_run_folder(report, replace_flag=None)
        except RunFolderError as exc:
            raise pytest.UsageError(f"--harness-report: {exc}") from exc


def _settings(config: pytest.Config) -> HarnessSettings:
    store = config.getoption("--harness-store")
    report = config.getoption("--harness-report")
    return HarnessSettings(
        devices=tuple(config.getoption("--device") or ["virtual:android"]),
        fault=config.getoption("--fault"),
        store=Path(store) if store else None,
        output=Path(config.getoption("--harness-output")),
        keep_all=bool(config.getoption("--harness-keep-all")),
        settle_timeout=float(config.getoption("--harness-settle-timeout")),
        report=Path(report) if report else None,
        agent=config.getoption("--harness-agent"),
        in_app_capture=bool(config.getoption("--harness-in-app-capture")),
        judge=str(config.getoption("--harness-judge")),
        base_url=config.getoption("--harness-base-url"),
    )


class _Shared:
    """Session-wide collector and devices, shared by fixtures and scenario items."""

    def __init__(self, settings: HarnessSettings) -> None:
        self.settings = settings
        self._collector: CollectorServer | None = None
        self._in_app_store: Store | None = None
        self._devices: dict[str, Device] = {}
        self.records: list[dict[str, Any]] = []  # for --harness-report
        self.device_meta: dict[str, dict[str, Any]] = {}
        self.started_wall, self.started = time.time(), time.monotonic()

    def collector(self) -> CollectorServer:
        if self._collector is None:
            path = self.settings.store or Path(tempfile.mkdtemp(prefix="harness-pytest-")) / "capture.sqlite"
            self._collector = CollectorServer(path).start()
        return self._collector

    def runner(self, device: Device) -> Runner:
        """A runner with the session's options (one in-app store for the whole session)."""
        settings = self.settings
        wanted, _ = capture_plan(settings.in_app_capture, settings.judge, settings.base_url)
        if self._in_app_store is None and wanted:
            self._in_app_store = Store(Path(self.collector().store.path).with_name("in-app.sqlite"))
        return Runner(
            device,
            self.collector(),
            fault=settings.fault,
            settle_timeout=settings.settle_timeout,
            options=settings.options,
            in_app_capture=settings.in_app_capture,
            in_app_store=self._in_app_store,
            judge=settings.judge,
            base_url=settings.base_url,
        )

    def device(self, uri: str) -> Device:
        if uri not in self._devices:
            self._devices[uri] = open_device(uri)
        return self._devices[uri]

    def close(self) -> None:
        for dev in self._devices.values():
            dev.close()
        if self._collector is not None:
            self._collector.stop()
        if self._in_app_store is not None:
            self._in_app_store.close()


_SHARED = pytest.StashKey[_Shared]()


def _shared(config: pytest.Config) -> _Shared:
    if _SHARED not in config.stash:
        config.stash[_SHARED] = _Shared(_settings(config))
    return config.stash[_SHARED]


def _record(config: pytest.Config, result: RunResult, runner: Runner) -> None:
    shared = _shared(config)
    if shared.settings.report is None:
        return
    shared.records.append(result_record(result))
    if result.device_uri not in shared.device_meta:
        info = shared.device(result.device_uri).describe().as_json()
        shared.device_meta[result.device_uri] = device_meta(info, runner.profile.name, runner.profile.sdk_version)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Workers hand their records to the controller; the controller (or a plain run) writes the folder."""
    config = session.config
    if _SHARED not in config.stash or config.stash[_SHARED].settings.report is None:
        return
    shared = config.stash[_SHARED]
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["harness_report"] = json.dumps({"records": shared.records, "devices": shared.device_meta})
        return
    from harness.report.folder import write_run

    assert shared.settings.report is not None
    meta = run_meta(
        list(shared.device_meta.values()),
        fault=shared.settings.fault,
        started_at=shared.started_wall,
        duration=time.monotonic() - shared.started,
        command=["pytest", *config.invocation_params.args],
    )
    write_run(shared.settings.report, meta, shared.records)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist, on the controller: collect the records a worker wrote for the run folder."""
    payload = getattr(node, "workeroutput", {}).get("harness_report")
    if not payload:
        return
    shared = _shared(node.config)
    data = json.loads(payload)
    shared.records.extend(data["records"])
    for uri, meta in data["devices"].items():
        shared.device_meta.setdefault(uri, meta)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SHARED in config.stash:
        config.stash[_SHARED].close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    setattr(item, f"_harness_report_{report.when}", report)
    return report


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def harness_settings(pytestconfig: pytest.Config) -> HarnessSettings:
    return _shared(pytestconfig).settings


@pytest.fixture(scope="session")
def collector(pytestconfig: pytest.Config) -> CollectorServer:
    """The collector on loopback, shared by the session."""
    return _shared(pytestconfig).collector()


@pytest.fixture(scope="session")
def device(pytestconfig: pytest.Config, harness_settings: HarnessSettings) -> Device:
    """The first ``--device`` (default ``virtual:android``)."""
    return _shared(pytestconfig).device(harness_settings.devices[0])


@pytest.fixture
def device_target_args() -> dict[str, Any]:
    """Extra ``AppTarget`` fields (``package``, ``options``); override in conftest.py."""
    return {}


@pytest.fixture(scope="session")
def harness_runner(pytestconfig: pytest.Config, device: Device) -> Runner:
    """A scenario runner on ``device`` with the session's options."""
    return _shared(pytestconfig).runner(device)


@dataclass
class AppSession:
    """A launched app for one test: its SDK, and the requests it sent in this test."""

    device: Device
    collector: CollectorServer
    key: str
    sdk: ExponeaSdk
    base_url: str
    config: dict[str, Any] = field(default_factory=dict)

    def init(self, **configuration: Any) -> None:
        """``Exponea.init`` pointed at the collector (defaults: the harness project)."""
        self.config = {**DEFAULT_PROJECT, "baseURL": self.base_url, **configuration}
        self.sdk.init(self.config)

    def requests(self, tracking_only: bool = True) -> list[CapturedRequest]:
        kinds = ["tracking"] if tracking_only else None
        return self.collector.store.query(device=self.key, kinds=kinds)

    def wait_for_requests(self, count: int, timeout: float = 15.0) -> list[CapturedRequest]:
        """Wait (woken by arrivals) until ``count`` tracking requests arrived."""
        self.collector.store.wait_for(
            lambda rs: sum(r.kind == "tracking" for r in rs) >= count, timeout, device=self.key
        )
        return self.requests()

    def settle(self, timeout: float = 15.0) -> None:
        if not self.device.settle(timeout):
            self.collector.store.wait_quiet(2.0, timeout)


_app_counter = iter(range(1, 1_000_000))


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    device: Device,
    collector: CollectorServer,
    harness_settings: HarnessSettings,
    device_target_args: dict[str, Any],
) -> Iterator[AppSession]:
    """A freshly installed, launched app whose SDK talks to the collector under its own key."""
    key = f"pytest-{next(_app_counter)}-{int(time.time())}"
    target_args = dict(device_target_args)
    target_args["options"] = {**harness_settings.options, **dict(target_args.get("options") or {})}
    target = AppTarget(base_url=collector.device_url(key), fault=harness_settings.fault, **target_args)
    device.open(target)
    device.app.install()
    device.app.launch()
    session = AppSession(device, collector, key, ExponeaSdk(device.sdk), target.base_url)
    yield session
    device.app.kill()
    _keep_artifacts(request.node, harness_settings, session.requests(tracking_only=False))


def _keep_artifacts(item: pytest.Item, settings: HarnessSettings, requests: list[CapturedRequest]) -> None:
    report = getattr(item, "_harness_report_call", None)
    failed = report is not None and report.failed
    if not (failed or settings.keep_all):
        return
    folder = settings.output / "".join(c if c.isalnum() or c in "-_." else "-" for c in item.nodeid)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "capture.har").write_text(export(requests, "har"), encoding="utf-8")


# -- scenario files ------------------------------------------------------------------------


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts and not file_path.name.startswith("_"):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load_scenario(self.path)
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from exc
        for uri in _shared(self.config).settings.devices:
            yield ScenarioItem.from_parent(self, name=f"{scenario.id}[{uri}]", scenario=scenario, uri=uri)


class ScenarioFailed(Exception):
    def __init__(self, result: RunResult) -> None:
        super().__init__(result.headline())
        self.result = result


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, uri: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.uri = uri
        self.add_marker(pytest.mark.scenario(scenario.path))
        self.add_marker(pytest.mark.xdist_group(uri))
        self.user_properties.append(("device", uri))
        self.user_properties.append(("covers", ",".join(scenario.covers)))

    def runtest(self) -> None:
        shared = _shared(self.config)
        device = shared.device(self.uri)
        runner = shared.runner(device)
        if not self.scenario.applies_to(device.platform):
            _record(self.config, runner.run(self.scenario), runner)  # a "skipped" result, for the matrix
            pytest.skip(f"scenario is not for {device.platform}")
        result = runner.run(self.scenario)
        _record(self.config, result, runner)
        self.user_properties.append(("requests", str(len(result.requests))))
        if result.outcome in ("failed", "error"):
            raise ScenarioFailed(result)
        _keep_artifacts(self, shared.settings, result.requests)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            r = excinfo.value.result
            _keep_artifacts_for_failure(self, r)
            return "\n".join(filter(None, [r.headline(), r.details()]))
        if isinstance(excinfo.value, HarnessError):
            return f"{type(excinfo.value).__name__}: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario {self.scenario.id} on {self.uri}"


def _keep_artifacts_for_failure(item: ScenarioItem, result: RunResult) -> None:
    settings = _shared(item.config).settings
    folder = settings.output / f"{result.scenario.id}-{result.device_uri.replace(':', '-')}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "capture.har").write_text(export(result.requests, "har"), encoding="utf-8")
