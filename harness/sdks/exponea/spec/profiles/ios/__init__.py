"""Profile ``exponea-ios``: what the Exponea iOS SDK 4.0.1 (or 4.0.0, 3.11.0) sends for a stimulus trace.

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

Versions: ``IosProfile(version=...)`` models 4.0.1 (the default), 4.0.0 (the same code but for a
CocoaPods compile fix) and 3.11.0 (the SDK under Flutter plugin 2.5.0). 3.11.0 is modelled as a
delta of 4.0.1, each difference behind one gate of :class:`state.Gates`. Sources in
exponea/exponea-ios-sdk at the tags, ``SDK/`` = ``ExponeaSDK/ExponeaSDK/``, ``SHR/`` =
``ExponeaSDK/ExponeaSDKShared/`` (the researcher's notes: ``notes/ios-3.11.0-delta.md``):

- D1 ``sdk_version`` is ``Exponea.version``: ``"3.11.0"`` at ``SHR/Classes/Exponea.swift:12@3.11.0``,
  ``"4.0.1"`` at ``:12@4.0.1``; it goes out through ``DeviceProperties.swift:50`` (same at both).
- D2 ``stopIntegration()`` in 3.11.0 (``SDK/Classes/ExponeaInternal.swift:610-632@3.11.0``) sets
  ``isStopped`` first, then ``clearUserData`` wipes the queue: no ``session_end``, no ``Invalidated``
  ``notification_state``, no flush, queued rows deleted unsent. 4.0.1 tracks both and flushes
  first (``:656-701@4.0.1``).
- D3 HTTP answers (``SHR/Classes/Repository/RequestFactory.swift:201-221@3.11.0`` vs
  ``:380-427@4.0.1``): 3.11.0's switch has ``400, 405..<500``, 401, 404 and ``500...``, so 402 *and
  403* fall into ``default`` (success, the row is deleted after one attempt); 4.0.1 adds a 403
  case (retries +1), 402 is a success in both.
- D4 Authorization: 3.11.0 stores each row's project authorization when it is tracked
  (``SDK/Classes/Database/DatabaseManager.swift:325-327, 384-386@3.11.0``) and sends it, falling back
  to the current one only for ``.none`` (``SDK/Classes/Models/Core Data/TrackEvent.swift:113-133@3.11.0``):
  a mapped project's rows carry its own key (ios#71), rows queued before ``anonymize`` into another
  project or before a relaunch with a new key keep the old key (ios#59, ios#4). 4.0.1 sends the
  current main project's on every row (``SDK/Classes/Flushing/FlushingManager.swift:340-356@4.0.1``).
- D6 the stream integration (``streamId``, ``/track/u/v1``, JWT, the 401/403 re-send, the empty
  update deletion) is 4.0.0+ (``SHR/Classes/ExponeaSettings+Integration.swift`` is new in 4.0.0;
  ``SHR/Classes/Configuration.swift:164-170@3.11.0`` requires ``projectToken``): a 3.11.0 trace that
  configures ``streamId`` is a ``SpecError`` (the run is an error, not a pass); scenarios that need
  it say ``sdk_versions: {ios: ">=4.0.0"}`` and are skipped.
- D8 API surface: every canonical call maps onto a 3.11.0 API (``identifyCustomer(customerIds:)``,
  ``anonymize(exponeaProject:projectMapping:)``, ``stopIntegration()``; ``SDK/Classes/ExponeaType.swift@3.11.0``);
  the 4.0-only calls (``setSdkAuthToken``, ``stopIntegration(completion:)``...) are not in the
  vocabulary. ``flushData``'s completion count (all rows in 3.11.0) is not on the wire.
- D5, the auth gate with an ``ExponeaAuthProvider`` and authorization ``.none``
  (``SDK/Classes/ExponeaInternal+Tracking.swift:25@3.11.0`` vs
  ``SHR/Classes/Configuration+StreamIntegration.swift:79-87@4.0.1``), cannot be reached: the
  canonical configuration has no ``advancedAuthEnabled``, and without it both versions refuse the
  public calls alike (ios#74).

Modules (the same shape as ``exponea_android``): ``state`` (constants, stored state, the
configuration), ``base`` (identity, storing rows, timers, dispatch), ``flushing`` (one POST per
row, answers, retries, flush modes), ``sessions`` (and campaign data), ``push`` (token,
delivered/clicked; ``push_payload`` reads the payloads), ``identity`` (identify, anonymize, stop,
clear), ``events`` (custom events, payments, campaign clicks), ``model`` (the app's life and
``configure``).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.sdks.exponea.headers import HeaderRules
from harness.sdks.exponea.spec.profiles.ios.model import Model
from harness.sdks.exponea.spec.profiles.ios.state import DEFAULT_VERSION, gates_for
from harness.spec.expectation import Expectations
from harness.spec.trace import Stimulus

__all__ = ["IosProfile"]


class IosProfile:
    """The executable model of the Exponea iOS SDK."""

    name = "exponea-ios"
    platform = "ios"

    def __init__(self, version: str = DEFAULT_VERSION) -> None:
        self.gates = gates_for(version)  # a version it does not model is a SpecError
        self.sdk_version = version

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        model = Model(self.gates)
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
