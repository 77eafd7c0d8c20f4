"""A test-only registration of the Customer.io reference SDK, used while the vendor's own entry
(``harness/sdks/customerio/__init__.py``, written by another branch) is not installed.

It carries only what the virtual device and the collector need to run the reference SDK: routes
that answer the Segment/Customer.io paths 200 (so uploads succeed unless an answer rule says
otherwise), a decoder that keeps each request as one observation, an empty call vocabulary and a
profile that expects nothing. The tests assert the wire from the research themselves.
"""

import re

from harness.capture.record import RequestKind
from harness.sdk.base import Sdk
from harness.wire.observation import Observation

ROUTES = [
    ("cio-batch", "POST", re.compile(r"^/v1/b$"), RequestKind.TRACKING, 200, b"{}"),
    ("cio-track", "POST", re.compile(r"^/v1/track$"), RequestKind.TRACKING, 200, b"{}"),
    (
        "cio-settings",
        "GET",
        re.compile(r"^/v1/projects/[^/]+/settings$"),
        RequestKind.TRACKING,
        200,
        b'{"integrations":{"Customer.io Data Pipelines":{}},"plan":{},"edgeFunction":{}}',
    ),
]


def decode(request):
    return [
        Observation(
            request.id,
            "other",
            request.method,
            request.path,
            None,
            None,
            request.headers,
            None,
            received_at=request.received_at,
            device=request.device,
            endpoint="unknown",
        )
    ]


class NoProfile:
    name = "customerio-android"
    platform = "android"
    sdk_version = "4.19.0"

    def __init__(self, version=None):
        self.version = version


SDK = Sdk(
    name="customerio",
    title="Customer.io (reference SDK tests)",
    versions={"android": ("4.19.0",)},
    routes="tests.sdks.customerio.plugin:ROUTES",
    decoder="tests.sdks.customerio.plugin:decode",
    calls="tests.sdks.customerio.plugin:CALLS",
    profiles={"android": "tests.sdks.customerio.plugin:NoProfile"},
    reference={"android": "harness.sdks.customerio.virtual.android:CustomerIoAndroid"},
    faults="harness.sdks.customerio.virtual.faults",
)
CALLS: dict = {}
