"""The pytest plugin: scenario files become test items, and fixtures give tests a device and a capture.

Registered through the ``pytest11`` entry point. Options live in one group (``harness``); fixtures
form a scoped chain, as in pytest-playwright:

- session: ``harness_settings`` → ``collector`` → ``device`` → ``harness_runner``;
- function: ``app`` (a freshly installed and launched app with a typed SDK facade and its own
  capture window).

``device_target_args`` is the extension point: override it in ``conftest.py`` to pass driver
options (an APK path, a package name). On failure, the captured requests are written as HAR to
``--harness-output`` (kept only for failed tests unless ``--harness-keep-all``).

The plugin is installed into environments it knows nothing about, so it claims only what is
plainly its own. Scenario files are collected (one item per scenario and device) from the folders
of the ``harness_scenarios`` ini option (default ``scenarios`` under the rootdir) and from folders
and files named on the command line. In a folder, a YAML file is a scenario only if its top level
has ``steps:`` and one of ``id:``, ``covers:``, ``platforms:``; any other YAML (an index, a CI
pipeline, data) is left alone. A file named on the command line is always read as a scenario, and
one that is not gives one collection error saying why. Duplicate scenario ids are rejected as
``harness run`` rejects them, and items carry the JUnit properties of ``harness run --junit``.
Options are all in the ``harness`` group and prefixed; the short ``--device``/``--fault`` are
added as aliases only when no other plugin or conftest uses them.

Every device the collected tests use is opened and checked once before the first test (the driver's
``preflight()``, as ``harness run`` does): a missing JDK or Frida stops the session with one usage
error saying what to install, instead of the same failure in every test.

``--harness-report DIR`` writes one run folder (HTML report, captures, verdicts, matrix, JUnit; see
:mod:`harness.report.folder`) for the whole session. Under pytest-xdist each worker hands its
records to the controller through ``workeroutput`` and the controller writes the one folder;
scenario items carry an ``xdist_group`` per device, so ``-n N --dist loadgroup`` runs one device
per worker.

``--harness-scheduler tcp://HOST:8786`` plays the scenario items on the devices of the ``harness
worker``s of that Dask scheduler instead (one item per scenario and device ``URI@worker``; the
``--harness-device`` option picks some as ``URI`` or ``URI@worker``, default every device of every
worker). Every item is sent to its worker when collection ends, through the same
:class:`~harness.fleet.dispatch.FleetRun` as ``harness run --scheduler``, so devices play at once while
pytest reports the items in order. The ``device`` and ``app`` fixtures stay local.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.capture.export import export
from harness.capture.record import CapturedRequest
from harness.capture.server import CollectorServer
from harness.capture.store import Store
from harness.devices.base import AppTarget, Device
from harness.devices.registry import check_ready, open_device
from harness.errors import HarnessError, ScenarioError
from harness.report.junit import junit_properties
from harness.report.record import device_meta, result_record, run_meta
from harness.scenario.loader import Scenario, find_scenarios, load_scenario
from harness.scenario.runner import Runner, RunResult, capture_plan
from harness.sdk.registry import get_sdk

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
    sdk_version: str | None = None
    scheduler: str | None = None
    wanted: tuple[str, ...] = ()  # the devices named on the command line (a fleet run picks among its own)

    @property
    def options(self) -> dict[str, Any]:
        """``AppTarget.options`` every session gets from the command line."""
        return {"agent": self.agent} if self.agent else {}


_GROUP = ("harness", "engagement SDK conformance harness")
_ALIASES = ("--device", "--fault")  # short forms, added only where free


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "harness_scenarios",
        type="paths",
        default=None,
        help="folders (or files) whose YAML scenarios the harness collects (default: scenarios under the rootdir)",
    )
    group = parser.getgroup(*_GROUP)
    group.addoption(
        "--harness-device",
        action="append",
        default=[],
        dest="harness_device",
        metavar="URI",
        help="device URI to run on (repeatable; default virtual:android); short form --device",
    )
    group.addoption(
        "--harness-fault",
        default=None,
        dest="harness_fault",
        metavar="NAME",
        help="seeded SDK bug for the virtual device; short form --fault",
    )
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
        "--harness-sdk-version",
        default=None,
        metavar="V",
        help="judge by this SDK version (an unmodelled one: the nearest lower modelled one, with a warning; "
        "default: the version read inside the app)",
    )
    group.addoption(
        "--harness-settle-timeout", type=float, default=15.0, help="seconds to wait for the SDK to finish sending"
    )
    group.addoption(
        "--harness-scheduler",
        default=None,
        metavar="tcp://HOST:8786",
        help="play scenario items on the devices of the `harness worker`s of this Dask scheduler (--harness-device "
        "URI or URI@WORKER picks some; default every device of every worker)",
    )


def _taken(parser: pytest.Parser) -> set[str]:
    """Option names already registered (pytest has no public way to ask; if its internals change,
    every name counts as taken and the aliases are simply not added)."""
    groups = getattr(parser, "_groups", None)
    anonymous = getattr(parser, "_anonymous", None)
    if groups is None or anonymous is None:
        return set(_ALIASES)
    return {name for g in [*groups, anonymous] for opt in g.options for name in opt.names()}


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(parser: pytest.Parser) -> Generator[None, None, None]:
    """Add ``--device``/``--fault`` once every other plugin and the root conftest added theirs.

    Those names are common (pytest-playwright has a ``--device``); argparse refuses a name twice,
    so whichever plugin came second would break the other's project. Here, after the entry-point
    plugins and initial conftests, the aliases go only where nobody else is.
    """
    yield
    taken = _taken(parser)
    group = parser.getgroup(*_GROUP)
    if "--device" not in taken:
        group.addoption(
            "--device",
            action="append",
            default=[],
            dest="harness_device",
            metavar="URI",
            help="short form of --harness-device",
        )
    if "--fault" not in taken:
        group.addoption(
            "--fault", default=None, dest="harness_fault", metavar="NAME", help="short form of --harness-fault"
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
        devices=tuple(dict.fromkeys(config.getoption("harness_device") or ["virtual:android"])),
        fault=config.getoption("harness_fault"),
        store=Path(store) if store else None,
        output=Path(config.getoption("--harness-output")),
        keep_all=bool(config.getoption("--harness-keep-all")),
        settle_timeout=float(config.getoption("--harness-settle-timeout")),
        report=Path(report) if report else None,
        agent=config.getoption("--harness-agent"),
        in_app_capture=bool(config.getoption("--harness-in-app-capture")),
        judge=str(config.getoption("--harness-judge")),
        base_url=config.getoption("--harness-base-url"),
        sdk_version=config.getoption("--harness-sdk-version"),
        scheduler=config.getoption("--harness-scheduler"),
        wanted=tuple(dict.fromkeys(config.getoption("harness_device") or [])),
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
        # device URI -> SDK -> the SDK version read inside its app (once per device, shared by the runners)
        self.app_versions: dict[str, dict[str, str | None]] = {}
        self.started_wall, self.started = time.time(), time.monotonic()
        self._fleet: _Fleet | None = None

    def fleet(self) -> _Fleet | None:
        """The fleet of ``--harness-scheduler`` (connected on first use), or None for local runs."""
        if self.settings.scheduler is None:
            return None
        if self._fleet is None:
            self._fleet = _Fleet(self.settings)
        return self._fleet

    def item_devices(self) -> tuple[str, ...]:
        """The devices scenario items are made for: local URIs, or the fleet's ``URI@worker`` labels."""
        fleet = self.fleet()
        return self.settings.devices if fleet is None else tuple(fleet.devices)

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
        runner = Runner(
            device,
            self.collector(),
            fault=settings.fault,
            settle_timeout=settings.settle_timeout,
            options=settings.options,
            in_app_capture=settings.in_app_capture,
            in_app_store=self._in_app_store,
            judge=settings.judge,
            base_url=settings.base_url,
            sdk_version=settings.sdk_version,
        )
        runner.app_versions = self.app_versions.setdefault(device.uri, {})
        return runner

    def device(self, uri: str) -> Device:
        if uri not in self._devices:
            self._devices[uri] = open_device(uri)
        return self._devices[uri]

    def close(self) -> None:
        if self._fleet is not None:
            self._fleet.close()
        for dev in self._devices.values():
            dev.close()
        if self._collector is not None:
            self._collector.stop()
        if self._in_app_store is not None:
            self._in_app_store.close()


