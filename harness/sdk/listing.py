"""What ``harness sdks`` prints: each SDK plug-in, its platforms, modelled versions, profiles, checklists."""

from __future__ import annotations

from typing import Any

from harness.sdk.base import parse_version
from harness.sdk.registry import all_sdks

__all__ = ["describe_sdks"]


def describe_sdks() -> list[dict[str, Any]]:
    """``[{"name", "title", "default", "platforms": {platform: {"versions", "default_version", "profile",
    "checklist"}}}]``; versions oldest first, the checklist as the id namespace (``<sdk>-<platform>``)."""
    out: list[dict[str, Any]] = []
    for sdk in all_sdks():
        platforms = {
            platform: {
                "versions": sorted(versions, key=parse_version),
                "default_version": sdk.newest(platform),
                "profile": sdk.profile_name(platform),
                "checklist": sdk.checklist_name(platform) if platform in sdk.checklists else None,
                "agents": sorted(sdk.agents.get(platform, {})),
            }
            for platform, versions in sdk.versions.items()
        }
        out.append({"name": sdk.name, "title": sdk.title, "default": sdk.default, "platforms": platforms})
    return out
