"""Profile ``exponea-ios``: what the Exponea iOS SDK 4.0.1 sends for a stimulus trace.

Written from ``research/ios-sdk-spec.md``; each expectation names the checklist ids (``ios#N``) it
checks. Where iOS differs from Android the model follows the iOS code:

- every tracked row is stored per target project and sent by a flush, one POST per row, all
  started at once: there is no arrival order (``Expectations(ordered=False)``, ios §7);
- ``customer_ids`` and the Authorization header are resolved when the row is *flushed*, not when it
  is tracked (ios §5.2, §2.2), so an event tracked before ``identifyCustomer`` carries the new ids
  if it was still queued;
- in ``.immediate`` mode a flush runs 3 s after each stored row (ios#3) and ``identifyCustomer``
  flushes at once (ios#21); ``Expected.not_before`` holds the earliest host time a delayed flush may
  arrive;
- retries follow the collector's answers (``respond`` stimuli): 4xx (but 402, which the SDK's
  status switch counts as success; the research says otherwise) and decodable-JSON 5xx cost one
  of ``maxTries`` (5) attempts, a 5xx with another body and connection errors cost nothing, stream
  401/403 are re-sent once (ios §2.4);
- the cookie and ``device_id`` are upper-case UUIDs; ``authorization`` is absent for ``.none`` and in
  stream mode (no JWT is settable through the canonical calls);
- ``notification_state`` is the only token transport and comes with an empty customer update, which
  stream mode deletes unsent (ios §3.5, §8).

State is split like the SDK's: :class:`state.Persisted` is Core Data and UserDefaults (it survives a
kill), the rest lives in the process. Timers (the 3 s flush, the background work item, the periodic
flush) run on the device clock and fire before the stimulus that comes after them; at the end of
the trace the pending 3 s flushes fire, because the runner settles.

Doc drift (the model follows the code, research §9): ``notification_state.platform`` is ``"ios"``,
not ``"iOS"``; no automatic in-app purchase tracking (ios#23); ``anonymize()`` does not flush in
project mode; a second manual ``trackSessionStart()`` inside the timeout is ignored; ``trackPushToken(nil)``
is a no-op, not a delete; the session timeout's documented 5-180 s bounds are not enforced;
``trackCampaignClick``'s ``timestamp`` is ignored.

Read where the research is not explicit (and the reference SDK agrees): an APNs token handed to the
app before ``configure`` is lost (the app delegate calls into a PushNotificationManager that does not
exist yet), while SDK calls made before ``configure`` are queued (ExpoInitManager); a clicked push
without an action-button index keeps ``cta: "notification"``.

Not modelled (scenarios should not rely on it): the APNs re-registration callback on a cold launch
(only ``push_token`` steps register a token), app-version changes, JWT/stream auth, in-app messages,
content blocks and app inbox, the notification service extension, ``share`` answer rules.

Modules (the same shape as ``exponea_android``): ``state`` (constants, stored state, the
configuration), ``base`` (identity, storing rows, timers, dispatch), ``flushing`` (one POST per
row, answers, retries, flush modes), ``sessions`` (and campaign data), ``push`` (token,
delivered/clicked; ``push_payload`` reads the payloads), ``identity`` (identify, anonymize, stop,
clear), ``events`` (custom events, payments, campaign clicks), ``model`` (the app's life and
``configure``).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.spec.expectation import Expectations
from harness.spec.headers import HeaderRules
from harness.spec.profiles.exponea_ios.model import Model
from harness.spec.profiles.exponea_ios.state import SDK_VERSION
from harness.spec.trace import Stimulus

__all__ = ["IosProfile"]


class IosProfile:
    """The executable model of the Exponea iOS SDK."""

    name = "exponea-ios"
    platform = "ios"
    sdk_version = SDK_VERSION

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        model = Model()
        # The main project's authorization after each configured step: what the SDK's own calls
        # (bundle, in-app messages...) carry; stream mode has none but a JWT (ios §2.2).
        api_auth: set[str | None] = set()
        for stimulus in trace:
            model.apply(stimulus)
            if model.configured:
                api_auth.add(None if model.cfg().main.stream else model.cfg().authorization)
        model.finish(trace[-1] if trace else None)
        model.out.header_rules = HeaderRules("ios", frozenset(api_auth))
        return model.out
