"""Bloomreach Engagement (Exponea): the Android SDK 4.10.0, the iOS SDK 4.0.1 and 3.11.0, the Flutter plugin.

Everything the harness knows about this vendor is reached through :data:`SDK` (registered in
``pyproject.toml`` under ``[project.entry-points."harness.sdks"]``); the parts are imported only when
used, so the profile and the reference SDK never load each other.
"""

from __future__ import annotations

from harness.sdk.base import Sdk

__all__ = ["SDK"]

SDK = Sdk(
    name="exponea",
    title="Bloomreach Engagement (Exponea)",
    # iOS 3.11.0: the version the Flutter plugin 2.5.0 embeds (ios/exponea.podspec; flutter-sdk-bridge.md)
    versions={"android": ("4.10.0",), "ios": ("3.11.0", "4.0.1")},
    routes="harness.capture.routes:ROUTES",
    decoder="harness.wire.exponea:decode",
    calls="harness.instrument.calls:SDK_CALLS",
    connect="harness.sdks.exponea.connect:connect",
    profiles={
        "android": "harness.spec.profiles.exponea_android:AndroidProfile",
        "ios": "harness.spec.profiles.exponea_ios:IosProfile",
    },
    checklists={"android": "harness.spec:checklists/android.json", "ios": "harness.spec:checklists/ios.json"},
    schemas={
        "android": "harness.spec:schemas/exponea-android.json",
        "ios": "harness.spec:schemas/exponea-ios.json",
    },
    headers="harness.spec.headers:rules_for",
    volatile=frozenset({"timestamp", "cookie", "device_id", "time", "received_at", "session_id"}),
    reference={"android": "harness.virtual.android.sdk:AndroidSdk", "ios": "harness.virtual.ios.sdk:IosSdk"},
    faults="harness.virtual.faults",
    agents={
        "android": {
            "native": ("_java", "exponea_android", "_okhttp_capture"),
            "flutter": ("_java", "exponea_flutter_android", "_okhttp_capture"),
        },
        "ios": {"native": ("exponea_ios", "_nsurlsession_capture"), "flutter": ("exponea_ios", "_nsurlsession_capture")},
    },
    agent_package="harness.instrument",
    testbed="harness.devices.jvm_testbed",
    commands={"customers/events": "events", "customers": "customers", "campaigns/clicks": "campaign_clicks"},
    facade="harness.instrument.facade:ExponeaSdk",
    bridge="harness.instrument.flutter_plugin:bridge",
    default=True,
)
