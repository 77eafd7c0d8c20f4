"""``harness check``: a correct SDK's traffic passes; each kind of malformed payload is named by its path."""

import json
from pathlib import Path

import pytest

from harness.capture.record import CapturedRequest
from harness.cli import main
from harness.sdks.exponea.wire import observe
from harness.spec.lint import lint, lint_observations, schema_violations

CAPTURE = Path(__file__).parent.parent / "wire" / "data" / "android-virtual.jsonl"
REAL = [CapturedRequest.from_json(json.loads(line)) for line in CAPTURE.read_text().splitlines()]
EVENT = next(r for r in REAL if '"event_type":"purchase"' in r.body)
INSTALL = next(r for r in REAL if '"event_type":"installation"' in r.body)
IOS_COOKIE = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"
IOS_DEVICE = "9C1B5D2A-0C9E-4B53-A3C8-5E7E2C1F7A10"
IOS_DEVICE_PROPS = {
    "os_name": "iOS",
    "platform": "iOS",
    "os_version": "17.4",
    "sdk": "Exponea iOS SDK",
    "sdk_version": "4.0.1",
    "device_model": "iPhone 15 Pro",
    "device_type": "mobile",
    "app_version": "1.0",
}


def mutate(req, change=None, path=None, raw=None):
    body = json.loads(req.body)
    if change:
        change(body)
    return CapturedRequest(
        id=req.id,
        method=req.method,
        path=path or req.path,
        headers=req.headers,
        body=raw if raw is not None else json.dumps(body),
        received_at=req.received_at,
    )


def violations(profile, *requests):
    found, _ = lint_observations(profile, [observe(r) for r in requests])
    return [(v.kind, v.path) for v in found]


def test_real_android_capture_passes():
    problems, total = lint("exponea-android", REAL)
    assert problems == [] and total == 30  # 23 tracking POSTs, 7 content-block bundle GETs (headers only)


def test_wrong_type_is_named():
    def change(b):
        b["properties"]["device_model"] = 5

    assert violations("android", mutate(INSTALL, change)) == [("type", "$.properties.device_model")]


def test_missing_required_key_is_named_by_its_own_path():
    assert violations("android", mutate(EVENT, lambda b: b.pop("customer_ids"))) == [("mismatch", "$.customer_ids")]
    assert violations("android", mutate(INSTALL, lambda b: b["properties"].pop("sdk_version"))) == [
        ("mismatch", "$.properties.sdk_version")
    ]


def test_wrong_route():
    on_customers = mutate(EVENT, path=EVENT.path.replace("/customers/events", "/customers"))
    assert ("mismatch", "$.event_type") in violations("android", on_customers)
    nowhere = mutate(EVENT, path=EVENT.path.replace("/customers/events", "/events"))
    found, _ = lint_observations("android", [observe(nowhere)])
    assert [v.kind for v in found] == ["malformed"] and "unknown tracking route" in found[0].message


@pytest.mark.parametrize(
    "cookie", ["0F8FAD5B-D9CB-469F-A165-70867728950E", "not-a-uuid", "", "0f8fad5bd9cb469fa16570867728950e"]
)
def test_bad_cookie(cookie):
    def change(b):
        b["customer_ids"]["cookie"] = cookie

    assert violations("android", mutate(EVENT, change)) == [("mismatch", "$.customer_ids.cookie")]


def test_millisecond_timestamp_is_called_one():
    req = mutate(EVENT, lambda b: b.update(timestamp=b["timestamp"] * 1000))
    found, _ = lint_observations("android", [observe(req)])
    assert [(v.path, "milliseconds" in v.message) for v in found] == [("$.timestamp", True)]


def test_non_json_body():
    found, _ = lint_observations("android", [observe(mutate(EVENT, raw='{"event_type": "purchase",'))])
    assert [(v.kind, v.path) for v in found] == [("malformed", "$")] and "not JSON" in found[0].message


def test_unknown_event_shapes():
    assert violations("android", mutate(EVENT, lambda b: b.update(age=3.5))) == [("mismatch", "$.age")]

    def campaign(b):
        b["event_type"] = "campaign"
        b["properties"].update(status="seen", platform="android")

    assert violations("android", mutate(EVENT, campaign)) == [("mismatch", "$.properties.status")]

    def clicked_without_cta(b):
        b["event_type"] = "campaign"
        b["properties"].update(status="clicked", platform="android", url="app")

    assert violations("android", mutate(EVENT, clicked_without_cta)) == [("mismatch", "$.properties.cta")]


def test_notification_state_carries_no_default_properties():
    def change(b):
        b["event_type"] = "notification_state"
        b["properties"] = {
            "push_notification_token": "tok",
            "platform": "android",
            "valid": "true",
            "description": "Permission granted",
            "application_id": "default-application",
            "device_id": b["properties"]["device_id"],
            "campaign": "spring",
        }

    assert violations("android", mutate(EVENT, change)) == [
        ("mismatch", "$.properties.campaign"),
        ("type", "$.properties.valid"),
    ]


