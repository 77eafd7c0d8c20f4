"""A call of an SDK's vocabulary: its argument names and each argument's JSON Schema.

Every SDK plug-in lists its calls as ``name -> CallSpec`` (``Sdk.calls``); the scenario loader
validates each call step against its schema at load time, with the scenario's line number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallSpec", "Schema"]

Schema = dict[str, Any]


@dataclass(frozen=True)
class CallSpec:
    """One SDK call: its argument names and each argument's JSON Schema.

    A call with no required argument may be written as a bare step (``- flushData``).
    """

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    types: Mapping[str, Schema] = field(default_factory=dict)

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)

    @property
    def bare(self) -> bool:
        """May be written without arguments."""
        return not self.required

    @property
    def schema(self) -> Schema:
        """The JSON Schema of the call's argument object (null: no arguments, where allowed)."""
        names = self.required + self.optional
        schema: Schema = {
            "type": ["object", "null"] if self.bare else "object",
            "additionalProperties": False,
            "properties": {name: dict(self.types.get(name, {})) for name in names},
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema
