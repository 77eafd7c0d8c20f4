"""What the learner reads: bodies in any format, and bad input refused in one line (exit 2)."""

import gzip
import json

from harness.capture.record import CapturedRequest
from harness.learn.infer import learn
from harness.learn.sources import load_sessions
from harness.wire.payload import decode_payload, endpoint_of, event_name, units_of
from tests.test_cli_bad_input import harness, one_line_error


def _req(method="POST", path="/track", body="", raw=b"", headers=None):
    return CapturedRequest(method, path, headers or {}, body, 0.0, raw_body=raw)


def test_bodies_are_decoded_whatever_their_format():
    event = {"uid": "3f0c8a53-1b7e-4a57-9f43-0e1c2b3a4d5e", "ec": "shop", "ea": "buy"}
    assert decode_payload(_req(body=json.dumps(event))) == event
    zipped = gzip.compress(json.dumps(event).encode())
    assert decode_payload(_req(raw=zipped, headers={"content-encoding": "gzip"})) == event
    form = "uid=abc&dims=%7B%22customers%22%3A%7B%22customer_id%22%3A%22C1%22%7D%7D"
    assert decode_payload(_req(body=form)) == {"uid": "abc", "dims": {"customers": {"customer_id": "C1"}}}
    assert decode_payload(_req("GET", "/e?ec=shop&ea=buy")) == {"ec": "shop", "ea": "buy"}
    assert decode_payload(_req("GET", "/ping")) is None


def test_a_batch_is_split_into_events_and_an_envelope():
    payload = {"batch": [{"type": "track"}, {"type": "identify"}], "sentAt": "2026-01-01T00:00:00Z"}
    envelope, units, split = units_of(payload)
    assert split and envelope == {"batch": [], "sentAt": "2026-01-01T00:00:00Z"}
    assert units == [(0, {"type": "track"}), (1, {"type": "identify"})]
    single = {"event_type": "x", "properties": {"items": [{"sku": "A"}]}}
    assert units_of(single) == (single, [(None, single)], False)
    assert event_name({"ec": "shop", "ea": "buy"}, ["ec", "ea"]) == "shop/buy"
    assert event_name({"type": "identify"}, ["type", "event"]) == "identify"
    assert endpoint_of(_req(path="/v1/p/3f0c8a53-1b7e-4a57-9f43-0e1c2b3a4d5e/e/12?x=1")) == "POST /v1/p/{id}/e/{id}"


