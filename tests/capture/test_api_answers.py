"""The collector answers as the real Engagement API does: per route, in the shapes the real clients parse.

The shapes are those of the real SDKs' response models and of the public API client exponea-python-sdk
(sources in ``harness/capture/routes.py``); the last tests drive that client itself against the collector.
"""

import json

import httpx
import pytest

from harness.capture.routing import match_route
from harness.sdks.exponea.routes import attributes_answer, batch_answer, time_answer

T = "/track/v2/projects/tok"


def _answer(method, path, body=""):
    route = match_route(method, path)
    return json.loads(route.answer(body) if route.answer is not None else route.body)


def test_batch_answers_one_result_per_command_in_order():
    commands = [
        {"name": "customers/events", "data": {"customer_ids": {"registered": "a"}, "event_type": "purchase"}},
        {"name": "customers", "command_id": "abc", "data": {"customer_ids": {"registered": "a"}, "properties": {}}},
        {"name": "system/time"},
    ]
    doc = json.loads(batch_answer(json.dumps({"commands": commands})))
    assert doc["success"] is True
    assert [r["success"] for r in doc["results"]] == [True, True, True]
    assert doc["results"][1]["command_id"] == "abc"  # "returned in response" (public docs)
    assert isinstance(doc["results"][2]["time"], float)
    assert "time" not in doc["results"][0] and "time" not in doc["results"][1]
    assert doc["start_time"] <= doc["end_time"]


def test_malformed_batch_commands_get_an_error_result_in_their_place_and_the_rest_run():
    commands = [
        "not an object",
        {"name": "customers/events", "data": {"customer_ids": {"registered": "a"}}},  # no event_type
        {"name": "no/such/command", "data": {}},
        {"name": "customers", "command_id": "x"},  # no data
        {"name": "customers/events", "data": {"customer_ids": {"registered": "a"}, "event_type": "e"}},
    ]
    doc = json.loads(batch_answer(json.dumps({"commands": commands})))
    results = doc["results"]
    assert [r["success"] for r in results] == [False, False, False, False, True]
    assert results[1]["errors"] == ["Field 'event_type' is required."]
    assert "no/such/command" in results[2]["errors"][0]
    assert results[3]["command_id"] == "x" and results[3]["errors"] == ["Field 'data' is required."]
    assert all(r["errors"] for r in results[:4]) and "errors" not in results[4]


@pytest.mark.parametrize("body", ["", "not json", "[]", '{"commands": []}', '{"commands": "x"}'])
def test_a_batch_without_commands_is_refused_as_a_whole(body):
    doc = json.loads(batch_answer(body))
    assert doc["success"] is False and doc["errors"]


def test_customer_attributes_answer_one_result_per_attribute():
    attributes = [{"type": "recommendation", "id": "r"}, {"type": "consent", "category": "c"}, {"type": "property"}, 7]
    doc = json.loads(attributes_answer(json.dumps({"customer_ids": {"registered": "a"}, "attributes": attributes})))
    assert doc["success"] is True
    assert doc["results"][:3] == [
        {"success": True, "value": []},  # iOS/Android need a non-null value for a recommendation
        {"success": True, "value": False},
        {"success": True, "value": None},
    ]
    assert doc["results"][3]["success"] is False and doc["results"][3]["error"]


def test_system_time_carries_the_time():
    doc = json.loads(time_answer())
    assert doc["success"] is True and isinstance(doc["time"], float) and doc["errors"] == []


@pytest.mark.parametrize(
    ("method", "path", "shape"),
    [
        ("POST", f"{T}/customers/events", {"success": True, "errors": list}),
        ("POST", f"{T}/customers", {"success": True, "errors": list}),
        ("POST", f"{T}/campaigns/clicks", {"success": True, "errors": list}),
        ("POST", "/webxp/s/tok/inappmessages", {"success": True, "data": list}),
        ("GET", "/wxstatic/projects/tok/bundle-android.json", {"success": True, "in_app_content_blocks": list}),
        ("GET", "/wxstatic/projects/tok/bundle-ios.json", {"success": True, "in_app_content_blocks": list}),
        ("POST", "/webxp/s/tok/inappcontentblocks", {"success": True, "data": list}),
        ("POST", "/webxp/projects/tok/appinbox/fetch", {"success": True, "messages": list, "sync_token": str}),
        ("POST", "/webxp/projects/tok/appinbox/markasread", {"success": True}),
        ("POST", "/data/v2/projects/tok/consent/categories", {"success": True, "results": list}),
        ("POST", "/webxp/projects/tok/cookies/c/link-ids", {"success": True}),
        ("POST", "/campaigns/send-self-check-notification", {"success": True}),
        ("POST", "/track/u/v1/customers/events", {"success": True}),
    ],
)
def test_each_route_answers_in_the_shape_its_clients_parse(method, path, shape):
    doc = _answer(method, path)
    for key, want in shape.items():
        if isinstance(want, type):
            assert isinstance(doc[key], want), (key, doc)
        else:
            assert doc[key] == want, (key, doc)


