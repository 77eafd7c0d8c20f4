"""Drive any Flutter plugin by channel name: the Python side of the generic agent ``agents/_flutter.js``.

A Flutter app's Dart code talks to a plugin through a MethodChannel: a channel name, a method name and
arguments encoded by Flutter's standard codec. The agent finds, inside the running app, the handler a
plugin registered for a channel name and calls it as the codec would, so a caller needs neither Dart
nor the plugin's classes::

    session = FridaSession(FLUTTER_AGENTS, target=pid, device="usb", uri="android:SERIAL")
    session.start()
    antsomi = FlutterChannel(session, "antsomisdk")
    antsomi.call("config", {"portalId": "564", "propsId": "565", "appGroupId": None, "applicationId": "app"})
    uid = antsomi.call("getUid")

Arguments are Python values encoded as Dart values (:func:`encode`): ``None``, ``bool``, ``int`` (Dart
int: Integer within 32 bits, else Long, as the codec does), ``float`` (Dart double, even when integral),
``str``, ``bytes`` (Uint8List), ``list``/``tuple`` (List), ``dict`` (Map, keys of any of these types),
and the typed lists :class:`Int32List`, :class:`Int64List`, :class:`Float32List`, :class:`Float64List`.
On the wire to the agent they are "typed JSON": plain JSON plus one-key tags (``{"$double": 1.0}``,
``{"$long": "…"}``, ``{"$bytes": [...]}``, ``{"$int32": [...]}``, ``{"$int64": [...]}``,
``{"$float32": [...]}``, ``{"$float64": [...]}``, ``{"$map": [[k, v], ...]}``), documented in the agent.
Results come back decoded the same way (:func:`decode`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness.errors import InstrumentError
from harness.instrument.frida_session import FridaSession

__all__ = [
    "FLUTTER_AGENTS",
    "ChannelOutcome",
    "Float32List",
    "Float64List",
    "FlutterChannel",
    "Int32List",
    "Int64List",
    "PlatformError",
    "decode",
    "encode",
    "flutter_channel",
]

#: The agent files for driving Flutter plugins by channel name (any app, any vendor).
FLUTTER_AGENTS = ("_java", "_flutter")

_SAFE = 2**53 - 1  # beyond this a JSON number loses digits: such ints travel as {"$long": "digits"}


@dataclass(frozen=True)
class Int32List:
    """A Dart ``Int32List`` (Java ``int[]``)."""

    values: tuple[int, ...]


@dataclass(frozen=True)
class Int64List:
    """A Dart ``Int64List`` (Java ``long[]``)."""

    values: tuple[int, ...]


@dataclass(frozen=True)
class Float32List:
    """A Dart ``Float32List`` (Java ``float[]``)."""

    values: tuple[float, ...]


@dataclass(frozen=True)
class Float64List:
    """A Dart ``Float64List`` (Java ``double[]``)."""

    values: tuple[float, ...]


_TYPED_LISTS: dict[str, type[Int32List | Int64List | Float32List | Float64List]] = {
    "$int32": Int32List,
    "$int64": Int64List,
    "$float32": Float32List,
    "$float64": Float64List,
}
_TAGS = {"$double", "$long", "$bytes", "$map", *_TYPED_LISTS}


def _double(x: float) -> Any:
    if not math.isfinite(x):
        raise ValueError(f"a Dart double sent through the harness must be finite, not {x!r}")
    return {"$double": x} if x.is_integer() else x


def encode(value: Any) -> Any:
    """A Python value as the typed JSON the agent turns into the codec's Java objects.

    Raises:
        ValueError: a value with no Dart form (an object, a non-finite float).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) <= _SAFE else {"$long": str(value)}
    if isinstance(value, float):
        return _double(value)
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": list(value)}
    for tag, cls in _TYPED_LISTS.items():
        if isinstance(value, cls):
            floats = tag.startswith("$float")
            return {tag: [float(v) if floats else int(v) for v in value.values]}
    if isinstance(value, Mapping):
        keys = list(value)
        if all(isinstance(k, str) for k in keys) and not (len(keys) == 1 and keys[0] in _TAGS):
            return {k: encode(v) for k, v in value.items()}
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Sequence):
        return [encode(v) for v in value]
    raise ValueError(f"{type(value).__name__} has no Dart standard-codec form")


def decode(value: Any) -> Any:
    """Typed JSON from the agent as Python values (the inverse of :func:`encode`)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$double":
            return float(inner)
        if tag == "$long":
            return int(inner)
        if tag == "$bytes":
            return bytes(inner)
        if tag == "$map":
            return {_hashable(decode(k)): decode(v) for k, v in inner}
        if tag in _TYPED_LISTS:
            return _TYPED_LISTS[tag](tuple(inner))
    return {k: decode(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


@dataclass(frozen=True)
class ChannelOutcome:
    """What the plugin's handler answered: ``success`` (``value``), ``error`` or ``notImplemented``."""

    kind: Literal["success", "error", "notImplemented"]
    value: Any = None
    code: str | None = None
    message: str | None = None
    details: Any = None


class PlatformError(InstrumentError):
    """The plugin answered ``error`` (Dart would throw PlatformException) or ``notImplemented``
    (MissingPluginException)."""

    def __init__(self, channel: str, method: str, outcome: ChannelOutcome) -> None:
        if outcome.kind == "error":
            text = f"PlatformException({outcome.code}, {outcome.message})"
        else:
            text = "MissingPluginException: not implemented by the plugin"
        super().__init__(f"{channel}.{method}", text)
        self.outcome = outcome


def flutter_channel(
    session: FridaSession, channel: str, method: str, args: Any = None, *, timeout: float = 10.0
) -> ChannelOutcome:
    """Call ``method`` on the handler registered for ``channel`` with ``args`` (Python values, see
    :func:`encode`); the session must have loaded :data:`FLUTTER_AGENTS` (an SDK's Flutter agent row does).

    Raises:
        InstrumentError: no plugin registered a handler for ``channel`` (the message lists those that
            did), it is not a MethodChannel, or the handler threw.
        ValueError: ``args`` has no Dart form.
    """
    raw = session.call("flutterChannel", channel, method, encode(args), timeout=timeout)
    if not isinstance(raw, dict) or raw.get("kind") not in ("success", "error", "notImplemented"):
        raise InstrumentError("flutterChannel", f"the agent answered {raw!r}, not an outcome")
    return ChannelOutcome(
        kind=raw["kind"],
        value=decode(raw.get("value")),
        code=raw.get("code"),
        message=raw.get("message"),
        details=decode(raw.get("details")),
    )


class FlutterChannel:
    """One channel of the app, by name: ``invoke`` answers any outcome, ``call`` only a success."""

    def __init__(self, session: FridaSession, name: str) -> None:
        self.session = session
        self.name = name

    def invoke(self, method: str, args: Any = None, *, timeout: float = 10.0) -> ChannelOutcome:
        return flutter_channel(self.session, self.name, method, args, timeout=timeout)

    def call(self, method: str, args: Any = None, *, timeout: float = 10.0) -> Any:
        """The success value, as Dart's ``invokeMethod`` returns it.

        Raises:
            PlatformError: the plugin answered error or notImplemented.
        """
        outcome = self.invoke(method, args, timeout=timeout)
        if outcome.kind != "success":
            raise PlatformError(self.name, method, outcome)
        return outcome.value
