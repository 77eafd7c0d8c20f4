"""The one table of SDKs: every entry of the ``harness.sdks`` entry-point group, checked when loaded.

Like the device registry (``harness/devices/registry.py``) and mitmproxy's ``default_addons()``, the
table is explicit: ``harness sdks`` lists it, and each entry must be an :class:`~harness.sdk.base.Sdk`
whose name is the entry's name and whose :meth:`~harness.sdk.base.Sdk.problems` is empty, or loading
it is a ``ConfigError`` naming the entry. The vendors that ship with the harness register in its own
``pyproject.toml``; a third party (or a test) adds an SDK with an entry point of its own distribution.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points

from harness.errors import ConfigError, did_you_mean
from harness.sdk.base import Sdk, parse_version

__all__ = ["GROUP", "all_sdks", "default_sdk", "get_sdk", "pick_version", "reset"]

GROUP = "harness.sdks"
log = logging.getLogger(__name__)


@functools.cache
def _table() -> dict[str, Sdk]:
    table: dict[str, Sdk] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if ep.name in table:
            log.warning("SDK %s from %s ignored: the name is taken", ep.name, ep.value)
            continue
        try:
            sdk = ep.load()
        except Exception as exc:  # a broken plug-in is named, not a traceback
            raise ConfigError("sdk", f"SDK entry {ep.name} = {ep.value} cannot be loaded: {exc}") from exc
        if not isinstance(sdk, Sdk):
            raise ConfigError("sdk", f"SDK entry {ep.name} = {ep.value} is a {type(sdk).__name__}, not an Sdk")
        problems = ([f"its name is {sdk.name!r}"] if sdk.name != ep.name else []) + sdk.problems()
        if problems:
            raise ConfigError("sdk", f"SDK entry {ep.name} = {ep.value} breaks the contract: {'; '.join(problems)}")
        table[ep.name] = sdk
    defaults = [s.name for s in table.values() if s.default]
    if len(defaults) > 1:
        raise ConfigError("sdk", f"more than one SDK claims to be the default: {', '.join(defaults)}")
    return table


def reset() -> None:
    """Forget the table (after the entry points changed, in tests)."""
    _table.cache_clear()


def all_sdks() -> list[Sdk]:
    """Every registered SDK, by name."""
    return list(_table().values())


def get_sdk(name: str | None = None) -> Sdk:
    """The SDK called ``name`` (None: the default one); ``ConfigError`` with a suggestion when unknown."""
    if name is None:
        return default_sdk()
    table = _table()
    if name not in table:
        known = ", ".join(table) or "none: is the harness installed (pip install -e .)?"
        raise ConfigError("sdk", f"unknown SDK {name!r} (known: {known}){did_you_mean(name, table)}")
    return table[name]


def default_sdk() -> Sdk:
    """The SDK of a scenario that names none (the entry marked ``default``, or the only one)."""
    table = _table()
    marked = [s for s in table.values() if s.default]
    if marked:
        return marked[0]
    if len(table) == 1:
        return next(iter(table.values()))
    raise ConfigError("sdk", "no default SDK registered (entry point group harness.sdks); reinstall the harness")


def pick_version(sdk: Sdk, platform: str, wanted: str | None) -> tuple[str, str | None]:
    """The modelled version to use for ``wanted`` on ``platform``, and a warning when it is not exact.

    None: the newest modelled version. A version the SDK does not model falls back to the nearest lower
    modelled one (older than every modelled one: the oldest), with a warning that says so.
    """
    if platform not in sdk.versions:
        raise ConfigError("platform", f"SDK {sdk.name} models no {platform!r} (it models {', '.join(sdk.platforms)})")
    modelled = sorted(sdk.versions[platform], key=parse_version)
    if wanted is None or wanted == "":
        return modelled[-1], None
    try:
        key = parse_version(wanted)
    except ValueError as exc:
        raise ConfigError("--sdk-version", str(exc)) from exc
    for v in modelled:
        if parse_version(v) == key:
            return v, None
    lower = [v for v in modelled if parse_version(v) < key]
    used = lower[-1] if lower else modelled[0]
    how = "the nearest lower one" if lower else "the oldest one (none is lower)"
    return used, (
        f"{sdk.name} {platform} SDK {wanted} is not modelled (modelled: {', '.join(modelled)}); judged by {used}, {how}"
    )