class _Fleet:
    """The Dask client of ``--harness-scheduler``, its devices, and the runs sent to them."""

    def __init__(self, settings: HarnessSettings) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise pytest.UsageError(
                "--harness-scheduler: fleet runs need Dask: pip install 'engagement-harness[fleet]'"
            ) from None
        from harness.fleet.dispatch import FleetDevice, FleetRun, fleet_devices, identity
        from harness.fleet.host import RunSettings

        for option, value in (("--harness-in-app-capture", settings.in_app_capture), ("--harness-base-url",
                              settings.base_url)):  # fmt: skip
            if value:
                raise pytest.UsageError(f"--harness-scheduler: {option} is not available in fleet runs yet")
        try:
            self.client = Client(settings.scheduler, timeout=10)  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise pytest.UsageError(
                f"--harness-scheduler: cannot reach the scheduler at {settings.scheduler}: {exc}"
            ) from None
        try:
            found = fleet_devices(identity(self.client), settings.wanted)
        except HarnessError as exc:
            self.client.close()  # type: ignore[no-untyped-call]
            raise pytest.UsageError(str(exc)) from exc
        if not found:
            self.client.close()  # type: ignore[no-untyped-call]
            raise pytest.UsageError(
                f"--harness-scheduler: no harness worker with devices is connected to {settings.scheduler}"
            )
        self.devices: dict[str, FleetDevice] = {d.label: d for d in found}
        self.run = FleetRun(self.client, RunSettings(settings.fault, settings.agent, settings.sdk_version))
        self._finished = self.run.finished()
        self._results: dict[Any, tuple[RunResult, dict[str, Any] | None]] = {}

    def submit(self, scenario: Scenario, label: str) -> Any:
        return self.run.submit(scenario, self.devices[label])

    def result(self, future: Any) -> tuple[RunResult, dict[str, Any] | None]:
        """The run of ``future``, waiting as long as it plays; runs that finish first are kept for their items."""
        while future not in self._results:
            done, result, meta = next(self._finished)
            self._results[done] = (result, meta)
        return self._results.pop(future)

    def close(self) -> None:
        self.client.close()  # type: ignore[no-untyped-call]


