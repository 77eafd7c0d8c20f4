"""The learner's proposal of the identity mapping: which field holds the UID, the CID and the event name.

- **UID**: a UUID-like string that stays the same within an install and differs between installs
  (a value the scenario passed to a call, such as ``setUid("uid-from-app")``, need not be UUID-like)
  (ranked by the share of installs where it is constant, then by how many events carry it, then the
  shallowest path: ``anonymousId`` before ``context.device.id`` when both hold the same value).
- **CID**: a field whose value equals a customer id the scenario passed to an identify-like call
  (``identify``, ``identifyCustomer``, ``setCustomerProperties``, ``login``...). With no calls known
  (a store or HAR recorded by hand) there is nothing to match: the proposal is empty and the person says.
- **Event name**: a low-cardinality string field whose values include the names passed to track-like
  calls; when that field is not in every event, or also holds words no call passed (a screen view's
  ``view``) in events that an always-present low-cardinality field (a ``type``) tells apart, that
  field is put before it, and the name is the values joined by ``/`` (``track/purchase``).

Each proposal comes with its evidence and the runners-up, for the person who confirms it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.learn.fields import leaves, looks_like_time, looks_like_uuid
from harness.learn.sources import Call
from harness.spec.identity import read_path

__all__ = ["Proposal", "propose", "propose_calls"]

_IDENTIFY = re.compile(r"identif|customer|login|signin|sign_in|setuser|set_user|alias", re.I)
_NOT_IDENTIFY = re.compile(r"reset|remove|clear|anonymi|logout|delete", re.I)
_TRACK = re.compile(r"track|event|screen|log|page", re.I)
_MAX_NAMES = 50  # distinct values a field may hold and still be an event name


@dataclass(frozen=True)
class Proposal:
    """One identity field: the proposed value (a dotted path, or a list of them for the event name)."""

    value: str | list[str] | None
    evidence: str
    alternatives: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "proposed": self.value,
            "evidence": self.evidence,
            "alternatives": list(self.alternatives),
            "confirmed": False,
        }


Event = tuple[int, dict[str, Any]]  # (session index, event data)


def _strings(value: Any) -> list[str]:
    return [v for _, v in leaves(value) if isinstance(v, str) and v]


def _fields(events: Sequence[Event]) -> dict[str, list[tuple[int, Any]]]:
    out: dict[str, list[tuple[int, Any]]] = {}
    for session, data in events:
        for path, value in leaves(data):
            if "[]" not in path and path:
                out.setdefault(path, []).append((session, value))
    return out


def _uid(
    events: Sequence[Event], fields: dict[str, list[tuple[int, Any]]], calls: Sequence[Sequence[Call]]
) -> Proposal:
    # a value the app passed itself (setUid("uid-from-app")) is not generated: it does not disqualify
    # the field, as long as the SDK's own values are UUID-like
    passed = {s: {v for c in session_calls for v in _strings(c.args)} for s, session_calls in enumerate(calls)}
    ranked = []
    for path, seen in fields.items():
        generated = [v for s, v in seen if not (isinstance(v, str) and v in passed.get(s, ()))]
        if not generated or not all(looks_like_uuid(v) for v in generated):
            continue
        per: dict[int, set[str]] = {}
        for s, v in seen:
            per.setdefault(s, set()).add(v)
        constant = sum(1 for vs in per.values() if len(vs) == 1)
        distinct = len({v for vs in per.values() for v in vs})
        if len(per) > 1 and distinct == 1:
            continue  # the same in every install: a key, not an install's id
        ranked.append(((constant / len(per), len(seen), -path.count(".")), path, constant, len(per), len(seen)))
    if not ranked:
        return Proposal(None, "no UUID-like field constant within an install; name the UID field")
    ranked.sort(reverse=True)
    _, path, constant, sessions, count = ranked[0]
    return Proposal(
        path,
        f"UUID-like; constant within {constant} of {sessions} installs; in {count} of {len(events)} events",
        tuple(r[1] for r in ranked[1:4]),
    )


def _cid(
    events: Sequence[Event], fields: dict[str, list[tuple[int, Any]]], calls: Sequence[Sequence[Call]]
) -> Proposal:
    ids: dict[int, set[str]] = {}
    names: set[str] = set()
    for s, session_calls in enumerate(calls):
        for c in session_calls:
            if _IDENTIFY.search(c.name) and not _NOT_IDENTIFY.search(c.name):
                ids.setdefault(s, set()).update(_strings(c.args))
                names.add(c.name)
    if not ids:
        return Proposal(None, "no identify-like call known (no scenario trace); name the CID field")
    ranked = []
    for path, seen in fields.items():
        hits = sum(1 for s, v in seen if isinstance(v, str) and v in ids.get(s, ()))
        if hits:
            ranked.append(((hits, -path.count(".")), path, hits))
    if not ranked:
        return Proposal(None, f"no field carries an id passed to {', '.join(sorted(names))}; name the CID field")
    ranked.sort(reverse=True)
    _, path, hits = ranked[0]
    return Proposal(
        path,
        f"equals the customer id passed to {', '.join(sorted(names))} in {hits} events",
        tuple(r[1] for r in ranked[1:4]),
    )


def _separating_kind(
    events: Sequence[Event], best: str, tracked: set[str], candidates: dict[str, tuple[int, int, set[str]]]
) -> str | None:
    """An always-present field of a few values whose values differ between the events whose ``best``
    holds a name the app passed (``ec: "custom", ea: "purchase"``) and those where it holds a word no
    call passed (``ec: "screen", ea: "view"``): without it, a custom event named ``view`` and a screen
    view would share a name. None when there is none, or when ``best`` only ever holds the app's names."""
    kinds = sorted(
        (p for p in candidates if p != best and candidates[p][1] == len(events) and 2 <= len(candidates[p][2]) <= 10),
        key=lambda p: (len(candidates[p][2]), p.count("."), p),
    )
    for kind in kinds:
        named: set[Any] = set()
        fixed: set[Any] = set()
        for _, data in events:
            name = read_path(data, best)
            if isinstance(name, str):
                (named if name in tracked else fixed).add(read_path(data, kind))
        if named and fixed and named.isdisjoint(fixed):
            return kind
    return None


