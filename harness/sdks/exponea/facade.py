"""A typed Python face of the SDK: one method per SDK call, over any ``SdkTransport``.

There is no attribute magic: each method names its arguments, so a reader and mypy see the API.
Underneath, every method is one ``transport.call(name, args)`` (wire format: ``docs/sdk-calls.md``).
Arguments left as ``UNSET`` are not sent, so the SDK applies its own default (``timestamp`` = now);
``None`` is sent as null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from harness.instrument.transport import CallResult, SdkTransport

__all__ = ["UNSET", "ExponeaSdk"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


class ExponeaSdk:
    """Call the Exponea SDK inside the app.

    Example::

        sdk = ExponeaSdk(device.sdk)
        sdk.init({"projectToken": "t", "authorization": "Token k", "baseURL": url})
        sdk.track_event("purchase", {"price": 9.5})
    """

    def __init__(self, transport: SdkTransport, timeout: float = 10.0) -> None:
        self._transport = transport
        self.timeout = timeout
        self.last: CallResult | None = None

    def _call(self, method: str, **args: Any) -> Any:
        self.last = self._transport.call(method, {k: v for k, v in args.items() if v is not UNSET}, self.timeout)
        return self.last.value

    def init(self, configuration: Mapping[str, Any]) -> None:
        self._call("init", configuration=dict(configuration))

    def track_event(
        self, event_type: str, properties: Mapping[str, Any] | None = None, timestamp: float | _Unset | None = UNSET
    ) -> None:
        self._call("trackEvent", eventType=event_type, properties=dict(properties or {}), timestamp=timestamp)

    def identify_customer(
        self, customer_ids: Mapping[str, str | None], properties: Mapping[str, Any] | None = None
    ) -> None:
        self._call("identifyCustomer", customerIds=dict(customer_ids), properties=dict(properties or {}))

    def anonymize(
        self, exponea_project: Mapping[str, Any] | None = None, project_route_map: Mapping[str, Any] | None = None
    ) -> None:
        self._call("anonymize", exponeaProject=exponea_project, projectRouteMap=project_route_map)

    def track_session_start(self, timestamp: float | _Unset = UNSET) -> None:
        self._call("trackSessionStart", timestamp=timestamp)

    def track_session_end(self, timestamp: float | _Unset = UNSET) -> None:
        self._call("trackSessionEnd", timestamp=timestamp)

    def track_push_token(self, token: str) -> None:
        self._call("trackPushToken", token=token)

    def handle_new_token(self, token: str) -> None:
        self._call("handleNewToken", token=token)

    def track_payment_event(self, purchased_item: Mapping[str, Any], timestamp: float | _Unset = UNSET) -> None:
        self._call("trackPaymentEvent", purchasedItem=dict(purchased_item), timestamp=timestamp)

    def flush_data(self) -> None:
        self._call("flushData")

    def set_flush_mode(self, mode: str) -> None:
        self._call("setFlushMode", mode=mode)

    def set_default_properties(self, properties: Mapping[str, Any]) -> None:
        self._call("setDefaultProperties", properties=dict(properties))

    def stop_integration(self) -> None:
        self._call("stopIntegration")

    def clear_local_customer_data(self) -> None:
        self._call("clearLocalCustomerData")

    def customer_cookie(self) -> str | None:
        value = self._call("getCustomerCookie")
        return None if value is None else str(value)

    def is_initialized(self) -> bool:
        return bool(self._call("isInitialized"))
