"""Leaf fields of decoded payloads, and which of them hold values that are generated (volatile).

A field is named by its dotted path (``context.device.id``); ``[]`` stands for every item of a list
(``items[].sku``). A value is volatile when it looks generated (a UUID, an ISO-8601 date, an epoch
timestamp in seconds or milliseconds), counts up within an install, or differs between two recordings
of the same scenario: such values are not compared, only their type is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["leaves", "looks_like_time", "looks_like_uuid", "volatile_kind"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")


def looks_like_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value) or _HEX.match(value))


def looks_like_time(value: Any) -> bool:
    """An ISO-8601 date and time (a generated value, never a name)."""
    return isinstance(value, str) and bool(_ISO.match(value))


def _is_epoch(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return 1e9 <= value < 1e10 or 1e12 <= value < 1e13  # 2001..2286 in seconds or in milliseconds


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, value)`` of every scalar inside ``value`` (an empty object or list is a leaf too)."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value:
        for v in value:
            yield from leaves(v, f"{prefix}[]")
    else:
        yield prefix, value


def _counts_up(per_session: Sequence[Sequence[Any]]) -> bool:
    """Integers that go up by one, event after event, within an install (sequence numbers)."""
    seen = False
    for values in per_session:
        if len(values) < 3:
            continue
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return False
        if any(b - a != 1 for a, b in itertools.pairwise(values)):
            return False
        seen = True
    return seen


def volatile_kind(per_session: Mapping[int, Sequence[Any]], pairs: Sequence[tuple[int, int]]) -> str | None:
    """``uuid``, ``timestamp``, ``counter``, ``varies`` (differs between recordings of the same scenario:
    ``pairs`` of session indexes), or None for a value that stays put."""
    values = [v for vs in per_session.values() for v in vs if v is not None]
    if not values:
        return None
    if all(looks_like_uuid(v) for v in values):
        return "uuid"
    if all(_is_epoch(v) or (isinstance(v, str) and _ISO.match(v)) for v in values):
        return "timestamp"
    if _counts_up(list(per_session.values())):
        return "counter"
    for a, b in pairs:
        if (
            a in per_session
            and b in per_session
            and sorted(map(repr, per_session[a])) != sorted(map(repr, per_session[b]))
        ):
            return "varies"
    return None
