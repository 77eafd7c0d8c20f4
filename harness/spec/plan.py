"""Expected bodies compiled into fast yes/no checks, so matching 100,000 requests stays cheap.

``diff_value`` explains every difference and is what violations are made of, but most pairs the
checker tries either match exactly or are rejected at the first field. A plan answers only "exact
or not", with the static parts of an object compared in C (``itemgetter`` plus tuple equality,
``dict.keys() == keyset``) and only the matchers visited in Python. Semantics are those of
``diff_value``: numbers equal by value (``5 == 5.0``) but never equal to booleans (static parts that
could confuse the two fall back to ``diff_value``). A :class:`Var` does not bind here; the plan
records ``(var, value, path)`` so the checker can settle bindings once, over the final matching.
Another matcher records the variables it holds through :meth:`Matcher.sight` (a :class:`OneOf`:
what its matching options all bind alike, the rest as one ``(EITHER, alternatives, path)`` sighting).

:func:`compile_value` first looks an object up in the shape cache (``plan_shapes``: one generated
check per body shape, the expectation reduced to a tuple of its leaves); the per-value plans below
(:func:`compile_general`) serve what that cannot handle and are the reference its tests compare with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from harness.spec.matchers import Absent, Any_, Approx, DeviceTime, Matcher, Var, diff_value
from harness.spec.plan_shapes import compile_shaped
from harness.wire.observation import ABSENT

__all__ = ["Check", "VarSeen", "compile_general", "compile_shaped", "compile_value"]

VarSeen = tuple[Var, Any, str]
# (actual value, where Var sightings go, clock offset) -> exact?
Check = Callable[[Any, list[VarSeen], float], bool]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


_DYNAMIC: Any = object()  # "not a static value" marker


def _plain_static(v: Any) -> Any:
    """The value as plain JSON if it holds no matcher and no bool/0/1 ``==`` could confuse, else ``_DYNAMIC``."""
    t = type(v)
    if t is str or v is None:
        return v
    if t is bool:
        return _DYNAMIC
    if t is int or t is float:
        return _DYNAMIC if v in (0, 1) else v
    if isinstance(v, Matcher):
        return _DYNAMIC
    if isinstance(v, Mapping):
        out = {}
        for k, x in v.items():
            px = _plain_static(x)
            if px is _DYNAMIC:
                return _DYNAMIC
            out[k] = px
        return out
    if isinstance(v, list | tuple):
        items = []
        for x in v:
            px = _plain_static(x)
            if px is _DYNAMIC:
                return _DYNAMIC
            items.append(px)
        return items
    return v


def _static(expected: Any, exact: bool) -> Check:
    want = _plain_static(expected)
    if want is _DYNAMIC:

        def slow(a: Any, seen: list[VarSeen], off: float) -> bool:
            return not diff_value(expected, a, {}, "", exact)

        return slow

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
        return m.sight(a, off, path, seen)

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
        else:
            plain = _plain_static(value)
            if plain is not _DYNAMIC:
                static_keys.append(key)
                static_values.append(plain)
            else:
                children.append((key, compile_general(value, exact, f"{path}.{key}")))
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


class _Ctx:
    """Where the leaves of one skeleton find the Var sightings list and the clock offset."""

    __slots__ = ("off", "seen")

    def __init__(self) -> None:
        self.seen: list[VarSeen] = []
        self.off = 0.0


class _Leaf:
    """A value in a skeleton whose ``==`` runs a matcher (called by ``dict.__eq__`` from C)."""

    __slots__ = ("ctx",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

    def __ne__(self, other: object) -> bool:
        return not self == other


class _ApproxLeaf(_Leaf):
    __slots__ = ("device", "tol", "value")

    def __init__(self, ctx: _Ctx, m: Approx) -> None:
        super().__init__(ctx)
        self.value, self.tol, self.device = m.value, m.tolerance, isinstance(m, DeviceTime)

    def __eq__(self, a: object) -> bool:
        t = type(a)
        if t is not float and t is not int:
            return False
        return bool(abs(a - self.value - (self.ctx.off if self.device else 0.0)) <= self.tol)  # type: ignore[operator]


class _VarLeaf(_Leaf):
    __slots__ = ("case", "path", "uuid", "var")

    def __init__(self, ctx: _Ctx, m: Var, path: str) -> None:
        super().__init__(ctx)
        self.var, self.uuid, self.case, self.path = m, m.kind == "uuid", m.case, path

    def __eq__(self, a: object) -> bool:
        if self.uuid:
            if type(a) is not str or not _UUID.match(a):
                return False
            case = self.case
            if (case == "lower" and a != a.lower()) or (case == "upper" and a != a.upper()):
                return False
        self.ctx.seen.append((self.var, a, self.path))
        return True


class _AnyLeaf(_Leaf):
    __slots__ = ()

    def __eq__(self, a: object) -> bool:
        return True


class _StrictLeaf(_Leaf):
    """A boolean, or a number ``==`` would confuse with one (``True == 1``)."""

    __slots__ = ("value",)

    def __init__(self, ctx: _Ctx, value: Any) -> None:
        super().__init__(ctx)
        self.value = value

    def __eq__(self, a: object) -> bool:
        if type(self.value) is bool:
            return a is self.value
        return type(a) is not bool and a == self.value


class _OtherLeaf(_Leaf):
    """Any other matcher, which may record the variables it holds (:meth:`Matcher.sight`)."""

    __slots__ = ("m", "path")

    def __init__(self, ctx: _Ctx, m: Matcher, path: str) -> None:
        super().__init__(ctx)
        self.m, self.path = m, path

    def __eq__(self, a: object) -> bool:
        return self.m.sight(a, self.ctx.off, self.path, self.ctx.seen)


def _skeleton(v: Any, ctx: _Ctx, path: str) -> Any:
    """The expected value with each matcher (and each bool, 0 or 1) replaced by a leaf.

    Plain objects are shared, not copied: an object is copied only where a value must change.
    """
    t = type(v)
    if t is dict:
        out = None
        for k, x in v.items():
            tx = type(x)
            if tx is str or x is None or ((tx is float or tx is int) and x != 0 and x != 1):
                continue
            if out is None:
                out = dict(v)
            if isinstance(x, Absent):
                del out[k]
            else:
                out[k] = _skeleton(x, ctx, f"{path}.{k}")
        return v if out is None else out
    if t is str or v is None:
        return v
    if t is bool:
        return _StrictLeaf(ctx, v)
    if t is int or t is float:
        return _StrictLeaf(ctx, v) if v in (0, 1) else v
    if t is list or t is tuple:
        return [_skeleton(x, ctx, f"{path}[{i}]") for i, x in enumerate(v)]
    if isinstance(v, Approx):
        return _ApproxLeaf(ctx, v)
    if isinstance(v, Var):
        return _VarLeaf(ctx, v, path)
    if isinstance(v, Any_):
        return _AnyLeaf(ctx)
    if isinstance(v, Matcher):
        return _OtherLeaf(ctx, v, path)
    if isinstance(v, Mapping):
        return _skeleton(dict(v), ctx, path)
    return v


def _exact_object(expected: Mapping[str, Any], path: str) -> Check:
    """An object compared with exact keys: one ``==`` in C against a skeleton of leaves."""
    ctx = _Ctx()
    skeleton = _skeleton(expected, ctx, path)

    def check(a: Any, seen: list[VarSeen], off: float) -> bool:
        ctx.seen = seen
        ctx.off = off
        return bool(skeleton == a)

    return check


def compile_value(expected: Any, exact: bool = True, path: str = "$") -> Check:
    """A check that is true iff ``diff_value(expected, actual, ...)`` would find no difference.

    An object goes through the shape cache (see :func:`compile_shaped`); what that cannot handle
    (an unusual value type, a non-string key) is compiled by :func:`compile_general`.
    """
    if type(expected) is dict:
        shaped = compile_shaped(expected, exact, path)
        if shaped is not None:
            return shaped
    return compile_general(expected, exact, path)


def compile_general(expected: Any, exact: bool = True, path: str = "$") -> Check:
    """The same answer as :func:`compile_value`, built for this one value (no shape cache)."""
    if exact and isinstance(expected, Mapping):
        return _exact_object(expected, path)
    if isinstance(expected, Matcher):
        return _matcher(expected, path)
    if isinstance(expected, Mapping):
        return _dict(expected, exact, path)
    if isinstance(expected, list | tuple) and any(isinstance(x, Matcher | Mapping | list | tuple) for x in expected):
        items = [compile_general(e, exact, f"{path}[{i}]") for i, e in enumerate(expected)]
        n = len(items)

        def array(a: Any, seen: list[VarSeen], off: float) -> bool:
            return type(a) is list and len(a) == n and all(c(x, seen, off) for c, x in zip(items, a, strict=True))

        return array
    return _static(expected, exact)
