import json

from harness.capture.export import export
from harness.capture.record import CapturedRequest


def _req():
    return CapturedRequest(
        id=3,
        method="POST",
        path="/track/v2/projects/t/customers?x=1",
        headers={"authorization": "Token secret", "content-type": "application/json"},
        body='{"a":1}',
        received_at=1712345678.5,
        device="dev",
        kind="tracking",
        response_status=200,
    )


def test_jsonl_follows_the_capture_contract_and_masks_authorization():
    (line,) = export([_req()], "jsonl").splitlines()
    obj = json.loads(line)
    assert {"method", "path", "headers", "body", "received_at", "device", "response"} <= set(obj)
    assert obj["headers"]["authorization"] == "Token ****"
    assert obj["response"] == {"status": 200}
    assert CapturedRequest.from_json(obj).path == "/track/v2/projects/t/customers?x=1"


def test_jsonl_can_keep_authorization():
    obj = json.loads(export([_req()], "jsonl", mask_authorization=False))
    assert obj["headers"]["authorization"] == "Token secret"


def test_har_is_a_valid_har_1_2_log():
    har = json.loads(export([_req()], "har"))
    assert har["log"]["version"] == "1.2"
    (entry,) = har["log"]["entries"]
    assert entry["request"]["method"] == "POST"
    assert entry["request"]["url"].endswith("/d/dev/track/v2/projects/t/customers?x=1")
    assert entry["request"]["postData"]["text"] == '{"a":1}'
    assert entry["request"]["queryString"] == [{"name": "x", "value": "1"}]
    assert entry["response"]["status"] == 200
    assert {"name": "authorization", "value": "Token ****"} in entry["request"]["headers"]
    assert entry["startedDateTime"].endswith("Z")
