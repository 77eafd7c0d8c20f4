"""JSON as the iOS SDK puts it on the wire: ``JSONSerialization.data(withJSONObject:options:[])``.

What differs from Python's ``json``: no spaces; ``/`` is escaped as ``\\/`` (no
``.withoutEscapingSlashes`` option in ``RequestFactory``); integers stay integers and a Double
prints as NSNumber prints it, shortest round-trip digits without a trailing ``.0`` (``5.0`` → ``5``,
``1712345678.123`` → ``1712345678.123``). Before serializing, the SDK removes nils and NaN/±Inf
(``Sequence+RemoveInfinity``, research ios §2.3): :func:`clean` does that.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["clean", "dumps", "swift_double"]


def swift_double(value: float) -> str:
    """How NSJSONSerialization writes a finite Double."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, _, exp = text.partition("e")
        sign = "-" if exp.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exp.lstrip('+-').zfill(2)}"
    return text


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("/", "\\/")


def dumps(value: Any) -> str:
    """Serialize; raises ``ValueError`` on NaN/Inf exactly as JSONSerialization throws on them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("Invalid number value (NaN or infinity) in JSON write")
        return swift_double(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_string(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot serialize {type(value).__name__}")


def clean(value: Any) -> Any:
    """Drop nulls and non-finite numbers from maps and arrays, recursively."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items() if _keep(v)}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value if _keep(v)]
    return value


def _keep(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))
