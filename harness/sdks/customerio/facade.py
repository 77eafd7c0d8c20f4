"""A typed Python face of the Customer.io SDK: one method per canonical call, over any ``SdkTransport``.

Each method is one ``transport.call(name, args)`` with the argument keys of ``calls.py``
(CIO_CONTRACT.md); an optional map left as None is not sent, so the SDK applies its own default
(``emptyMap()``, DataPipelineInstance.kt's @JvmOverloads).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from harness.instrument.transport import CallResult, SdkTransport

__all__ = ["CustomerIoSdk", "MetricEvent"]

MetricEvent = Literal["delivered", "opened", "converted", "clicked"]


class CustomerIoSdk:
    """Call the Customer.io SDK inside the app.

    Example::

        sdk = CustomerIoSdk(device.sdk)
        sdk.init({"cdpApiKey": "k", "apiHost": "127.0.0.1:8080/d/x/v1", "scheme": "http"})
        sdk.track("purchase", {"price": 9.5})
        sdk.flush()
    """

    def __init__(self, transport: SdkTransport, timeout: float = 10.0) -> None:
        self._transport = transport
        self.timeout = timeout
        self.last: CallResult | None = None

    def _call(self, method: str, **args: Any) -> Any:
        self.last = self._transport.call(method, {k: v for k, v in args.items() if v is not None}, self.timeout)
        return self.last.value

    def init(self, configuration: Mapping[str, Any]) -> None:
        self._call("init", configuration=dict(configuration))

    def identify(self, user_id: str, traits: Mapping[str, Any] | None = None) -> None:
        self._call("identify", userId=user_id, traits=None if traits is None else dict(traits))

    def track(self, name: str, properties: Mapping[str, Any] | None = None) -> None:
        self._call("track", name=name, properties=None if properties is None else dict(properties))

    def screen(self, title: str, properties: Mapping[str, Any] | None = None) -> None:
        self._call("screen", title=title, properties=None if properties is None else dict(properties))

    def clear_identify(self) -> None:
        self._call("clearIdentify")

    def set_profile_attributes(self, attributes: Mapping[str, Any]) -> None:
        self._call("setProfileAttributes", attributes=dict(attributes))

    def set_device_attributes(self, attributes: Mapping[str, Any]) -> None:
        self._call("setDeviceAttributes", attributes=dict(attributes))

    def register_device_token(self, token: str) -> None:
        self._call("registerDeviceToken", token=token)

    def delete_device_token(self) -> None:
        self._call("deleteDeviceToken")

    def track_metric(self, delivery_id: str, device_token: str, event: MetricEvent) -> None:
        self._call("trackMetric", deliveryId=delivery_id, deviceToken=device_token, event=event)

    def flush(self) -> None:
        """The internal Segment Analytics flush (the SDK has no public one)."""
        self._call("flush")