def _event(
    events: Sequence[Event], fields: dict[str, list[tuple[int, Any]]], calls: Sequence[Sequence[Call]]
) -> Proposal:
    tracked: set[str] = set()
    for session_calls in calls:
        for c in session_calls:
            if _TRACK.search(c.name) and not _IDENTIFY.search(c.name):
                tracked.update(v for k, v in c.args.items() if isinstance(v, str) and v)
    candidates = {}
    for path, seen in fields.items():
        values = [v for _, v in seen]
        if (
            not values
            or not all(isinstance(v, str) for v in values)
            or any(looks_like_uuid(v) or looks_like_time(v) for v in values)
        ):
            continue
        distinct = set(values)
        if len(distinct) > _MAX_NAMES:
            continue
        candidates[path] = (len(distinct & tracked), len(seen), distinct)
    if not candidates:
        return Proposal([], "no low-cardinality string field; name the event-name field(s)")
    if tracked:
        ranked = sorted(candidates, key=lambda p: (candidates[p][0], candidates[p][1], -p.count(".")), reverse=True)
        best = ranked[0]
        if candidates[best][0] == 0:
            return Proposal([], "no field holds the names passed to track-like calls; name the event-name field(s)")
        evidence = f"holds {candidates[best][0]} of the {len(tracked)} names passed to track-like calls"
    else:
        ranked = sorted(
            (p for p in candidates if len(candidates[p][2]) > 1),
            key=lambda p: (candidates[p][1], len(candidates[p][2]), -p.count(".")),
            reverse=True,
        )
        if not ranked:
            return Proposal([], "no field varies like an event name; name the event-name field(s)")
        best = ranked[0]
        evidence = "no track-like call known: the most common low-cardinality string field; check it"
    paths = [best]
    kind = _separating_kind(events, best, tracked, candidates) if tracked else None
    if kind is not None:  # the app's names and the SDK's fixed words (a screen "view") told apart
        paths = [kind, best]
        evidence += f"; {best} also holds words no call passed, which {kind} tells apart, so {kind} comes first"
    elif candidates[best][1] < len(events):  # not in every event: put the events' kind before it
        kinds = sorted(
            (
                p
                for p in candidates
                if p != best and candidates[p][1] == len(events) and 2 <= len(candidates[p][2]) <= 10
            ),
            key=lambda p: (len(candidates[p][2]), p.count("."), p),
        )
        if kinds:
            paths = [kinds[0], best]
            evidence += f"; {best} is in {candidates[best][1]} of {len(events)} events, so {kinds[0]} comes first"
    return Proposal(paths, evidence, tuple(p for p in ranked[1:4] if p not in paths))


def propose(events: Sequence[Event], calls: Sequence[Sequence[Call]]) -> dict[str, Proposal]:
    """The proposal for ``uid``, ``cid`` and ``event`` from every event of every install; ``calls[s]``
    are the calls of install ``s`` (empty when not known)."""
    fields = _fields(events)
    return {
        "uid": _uid(events, fields, calls),
        "cid": _cid(events, fields, calls),
        "event": _event(events, fields, calls),
    }


def _render(template: str, args: Any) -> str | None:
    try:
        return template.format_map({k: v for k, v in dict(args).items() if isinstance(v, str)})
    except (KeyError, ValueError, IndexError):
        return None


def propose_calls(labels: Sequence[Counter[str]], calls: Sequence[Sequence[Call]]) -> dict[str, Proposal]:
    """The event name each track-like call sends, as a template over its string arguments
    (``{"track": "custom/{en}", "trackScreen": "screen/view"}``); ``labels[s]`` counts the event
    names of install ``s``.

    A candidate is an event name with a part (between ``/``) equal to one of the call's string
    arguments replaced by ``{argument}``, or the name as it is. It holds when, in every install, the
    names it gives for that call's calls are all among the install's events (as many times as called).
    A template with an argument wins over a fixed name; a call whose events cannot be told is left out."""
    out: dict[str, Proposal] = {}
    names = sorted({c.name for cs in calls for c in cs if _TRACK.search(c.name) and not _IDENTIFY.search(c.name)})
    for name in names:
        made = [(s, c) for s, cs in enumerate(calls) for c in cs if c.name == name]
        candidates: set[str] = set()
        for s, c in made:
            values = {v: k for k, v in c.args.items() if isinstance(v, str) and v and "{" not in v and "}" not in v}
            for label in labels[s]:
                if "{" in label or "}" in label:
                    continue
                parts = label.split("/")
                candidates.add(label)
                for i, part in enumerate(parts):
                    if part in values:
                        candidates.add("/".join([*parts[:i], "{" + values[part] + "}", *parts[i + 1 :]]))
        held = []
        for template in candidates:
            ok = True
            for s in range(len(calls)):
                wanted = Counter(_render(template, c.args) for t, c in made if t == s)
                if None in wanted or any(labels[s][n] < k for n, k in wanted.items() if n is not None):
                    ok = False
                    break
            if ok:
                held.append(template)
        if not held:
            continue
        held.sort(key=lambda t: ("{" not in t, t))
        best = held[0]
        out[name] = Proposal(
            best,
            f"each of the {len(made)} {name} calls in {len({s for s, _ in made})} installs has its {best!r} event",
            tuple(held[1:4]),
        )
    return out