_SHARED = pytest.StashKey[_Shared]()


def _shared(config: pytest.Config) -> _Shared:
    if _SHARED not in config.stash:
        config.stash[_SHARED] = _Shared(_settings(config))
    return config.stash[_SHARED]


def _record(
    config: pytest.Config, result: RunResult, runner: Runner | None, meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The result as a record (see :mod:`harness.report.record`), kept for ``--harness-report``; a fleet
    run brings its device's ``meta`` from the worker, a local one asks ``runner``'s device."""
    record = result_record(result)
    shared = _shared(config)
    if shared.settings.report is None:
        return record
    shared.records.append(record)
    if result.device_uri not in shared.device_meta:
        if runner is not None:
            info = shared.device(result.device_uri).describe().as_json()
            meta = device_meta(info, runner.profile.name, runner.profile.sdk_version)
        if meta is not None:
            shared.device_meta[result.device_uri] = meta
    return record


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


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist the controller collects nothing, so it checks the devices named with
    ``--device`` before any worker starts; the workers then need not (see ``pytest_collection_finish``)."""
    config = session.config
    if config.getoption("--harness-scheduler", default=None) and (
        config.pluginmanager.has_plugin("dsession") or hasattr(config, "workerinput")
    ):
        raise pytest.UsageError(
            "--harness-scheduler: the fleet's workers already play the devices at once; leave out -n (pytest-xdist)"
        )
    if config.pluginmanager.has_plugin("dsession") and not config.option.collectonly:
        _check_devices(config, config.getoption("harness_device") or [])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Open and check, once, every device the collected tests will use (as ``harness run`` does).

    A device that cannot run anything (no JDK, no Frida, an unknown serial or scheme) stops the session
    with one line saying what is wrong, instead of failing each test with the same error. ``--collect-only``
    needs no device, so it checks none.
    """
    config = session.config
    if config.option.collectonly or hasattr(config, "workerinput"):
        return
    fleet = _shared(config).fleet()
    if fleet is not None:  # every item's run goes to its worker now; the workers check their own devices
        for item in session.items:
            if isinstance(item, ScenarioItem):
                item.future = fleet.submit(item.scenario, item.uri)
    uris = [item.uri for item in session.items if isinstance(item, ScenarioItem) and fleet is None]
    if any("device" in getattr(item, "fixturenames", ()) for item in session.items):
        uris.append(_shared(config).settings.devices[0])
    _check_devices(config, uris)


def _check_devices(config: pytest.Config, uris: list[str]) -> None:
    shared = _shared(config)
    for uri in dict.fromkeys(uris):
        try:
            check_ready(shared.device(uri))
        except HarnessError as exc:
            raise pytest.UsageError(str(exc)) from exc


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
    sdk: Any  # the default SDK plug-in's typed facade (``Sdk.facade``) over ``device.sdk``
    base_url: str
    config: dict[str, Any] = field(default_factory=dict)

    def init(self, **configuration: Any) -> None:
        """The SDK's ``init`` pointed at the collector (the plug-in's ``connect`` fills the defaults)."""
        plugin = get_sdk(None)
        args: Any = {"configuration": configuration}
        if plugin.connect is not None:
            args = plugin.load(plugin.connect)("init", args, self.base_url)
        self.config = dict(args["configuration"])
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
    plugin = get_sdk(None)
    facade = plugin.load(plugin.facade)(device.sdk) if plugin.facade is not None else device.sdk
    session = AppSession(device, collector, key, facade, target.base_url)
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


# A scenario's top level has ``steps`` and at least one of its other keys: so a scenario that only
# lacks its ``id`` is still reported, while a CI pipeline (``steps`` alone) is not taken for one.
_SIGNATURE_KEYS = ("id", "covers", "platforms")
_TOP_LEVEL_KEY = {k: re.compile(rf"^[\"']?{k}[\"']?[ \t]*:", re.MULTILINE) for k in ("steps", *_SIGNATURE_KEYS)}


def _missing(keys: set[str]) -> str | None:
    """What keeps a top level with ``keys`` from being a scenario's, or ``None``."""
    if "steps" in keys and keys.intersection(_SIGNATURE_KEYS):
        return None
    return "no top-level " + " and ".join(k for k in ("id", "steps") if k not in keys)


