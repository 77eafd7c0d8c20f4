"""Matchers for what a Customer.io event carries that a profile cannot know in advance (context, attributes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.spec.matchers import Bindings, Matcher, Var
from harness.wire.observation import ABSENT

__all__ = ["Bool", "Context", "Maybe"]


class Maybe(Matcher):
    """Present or absent, any value: fields the SDK fills from the device (``_metadata``, ``sentAt``)."""

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        return None

    def show(self) -> str:
        return "<any or absent>"


class Bool(Matcher):
    """A JSON boolean (``push_enabled`` on Android: DeviceStore.buildDeviceAttributes, android#15)."""

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        return None if isinstance(actual, bool) else f"expected a boolean, got {actual!r}"

    def show(self) -> str:
        return "<bool>"


_DEVICE_ID = Var("device.id")


@dataclass(frozen=True)
class Context(Matcher):
    """``context`` of a batch event (android#4, #20, #30, #32, #35, #36).

    - no ``library`` (CIO ``datapipelines/.../plugins/ContextPlugin.kt`` removes it; A6);
    - ``userAgent`` ``Customer.io <Source> Client/<version> (...)`` with ``<Source>`` Android or Flutter
      (``core/.../Client.kt``; research A3), the version the modelled one;
    - ``device.token`` equal to ``token`` when one is known in this process, absent otherwise (the token is
      held in memory by ``ContextPlugin.deviceToken``, A6);
    - ``device.id`` the same value on every event of the install (AndroidContextPlugin ``getDeviceId``
      with ``collectDeviceId=false``: the first anonymousId, kept after a reset; A3).
    """

    token: str | None
    version: str

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        if not isinstance(actual, dict):
            return f"expected a context object, got {actual!r}"
        if "library" in actual:
            return "context has `library`; the SDK removes it (android#32)"
        ua = actual.get("userAgent")
        ok_ua = isinstance(ua, str) and any(
            ua.startswith(f"Customer.io {src} Client/{self.version}") for src in ("Android", "Flutter")
        )
        if not ok_ua:
            return f"context.userAgent {ua!r} is not 'Customer.io Android Client/{self.version} (...)' (android#30)"
        device = actual.get("device")
        token = device.get("token", ABSENT) if isinstance(device, dict) else ABSENT
        if self.token is None and token is not ABSENT:
            return f"context.device.token {token!r} sent before any token is known in this process (android#35)"
        if self.token is not None and token != self.token:
            return f"context.device.token is {token!r}, expected {self.token!r} (android#20)"
        device_id = device.get("id", ABSENT) if isinstance(device, dict) else ABSENT
        if device_id is not ABSENT:
            why = _DEVICE_ID.check(device_id, bindings)
            if why:
                return f"context.device.id: {why}"
        return None

    def show(self) -> str:
        return f"<context token={self.token!r}>"

    def describe(self) -> str:
        token = f"device.token {self.token!r}" if self.token else "no device.token"
        return f"a context without library, userAgent 'Customer.io Android Client/{self.version} ...', {token}"
