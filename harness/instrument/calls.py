"""The canonical SDK call vocabulary (``docs/sdk-calls.md``), as data.

Scenarios, the typed facade and every agent use these names and argument names; the loader uses
this table to reject a misspelled call or argument with the scenario's line number.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SDK_CALLS", "CallSpec"]


@dataclass(frozen=True)
class CallSpec:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


_PUSH_DATA = ("data", "timestamp")
_CLICK = ("data", "actionData", "timestamp")

SDK_CALLS: dict[str, CallSpec] = {
    "init": CallSpec(optional=("configuration",)),
    "trackEvent": CallSpec(required=("eventType",), optional=("properties", "timestamp")),
    "identifyCustomer": CallSpec(required=("customerIds",), optional=("properties",)),
    "anonymize": CallSpec(optional=("exponeaProject", "projectRouteMap")),
    "trackSessionStart": CallSpec(optional=("timestamp",)),
    "trackSessionEnd": CallSpec(optional=("timestamp",)),
    "trackPushToken": CallSpec(required=("token",)),
    "trackHmsPushToken": CallSpec(required=("token",)),
    "handleNewToken": CallSpec(required=("token",)),
    "handleNewHmsToken": CallSpec(required=("token",)),
    "trackDeliveredPush": CallSpec(optional=_PUSH_DATA),
    "trackDeliveredPushWithoutTrackingConsent": CallSpec(optional=_PUSH_DATA),
    "trackClickedPush": CallSpec(optional=_CLICK),
    "trackClickedPushWithoutTrackingConsent": CallSpec(optional=_CLICK),
    "trackPaymentEvent": CallSpec(required=("purchasedItem",), optional=("timestamp",)),
    "handleCampaignIntent": CallSpec(required=("url",)),
    "handleRemoteMessage": CallSpec(required=("messageData",), optional=("showNotification",)),
    "flushData": CallSpec(),
    "setFlushMode": CallSpec(required=("mode",)),
    "setFlushPeriod": CallSpec(required=("seconds",)),
    "setDefaultProperties": CallSpec(required=("properties",)),
    "setSessionTimeout": CallSpec(required=("seconds",)),
    "setAutomaticSessionTracking": CallSpec(required=("enabled",)),
    "stopIntegration": CallSpec(),
    "clearLocalCustomerData": CallSpec(),
    "getCustomerCookie": CallSpec(),
    "isInitialized": CallSpec(),
}