def test_segments_answer_a_bare_map_of_categories():
    # Android parses the whole body as Map<String, List<Map<String, String>>>: an envelope would fail the fetch
    doc = _answer("GET", "/webxp/projects/tok/segments")
    assert doc and all(isinstance(v, list) for v in doc.values()) and "success" not in doc


# -- on loopback, through both of the collector's paths


@pytest.fixture(params=["fast path", "asgi path"])
def collector(request, live_collector):
    if request.param == "asgi path":  # any answer rule sends every request through the ASGI app
        live_collector.rules.add("push-self-check", status=500)
    return live_collector


def test_batch_answer_on_loopback_is_sent_and_stored(collector):
    commands = [{"name": "system/time"}, {"name": "customers", "data": {"customer_ids": {"registered": "a"}}}]
    r = httpx.post(collector.device_url("p") + f"{T}/batch", json={"commands": commands})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert [set(x) for x in doc["results"]] == [{"success", "time"}, {"success"}]
    (stored,) = collector.store.query(device="p")
    assert stored.kind == "tracking" and stored.response_status == 200
    assert stored.response_body == r.text  # the answer depends on the request: the store keeps it


def test_system_time_on_loopback(collector):
    r = httpx.get(collector.url + f"{T}/system/time")
    assert r.status_code == 200 and isinstance(r.json()["time"], float)
    (stored,) = collector.store.query()
    assert stored.response_body == r.text


# -- a real client of the public API: exponea-python-sdk (dev extra)


@pytest.fixture
def exponea(live_collector):
    sdk = pytest.importorskip("exponea_python_sdk")
    return sdk.Exponea("tok", username="key", password="secret", url=live_collector.device_url("py"))


def test_exponea_python_sdk_accepts_the_batch_and_single_event_answers(exponea, live_collector):
    results = exponea.tracking.batch_commands(
        [
            exponea.tracking.add_event({"registered": "a"}, "purchase", {"price": 9.5}, 1712345678, batch=True),
            exponea.tracking.update_customer_properties({"registered": "a"}, {"first_name": "A"}, batch=True),
            exponea.tracking.get_system_time(batch=True),
        ]
    )
    assert results[:2] == [True, True] and isinstance(results[2], float) and len(results) == 3
    assert exponea.tracking.add_event({"registered": "a"}, "view", {"item": 1}, 1712345679) is True
    assert exponea.tracking.update_customer_properties({"registered": "a"}, {"x": 1}) is True
    assert isinstance(exponea.tracking.get_system_time(), float)
    stored = live_collector.store.query(device="py")
    assert [(s.method, s.path, s.response_status) for s in stored] == [
        ("POST", f"{T}/batch", 200),
        ("POST", f"{T}/customers/events", 200),
        ("POST", f"{T}/customers", 200),
        ("GET", f"{T}/system/time", 200),
    ]
    names = [c["name"] for c in json.loads(stored[0].body)["commands"]]
    assert names == ["customers/events", "customers", "system/time"]
    assert stored[1].json_body()["event_type"] == "view" and stored[1].headers["authorization"].startswith("Basic ")


def test_exponea_python_sdk_reads_consents_and_attributes(exponea):
    assert exponea.customer.get_customer_consents({"registered": "a"}, ["newsletter", "sms"]) == {
        "newsletter": False,
        "sms": False,
    }
    attributes = exponea.customer.get_customer_attributes({"registered": "a"}, properties=["email"], ids=["cookie"])
    assert attributes == {"properties": {"email": None}, "ids": {"cookie": None}}
