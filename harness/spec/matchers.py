"""Values an expectation can hold besides plain JSON: ranges, bindings, "absent", "any".

Plain values compare as JSON does semantically: numbers by value (``5 == 5.0``) but never equal to
booleans, objects key by key, arrays item by item. A :class:`Var` binds to the first value it meets
(the cookie, the device id) and must then see the same value everywhere, so "the same cookie on
every request, a new one after anonymize" is checked without knowing the UUID in advance.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.wire.observation import ABSENT

__all__ = [
    "CLOCK_OFFSET",
    "EITHER",
    "Absent",
    "Any_",
    "Approx",
    "Bindings",
    "DeviceTime",
    "Int",
    "MarkerDuration",
    "Matcher",
    "OneOf",
    "Var",
    "bind_agreed",
    "describe",
    "diff_value",
    "readable_json",
]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

Bindings = dict[str, Any]
# The checker's estimate of the device clock's offset travels in the bindings under this key (no
# Var name can start with ``$``), so a DeviceTime compares against the device clock as it really was.
CLOCK_OFFSET = "$clock_offset"


class Matcher:
    """Base of special expected values."""

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        """None if ``actual`` matches, else a short reason."""
        raise NotImplementedError

    def sight(self, actual: Any, offset: float, path: str, seen: list[tuple[Var, Any, str]]) -> bool:
        """The compiled plans' check (:mod:`harness.spec.plan`): does ``actual`` match, with no variable
        bound yet (the checker settles bindings over the final matching). A matcher that holds a
        :class:`Var` inside it records ``(var, value, path)`` in ``seen`` for each one it met, as the
        plans do for a bare ``Var``: a variable checked against throw-away bindings is never held to
        the value the other requests bind."""
        return self.check(actual, {CLOCK_OFFSET: offset}) is None

    def show(self) -> str:
        """A compact token (``<cookie#1>``, ``≈1712345678.123±2``) for debugging; people read :meth:`describe`."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the value must be, as a person reads it ("a lower-case UUID (bound as cookie#1)")."""
        return self.show()

    def as_json(self) -> dict[str, Any]:
        """The matcher as plain JSON, tagged ``$matcher`` (no payload key starts with ``$``), for
        results.json: its kind, its fields and the :meth:`describe` text."""
        fields: dict[str, Any] = {}
        if dataclasses.is_dataclass(self):
            fields = {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}
        kind = re.sub(r"(?<!^)(?=[A-Z])", "-", type(self).__name__.rstrip("_")).lower()
        return {"$matcher": kind, **fields, "text": self.describe()}


@dataclass(frozen=True)
class Approx(Matcher):
    """A number within ``tolerance`` of ``value`` (timestamps)."""

    value: float
    tolerance: float

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        if not _is_number(actual):
            return f"expected a number ≈{self.value:.3f}, got {_show(actual)}"
        if abs(float(actual) - self.value) > self.tolerance:
            off = float(actual) - self.value
            return f"expected {self.value:.3f} ± {self.tolerance:g}, got {float(actual):.3f} (off by {off:+.3f})"
        return None

    def show(self) -> str:
        return f"≈{self.value:.3f}±{self.tolerance:g}"

    def describe(self) -> str:
        return f"≈ {_number(self.value)} ± {self.tolerance:g}"


@dataclass(frozen=True)
class DeviceTime(Approx):
    """A timestamp the SDK took from the device clock at ``value`` (the trace's device time).

    Unlike a plain :class:`Approx` (an explicit timestamp the app passed, sent verbatim), it is
    compared after adding the clock offset the checker estimated from the traffic, so a device whose
    clock runs a few seconds off the runner's reading is not a flood of false alarms.
    """

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        offset = float(bindings.get(CLOCK_OFFSET, 0.0))
        if not _is_number(actual):
            return f"expected a number ≈{self.value + offset:.3f}, got {_show(actual)}"
        want = self.value + offset
        if abs(float(actual) - want) > self.tolerance:
            clock = f" (device time {self.value:.3f} {offset:+.3f} clock offset)" if offset else ""
            return (
                f"expected {want:.3f} ± {self.tolerance:g}{clock}, got {float(actual):.3f} "
                f"(off by {float(actual) - want:+.3f})"
            )
        return None

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.value))
        return f"≈ {_number(self.value)} ± {self.tolerance:g} s (device time, {when})"


