"""The SDK plug-in contract: one :class:`Sdk` value per vendor describes everything vendor-specific.

A vendor package (``harness/sdks/<vendor>/``) exposes ``SDK = Sdk(...)`` and registers it in the
``harness.sdks`` entry-point group (``<name> = "package:SDK"``). The heavy parts (route table, wire
decoder, call vocabulary, profiles, reference SDKs, seeded faults) are named by import path
(``"package.module:attribute"``) and imported only when a caller needs them, the way device drivers
are: the virtual app process then loads the reference SDK without the profile, and the profile never
loads the reference SDK (the independence rule holds inside each vendor).

What each field is for, and which generic module reads it:

- ``routes``: the collector's route table rows (:class:`RouteRule`), ``capture/routes.py``.
- ``route_aliases``: short route names (``events``) -> names in ``routes``, for the answer rules of
  ``respond`` steps and ``--rule``; a ``respond`` step of a scenario names one of these, ``any``, or one
  of its SDK's route names (the scenario loader checks it).
- ``decoder``: one captured request -> zero or more observations, ``wire/decode.py``.
- ``calls``: the call vocabulary (name -> ``CallSpec`` with the argument schema), the scenario loader.
- ``connect``: ``(call, args, base_url) -> args``: points the SDK at the collector (the runner, the
  pytest fixture), for instance by filling base URLs into ``init``'s configuration.
- ``profiles``: platform -> profile class; constructed as ``cls(version=V)``, ``spec/profiles``.
- ``versions``: platform -> the modelled versions; the newest is the default.
- ``checklists`` / ``schemas``: platform -> ``"package:file.json"`` resources (coverage, matrix, lint).
- ``checklist_names``: platform -> the name its checklist's ids go by, when not the platform's
  (``{"android": "flutter"}``: ``antsomi-flutter#5`` is reported; ``antsomi-android#5`` and ``android#5``
  are still accepted), for a plug-in whose checklist is a cross-platform plugin's.
- ``headers``: ``"module:function"``, ``function(platform) -> HeaderRules`` for ``harness check``.
- ``volatile``: body keys a diff of two runs ignores (timestamps, ids the SDK generates).
- ``reference``: platform -> reference SDK class for the virtual app,
  ``cls(data_dir, clock, env, faults, version=V)``.
- ``faults``: a module with the seeded SDK bugs: ``FAULTS`` (name -> fault with name, area, description,
  platforms, violates) and ``Faults(names)``, the active set the reference SDK asks.
- ``agents``: platform -> agent kind -> the Frida agent files loaded in order; names starting with
  ``_`` are the harness's generic agents, the others live in ``agent_package``'s ``agents/`` folder.
- ``testbed``: a package holding the JVM test bed's Java mirrors of the SDK (``jvm:android``).
- ``commands``: batch command name -> route, for views that list a batch's commands (the inspector).
- ``facade``: ``"module:Class"``, the typed Python face of the calls (``Class(device.sdk)``), the pytest ``app``.
- ``bridge``: ``"module:function"``, ``function(agent, call, args) -> args``: the native call a
  cross-platform plugin (an agent kind other than ``native``) makes for a call, which the profile judges.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["ChecklistId", "RouteRule", "Sdk", "load_attr", "parse_version"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_PLATFORMS = ("android", "ios")


class RouteRule(NamedTuple):
    """One row of a vendor's route table: the collector matches ``pattern`` (with ``method``, None: any).

    ``body`` is the usual answer; ``answer``, when set, computes it from the request's body text.
    ``json_types``: content types (without parameters) under which the real SDK sends JSON on this
    route, so a JSON body declared so is normal traffic, not a problem (``application/json`` always is).
    ``secrets``: top-level body keys whose string values are credentials (a write key sent in the body);
    exports mask them like the Authorization header.
    """

    name: str
    method: str | None
    pattern: re.Pattern[str]
    kind: str
    status: int
    body: bytes
    answer: Any = None  # Callable[[str], bytes] | None
    json_types: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()


def parse_version(text: str) -> tuple[int, ...]:
    """``"4.10.0"`` -> ``(4, 10, 0)``; raises ``ValueError`` for anything else."""
    if not _VERSION.match(text.strip()):
        raise ValueError(f"{text!r} is not a version like 4.10.0")
    return tuple(int(p) for p in text.strip().split("."))


def load_attr(path: str) -> Any:
    """The object ``"package.module:attribute"`` names (imported on first use)."""
    module, sep, attr = path.partition(":")
    if not sep:
        raise ValueError(f"{path!r} is not 'module:attribute'")
    return getattr(importlib.import_module(module), attr)


def _checklist_names(sdk: str) -> Mapping[str, str]:
    """``Sdk.checklist_names`` of the registered SDK ``sdk`` (none registered by that name: no names)."""
    from harness.sdk.registry import all_sdks  # the registry imports this module

    for entry in all_sdks():
        if entry.name == sdk:
            return entry.checklist_names
    return {}


class ChecklistId(NamedTuple):
    """A checklist id: ``<sdk>-android#5`` (namespaced) or its alias ``android#5`` (the scenario's SDK).

    A plug-in may name a platform's checklist (``Sdk.checklist_names``: Antsomi's Android checklist is
    its Flutter plugin's, ``antsomi-flutter#5``); ``checklist`` holds that name, ``full`` uses it, and
    the platform's own form (``antsomi-android#5``) still parses to the same id.
    """

    sdk: str
    platform: str
    number: str
    checklist: str = ""  # the name the checklist goes by ("" : the platform's)

    @property
    def full(self) -> str:
        return f"{self.sdk}-{self.checklist or self.platform}#{self.number}"

    @property
    def short(self) -> str:
        return f"{self.checklist or self.platform}#{self.number}"

    @classmethod
    def parse(cls, item: str, sdk: str) -> ChecklistId:
        """``item`` read in the context of ``sdk`` (a short id belongs to it)."""
        head, sep, number = item.partition("#")
        if not sep:
            raise ValueError(f"{item!r} is not a checklist id like android#5")
        owner, dash, platform = head.rpartition("-")
        owner = owner if dash else sdk
        names = _checklist_names(owner)
        platform = next((p for p, name in names.items() if name == platform), platform)
        return cls(owner, platform, number, names.get(platform, ""))


@dataclass(frozen=True)
class Sdk:
    """One vendor's SDK, as the harness sees it (see the module docstring for each field)."""

    name: str
    title: str
    versions: Mapping[str, tuple[str, ...]]
    routes: str
    decoder: str
    calls: str
    profiles: Mapping[str, str]
    reference: Mapping[str, str]
    faults: str
    checklists: Mapping[str, str] = field(default_factory=dict)
    schemas: Mapping[str, str] = field(default_factory=dict)
    headers: str | None = None
    connect: str | None = None
    volatile: frozenset[str] = frozenset()
    agents: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    agent_package: str | None = None
    testbed: str | None = None
    commands: Mapping[str, str] = field(default_factory=dict)
    route_aliases: Mapping[str, str] = field(default_factory=dict)
    facade: str | None = None
    bridge: str | None = None
    default: bool = False  # the SDK a scenario without ``sdk:`` names (exactly one registered SDK has it)
    checklist_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self.versions)

    def profile_name(self, platform: str) -> str:
        """``<sdk>-<platform>``: the name reports, ``harness check --profile`` and checklist ids use."""
        return f"{self.name}-{platform}"

    def checklist_name(self, platform: str) -> str:
        """``<sdk>-<name>``: the name a platform's checklist ids and coverage section go by (the platform's,
        unless ``checklist_names`` renames it: Antsomi's Android checklist is ``antsomi-flutter``)."""
        return f"{self.name}-{self.checklist_names.get(platform, platform)}"

    def newest(self, platform: str) -> str:
        return max(self.versions[platform], key=parse_version)

    def problems(self) -> list[str]:
        """What breaks the contract (empty: the entry is usable); checked when the entry is registered."""
        out: list[str] = []
        if not _NAME.match(self.name):
            out.append(f"name {self.name!r} must be lower-case letters, digits and _")
        if not self.versions:
            out.append("no platform modelled")
        for platform, versions in self.versions.items():
            if platform not in _PLATFORMS:
                out.append(f"unknown platform {platform!r} (known: {', '.join(_PLATFORMS)})")
            if not versions:
                out.append(f"{platform}: no modelled version")
            for v in versions:
                try:
                    parse_version(v)
                except ValueError as exc:
                    out.append(f"{platform}: {exc}")
            if platform not in self.profiles:
                out.append(f"{platform}: no profile")
            if platform not in self.reference:
                out.append(f"{platform}: no reference SDK for the virtual app")
        for platform, name in self.checklist_names.items():
            if platform not in self.versions:
                out.append(f"checklist_names: {platform!r} is not a platform it models")
            if not _NAME.match(name) or (name in _PLATFORMS and name != platform):
                out.append(f"checklist_names: {name!r} must be lower-case letters, digits and _, not another platform")
        for label, path in [("routes", self.routes), ("decoder", self.decoder), ("calls", self.calls)]:
            if ":" not in path:
                out.append(f"{label} {path!r} is not 'module:attribute'")
        return out

    def load(self, path: str) -> Any:
        return load_attr(path)
