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
    versions={"android": ("4.10.0",), "ios": ("3.11.0", "4.0.0", "4.0.1")},
    routes="harness.sdks.exponea.routes:ROUTES",
    # the short names scenarios' respond steps use (docs/scenarios.md) -> route names in routes.py
    route_aliases={
        "events": "track-events",
        "customers": "track-customers",
        "campaigns": "track-campaign-clicks",
        "batch": "track-batch",
    },
    decoder="harness.sdks.exponea.wire:decode",
    calls="harness.sdks.exponea.calls:SDK_CALLS",
    connect="harness.sdks.exponea.connect:connect",
    profiles={
        "android": "harness.sdks.exponea.spec.profiles.android:AndroidProfile",
        "ios": "harness.sdks.exponea.spec.profiles.ios:IosProfile",
    },
    checklists={
        "android": "harness.sdks.exponea.spec:checklists/android.json",
        "ios": "harness.sdks.exponea.spec:checklists/ios.json",
    },
    schemas={
        "android": "harness.sdks.exponea.spec:schemas/exponea-android.json",
        "ios": "harness.sdks.exponea.spec:schemas/exponea-ios.json",
    },
    headers="harness.sdks.exponea.headers:rules_for",
    volatile=frozenset({"timestamp", "cookie", "device_id", "time", "received_at", "session_id"}),
    reference={
        "android": "harness.sdks.exponea.virtual.android.sdk:AndroidSdk",
        "ios": "harness.sdks.exponea.virtual.ios.sdk:IosSdk",
    },
    faults="harness.sdks.exponea.virtual.faults",
    agents={
        "android": {
            "native": ("_java", "exponea_android", "_okhttp_capture"),
            "flutter": ("_java", "_flutter", "exponea_flutter_android", "_okhttp_capture"),
        },
        "ios": {
            "native": ("exponea_ios", "_nsurlsession_capture"),
            "flutter": ("exponea_ios", "_nsurlsession_capture"),
        },
    },
    agent_package="harness.sdks.exponea",
    testbed="harness.sdks.exponea.testbed",
    commands={"customers/events": "events", "customers": "customers", "campaigns/clicks": "campaign_clicks"},
    facade="harness.sdks.exponea.facade:ExponeaSdk",
    bridge="harness.sdks.exponea.flutter_plugin:bridge",
    default=True,
)
