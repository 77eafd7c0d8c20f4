"""The profile registry: one executable model per SDK, platform and modelled version.

The profiles come from the SDK plug-ins (``Sdk.profiles``, see ``harness/sdk``); a profile is named
``<sdk>-<platform>`` (``toy-android``). :func:`profile_for` picks the version: the exact modelled
one, or the nearest lower one with a warning the run records.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from harness.errors import ConfigError, SpecError, did_you_mean
from harness.sdk.registry import all_sdks, get_sdk, pick_version
from harness.spec.expectation import Expectations
from harness.spec.trace import Stimulus

__all__ = [
    "Profile",
    "ProfileChoice",
    "get_profile",
    "profile_for",
    "profile_for_platform",
    "profile_names",
    "resolve_profile",
]


class Profile(Protocol):
    name: str
    platform: str
    sdk_version: str

    def expect(self, trace: Sequence[Stimulus]) -> Expectations: ...


@dataclass(frozen=True)
class ProfileChoice:
    """The profile a run is judged by, the version it models and why (a warning when not exact)."""

    profile: Profile
    sdk: str
    version: str
    warning: str | None = None


def _names() -> dict[str, tuple[str, str]]:
    """``<sdk>-<platform>`` -> (sdk, platform) for every registered SDK."""
    return {sdk.profile_name(p): (sdk.name, p) for sdk in all_sdks() for p in sdk.profiles}


def profile_names() -> list[str]:
    return sorted(_names())


def resolve_profile(name: str) -> tuple[str, str]:
    """(sdk, platform) of a profile name (``<sdk>-<platform>``) or a platform alias (``android``: default SDK)."""
    names = _names()
    if name in names:
        return names[name]
    default = get_sdk(None)
    if name in default.profiles:
        return default.name, name
    known = sorted(names) + sorted(default.profiles)
    raise SpecError(f"unknown profile {name!r}; known: {', '.join(known)}{did_you_mean(name, known)}")


def _build(sdk_name: str, platform: str, version: str) -> Profile:
    sdk = get_sdk(sdk_name)
    cls: Any = sdk.load(sdk.profiles[platform])
    takes_version = "version" in inspect.signature(cls).parameters  # a one-version profile may take none
    profile: Profile = cls(version=version) if takes_version else cls()
    return profile


def profile_for(sdk: str | None, platform: str, version: str | None = None) -> ProfileChoice:
    """The profile of ``sdk`` (None: the default SDK) on ``platform`` for the SDK ``version``.

    ``version`` None: the newest modelled version. An unmodelled version is judged by the nearest
    lower modelled one, and :attr:`ProfileChoice.warning` says so.
    """
    entry = get_sdk(sdk)
    if platform not in entry.profiles:
        raise ConfigError("platform", f"SDK {entry.name} has no profile for {platform!r}")
    used, warning = pick_version(entry, platform, version)
    return ProfileChoice(_build(entry.name, platform, used), entry.name, used, warning)


def get_profile(name: str, version: str | None = None) -> Profile:
    names = _names()
    if name not in names:
        raise SpecError(f"unknown profile {name!r}; known: {', '.join(sorted(names))}{did_you_mean(name, names)}")
    sdk, platform = names[name]
    return profile_for(sdk, platform, version).profile


def profile_for_platform(platform: str) -> Profile:
    """The default SDK's native profile of a platform (a Flutter app is judged by its platform's native profile)."""
    return profile_for(None, platform).profile