@dataclass(frozen=True)
class _Places:
    """Where scenario files are: the configured folders, and what the command line names."""

    folders: tuple[Path, ...]
    named_folders: tuple[Path, ...]
    named_files: frozenset[Path]

    def claims(self, path: Path) -> str | None:
        """``"named"`` for a file named on the command line, ``"folder"`` for one in a scenario
        folder, else ``None`` (not the harness's)."""
        path = path.resolve()
        if path in self.named_files:
            return "named"
        if any(path.is_relative_to(f) for f in (*self.folders, *self.named_folders)):
            return "folder"
        return None


_PLACES = pytest.StashKey[_Places]()


def _places(config: pytest.Config) -> _Places:
    if _PLACES not in config.stash:
        configured = config.getini("harness_scenarios")
        folders = [config.rootpath / "scenarios"] if configured is None else list(configured)
        named: list[Path] = []
        if config.args_source == pytest.Config.ArgsSource.ARGS:  # typed by the user, not testpaths
            named = [(config.invocation_params.dir / a.split("::")[0]).resolve() for a in config.args]
        config.stash[_PLACES] = _Places(
            folders=tuple(Path(f).resolve() for f in folders),
            named_folders=tuple(p for p in named if p.is_dir()),
            named_files=frozenset(p for p in named if p.is_file()),
        )
    return config.stash[_PLACES]


