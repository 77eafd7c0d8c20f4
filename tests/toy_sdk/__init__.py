"""A tiny SDK plug-in, registered only through the ``harness.sdks`` entry point (test_toy_sdk.py).

It is the template for a new vendor: one route, a decoder, one call ``track`` with an argument
schema, a one-rule profile, a reference SDK that POSTs JSON (with an ISO-8601 timestamp) and one
seeded fault. No generic module of the harness knows it exists.
"""

from harness.sdk.base import Sdk

SDK = Sdk(
    name="toy",
    title="Toy SDK (test template)",
    versions={"android": ("1.0.0",)},
    routes="tests.toy_sdk.routes:ROUTES",
    route_aliases={"track": "toy-track"},  # respond: {route: track, ...}
    decoder="tests.toy_sdk.wire:decode",
    calls="tests.toy_sdk.calls:CALLS",
    connect="tests.toy_sdk.calls:connect",
    profiles={"android": "tests.toy_sdk.spec:ToyProfile"},
    checklists={"android": "tests.toy_sdk:checklist.json"},
    reference={"android": "tests.toy_sdk.virtual:ToySdk"},
    faults="tests.toy_sdk.faults",
    volatile=frozenset({"timestamp"}),
)