@dataclass(frozen=True)
class MarkerDuration(Matcher):
    """A duration the SDK computed as an unset end-time marker minus a start it read from the clock.

    Android 4.10.0's ``anonymize()`` during a fresh foreground session sends ``session_end`` with
    ``duration = -1.0 - start`` (the end preference is unset and the Android SDK's ``PreferencesImpl.getDouble``
    falls back to -1.0; android research §4): a large negative number that moves with the device
    clock. It is compared like a :class:`DeviceTime` (after the clock offset, the start having
    been read from the device clock), and reports know it for what it is: a clock-derived value,
    not a length of time.
    """

    marker: float
    start: float  # the session start as device time (before the clock offset)
    tolerance: float

    @property
    def value(self) -> float:
        return self.marker - self.start

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        want = self.marker - (self.start + float(bindings.get(CLOCK_OFFSET, 0.0)))
        if not _is_number(actual):
            return f"expected a number ≈{want:.3f} ({self.marker:g} minus the session start), got {_show(actual)}"
        if abs(float(actual) - want) > self.tolerance:
            return (
                f"expected {want:.3f} ± {self.tolerance:g} ({self.marker:g} minus the session start), "
                f"got {float(actual):.3f} (off by {float(actual) - want:+.3f})"
            )
        return None

    def show(self) -> str:
        return f"≈{self.value:.3f}±{self.tolerance:g} ({self.marker:g} minus the session start)"


@dataclass(frozen=True)
class Var(Matcher):
    """A value not known in advance that must be the same wherever the same name appears.

    ``kind="uuid"`` also requires a UUID; ``case`` (``lower``/``upper``) its spelling.
    ``distinct_from`` names variables it must differ from (a new cookie after anonymize).
    """

    name: str
    kind: str = "any"
    case: str | None = None
    distinct_from: tuple[str, ...] = ()

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        if self.kind == "uuid":
            if not isinstance(actual, str) or not _UUID.match(actual):
                return f"expected a UUID ({self.name}), got {_show(actual)}"
            if self.case == "lower" and actual != actual.lower():
                return f"expected a lower-case UUID ({self.name}), got {actual}"
            if self.case == "upper" and actual != actual.upper():
                return f"expected an upper-case UUID ({self.name}), got {actual}"
        if self.name in bindings:
            if bindings[self.name] != actual:
                return f"expected the same {self.name} as before ({_show(bindings[self.name])}), got {_show(actual)}"
            return None
        for other in self.distinct_from:
            if other in bindings and bindings[other] == actual:
                return f"expected a new {self.name}, got the old {other} value {_show(actual)}"
        bindings[self.name] = actual
        return None

    def show(self) -> str:
        return f"<{self.name}>"

    def describe(self) -> str:
        what = "any value"
        if self.kind == "uuid":
            what = {"lower": "a lower-case UUID", "upper": "an upper-case UUID"}.get(self.case or "", "a UUID")
        differs = f", not the {' or '.join(self.distinct_from)} value" if self.distinct_from else ""
        return f"{what} (bound as {self.name}{differs})"


