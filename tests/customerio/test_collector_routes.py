"""The Customer.io routes on a real collector on loopback: answers, gzip text/plain bodies, masked secrets."""

from __future__ import annotations

import base64
import gzip
import json

import httpx

from harness.capture.export import export
from harness.sdks.customerio.routes import SETTINGS

KEY = "cdp-secret-key"


def _batch(events: list[dict]) -> bytes:
    return json.dumps({"batch": events, "sentAt": "2024-05-01T10:00:00.000Z", "writeKey": KEY}).encode()


def test_a_gzipped_text_plain_batch_is_normal_traffic_on_the_segment_route(live_collector):
    headers = {"content-type": "text/plain", "content-encoding": "gzip", "user-agent": "analytics-kotlin/1.24.1"}
    body = gzip.compress(_batch([{"type": "track", "event": "E"}]))
    r = httpx.post(live_collector.device_url("d") + "/v1/b", content=body, headers=headers)
    assert r.status_code == 200 and r.json() == {"success": True}
    (stored,) = live_collector.store.query()
    assert stored.kind == "tracking" and stored.problems == ()
    assert json.loads(stored.body)["batch"][0]["event"] == "E"


def test_text_plain_that_is_not_json_is_still_flagged_on_the_segment_route(live_collector):
    r = httpx.post(live_collector.url + "/v1/b", content=b'{"batch": ', headers={"content-type": "text/plain"})
    assert r.status_code == 200
    (stored,) = live_collector.store.query()
    assert any("malformed JSON" in p for p in stored.problems)


def test_text_plain_json_stays_a_problem_where_no_route_declares_it(live_collector):
    httpx.post(
        live_collector.url + "/track/v2/projects/t/customers", content=b"{}", headers={"content-type": "text/plain"}
    )
    (stored,) = live_collector.store.query()
    assert "JSON body with content-type text/plain" in stored.problems


def test_settings_and_single_event_routes_answer_like_the_api(live_collector):
    settings = httpx.get(live_collector.device_url("d") + f"/v1/projects/{KEY}/settings")
    assert settings.status_code == 200 and settings.content == SETTINGS
    doc = settings.json()
    assert "Customer.io Data Pipelines" in doc["integrations"] and doc["metrics"] == {}
    assert "apiHost" not in doc["integrations"]["Customer.io Data Pipelines"]  # would move uploads away
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    for route in ("track", "identify", "screen", "batch"):
        r = httpx.post(
            live_collector.device_url("d") + f"/v1/{route}", json={"event": "x"}, headers={"authorization": auth}
        )
        assert r.status_code == 200 and r.json() == {"success": True}


def test_exports_mask_the_write_key_in_the_body_and_the_basic_key(live_collector):
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    httpx.post(
        live_collector.url + "/v1/b", content=_batch([{"type": "track"}]), headers={"content-type": "text/plain"}
    )
    httpx.post(live_collector.url + "/v1/track", json={"event": "x"}, headers={"authorization": auth})
    requests = live_collector.store.query()
    for fmt in ("jsonl", "har"):
        text = export(requests, fmt)
        assert KEY not in text and base64.b64encode(f"{KEY}:".encode()).decode() not in text
        assert "****" in text
    assert KEY in export(requests, "jsonl", mask_authorization=False)
    line = json.loads(export(requests, "jsonl").splitlines()[0])
    assert json.loads(line["body"])["writeKey"] == "****" and json.loads(line["body"])["batch"] == [{"type": "track"}]
