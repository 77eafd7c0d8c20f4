"""Constants of the modelled SDK and the state that survives a kill (the app's storage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_DEVICE_KEYS", "VERSION", "Pending", "Stored"]

VERSION = "4.19.0"  # customerio-android, the version the research read (tag 4.19.0, f01cb97b)

# The 13 default ``Device Created or Updated`` keys (A6; DeviceStore.buildDeviceAttributes plus the context
# values AutoTrackDeviceAttributesPlugin copies; the upstream test asserts the exact set, never ``ip``).
DEFAULT_DEVICE_KEYS = (
    "device_os",
    "device_model",
    "device_manufacturer",
    "app_version",
    "cio_sdk_version",
    "device_locale",
    "push_enabled",
    "network_bluetooth",
    "network_cellular",
    "network_wifi",
    "screen_width",
    "screen_height",
    "timezone",
)


@dataclass
class Pending:
    """One event in the SDK's storage: the body it will carry and how often it was uploaded so far."""

    body: dict[str, Any]
    cause: int
    rules: tuple[str, ...]
    label: str
    order: int
    sends: int = 0


@dataclass
class Stored:
    """What analytics-kotlin's and the CIO SDK's storage keep across launches.

    - ``anon``: the anonymousId (numbered; a :class:`~harness.spec.matchers.Var` per number), created on the
      first launch and kept until ``clearIdentify`` (``State.kt``; android#6);
    - ``user``: the userId (analytics-kotlin ``UserInfo``, persisted);
    - ``build_recorded``: the lifecycle plugin stored the app build (``Application Installed`` sent once);
    - ``token``: ``registeredDeviceToken`` (``globalPreferenceStore``, persisted; the *context* token is
      in memory only, A6);
    - ``current`` and ``files``: the event file being written and the closed batch files not yet
      delivered (``EventsFileManager``: a file is closed, with its ``sentAt``, at a flush, and re-sent as it
      is until an answer deletes it);
    - ``delivered``: the last 10 push delivery ids seen (``PushMessageProcessorImpl``);
    - ``fcm_token``: the token Firebase Messaging issued to this install (its own storage; gone with a new
      install), which the push module fetches at every init (android#42).
    """

    anon: int = 0
    user: str | None = None
    build_recorded: bool = False
    token: str | None = None
    current: list[Pending] = field(default_factory=list)
    files: list[list[Pending]] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    fcm_token: str | None = None
