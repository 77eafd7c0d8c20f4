"""The phone around the app, as the SDK sees it: connectivity, permission, foreground, device facts."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.virtual.network import AppNetwork

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
    # the app's HTTP stack: direct, or the host app's (the jvm:android test bed's OkHttp)
    network: AppNetwork = field(default_factory=AppNetwork, compare=False, repr=False)
