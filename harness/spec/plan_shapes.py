"""Expected bodies compiled once per *shape*, so 100,000 expectations cost a few shapes, not 100,000 plans.

A profile's expected bodies differ in their values (timestamps, SKUs, counts) but share a handful of
shapes: the same keys, nested the same way, with the same kind of value (a string, a number, a
boolean, a ``DeviceTime``, a ``Var``...) at each place. For each shape a checking function is
generated once as Python source and compiled; an expectation is then just the tuple of its leaves
(``params``), read out of the body by a getter generated for the same shape.

The generated check gives exactly the answer of :func:`harness.spec.plan.compile_general` (and so of
``diff_value`` finding no difference): it checks the key sets (``dict.keys() == frozenset`` in C),
compares all plain leaves as one tuple (``==`` in C, so ``5 == 5.0``), then rejects a boolean where a
number is expected or the other way round (``True == 1`` must not pass), then runs the matchers in
depth-first key order, recording ``Var`` sightings (and those other matchers record through
:meth:`Matcher.sight`) like the general plan does. Values the generator does not know (a non-dict
mapping, a custom type, a subclass of ``Var`` or ``Approx``, a non-string key) make
:func:`compile_shaped` return None, and the caller uses the general plan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from harness.spec.matchers import Absent, Any_, Approx, DeviceTime, Matcher, Var
from harness.wire.observation import ABSENT

__all__ = ["compile_shaped", "shape_of"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTAINERS = frozenset({dict, list, tuple})
_PLAIN = frozenset({str, type(None)})
_NUMBERS = frozenset({int, float})
_CACHE_LIMIT = 4096

# A shape: (dict, keys, value types, shapes of the container values) or (list, value types, shapes).
Shape = tuple[Any, ...]
_Params = Callable[[Any], tuple[Any, ...] | None]
_Compiled = tuple[Callable[..., bool], _Params]
_cache: dict[tuple[Shape, bool, str], _Compiled | None] = {}
# (top-level keys, exact, path) -> shapes recently seen with those keys, the latest first
_by_keys: dict[tuple[tuple[str, ...], bool, str], list[_Compiled]] = {}
_SHAPES_PER_KEYS = 8


def shape_of(value: Any) -> Shape:
    """The shape of a dict, list or tuple: keys and value types, nested (computed mostly in C)."""
    t = type(value)
    if t is dict:
        values = value.values()
        types = tuple(map(type, values))
        subs = () if _CONTAINERS.isdisjoint(types) else tuple([shape_of(v) for v in values if type(v) in _CONTAINERS])
        return (dict, tuple(value), types, subs)
    types = tuple(map(type, value))
    subs = () if _CONTAINERS.isdisjoint(types) else tuple([shape_of(v) for v in value if type(v) in _CONTAINERS])
    return (list, types, subs)


def compile_shaped(expected: dict[str, Any], exact: bool, path: str) -> Callable[[Any, list[Any], float], bool] | None:
    """The check of ``expected`` from the shape cache, or None if its shape holds a value it cannot handle.

    Shapes are found by the body's top-level keys first: each generated ``params`` verifies the whole
    shape while reading the leaves (keys and value types at every level, compared as tuples in C),
    so the full :func:`shape_of` (and hashing it) is needed only for a shape not seen before.
    """
    top = (tuple(expected), exact, path)
    known = _by_keys.get(top)
    if known is not None:
        for check, params in known:
            p = params(expected)
            if p is not None:
                return functools.partial(check, p)
    key = (shape_of(expected), exact, path)
    try:
        compiled = _cache[key]
    except KeyError:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
            _by_keys.clear()
        compiled = _cache[key] = _generate(key[0], exact, path)
    if compiled is None:
        return None
    known = _by_keys.setdefault(top, [])
    known.insert(0, compiled)
    del known[_SHAPES_PER_KEYS:]
    check, params = compiled
    p = params(expected)
    assert p is not None, "a shape's params() must accept the body it was generated from"
    return functools.partial(check, p)


class _Unsupported(Exception):
    pass


def _leaf_kind(t: type) -> str:
    if t in _PLAIN:
        return "plain"
    if t in _NUMBERS:
        return "number"
    if t is bool:
        return "bool"
    if t in _CONTAINERS:
        return "container"
    if not issubclass(t, Matcher):
        raise _Unsupported
    if t is DeviceTime:
        return "device"
    if t is Approx:
        return "approx"
    if t is Var:
        return "var"
    if issubclass(t, Var | Approx):
        raise _Unsupported  # a subclass may check differently: leave it to the general plan
    if issubclass(t, Absent):
        return "absent"
    if issubclass(t, Any_):
        return "any"
    return "matcher"


class _Gen:
    """Writes the source of one shape's ``check(params, actual, seen, off)`` and ``params(expected)``."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.nav: list[str] = []  # structure checks and navigation, in order
        self.fetch: list[str] = []  # how params() reaches each container of the expected body
        self.static_e: list[str] = []  # expected plain leaves (expressions on the expected body)
        self.static_a: list[str] = []  # the same leaves of the actual body (local names)
        self.types: list[str] = []  # type checks of those leaves (bool vs number)
        self.match_e: list[str] = []  # expected matcher leaves
        self.match_code: list[str] = []  # their checks, depth-first
        self.consts: dict[str, Any] = {}
        self.n = 0

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value: Any) -> str:
        name = self.name("K")
        self.consts[name] = value
        return name

    def walk(self, shape: Shape, ev: str, av: str, path: str) -> None:
        if shape[0] is dict:
            self._dict(shape, ev, av, path)
        else:
            self._list(shape, ev, av, path)

    def _dict(self, shape: Shape, ev: str, av: str, path: str) -> None:
        _, keys, types, subs = shape
        if not all(type(k) is str for k in keys):
            raise _Unsupported
        self.fetch.append(
            f"if tuple({ev}) != {self.const(keys)} or tuple(map(type, {ev}.values())) != {self.const(types)}:"
        )
        self.fetch.append("    return None")
        kinds = [_leaf_kind(t) for t in types]
        self.nav.append(f"if type({av}) is not dict: return False")
        absent = [k for k, kind in zip(keys, kinds, strict=True) if kind == "absent"]
        if self.exact:
            wanted = frozenset(k for k, kind in zip(keys, kinds, strict=True) if kind != "absent")
            self.nav.append(f"if {av}.keys() != {self.const(wanted)}: return False")
        else:
            # As the general plan: plain values, containers and Any_ must be there; other matchers see ABSENT.
            required = frozenset(
                k
                for k, kind in zip(keys, kinds, strict=True)
                if kind in ("plain", "number", "bool", "container", "any")
            )
            if required:
                self.nav.append(f"if not {av}.keys() >= {self.const(required)}: return False")
            if absent:
                self.nav.append(f"if not {av}.keys().isdisjoint({self.const(frozenset(absent))}): return False")
        sub = iter(subs)
        for key, kind in zip(keys, kinds, strict=True):
            if kind == "absent":
                continue
            here = f"{path}.{key}"
            e_item, a_item = f"{ev}[{key!r}]", f"{av}[{key!r}]"
            if not self.exact and kind in ("device", "approx", "var", "matcher"):
                a_item = f"{av}.get({key!r}, ABSENT)"
            self._item(kind, next(sub) if kind == "container" else None, e_item, a_item, here)

    def _list(self, shape: Shape, ev: str, av: str, path: str) -> None:
        _, types, subs = shape
        kinds = [_leaf_kind(t) for t in types]
        self.fetch.append(f"if tuple(map(type, {ev})) != {self.const(types)}: return None")
        self.nav.append(f"if type({av}) is not list or len({av}) != {len(types)}: return False")
        sub = iter(subs)
        for i, kind in enumerate(kinds):
            # In an array an Absent can never hold (an item is never absent): the matcher says so.
            item_kind = "matcher" if kind == "absent" else kind
            self._item(
                item_kind, next(sub) if kind == "container" else None, f"{ev}[{i}]", f"{av}[{i}]", f"{path}[{i}]"
            )

    def _item(self, kind: str, shape: Shape | None, e_item: str, a_item: str, path: str) -> None:
        if kind == "container":
            assert shape is not None
            ev, av = self.name("e"), self.name("a")
            self.fetch.append(f"{ev} = {e_item}")
            self.nav.append(f"{av} = {a_item}")
            self.walk(shape, ev, av, path)
        elif kind in ("plain", "number", "bool"):
            local = self.name("s")
            self.nav.append(f"{local} = {a_item}")
            self.static_e.append(e_item)
            self.static_a.append(local)
            if kind == "number":
                self.types.append(f"if type({local}) is bool: return False")
            elif kind == "bool":
                self.types.append(f"if type({local}) is not bool: return False")
        elif kind == "any":
            pass  # present (the key check saw to it) and anything goes
        else:
            m = f"p[{len(self.match_e) + 1}]"
            self.match_e.append(e_item)
            code = self.match_code
            code.append(f"v = {a_item}")
            if kind in ("device", "approx"):
                shift = " - off" if kind == "device" else ""
                code.append("t = type(v)")
                code.append("if t is not float and t is not int: return False")
                code.append(f"m = {m}")
                code.append(f"if not abs(v - m.value{shift}) <= m.tolerance: return False")
            elif kind == "var":
                code.append(f"m = {m}")
                code.append("if m.kind == 'uuid':")
                code.append("    if type(v) is not str: return False")
                code.append("    ok = UUID_OK.get((v, m.case))")  # the same cookie on every request: checked once
                code.append("    if ok is None: ok = uuid_ok(v, m.case)")
                code.append("    if not ok: return False")
                code.append(f"seen.append((m, v, {path!r}))")
            else:  # any other matcher, which may record the variables it holds (OneOf)
                code.append(f"if not {m}.sight(v, off, {path!r}, seen): return False")

    def source(self) -> str:
        lines = ["def check(p, a0, seen, off):"]
        lines += [f"    {line}" for line in self.nav]
        if self.static_a:
            lines.append(f"    if ({', '.join(self.static_a)},) != p[0]: return False")
        lines += [f"    {line}" for line in self.types]
        lines += [f"    {line}" for line in self.match_code]
        lines.append("    return True")
        lines.append("def params(e0):")
        lines += [f"    {line}" for line in self.fetch]
        statics = f"({', '.join(self.static_e)},)" if self.static_e else "()"
        lines.append(f"    return ({statics}, {''.join(f'{m}, ' for m in self.match_e)})")
        return "\n".join(lines) + "\n"


_uuid_ok: dict[tuple[str, str | None], bool] = {}


def uuid_ok(value: str, case: str | None) -> bool:
    """Whether ``value`` is a UUID spelled in ``case`` (as ``Var.check`` tells), remembered per value."""
    ok = bool(_UUID.match(value)) and not (
        (case == "lower" and value != value.lower()) or (case == "upper" and value != value.upper())
    )
    if len(_uuid_ok) >= _CACHE_LIMIT:
        _uuid_ok.clear()
    _uuid_ok[(value, case)] = ok
    return ok


def _generate(shape: Shape, exact: bool, path: str) -> _Compiled | None:
    gen = _Gen(exact)
    try:
        gen.walk(shape, "e0", "a0", path)
    except _Unsupported:
        return None
    namespace: dict[str, Any] = {
        "ABSENT": ABSENT,
        "UUID_OK": _uuid_ok,
        "uuid_ok": uuid_ok,
        **gen.consts,
    }
    exec(compile(gen.source(), f"<plan for {path}>", "exec"), namespace)  # the source is generated above from the shape
    return namespace["check"], namespace["params"]
