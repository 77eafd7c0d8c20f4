"""The phone around the app, as the SDK sees it: connectivity, permission, foreground, device facts."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AppEnv"]


@dataclass
class AppEnv:
    online: bool = True
    permission_granted: bool = True
    foreground: bool = True
    app_version: str = "1.0.0"
    device_model: str = "Virtual Phone"
    os_version: str = "14"
    platform: str = "android"
