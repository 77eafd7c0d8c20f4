"""Every step a scenario may hold, in one table: the SDK calls and the app, phone and harness steps.

The SDK calls come from the scenario's SDK plug-in (``Sdk.calls``); the other steps are defined here,
each with the JSON Schema of its argument and how it becomes a trace entry. The loader validates each
step against this table (one clear ``file:line`` message per problem), the runner dispatches on the
``kind`` it assigns, and ``schema.json`` (for editors and other tools) is generated from it:
``python -m harness.scenario.vocabulary > harness/scenario/schema.json``; a test keeps them equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.capture.routing import route_aliases, route_names
from harness.sdk.calls import CallSpec
from harness.sdk.registry import all_sdks, default_sdk, get_sdk

__all__ = [
    "EXPECT_NOTHING_SCHEMA",
    "EXPECT_SCHEMA",
    "STEPS",
    "StepSpec",
    "calls_of",
    "scenario_schema",
    "step_names",
    "steps_for",
]

Schema = dict[str, Any]
Build = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class StepSpec:
    """One step name: the trace ``kind``/``name`` it records, its argument schema, how args are built.

    ``schema`` None: the step takes no argument (written bare, ``- launch``); ``bare``: it may be
    written bare although it takes one (``- settle`` or ``- settle: 5``).
    """

    kind: str
    name: str
    schema: Schema | None = None
    bare: bool = False
    build: Build | None = None

    def args(self, value: Any) -> dict[str, Any]:
        if self.build is not None:
            return self.build(value)
        return dict(value or {})


_RESPOND: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["route"],
    "properties": {
        "route": {"type": "string"},  # the enum of the scenario's SDK: respond_schema()
        "method": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "body": {},
        "action": {"enum": ["answer", "delay", "reset", "hang"]},
        "delay": {"type": "number", "minimum": 0},
        "times": {"type": "integer", "minimum": 1},
        "nth": {"type": "integer", "minimum": 1},
        "share": {"type": "number", "minimum": 0, "maximum": 1},
        "seconds": {"type": "number", "minimum": 0},
    },
}
_PAYLOAD: Schema = {"type": "object"}
_WITHIN: Schema = {"type": "number", "exclusiveMinimum": 0}

# expect: an event or a request the app must send from the previous step on (docs/scenarios.md)
EXPECT_SCHEMA: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "event": {"type": ["string", "null"]},
        "properties": {"type": "object"},
        "request": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "method": {"type": "string", "pattern": "^[A-Za-z]+$"},
                "path": {"type": "string", "pattern": "^/"},
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                "body": {"type": "object"},
            },
        },
        "within": _WITHIN,
    },
    "oneOf": [{"required": ["event"]}, {"required": ["request"]}],
    "dependentSchemas": {"properties": {"required": ["event"]}},
}
# expect_nothing: no request at all from the app in a window of device time, or until a later step
EXPECT_NOTHING_SCHEMA: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"seconds": _WITHIN, "until": {"type": "string", "minLength": 1}},
    "oneOf": [{"required": ["seconds"]}, {"required": ["until"]}],
}


def _app(name: str) -> StepSpec:
    return StepSpec("app", name)


STEPS: dict[str, StepSpec] = {
    **{name: _app(name) for name in ("launch", "kill", "relaunch", "background", "foreground", "install")},
    "settle": StepSpec(
        "sync",
        "settle",
        {"type": "number", "minimum": 0},
        bare=True,
        build=lambda v: {} if v is None else {"timeout": float(v)},
    ),
    "wait": StepSpec("env", "advance_clock", {"type": "number", "minimum": 0}, build=lambda v: {"seconds": float(v)}),
    "network": StepSpec(
        "env", "set_network", {"enum": ["online", "offline"]}, build=lambda v: {"online": v == "online"}
    ),
    "push_permission": StepSpec(
        "env", "set_push_permission", {"enum": ["granted", "denied"]}, build=lambda v: {"granted": v == "granted"}
    ),
    "push_token": StepSpec("env", "new_push_token", {"type": "string", "minLength": 1}, build=lambda v: {"token": v}),
    "deliver_push": StepSpec(
        "env",
        "deliver_push",
        {"type": "object", "required": ["payload"], "additionalProperties": False, "properties": {"payload": _PAYLOAD}},
        build=lambda v: {"payload": dict(v["payload"])},
    ),
    "click_push": StepSpec(
        "env",
        "click_push",
        {
            "type": "object",
            "required": ["payload"],
            "additionalProperties": False,
            "properties": {"payload": _PAYLOAD, "action": {"type": ["object", "null"]}},
        },
        build=lambda v: {"payload": dict(v["payload"]), "action": dict(v.get("action") or {})},
    ),
    "respond": StepSpec("collector", "respond", _RESPOND),
    "expect": StepSpec("expect", "expect", EXPECT_SCHEMA),
    "expect_nothing": StepSpec("expect", "expect_nothing", EXPECT_NOTHING_SCHEMA),
}


def calls_of(sdk: str | None = None) -> dict[str, CallSpec]:
    """The call vocabulary of ``sdk`` (None: the default SDK)."""
    entry = get_sdk(sdk)
    return dict(entry.load(entry.calls))


def respond_schema(sdks: list[str]) -> Schema:
    """The ``respond`` step's schema for scenarios of ``sdks``: ``route`` is one of their short route names
    (``Sdk.route_aliases``), ``any``, or one of their route names (their route tables, as the collector
    knows them)."""
    routes: list[str] = []
    for name in sdks:
        routes += [*route_aliases(name), "any", *route_names(name)]
    properties = {**_RESPOND["properties"], "route": {"enum": list(dict.fromkeys(routes))}}
    return {**_RESPOND, "properties": properties}


def steps_for(sdk: str | None = None) -> dict[str, StepSpec]:
    """Every step a scenario of ``sdk`` may hold: the generic steps and the SDK's calls."""
    calls = {
        name: StepSpec("call", name, spec.schema, bare=spec.bare, build=lambda v: dict(v or {}))
        for name, spec in calls_of(sdk).items()
    }
    respond = StepSpec("collector", "respond", respond_schema([get_sdk(sdk).name]))
    return {**STEPS, "respond": respond, **calls}


