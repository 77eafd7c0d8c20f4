"""Expected bodies compiled into fast yes/no checks, so matching 100,000 requests stays cheap.

``diff_value`` explains every difference and is what violations are made of, but most pairs the
checker tries either match exactly or are rejected at the first field. A plan answers only "exact
or not", with the static parts of an object compared in C (``itemgetter`` plus tuple equality,
``dict.keys() == keyset``) and only the matchers visited in Python. Semantics are those of
``diff_value``: numbers equal by value (``5 == 5.0``) but never equal to booleans (static parts that
could confuse the two fall back to ``diff_value``). A :class:`Var` does not bind here; the plan
records ``(var, value, path)`` so the checker can settle bindings once, over the final matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from harness.spec.matchers import CLOCK_OFFSET, Absent, Any_, Approx, DeviceTime, Matcher, Var, diff_value
from harness.wire.observation import ABSENT

__all__ = ["Check", "VarSeen", "compile_value"]

VarSeen = tuple[Var, Any, str]
# (actual value, where Var sightings go, clock offset) -> exact?
Check = Callable[[Any, list[VarSeen], float], bool]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _has_matcher(v: Any) -> bool:
    if isinstance(v, Matcher):
        return True
    if isinstance(v, Mapping):
        return any(_has_matcher(x) for x in v.values())
    if isinstance(v, list | tuple):
        return any(_has_matcher(x) for x in v)
    return False


def _ambiguous(v: Any) -> bool:
    """True if ``==`` could confuse a boolean with a number here (``True == 1``)."""
    if isinstance(v, bool):
        return True
    if isinstance(v, int | float):
        return v in (0, 1)
    if isinstance(v, Mapping):
        return any(_ambiguous(x) for x in v.values())
    if isinstance(v, list | tuple):
        return any(_ambiguous(x) for x in v)
    return False


def _plain(v: Any) -> Any:
    """Tuples as lists, so ``==`` against parsed JSON works."""
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def _static(expected: Any, exact: bool) -> Check:
    if _ambiguous(expected):

        def slow(a: Any, seen: list[VarSeen], off: float) -> bool:
            return not diff_value(expected, a, {}, "", exact)

        return slow
    want = _plain(expected)

    def fast(a: Any, seen: list[VarSeen], off: float) -> bool:
        return bool(a == want)

    return fast


def _matcher(m: Matcher, path: str) -> Check:
    if isinstance(m, Approx):
        value, tol, device = m.value, m.tolerance, isinstance(m, DeviceTime)

        def approx(a: Any, seen: list[VarSeen], off: float) -> bool:
            t = type(a)
            if t is not float and t is not int:
                return False
            return bool(abs(a - value - (off if device else 0.0)) <= tol)

        return approx
    if isinstance(m, Var):
        uuid, case = m.kind == "uuid", m.case

        def var(a: Any, seen: list[VarSeen], off: float) -> bool:
            if uuid:
                if type(a) is not str or not _UUID.match(a):
                    return False
                if (case == "lower" and a != a.lower()) or (case == "upper" and a != a.upper()):
                    return False
            seen.append((m, a, path))
            return True

        return var
    if isinstance(m, Any_):
        return lambda a, seen, off: a is not ABSENT
    if isinstance(m, Absent):
        return lambda a, seen, off: a is ABSENT

    def other(a: Any, seen: list[VarSeen], off: float) -> bool:
        return m.check(a, {CLOCK_OFFSET: off}) is None

    return other


def _dict(expected: Mapping[str, Any], exact: bool, path: str) -> Check:
    static_keys: list[str] = []
    static_values: list[Any] = []
    children: list[tuple[str, Check]] = []
    present: list[str] = []
    absent: list[str] = []
    for key, value in expected.items():
        if isinstance(value, Absent):
            absent.append(key)
        elif isinstance(value, Any_):
            present.append(key)
        elif not _has_matcher(value) and not _ambiguous(value):
            static_keys.append(key)
            static_values.append(_plain(value))
        else:
            children.append((key, compile_value(value, exact, f"{path}.{key}")))
    keyset = frozenset(k for k in expected if k not in absent)
    getter = itemgetter(*static_keys) if static_keys else None
    want: Any = static_values[0] if len(static_values) == 1 else tuple(static_values)

    def obj(a: Any, seen: list[VarSeen], off: float) -> bool:
        if type(a) is not dict:
            return False
        if exact:
            if a.keys() != keyset:
                return False
        else:
            for k in present:
                if k not in a:
                    return False
            for k in absent:
                if k in a:
                    return False
        if getter is not None:
            try:
                if getter(a) != want:
                    return False
            except KeyError:
                return False
        for k, check in children:  # noqa: SIM110 (a loop is faster than all() with a generator)
            if not check(a.get(k, ABSENT), seen, off):
                return False
        return True

    return obj


def compile_value(expected: Any, exact: bool = True, path: str = "$") -> Check:
    """A check that is true iff ``diff_value(expected, actual, ...)`` would find no difference."""
    if isinstance(expected, Matcher):
        return _matcher(expected, path)
    if isinstance(expected, Mapping):
        return _dict(expected, exact, path)
    if isinstance(expected, list | tuple) and _has_matcher(expected):
        items = [compile_value(e, exact, f"{path}[{i}]") for i, e in enumerate(expected)]
        n = len(items)

        def array(a: Any, seen: list[VarSeen], off: float) -> bool:
            return type(a) is list and len(a) == n and all(c(x, seen, off) for c, x in zip(items, a, strict=True))

        return array
    return _static(expected, exact)
