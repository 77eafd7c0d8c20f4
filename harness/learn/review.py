"""``harness learn --review DIR``: show a pinned profile's proposals and record what a person confirmed.

Everything the learner wrote starts unreviewed (``"confirmed": false``). A person confirms by editing
``pin.json`` (set ``confirmed`` to true; correct ``identity`` and ``identity_review.<k>.proposed``) or
with flags, which is what a script or a test does:

- ``--confirm identity`` (or ``uid``, ``cid``, ``event``, ``calls``): the identity proposals, as
  proposed; ``identity`` includes ``calls``, the event name each track-like call sends (to correct
  one, edit ``calls`` in ``pin.json``);
- ``--set uid=PATH`` (``cid=PATH``, ``event=PATH[,PATH]``): replace a proposal and confirm it;
- ``--confirm-schema NAME`` (an endpoint or event name, repeatable): every field of that schema;
- ``--confirm-all-fields``: every field of every schema.

A proposal that is empty (the learner could not tell, e.g. no identify call was known) cannot be
confirmed as it is: ``--set`` it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

__all__ = ["IDENTITY_KEYS", "apply_review", "review_text"]

IDENTITY_KEYS = ("uid", "cid", "event")


def _load(folder: Path) -> dict[str, Any]:
    path = folder / "pin.json"
    try:
        pin = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{folder}: no pin.json (not a pinned profile; write one with harness learn)") from None
    except ValueError as exc:
        raise HarnessError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(pin, dict) or pin.get("format") != 1:
        raise HarnessError(f"{path}: not a pinned profile of format 1")
    return pin


def review_text(folder: str | Path) -> str:
    """What a reviewer reads: each identity proposal with its evidence, and each schema's unreviewed fields."""
    pin = _load(Path(folder))
    lines = [f"pinned profile {pin.get('name')} (sdk {pin.get('sdk') or '?'})", "identity:"]
    for key in IDENTITY_KEYS:
        r = pin.get("identity_review", {}).get(key, {})
        mark = "confirmed" if r.get("confirmed") else "UNREVIEWED"
        lines.append(f"  {key:<6}{json.dumps(pin.get('identity', {}).get(key)):<28} {mark}  ({r.get('evidence', '')})")
        if r.get("alternatives") and not r.get("confirmed"):
            lines.append(f"        other candidates: {', '.join(r['alternatives'])}")
    if pin.get("calls"):
        lines.append("calls (the event name each sends):")
        for call, template in pin["calls"].items():
            r = (pin.get("calls_review") or {}).get(call, {})
            mark = "confirmed" if r.get("confirmed") else "UNREVIEWED"
            lines.append(f"  {call:<16}{json.dumps(template):<28} {mark}  ({r.get('evidence', '')})")
    for kind in ("endpoints", "events"):
        lines.append(f"{kind}:")
        for name, entry in pin.get(kind, {}).items():
            fields = entry.get("fields", {})
            open_ = [p for p, f in fields.items() if not f.get("confirmed")]
            volatile = sum(1 for f in fields.values() if f.get("volatile"))
            state = "reviewed" if not open_ else f"{len(open_)} of {len(fields)} fields UNREVIEWED"
            lines.append(f"  {name}  ({entry.get('count')} captured, {volatile} volatile fields)  {state}")
    return "\n".join(lines)


def apply_review(
    folder: str | Path,
    *,
    confirm: Sequence[str] = (),
    assign: Sequence[str] = (),
    schemas: Sequence[str] = (),
    all_fields: bool = False,
) -> list[str]:
    """Record the person's decisions in ``pin.json``; returns what changed, one line each."""
    root = Path(folder)
    pin = _load(root)
    review = pin.setdefault("identity_review", {})
    done: list[str] = []
    for item in assign:
        key, sep, value = item.partition("=")
        if not sep or key not in IDENTITY_KEYS or not value.strip():
            raise HarnessError(f"--set {item!r}: want uid=PATH, cid=PATH or event=PATH[,PATH...]")
        new: str | list[str] = [p.strip() for p in value.split(",") if p.strip()] if key == "event" else value.strip()
        pin.setdefault("identity", {})[key] = new
        review.setdefault(key, {}).update(proposed=new, confirmed=True, evidence="set by the reviewer")
        done.append(f"identity {key} set to {json.dumps(new)} and confirmed")
    if "calls" in confirm or "identity" in confirm:
        for call, entry in (pin.get("calls_review") or {}).items():
            if not entry.get("confirmed"):
                entry["confirmed"] = True
                done.append(f"call {call} sends {json.dumps((pin.get('calls') or {}).get(call))}: confirmed")
    wanted = [k for c in confirm if c != "calls" for k in (IDENTITY_KEYS if c == "identity" else (c,))]
    for key in wanted:
        if key not in IDENTITY_KEYS:
            raise HarnessError(f"--confirm {key!r}: want identity, uid, cid, event or calls")
        value = pin.get("identity", {}).get(key)
        if not value:
            raise HarnessError(f"identity {key} has no proposal to confirm; give it with --set {key}=PATH")
        if not review.get(key, {}).get("confirmed"):
            review.setdefault(key, {})["confirmed"] = True
            done.append(f"identity {key} = {json.dumps(value)} confirmed")
    names = {name for kind in ("endpoints", "events") for name in pin.get(kind, {})}
    unknown = [s for s in schemas if s not in names]
    if unknown:
        raise HarnessError(f"--confirm-schema {unknown[0]!r}: no such endpoint or event in {root / 'pin.json'}")
    for kind in ("endpoints", "events"):
        for name, entry in pin.get(kind, {}).items():
            if not (all_fields or name in schemas):
                continue
            fresh = [f for f in entry.get("fields", {}).values() if not f.get("confirmed")]
            for f in fresh:
                f["confirmed"] = True
            if fresh:
                done.append(f"{kind[:-1]} {name}: {len(fresh)} fields confirmed")
    (root / "pin.json").write_text(json.dumps(pin, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return done
