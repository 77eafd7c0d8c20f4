"""Profile ``exponea-android``: what the Exponea Android SDK 4.10.0 sends for a stimulus trace.

Written from ``research/android-sdk-spec.md``; the checklist ids it enforces are named on each
expectation. The model keeps the SDK's state the way the research describes it: what survives a
kill (the persisted queue, cookie, ids, device id, install flag, session prefs, the push-token
store, the stored configuration and campaign) and what does not (initialized/stopped, the flush
mode, the pre-init queue). A flush pass turns stored events into expected requests, replaying the
collector's ``respond`` rules to decide what is retried or dropped; what is still stored at the end
of the trace is not expected.

Modules: ``state`` (constants, stored state), ``base`` (``processTrack`` and routing),
``flushing`` (passes, answers, retries, flush modes, WorkManager jobs), ``sessions``, ``push``
(tokens, delivered/clicked), ``identity`` (identify, anonymize, stop, clear), ``events``
(custom events, payments, campaign clicks), ``model`` (the app's life and ``init``).

Doc drift against the seed documents (the model follows the shipped code, as the research does):

- there is no ``Exponea.configure``, and ``anonymize`` has no ``advancedAuthToken`` (android §1.1);
- ``identifyCustomer`` takes no timestamp (§1.2);
- ``trackEvent`` with a null timestamp sends no ``timestamp`` key; the docs say "now" (§9.3);
- the push token is the ``notification_state`` event (since 4.6.0), not the customer property
  ``google_push_notification_id`` the older docs show (§8);
- ``anonymize`` no longer sends blank token customer properties; it invalidates the token with a
  ``notification_state`` for the old customer (§5);
- events carry ``timestamp``, not ``age`` (since 4.6.0, §2.3);
- the token frequency ``DAILY`` with a new token on the same day sends only the invalidation of the
  old token (§8), which no document mentions.

Known limits: ``respond`` rules with ``share`` are random and rejected; an SDK-less push or campaign
(before ``init`` in a later process) is modelled with the stored configuration and the process's
flush mode; the app version is assumed constant (so its change rule, android#30, is exercised
through ``applicationId``).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.sdks.exponea.headers import HeaderRules
from harness.sdks.exponea.spec.profiles.android.model import Model
from harness.sdks.exponea.spec.profiles.android.state import SDK_VERSION
from harness.spec.expectation import Expectations
from harness.spec.trace import Stimulus

__all__ = ["AndroidProfile"]


class AndroidProfile:
    """The executable model of the Exponea Android SDK."""

    name = "exponea-android"
    platform = "android"
    sdk_version = SDK_VERSION

    def __init__(self, version: str | None = None) -> None:
        """``version``: the SDK version to model; this profile models 4.10.0 only (the registry picks it)."""
        if version is not None and version != SDK_VERSION:
            raise ValueError(f"the Android profile models {SDK_VERSION}, not {version}")

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        model = Model()
        # The main project's authorization after each step while initialized: what the SDK's own
        # calls (bundle, in-app messages...) carry, verbatim, or no header for none (android §2.2).
        api_auth: set[str | None] = set()
        for stimulus in trace:
            model.apply(stimulus)
            if model.initialized:
                auth = model.config.get("authorization")
                api_auth.add(None if auth is None else str(auth))
        if trace:
            model.run_due_timers(trace[-1].device_time)
        model.out.header_rules = HeaderRules("android", frozenset(api_auth))
        return model.out
