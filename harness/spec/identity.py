"""The identity rules layer: a generic profile layer over any pinned wire shape.

Some SDKs publish their identity model (an anonymous UID assigned on first open, a customer id set by
an identify call, a reset that detaches later events) but not their wire format. A person pins which
fields of one decoded event payload hold the UID, the customer id (CID) and the event name
(:class:`IdentityFields`, dotted paths read from a pinned profile's ``pin.json``); this layer turns a
stimulus trace into expectations that hold those fields, and only those, to the identity rules:

- ``uid_first``: the first event carries a UID;
- ``uid_stable``: the UID stays the same across events, relaunches and kills unless reset or set;
- ``cid_set``: after identify(C) every event carries C and the same UID;
- ``cid_cleared``: after a customer reset no event carries the old C;
- ``uid_reset``: a UID reset gives later events a new UID;
- ``uid_set``: setting the UID to X gives later events X;
- ``event_name``: every event carries its name (or at least a name).

The caller (a vendor's profile) says which call does what (:class:`IdentityModel` methods) and gives
the checklist ids each rule maps to (:class:`IdentityRules`); nothing here names a vendor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import Any_, Bindings, Matcher, Var, _show, diff_value
from harness.wire.observation import ABSENT

__all__ = ["At", "IdentityFields", "IdentityModel", "IdentityRules", "read_path"]


def _path(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or any(not part for part in value.split(".")):
        raise ValueError(f"identity.{what} must be a dotted path like 'dims.customers.customer_id', got {value!r}")
    return value


@dataclass(frozen=True)
class IdentityFields:
    """Where one decoded event payload holds the UID, the CID and the event name (dotted paths).

    ``event`` may name several paths; the event's name is their values joined with ``/``
    (``("ec", "ea")`` -> ``"screen/view"``).
    """

    uid: str
    cid: str
    event: tuple[str, ...]

    @classmethod
    def from_json(cls, obj: Any) -> IdentityFields:
        """``{"uid": path, "cid": path, "event": [path, ...]}`` (``event`` may be one path string)."""
        if not isinstance(obj, Mapping):
            raise ValueError(f"identity must be an object with uid, cid and event, got {type(obj).__name__}")
        missing = [k for k in ("uid", "cid", "event") if k not in obj]
        if missing:
            raise ValueError(f"identity lacks {', '.join(missing)}")
        extra = sorted(set(obj) - {"uid", "cid", "event"})
        if extra:
            raise ValueError(f"identity has unknown key(s) {', '.join(extra)}")
        event = obj["event"]
        paths = [event] if isinstance(event, str) else event
        if not isinstance(paths, list) or not paths:
            raise ValueError(f"identity.event must be a dotted path or a non-empty list of them, got {event!r}")
        return cls(_path(obj["uid"], "uid"), _path(obj["cid"], "cid"), tuple(_path(p, "event") for p in paths))

    def as_json(self) -> dict[str, Any]:
        return {"uid": self.uid, "cid": self.cid, "event": list(self.event)}

    def event_name(self, body: Any) -> Any:
        """The event name an observation's body carries (``ABSENT`` if any part is missing)."""
        parts = [read_path(body, p) for p in self.event]
        if any(p is ABSENT or p is None for p in parts):
            return ABSENT
        return "/".join(str(p) for p in parts)


def read_path(value: Any, path: str) -> Any:
    """The value at dotted ``path`` inside ``value``, or ``ABSENT`` when any level is missing."""
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return ABSENT
        value = value[part]
    return value


@dataclass(frozen=True)
class At(Matcher):
    """Checks values at dotted sub-paths of one top-level key (missing levels read as absent)."""

    checks: tuple[tuple[str, Any], ...]

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        for rest, expected in self.checks:
            value = read_path(actual, rest) if rest else actual
            if isinstance(expected, Matcher):
                problem = expected.check(value, bindings)
            else:
                diffs = diff_value(expected, value, bindings, "$", False)
                problem = None if not diffs else f"expected {_show(expected)}, got {_show(value)}"
            if problem is not None:
                return f"{rest or '(value)'}: {problem}" if rest else problem
        return None

    def show(self) -> str:
        return "{" + ", ".join(f"{r or '.'}: {_show(e)}" for r, e in self.checks) + "}"

    def describe(self) -> str:
        parts = [f"{r or 'the value'}: {e.describe() if isinstance(e, Matcher) else _show(e)}" for r, e in self.checks]
        return "; ".join(parts)


def _body(values: Mapping[str, Any], absent: Mapping[str, Matcher]) -> dict[str, Any]:
    """Nested expected objects from dotted paths.

    ``values`` (a UID :class:`Var`, a literal CID) become nested objects, so a ``Var`` sits at its
    own leaf where the checker binds it across requests. ``absent`` checks (no CID) hang an
    :class:`At` on the first path level the nested objects do not hold yet, so a body without the
    parent objects passes ("no CID") instead of failing on a missing parent.
    """
    out: dict[str, Any] = {}
    for path, value in values.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    for path, matcher in absent.items():
        parts = path.split(".")
        node = out
        i = 0
        while i < len(parts) - 1 and isinstance(node.get(parts[i]), dict):
            node = node[parts[i]]
            i += 1
        node[parts[i]] = At(((".".join(parts[i + 1 :]), matcher),))
    return out


