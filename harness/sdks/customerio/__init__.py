"""Customer.io (Data Pipelines): the Android SDK 4.19.0 (``io.customer.sdk.CustomerIO``).

The v4 SDK is a layer over Segment's analytics-kotlin 1.24.1: events travel in Segment batches
(``POST {apiHost}/b``, gzip, ``text/plain``), plus a Basic-auth ``POST {apiHost}/track`` for background
push delivery (research other-sdks.md Part A; A6 wins over A1-A5). Everything the harness knows about
this vendor is reached through :data:`SDK` (registered in ``pyproject.toml`` under
``[project.entry-points."harness.sdks"]``); the profile (``spec/``) and the reference SDK (``virtual/``)
never import each other.
"""

from __future__ import annotations

from harness.sdk.base import Sdk

__all__ = ["SDK"]

SDK = Sdk(
    name="customerio",
    title="Customer.io (Data Pipelines)",
    versions={"android": ("4.19.0",)},
    routes="harness.sdks.customerio.routes:ROUTES",
    decoder="harness.sdks.customerio.wire:decode",
    calls="harness.sdks.customerio.calls:SDK_CALLS",
    connect="harness.sdks.customerio.connect:connect",
    profiles={"android": "harness.sdks.customerio.spec.profiles.android:CustomerIoAndroidProfile"},
    checklists={"android": "harness.sdks.customerio.spec:checklists/android.json"},
    schemas={"android": "harness.sdks.customerio.spec:schemas/customerio-android.json"},
    headers="harness.sdks.customerio.headers:rules_for",
    # what differs between two runs of the same scenario: ids and times the SDK generates
    volatile=frozenset({"messageId", "timestamp", "sentAt", "anonymousId", "originalTimestamp", "instanceId", "id"}),
    reference={"android": "harness.sdks.customerio.virtual.android:CustomerIoAndroid"},
    faults="harness.sdks.customerio.virtual.faults",
    agents={
        "android": {
            "native": ("_java", "customerio_segment", "customerio_android", "_okhttp_capture"),
            "flutter": ("_java", "_flutter", "customerio_segment", "customerio_flutter_android", "_okhttp_capture"),
        }
    },
    agent_package="harness.sdks.customerio",
    testbed="harness.sdks.customerio.testbed",
    commands={},
    facade="harness.sdks.customerio.facade:CustomerIoSdk",
    bridge="harness.sdks.customerio.flutter_plugin:bridge",
)