@dataclass(frozen=True)
class OneOf(Matcher):
    """Any of ``options``, each compared as ``diff_value`` compares (matchers, variables and all).

    A :class:`Var` inside an option is held to its binding like anywhere else, and binds where the
    options that match agree: the iOS profile's ids of a request an identify raced
    (``{cookie#1, registered}`` or ``{cookie#1, registered, email}``) bind ``cookie#1`` whichever was
    sent. Options that match and bind different variables (Customer.io's old or new anonymousId)
    bind neither here; the checker records them as an :data:`EITHER` sighting and settles it once
    the other requests have bound the variables (see :meth:`sight`).
    """

    options: tuple[Any, ...]

    def alternatives(self, actual: Any, bindings: Bindings) -> list[Bindings]:
        """For each option that ``actual`` matches, ``bindings`` plus what that option binds (copies)."""
        out: list[Bindings] = []
        for o in self.options:
            trial = bindings.copy()
            if not diff_value(o, actual, trial, ""):
                out.append(trial)
        return out

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        trials = self.alternatives(actual, bindings)
        if not trials:
            return f"expected one of {', '.join(_show(o) for o in self.options)}, got {_show(actual)}"
        bind_agreed(trials, bindings)
        return None

    def sight(self, actual: Any, offset: float, path: str, seen: list[tuple[Var, Any, str]]) -> bool:
        """The compiled plans' check: does ``actual`` match an option, recording its ``Var`` sightings.

        As the plans do for a bare :class:`Var`, nothing is bound here (no bindings exist yet): what
        every matching option binds alike is recorded as plain sightings (``(var, value, path)``), and
        where the matching options bind differently, one ``(EITHER, alternatives, path)`` sighting
        holds each option's sightings, for the checker to require that one of them agrees with the
        final bindings.
        """
        trials = self.alternatives(actual, {CLOCK_OFFSET: offset})
        if not trials:
            return False
        if all(len(t) == 1 for t in trials):
            return True  # no variable in the options (device_type and the like): nothing to record
        found: dict[str, Var] = {}
        _collect_vars(self.options, found)
        alts = [
            tuple((found[name], value, path) for name, value in t.items() if name != CLOCK_OFFSET and name in found)
            for t in trials
        ]
        common = [s for s in alts[0] if all(any(o[0].name == s[0].name and o[1] == s[1] for o in a) for a in alts[1:])]
        seen.extend(common)
        if any(len(a) != len(common) for a in alts):
            seen.append((EITHER, tuple(alts), path))
        return True

    def show(self) -> str:
        return "|".join(_show(o) for o in self.options)

    def describe(self) -> str:
        return "one of: " + ", ".join(o if isinstance(o, str) else describe(o) for o in self.options)


@dataclass(frozen=True)
class Int(Matcher):
    """An integer sent as an integer: ``1`` matches, ``1.0`` does not (iOS keeps Int as Int, ios §2.3)."""

    value: int

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        if not _is_number(actual):
            return f"expected the integer {self.value}, got {_show(actual)}"
        if not isinstance(actual, int):
            return f"expected the integer {self.value}, got the float {actual!r}"
        return None if actual == self.value else f"expected {self.value}, got {actual}"

    def show(self) -> str:
        return str(self.value)

    def describe(self) -> str:
        return f"the integer {self.value}"


class Any_(Matcher):
    """Any present value."""

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        return "expected a value, the key is absent" if actual is ABSENT else None

    def show(self) -> str:
        return "<any>"

    def describe(self) -> str:
        return "any value"


class Absent(Matcher):
    """The key must not be there."""

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        return None if actual is ABSENT else f"expected no such key, got {_show(actual)}"

    def show(self) -> str:
        return "<absent>"

    def describe(self) -> str:
        return "absent"


# The checker's mark of a sighting with alternatives: ``(EITHER, ((var, value, path), ...) per
# option, path)`` (see :meth:`OneOf.sight`). No real Var can be named with a leading ``$``.
EITHER = Var("$either")


def bind_agreed(trials: list[Bindings], bindings: Bindings) -> None:
    """Bind in ``bindings`` what every one of ``trials`` (copies of it with more bound) bound alike."""
    first, rest = trials[0], trials[1:]
    for name, value in first.items():
        if name not in bindings and all(name in t and t[name] == value for t in rest):
            bindings[name] = value


