"""JSON as the Android SDK's Gson writes it.

What differs from Python's ``json``: numbers are Java doubles printed by ``Double.toString`` (so
``5`` is ``5.0`` and ``1712345678.123`` is ``1.712345678123E9``), map entries whose value is null are
left out, there are no spaces, and HTML characters are not escaped (``disableHtmlEscaping``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "java_double"]


def java_double(value: float) -> str:
    """``Double.toString(value)``: plain between 1e-3 and 1e7, else ``d.dddE±n``; shortest digits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    a = abs(value)
    dec = Decimal(repr(a))
    if 1e-3 <= a < 1e7:
        text = format(dec, "f")
        if "." not in text:
            text += ".0"
        int_part, _, frac = text.partition(".")
        frac = frac.rstrip("0") or "0"
        return f"{sign}{int_part}.{frac}"
    t = dec.normalize().as_tuple()
    digits = "".join(map(str, t.digits))
    exponent = len(digits) - 1 + int(t.exponent)
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{exponent}"


def dumps(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return json.dumps(java_double(f))  # Gson writes non-finite doubles as strings
        return java_double(f)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        parts = [f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items() if v is not None]
        return "{" + ",".join(parts) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot serialize {type(value).__name__}")
