"""Every canonical call family of docs/sdk-calls.md, through both Android agents (native SDK API and
Flutter plugin channel) on the test bed, against the real virtual app.

For each call the test reads the test bed's RPC trace: the canonical call must reach the reference
SDK with the canonical arguments the research says the real SDK would be given (for Flutter: after
the plugin's own conversions, flutter-sdk-bridge.md §3), and the reference SDK must accept it (no
error reply). A few calls are followed to the collector, to show the HTTP the SDK then sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Bed, attach

from harness.capture.server import CollectorServer
from harness.instrument.frida_transport import FridaSdkTransport

NATIVE, FLUTTER = "exponea_android", "exponea_flutter_android"
ITEM = {"value": 9.99, "currency": "EUR", "paymentSystem": "gp", "productId": "p1", "productTitle": "Book"}
DATA = {
    "attributes": {"campaign_name": "spring"},
    "campaignData": {"source": "push", "payload": "cmp-1"},
    "consentCategoryTracking": "marketing",
    "hasTrackingConsent": True,
}


class Agent:
    """One agent attached to its own test bed, with the SDK initialised against a collector."""

    def __init__(self, name: str, bed: Bed, sdk: FridaSdkTransport, collector: CollectorServer, key: str) -> None:
        self.name, self.bed, self.sdk, self.collector, self.key = name, bed, sdk, collector, key

    def call(self, method: str, args: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Run one canonical call; the SDK calls that reached the virtual app, each accepted by it."""
        mark = self.bed.mark()
        self.sdk.call(method, args, timeout=20)
        exchanges = self.bed.rpc_since(mark)
        errors = [x for x in exchanges if "error" in x["reply"]]
        assert not errors, errors
        return self.bed.sdk_calls(mark)

    def one(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """The params of the one ``sdk.<method>`` this canonical call caused."""
        sent = [params for name, params in self.call(method, args) if name == method]
        assert len(sent) == 1, (method, self.bed.sdk_calls())
        return sent[0]


@pytest.fixture(scope="module", params=[NATIVE, FLUTTER])
def agent(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    tmp = tmp_path_factory.mktemp(request.param)
    with CollectorServer(Path(tmp) / "capture.sqlite") as collector:
        bed = Bed(tmp)
        session = attach(bed, request.param)
        sdk = FridaSdkTransport(session)
        key = f"families-{request.param}"
        config = {"projectToken": "tok-1", "authorization": "Token key-1", "baseURL": collector.device_url(key)}
        sdk.call("init", {"configuration": config}, timeout=30)
        try:
            yield Agent(request.param, bed, sdk, collector, key)
        finally:
            session.stop()
            bed.stop()


def test_init_reaches_the_sdk_with_the_configuration(agent):
    [(_, params)] = [c for c in agent.bed.sdk_calls() if c[0] == "init"]
    config = params["configuration"]
    assert config["projectToken"] == "tok-1" and config["authorization"] == "Token key-1"
    assert config["baseURL"] == agent.collector.device_url(agent.key)
    assert agent.sdk.call("isInitialized", {}).value is True
    cookie = agent.sdk.call("getCustomerCookie", {}).value
    assert isinstance(cookie, str) and len(cookie) == 36


@pytest.mark.parametrize("method", ["trackPushToken", "trackHmsPushToken", "handleNewToken", "handleNewHmsToken"])
def test_push_tokens(agent, method):
    assert agent.one(method, {"token": f"tok-{method}"}) == {"token": f"tok-{method}"}
    if method.startswith("handle"):
        assert agent.bed.last_trace(method)["context"] == "android.app.Application"


@pytest.mark.parametrize("method", ["trackDeliveredPush", "trackDeliveredPushWithoutTrackingConsent"])
def test_delivered_push_with_notification_data(agent, method):
    sent = agent.one(method, {"data": DATA, "timestamp": 100})
    assert sent == {"data": DATA, "timestamp": 100.0}
    types = agent.bed.last_trace(method)
    assert types["data"]["@"] == "com.exponea.sdk.models.NotificationData"
    assert types["data"]["campaignData"]["@"] == "com.exponea.sdk.models.CampaignData"
    sent = agent.one(method, {"data": DATA})
    # Native: the Kotlin default (now) is left to the SDK; Flutter: the plugin passes receivedSeconds ?: now.
    assert ("timestamp" in sent) == (agent.name == FLUTTER)


@pytest.mark.parametrize("method", ["trackClickedPush", "trackClickedPushWithoutTrackingConsent"])
def test_clicked_push_with_notification_action(agent, method):
    action = {"actionType": "button", "actionName": "Buy", "url": "https://shop.example/x"}
    sent = agent.one(method, {"data": DATA, "actionData": action, "timestamp": 5})
    assert sent == {"data": DATA, "actionData": action, "timestamp": 5.0}
    assert agent.bed.last_trace(method)["actionData"]["@"] == "com.exponea.sdk.models.NotificationAction"


def test_payment_reaches_the_sdk_and_the_collector(agent):
    assert agent.one("trackPaymentEvent", {"purchasedItem": ITEM, "timestamp": 50}) == {
        "purchasedItem": ITEM,
        "timestamp": 50.0,
    }
    types = agent.bed.last_trace("trackPaymentEvent")
    assert types["purchasedItem"]["@"] == "com.exponea.sdk.models.PurchasedItem"
    assert types["purchasedItem"]["value"] == "java.lang.Double"
    agent.collector.store.wait_for(
        lambda rs: any('"payment"' in r.body and '"brutto":9.99' in r.body for r in rs), 20, device=agent.key
    )


def test_campaign_intent_is_an_action_view_intent(agent):
    url = "https://shop.example/landing?utm_source=news&xnpe_cmp=abc"
    sent = agent.one("handleCampaignIntent", {"url": url})
    assert sent == {"url": url}
    assert agent.bed.last_trace("handleCampaignIntent")["intent"] == "android.content.Intent"


def test_remote_message_with_notification_manager(agent):
    message = {"source": "xnpe_platform", "title": "Hi", "message": "there"}
    assert agent.one("handleRemoteMessage", {"messageData": message}) == {
        "messageData": message,
        "showNotification": True,
    }
    types = agent.bed.last_trace("handleRemoteMessage")
    assert types["manager"] == "android.app.NotificationManager"
    assert types["messageData"] == {"@": "java.util.HashMap", "source": "java.lang.String", "title": "java.lang.String",
                                    "message": "java.lang.String"}  # fmt: skip
    sent = agent.one("handleRemoteMessage", {"messageData": message, "showNotification": False})
    assert sent["showNotification"] is False


def test_anonymize_with_project_and_route_map(agent):
    project = {
        "baseUrl": agent.collector.device_url(agent.key),
        "projectToken": "tok-2",
        "authorization": "Token key-2",
    }
    assert agent.one("anonymize", {"exponeaProject": project}) == {"exponeaProject": project}
    both = agent.one("anonymize", {"exponeaProject": project, "projectRouteMap": {"TRACK_EVENT": [project]}})
    assert both == {"exponeaProject": project, "projectRouteMap": {"TRACK_EVENT": [project]}}
    types = agent.bed.last_trace("anonymize")
    assert types["exponeaProject"]["@"] == "com.exponea.sdk.models.ExponeaProject"
    assert types["projectRouteMap"]["@key"] == "com.exponea.sdk.models.EventType"


def test_flush_mode_period_and_flush(agent):
    assert agent.one("setFlushMode", {"mode": "PERIOD"}) == {"mode": "PERIOD"}
    assert agent.one("setFlushPeriod", {"seconds": 120}) == {"seconds": 120.0}
    assert agent.bed.last_trace("setFlushPeriod")["period"] == "com.exponea.sdk.models.FlushPeriod"
    assert agent.one("setFlushMode", {"mode": "MANUAL"}) == {"mode": "MANUAL"}
    assert agent.one("flushData", {}) == {}
    assert agent.one("setFlushMode", {"mode": "IMMEDIATE"}) == {"mode": "IMMEDIATE"}


def test_session_settings_and_manual_sessions(agent):
    assert agent.one("setSessionTimeout", {"seconds": 30}) == {"seconds": 30.0}
    assert agent.bed.last_trace("setSessionTimeout")["seconds"] == "java.lang.Double"
    assert agent.one("setAutomaticSessionTracking", {"enabled": False}) == {"enabled": False}
    assert agent.one("trackSessionStart", {"timestamp": 7}) == {"timestamp": 7.0}
    assert agent.one("trackSessionEnd", {}) == {}
    assert agent.one("setAutomaticSessionTracking", {"enabled": True}) == {"enabled": True}


def test_events_customers_and_default_properties(agent):
    assert agent.one("setDefaultProperties", {"properties": {"k": 1}}) == {"properties": {"k": 1.0}}
    sent = agent.one("trackEvent", {"eventType": "view", "properties": {"n": 1.5}})
    # The Flutter plugin hands Exponea.trackEvent an explicit null timestamp (§3 trackEvent).
    assert sent == {
        "eventType": "view",
        "properties": {"n": 1.5},
        **({"timestamp": None} if agent.name == FLUTTER else {}),
    }
    ids = {"customerIds": {"registered": "r@example.com"}, "properties": {"plan": "gold"}}
    assert agent.one("identifyCustomer", ids) == ids
    agent.collector.store.wait_for(lambda rs: any('"view"' in r.body for r in rs), 20, device=agent.key)


@pytest.mark.parametrize("agent_name", [NATIVE, FLUTTER])
def test_stop_integration_then_clear_local_customer_data(tmp_path, agent_name):
    bed = Bed(tmp_path)
    session = attach(bed, agent_name)
    try:
        one = Agent(agent_name, bed, FridaSdkTransport(session), None, "")  # type: ignore[arg-type]
        one.call(
            "init",
            {
                "configuration": {
                    "projectToken": "tok-1",
                    "authorization": "Token k",
                    "baseURL": "http://127.0.0.1:9/d/stop",
                }
            },
        )
        assert one.one("stopIntegration", {}) == {}
        assert one.sdk.call("isInitialized", {}).value is False
        assert one.one("clearLocalCustomerData", {}) == {}
    finally:
        session.stop()
        bed.stop()