def step_names(sdk: str | None = None) -> list[str]:
    """Every step name, for "did you mean" suggestions."""
    return sorted(steps_for(sdk))


def scenario_schema() -> Schema:
    """The whole scenario file as JSON Schema (what ``schema.json`` holds)."""
    steps = dict(steps_for(default_sdk().name))
    others: dict[str, list[Schema]] = {}
    for sdk in all_sdks():  # a call two SDKs share (``init``) takes either SDK's arguments here; the loader
        for name, spec in steps_for(sdk.name).items():  # checks each scenario against its own SDK's
            if name not in steps:
                steps[name] = spec
            elif spec.schema is not None and spec.schema != steps[name].schema:
                others.setdefault(name, []).append(spec.schema)
    # respond: the routes of every SDK (the default SDK's first)
    names = sorted((s.name for s in all_sdks()), key=lambda n: n != default_sdk().name)
    steps["respond"] = StepSpec("collector", "respond", respond_schema(names))
    bare = sorted(name for name, spec in steps.items() if spec.schema is None or spec.bare)
    with_args = {name: spec.schema for name, spec in steps.items() if spec.schema is not None}
    for name, schemas in others.items():
        with_args[name] = {"anyOf": [with_args[name], *schemas]} if name in with_args else {"anyOf": schemas}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "harness scenario",
        "description": "generated by python -m harness.scenario.vocabulary; do not edit by hand",
        "type": "object",
        "required": ["id", "covers", "platforms", "steps"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "sdk": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "covers": {
                "type": "array",
                "items": {"type": "string", "pattern": "^([a-z][a-z0-9_]*-)?(android|ios)#[0-9]+$"},
            },
            "platforms": {"type": "array", "minItems": 1, "items": {"enum": ["android", "ios"]}},
            "fresh_install": {"type": "boolean"},
            # a PEP 440 version specifier (">=4.0.0") for every platform's SDK, or one per platform
            "sdk_versions": {
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {
                        "type": "object",
                        "minProperties": 1,
                        "propertyNames": {"enum": ["android", "ios"]},
                        "additionalProperties": {"type": "string", "minLength": 1},
                    },
                ]
            },
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
        },
        "$defs": {
            "step": {
                "oneOf": [
                    {"enum": bare},
                    {
                        "type": "object",
                        "minProperties": 1,
                        "maxProperties": 1,
                        "additionalProperties": False,
                        "properties": with_args,
                    },
                ]
            }
        },
    }


def schema_text() -> str:
    return json.dumps(scenario_schema(), indent=2) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
