"""The profile registry: one executable model per SDK and platform."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from harness.errors import SpecError
from harness.spec.expectation import Expectations
from harness.spec.profiles.exponea_android import AndroidProfile
from harness.spec.profiles.exponea_ios import IosProfile
from harness.spec.trace import Stimulus

__all__ = ["PROFILES", "Profile", "get_profile", "profile_for_platform"]


class Profile(Protocol):
    name: str
    platform: str
    sdk_version: str

    def expect(self, trace: Sequence[Stimulus]) -> Expectations: ...


PROFILES: dict[str, type[Profile]] = {"exponea-android": AndroidProfile, "exponea-ios": IosProfile}
_BY_PLATFORM = {"android": "exponea-android", "ios": "exponea-ios"}


def get_profile(name: str) -> Profile:
    if name not in PROFILES:
        raise SpecError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}")
    return PROFILES[name]()


def profile_for_platform(platform: str) -> Profile:
    """The native profile of a platform (a Flutter app is judged by its platform's native profile)."""
    return get_profile(_BY_PLATFORM.get(platform, platform))