def test_without_a_scenario_trace_the_cid_is_asked_for(tmp_path):
    """A capture recorded by hand has no identify call to match: no CID is guessed, and the person
    cannot confirm an empty proposal, only set one."""
    capture = tmp_path / "capture.jsonl"
    rows = []
    for n, (uid, cid) in enumerate(
        [("3f0c8a53-1b7e-4a57-9f43-0e1c2b3a4d5e", "C1")] * 3 + [("9a0c8a53-1b7e-4a57-9f43-0e1c2b3a4d5e", "C2")] * 3
    ):
        body = {"uid": uid, "dims": {"customers": {"customer_id": cid}}, "ec": "shop", "ea": ["buy", "view"][n % 2]}
        rows.append({"method": "POST", "path": "/event", "headers": {}, "body": json.dumps(body), "device": uid[:2]})
    capture.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pin = learn(load_sessions([capture]), tmp_path / "pin")
    assert pin["identity"]["uid"] == "uid" and pin["identity"]["cid"] is None
    assert "name the CID field" in pin["identity_review"]["cid"]["evidence"]
    one_line_error(harness("learn", "--review", str(tmp_path / "pin"), "--confirm", "cid"), "cid has no proposal")
    ok = harness("learn", "--review", str(tmp_path / "pin"), "--set", "cid=dims.customers.customer_id")
    assert ok.returncode == 0 and "identity cid set to" in ok.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    one_line_error(harness("learn", str(tmp_path / "nope"), "--out", str(tmp_path / "p")), "no such file or folder")
    (tmp_path / "empty").mkdir()
    one_line_error(harness("learn", str(tmp_path / "empty"), "--out", str(tmp_path / "p")), "not a recorded run")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"method": "POST"}\n')
    one_line_error(harness("learn", str(bad), "--out", str(tmp_path / "p")), f"{bad}:1", "not a captured request")
    one_line_error(harness("learn", str(bad)), "--out DIR")
    good = tmp_path / "good.jsonl"
    good.write_text('{"method": "POST", "path": "/e", "headers": {}, "body": "{\\"a\\": 1}"}\n')
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    one_line_error(harness("learn", str(good), "--out", str(tmp_path / "full")), "not empty", "--force")
    one_line_error(harness("learn", str(good), "--out", str(tmp_path / "p"), "--sdk", "my sdk"), "'my sdk'")
    one_line_error(harness("learn", "--review", str(tmp_path / "empty")), "no pin.json")
    one_line_error(harness("check", "--pin", str(tmp_path / "nope"), str(good)), "no such folder")
    one_line_error(harness("check", "--pin", str(tmp_path / "empty"), str(good)), "pin.json", "missing")
    one_line_error(harness("check", str(good)), "--profile NAME", "--pin DIR")
    assert harness("learn", str(good), "--out", str(tmp_path / "p")).returncode == 0
    one_line_error(harness("learn", "--review", str(tmp_path / "p"), "--confirm", "uuid"), "'uuid'")
    one_line_error(harness("learn", "--review", str(tmp_path / "p"), "--confirm-schema", "GET /x"), "'GET /x'")
    pin = json.loads((tmp_path / "p" / "pin.json").read_text())
    (tmp_path / "p" / "pin.json").write_text(json.dumps({**pin, "format": 2}))
    one_line_error(harness("check", "--pin", str(tmp_path / "p"), str(good)), "not a pinned profile of format 1")
    schema = tmp_path / "p" / pin["endpoints"]["POST /e"]["schema"]
    (tmp_path / "p" / "pin.json").write_text(json.dumps(pin))
    schema.write_text("{not json")
    one_line_error(harness("check", "--pin", str(tmp_path / "p"), str(good)), str(schema), "not JSON")


def test_a_browser_har_with_gzip_and_query_string_requests_is_learned(tmp_path):
    """A HAR from elsewhere: base64 gzip bodies and GET pixels whose data is the query string."""
    import base64

    entries = []
    for n, uid in enumerate(["3f0c8a53-1b7e-4a57-9f43-0e1c2b3a4d5e", "9a0c8a53-1b7e-4a57-9f43-0e1c2b3a4d5e"] * 2):
        body = gzip.compress(json.dumps({"uid": uid, "ec": "shop", "ea": ["buy", "view"][n % 2]}).encode())
        post = {"mimeType": "application/json", "text": base64.b64encode(body).decode(), "encoding": "base64"}
        headers = [{"name": "Content-Encoding", "value": "gzip"}]
        entries.append(
            {"request": {"method": "POST", "url": "https://a.example/v3/e", "headers": headers, "postData": post}}
        )
        entries.append({"request": {"method": "GET", "url": f"https://a.example/px?uid={uid}&ea=open", "headers": []}})
    har = tmp_path / "app.har"
    har.write_text(json.dumps({"log": {"entries": entries}}))
    pin = learn(load_sessions([har]), tmp_path / "pin")
    assert set(pin["endpoints"]) == {"POST /v3/e", "GET /px"}
    assert pin["identity"]["uid"] == "uid" and pin["identity"]["event"] == ["ea"]
    assert set(pin["events"]) == {"buy", "view", "open"}
    schema = json.loads((tmp_path / "pin" / pin["endpoints"]["POST /v3/e"]["schema"]).read_text())
    assert schema["properties"]["uid"] == {"type": "string", "x-volatile": "uuid"}
    assert schema["properties"]["ea"] == {"type": "string"}