def _collect_vars(value: Any, out: dict[str, Var]) -> None:
    """Every :class:`Var` inside an expected value (nested options too), the first of each name."""
    if isinstance(value, Var):
        out.setdefault(value.name, value)
    elif isinstance(value, OneOf):
        _collect_vars(value.options, out)
    elif isinstance(value, Mapping):
        for v in value.values():
            _collect_vars(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _collect_vars(v, out)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _show(v: Any) -> str:
    """A value inside a message: JSON, a matcher by its description, an absent key in words."""
    if v is ABSENT:
        return "nothing (the key is absent)"
    if isinstance(v, Matcher):
        return v.describe()
    try:
        text = json.dumps(v, ensure_ascii=False)
    except TypeError:
        text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def describe(v: Any) -> str:
    """A value as a person reads it: a matcher by its :meth:`Matcher.describe`, anything else as JSON."""
    return v.describe() if isinstance(v, Matcher) else _show(v)


def readable_json(value: Any) -> str:
    """Pretty-printed JSON in which a matcher reads as its description, unquoted (so it cannot be
    taken for a literal string): ``"cookie": a lower-case UUID (bound as cookie#1)``. The HTML report,
    the terminal diffs and JUnit all show expected bodies this way."""
    if value is ABSENT:
        return "absent"
    if isinstance(value, Matcher):
        return value.describe()
    texts: dict[str, str] = {}
    tag = f"@@{uuid.uuid4().hex}@@"

    def placeholder(v: Any) -> Any:
        if isinstance(v, Matcher):
            key = f"{tag}{len(texts)}"
            texts[json.dumps(key)] = v.describe()
            return key
        return str(v)

    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=placeholder)
    for quoted, description in texts.items():
        text = text.replace(quoted, description)
    return text


def _number(v: float) -> str:
    """A number without trailing zeros: ``1712345678.1``, ``2``."""
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _plain(v: Any) -> Any:
    """Matcher fields as JSON: tuples become lists, nested matchers their :meth:`Matcher.as_json`."""
    if isinstance(v, Matcher):
        return v.as_json()
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if _is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Mapping):
        return "object"
    if isinstance(v, list | tuple):
        return "array"
    return type(v).__name__


def diff_value(
    expected: Any, actual: Any, bindings: Bindings, path: str, exact: bool = True
) -> list[tuple[str, str, str]]:
    """Differences as ``(kind, json_path, reason)``; kind is ``mismatch`` or ``type``.

    Objects are compared key by key; with ``exact`` an actual key the expectation does not name is
    a difference too.
    """
    if isinstance(expected, Matcher):
        reason = expected.check(actual, bindings)
        return [] if reason is None else [("mismatch", path or "$", reason)]
    if actual is ABSENT:
        return [("missing", path or "$", f"expected {_show(expected)}, the key is absent")]
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [("type", path or "$", f"expected an object, got {_json_type(actual)} {_show(actual)}")]
        out: list[tuple[str, str, str]] = []
        for key, exp in expected.items():
            out += diff_value(exp, actual.get(key, ABSENT), bindings, f"{path or '$'}.{key}", exact)
        if exact:
            for key in actual:
                if key not in expected:
                    out.append(("unexpected-key", f"{path or '$'}.{key}", f"not expected, got {_show(actual[key])}"))
        return out
    if isinstance(expected, list | tuple):
        if not isinstance(actual, list):
            return [("type", path or "$", f"expected an array, got {_json_type(actual)}")]
        if len(expected) != len(actual):
            return [("mismatch", path or "$", f"expected {len(expected)} items, got {len(actual)}")]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out += diff_value(e, a, bindings, f"{path or '$'}[{i}]", exact)
        return out
    if _json_type(expected) != _json_type(actual):
        return [
            (
                "type",
                path or "$",
                f"expected {_json_type(expected)} {_show(expected)}, got {_json_type(actual)} {_show(actual)}",
            )
        ]
    if _is_number(expected):
        return (
            []
            if float(expected) == float(actual)
            else [("mismatch", path or "$", f"expected {_show(expected)}, got {_show(actual)}")]
        )
    return [] if expected == actual else [("mismatch", path or "$", f"expected {_show(expected)}, got {_show(actual)}")]
