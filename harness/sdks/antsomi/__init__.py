"""Antsomi CDP365 (Flutter ``antsomisdk``): identity rules over a pinned wire shape, and a STAND-IN SDK.

Antsomi publishes no source or wire format for its mobile SDKs (research other-sdks.md Part B). The
profile (``spec/``) is the generic identity rules layer (``harness.spec.identity``) over the fields of
the pinned profile in ``spec/pinned/``, learned from recordings of the stand-in and reviewed
(``python -m harness.sdks.antsomi.relearn``), or of the folder ``HARNESS_ANTSOMI_PIN`` names; every run
is also held to that pin's schemas. The reference SDK (``virtual/``) is a STAND-IN written
independently from research B2/B3/B5 that sends the historical V3 iOS shape (B4); it proves the flow
here, not the real SDK's wire, which must be learned from a real app (``harness learn``).
"""

from __future__ import annotations

from harness.sdk.base import Sdk

__all__ = ["SDK"]

SDK = Sdk(
    name="antsomi",
    title="Antsomi CDP365 (STAND-IN reference SDK, wire learned by capture)",
    versions={"android": ("1.0.0", "1.1.0")},
    routes="harness.sdks.antsomi.routes:ROUTES",
    route_aliases={"events": "antsomi-event"},
    decoder="harness.sdks.antsomi.wire:decode",
    calls="harness.sdks.antsomi.calls:SDK_CALLS",
    connect="harness.sdks.antsomi.connect:connect",
    profiles={"android": "harness.sdks.antsomi.spec.profile:AntsomiProfile"},
    checklists={"android": "harness.sdks.antsomi.spec:checklists/android.json"},
    # the checklist is the Flutter plugin's (research B5): antsomi-flutter#N (antsomi-android#N still accepted)
    checklist_names={"android": "flutter"},
    volatile=frozenset({"sid"}),  # the session start (seconds); the UUID uid is already shape-compared
    reference={"android": "harness.sdks.antsomi.virtual.android:AntsomiStandIn"},
    faults="harness.sdks.antsomi.virtual.faults",
    # jvm:android: the generic Flutter agent drives the plugin mirror, which forwards to the stand-in
    agents={"android": {"flutter": ("_java", "_flutter", "antsomi_flutter_android", "_okhttp_capture")}},
    agent_package="harness.sdks.antsomi",
    testbed="harness.sdks.antsomi.testbed",
)