@dataclass(frozen=True)
class IdentityRules:
    """The caller's checklist ids for each rule (empty: the rule is not reported under an id)."""

    uid_first: tuple[str, ...] = ()
    uid_stable: tuple[str, ...] = ()
    cid_set: tuple[str, ...] = ()
    cid_cleared: tuple[str, ...] = ()
    uid_reset: tuple[str, ...] = ()
    uid_set: tuple[str, ...] = ()
    event_name: tuple[str, ...] = ()
    source: tuple[str, ...] = ()  # the request names the configured source (route target)


@dataclass
class IdentityModel:
    """One run's identity state and the expectations so far; the caller drives it call by call.

    The UID is a :class:`Var` (``uid#N``): the same name wherever the same UID must appear, a new
    name distinct from the old ones after a reset. A relaunch keeps it (what is stored survives).
    """

    fields: IdentityFields
    rules: IdentityRules
    route: str
    out: Expectations = field(default_factory=lambda: Expectations(ordered=False))
    uid_n: int = 0
    uid_value: str | None = None  # a UID the app set (setUid)
    cid: str | None = None
    cleared: tuple[str, ...] = ()  # CIDs reset since: later events must not carry them
    sent: int = 0
    _next: tuple[str, ...] = ()
    _changed: bool = False  # the UID was reset or set since the last event
    _free: set[int] = field(default_factory=set)  # UID numbers not required to differ from the earlier ones

    def install(self) -> None:
        """A fresh install: nothing stored, so a new UID and no customer; the next event is a first."""
        self.uid_n += 1
        self.uid_value = None
        self.cid = None
        self.cleared = ()
        self.sent = 0
        self._next = ()

    def _uid(self) -> Any:
        if self.uid_value is not None:
            return self.uid_value
        if self.uid_n in self._free:
            return Var(f"uid#{self.uid_n}")
        return Var(f"uid#{self.uid_n}", distinct_from=tuple(f"uid#{i}" for i in range(self.uid_n)))

    def unknown_uid(self) -> None:
        """A call after which the UID may or may not change (undocumented): bound afresh, not compared."""
        self.uid_n += 1
        self.uid_value = None
        self._free.add(self.uid_n)
        self._changed = True

    def identify(self, cid: str) -> None:
        self.cid = cid
        self.cleared = tuple(c for c in self.cleared if c != cid)
        self._next = (*self._next, *self.rules.cid_set)

    def reset_customer(self) -> None:
        if self.cid is not None:
            self.cleared = (*self.cleared, self.cid)
            self._next = (*self._next, *self.rules.cid_cleared)
        self.cid = None

    def reset_uid(self) -> None:
        self.uid_n += 1
        self.uid_value = None
        self._changed = True
        self._next = (*self._next, *self.rules.uid_reset)

    def set_uid(self, uid: str) -> None:
        self.uid_value = uid
        self._changed = True
        self._next = (*self._next, *self.rules.uid_set)

    def relaunch(self) -> None:
        """The app was killed or relaunched: stored identity stays; the next event proves it."""
        self._next = (*self._next, *self.rules.uid_stable)

    def event(
        self,
        cause: int,
        target: str,
        name: str | None,
        rules: tuple[str, ...] = (),
        cid: str | None = None,
        label: str = "",
    ) -> None:
        """One event the SDK sends now. ``name``: its expected name (None: any present name);
        ``cid``: a customer id the event itself carries (an event-level customer property)."""
        carried = cid if cid is not None else self.cid
        uid = self._uid()
        expected: dict[str, Any] = {self.fields.uid: uid}
        absent: dict[str, Matcher] = {}
        cid_rule: tuple[str, ...]
        if carried is not None:
            expected[self.fields.cid] = carried
            cid_rule = self.rules.cid_set if self.cid is not None else ()
        else:
            absent[self.fields.cid] = _NotAny(self.cleared)
            cid_rule = self.rules.cid_cleared if self.cleared else ()
        ids = [*rules, *self.rules.event_name, *self.rules.source, *cid_rule, *self._next]
        if self.sent == 0:
            ids += self.rules.uid_first
        elif not self._changed:
            ids += self.rules.uid_stable
        self._next = ()
        self._changed = False
        self.sent += 1
        self.out.requests.append(
            Expected(
                route=self.route,
                project_token=target,
                authorization=None,
                body=_body(expected, absent),
                cause=cause,
                rules=tuple(dict.fromkeys(ids)),
                label=label or (name or "event"),
                exact_keys=False,
                # no known name: any present name (a wildcard bucket in the checker)
                name=name if name is not None else cast(Any, Any_()),
            )
        )


@dataclass(frozen=True)
class _NotAny(Matcher):
    """Absent, or at least none of the reset customer ids (an anonymous event after a reset)."""

    old: tuple[str, ...]

    def check(self, actual: Any, bindings: Bindings) -> str | None:
        if actual is ABSENT or actual is None or actual == "":
            return None
        if actual in self.old:
            return f"expected no customer id after the reset, got the old one {_show(actual)}"
        return f"expected no customer id, got {_show(actual)}"

    def show(self) -> str:
        return "<no customer id>"

    def describe(self) -> str:
        return f"absent (not {', '.join(self.old)})"