def test_custom_event_needs_the_injected_ids():
    assert violations("android", mutate(EVENT, lambda b: b["properties"].pop("device_id"))) == [
        ("mismatch", "$.properties.device_id")
    ]


def ios_request(rid, route, body, path_token="t"):
    path = {
        "events": f"/track/v2/projects/{path_token}/customers/events",
        "customers": f"/track/v2/projects/{path_token}/customers",
        "clicks": f"/track/v2/projects/{path_token}/campaigns/clicks",
    }[route]
    return CapturedRequest(
        id=rid,
        method="POST",
        path=path,
        headers={"authorization": "Token k", "content-type": "application/json", "accept": "application/json"},
        body=json.dumps(body),
        received_at=float(rid),
    )


IOS_GOOD = [
    ios_request(
        1,
        "events",
        {
            "customer_ids": {"cookie": IOS_COOKIE},
            "properties": {**IOS_DEVICE_PROPS, "application_id": "default-application", "device_id": IOS_DEVICE},
            "timestamp": 1712345678.123,
            "event_type": "installation",
        },
    ),
    ios_request(
        2,
        "events",
        {
            "customer_ids": {"cookie": IOS_COOKIE},
            "properties": {
                "platform": "ios",
                "description": "Permission granted",
                "push_notification_token": "A1B2",
                "valid": True,
                "application_id": "default-application",
                "device_id": IOS_DEVICE,
            },
            "timestamp": 1712345679.5,
            "event_type": "notification_state",
        },
    ),
    ios_request(3, "customers", {"customer_ids": {"cookie": IOS_COOKIE}, "properties": {}, "timestamp": 1712345679.5}),
    ios_request(
        4,
        "clicks",
        {
            "customer_ids": {"cookie": IOS_COOKIE},
            "url": "https://app.example.com/x?xnpe_cmp=b",
            "properties": {"platform": "ios"},
            "timestamp": 1712345680.1,
            "event_type": "campaign_click",
        },
    ),
    ios_request(
        5,
        "events",
        {
            "customer_ids": {"cookie": IOS_COOKIE},
            "properties": {"application_id": "default-application", "device_id": IOS_DEVICE},
            "timestamp": 1712345681.0,
            "event_type": "session_end",
        },
    ),
]


def test_ios_bodies_from_the_research_pass_and_android_rules_do_not_apply():
    problems, total = lint("exponea-ios", IOS_GOOD)
    assert problems == [] and total == 5
    android, _ = lint("exponea-android", IOS_GOOD)
    assert any("$.customer_ids.cookie" in line for line in android)


def test_ios_specific_rejections():
    low = json.loads(IOS_GOOD[0].body)
    low["customer_ids"]["cookie"] = IOS_COOKIE.lower()
    assert violations("ios", ios_request(1, "events", low)) == [("mismatch", "$.customer_ids.cookie")]
    stripped = {"customer_ids": {"cookie": IOS_COOKIE}, "properties": {"valid": True}, "timestamp": 1712345679.5}
    assert violations("ios", ios_request(3, "customers", stripped)) == [("mismatch", "$.properties.valid")]
    click = json.loads(IOS_GOOD[3].body)
    click.pop("event_type")
    assert violations("ios", ios_request(4, "clicks", click)) == [("mismatch", "$.event_type")]
    no_ts = json.loads(IOS_GOOD[0].body)
    no_ts.pop("timestamp")
    assert violations("ios", ios_request(1, "events", no_ts)) == [("mismatch", "$.timestamp")]


def test_schema_violations_for_one_observation():
    assert schema_violations("exponea-ios", observe(IOS_GOOD[1])) == []


def test_cli_check_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(r.as_json()) for r in IOS_GOOD) + "\n")
    assert main(["check", "--profile", "exponea-ios", str(good)]) == 0
    assert "5 requests checked, 0 violations" in capsys.readouterr().out
    assert main(["check", "--profile", "exponea-android", str(CAPTURE)]) == 0
    bad = tmp_path / "bad.jsonl"
    req = mutate(EVENT, lambda b: b["properties"].update(device_id=7))
    bad.write_text(json.dumps(req.as_json()) + "\n")
    assert main(["check", "--profile", "exponea-android", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"request #{req.id} $.properties.device_id" in out and "1 violations" in out


def test_each_missing_key_is_named_once():
    # jsonschema reports ``required`` once per missing key; both keys missing must give two findings, not four
    def change(b):
        b["properties"].pop("device_id")
        b["properties"].pop("application_id")

    assert sorted(violations("android", mutate(EVENT, change))) == [
        ("mismatch", "$.properties.application_id"),
        ("mismatch", "$.properties.device_id"),
    ]
