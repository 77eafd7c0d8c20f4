"""The Antsomi call vocabulary: the Flutter ``antsomisdk`` API (research other-sdks.md B2).

``removeCustomer`` is the name the source documents use; the native method under every wrapper is
``resetCustomer`` (B2), so both are accepted and mean the same.
"""

from __future__ import annotations

from typing import Any

from harness.sdk.calls import CallSpec

__all__ = ["SDK_CALLS"]

_S: dict[str, Any] = {"type": "string"}
_O: dict[str, Any] = {"type": "object"}
_L: dict[str, Any] = {"type": "array", "items": {"type": "object"}}

SDK_CALLS: dict[str, CallSpec] = {
    "config": CallSpec(
        required=("portalId", "propsId"),
        optional=("appGroupId", "applicationId", "url"),
        types={"portalId": _S, "propsId": _S, "appGroupId": _S, "applicationId": _S, "url": _S},
    ),
    "setCustomerProperties": CallSpec(
        required=("customerId",), optional=("customerProperties",), types={"customerId": _S, "customerProperties": _O}
    ),
    "resetCustomer": CallSpec(),
    "removeCustomer": CallSpec(),
    "getUid": CallSpec(),
    "setUid": CallSpec(required=("uid",), types={"uid": _S}),
    "resetUid": CallSpec(),
    "track": CallSpec(
        required=("en",),
        optional=("eventProps", "items", "customerProps", "userProps", "objectProps"),
        types={"en": _S, "eventProps": _O, "items": _L, "customerProps": _O, "userProps": _O, "objectProps": _O},
    ),
    "trackScreen": CallSpec(
        required=("name",), optional=("title", "type"), types={"name": _S, "title": _S, "type": _S}
    ),
    "getCustomerId": CallSpec(),
    "getPortalId": CallSpec(),
    "getPropsId": CallSpec(),
}