def _not_a_scenario(path: Path, *, named: bool) -> str | None:
    """Why ``path`` is not a scenario file, or ``None`` if it is one or means to be one (a file with
    a scenario's top-level keys that does not parse is a broken scenario, and the loader says where).

    In a folder, the keys are looked for in the text first, so most foreign YAML is never parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot read: {exc}"
    why = _missing({k for k, pattern in _TOP_LEVEL_KEY.items() if pattern.search(text)})
    if why and not named:
        return why
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return why if why and not named else None
    if not isinstance(data, dict):
        return "its top level is not a mapping"
    return _missing({str(k) for k in data})


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    place = _places(parent.config).claims(file_path)
    if place == "named":
        return ScenarioFile.from_parent(parent, path=file_path, named=True)
    if place == "folder" and not file_path.name.startswith("_") and _not_a_scenario(file_path, named=False) is None:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


_SEEN_IDS = pytest.StashKey[dict[str, Path]]()


class ScenarioFile(pytest.File):
    """One scenario file: one item per device, or one collection error saying what is wrong."""

    def __init__(self, *, named: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.named = named

    def collect(self) -> Iterator[pytest.Item]:
        if self.named:
            why = _not_a_scenario(self.path, named=True)
            if why is not None:
                raise self.CollectError(
                    f"{self.path}: not a scenario ({why}); a scenario is a YAML mapping with id, covers, "
                    "platforms and steps"
                )
        try:
            scenario = load_scenario(self.path)
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from exc
        seen = self.config.stash.setdefault(_SEEN_IDS, {})
        first = seen.setdefault(scenario.id, self.path)
        if first != self.path:
            try:  # the CLI's own check gives the verdict and the words
                find_scenarios([first, self.path])
            except ScenarioError as exc:
                raise self.CollectError(str(exc)) from exc
        for uri in _shared(self.config).item_devices():
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
        self.future: Any = None  # the run sent to a fleet worker (--harness-scheduler)
        self.add_marker(pytest.mark.scenario(scenario.path))
        self.add_marker(pytest.mark.xdist_group(uri))
        fault = _shared(self.config).settings.fault
        # the CLI's JUnit properties; platform, profile and version are known once the device is open
        self.user_properties.extend(junit_properties({"device": uri, "covers": scenario.covers, "fault": fault}))

    def runtest(self) -> None:
        shared = _shared(self.config)
        fleet = shared.fleet()
        if fleet is not None:
            self._runtest_on(fleet)
            return
        device = shared.device(self.uri)
        runner = shared.runner(device)
        if not self.scenario.applies_to(device.platform):
            record = _record(self.config, runner.run(self.scenario), runner)  # a "skipped" result, for the matrix
            self._properties(record)
            pytest.skip(f"scenario is not for {device.platform}")
        result = runner.run(self.scenario)
        self._properties(_record(self.config, result, runner))
        if result.outcome in ("failed", "error"):
            raise ScenarioFailed(result)
        _keep_artifacts(self, shared.settings, result.requests)

    def _runtest_on(self, fleet: _Fleet) -> None:
        """The item's run on its fleet worker, reported as a local one is."""
        if self.future is None:  # collected but not sent (a plugin added it late): send it now
            self.future = fleet.submit(self.scenario, self.uri)
        result, meta = fleet.result(self.future)
        self._properties(_record(self.config, result, None, meta))
        if result.outcome == "skipped":
            pytest.skip(f"scenario is not for {result.platform or self.uri}")
        if result.outcome in ("failed", "error"):
            raise ScenarioFailed(result)
        _keep_artifacts(self, _shared(self.config).settings, result.requests)

    def _properties(self, record: dict[str, Any]) -> None:
        """The harness's properties from the finished record, first; any a user added stay after them."""
        props = junit_properties(record)
        names = {name for name, _ in props}
        self.user_properties[:] = [*props, *(p for p in self.user_properties if p[0] not in names)]

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
