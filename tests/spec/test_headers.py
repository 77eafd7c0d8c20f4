"""Headers are judged: content type, authorization forms and user agent, per platform and route.

``harness check`` holds every SDK request to the forms the platform allows; a run's checker also
holds the SDK's own calls to the authorization the run configured, and reports a header as kind
``header`` with the header's name as path. The in-app capture's rows are judged the same way.
"""

import json
from pathlib import Path

import pytest

from harness.capture.inapp import InAppRecorder
from harness.capture.record import CapturedRequest
from harness.capture.store import Store
from harness.cli import main
from harness.sdks.exponea.headers import HeaderRules
from harness.sdks.exponea.wire import observe
from harness.spec.checker import check
from harness.spec.expectation import Expectations, Expected
from harness.spec.lint import lint_observations

CAPTURE = Path(__file__).parent.parent / "wire" / "data" / "android-virtual.jsonl"
REAL = [CapturedRequest.from_json(json.loads(line)) for line in CAPTURE.read_text().splitlines()]
EVENT = next(r for r in REAL if '"event_type":"purchase"' in r.body)
BUNDLE = next(r for r in REAL if r.method == "GET")
IOS_HEADERS = {
    "content-type": "application/json",
    "accept": "application/json",
    "authorization": "Token k",
    "user-agent": "My%20App/12 CFNetwork/1496.0.7 Darwin/23.5.0",
}


def with_headers(req, drop=(), **changes):
    headers = {k: v for k, v in req.headers.items() if k not in drop}
    headers.update({k.replace("_", "-"): v for k, v in changes.items()})
    return CapturedRequest(
        id=req.id, method=req.method, path=req.path, headers=headers, body=req.body, received_at=req.received_at
    )


def ios(path="/track/v2/projects/t/customers/events", method="POST", body='{"x": 1}', drop=(), **changes):
    base = CapturedRequest(id=1, method=method, path=path, headers=IOS_HEADERS, body=body, received_at=1.0)
    return with_headers(base, drop, **changes)


def header_findings(profile, *requests):
    found, _ = lint_observations(profile, [observe(r) for r in requests])
    return [(v.kind, v.path) for v in found if v.kind == "header"]


def test_the_real_android_capture_has_the_sdk_headers():
    assert header_findings("exponea-android", *REAL) == []


def test_basic_auth_fails_harness_check_on_android(tmp_path, capsys):
    bad = tmp_path / "basic.jsonl"
    bad.write_text(json.dumps(with_headers(EVENT, authorization="Basic aGFybmVzczpzZWNyZXQ=").as_json()) + "\n")
    assert main(["check", "--profile", "exponea-android", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"request #{EVENT.id} headers.authorization: events: Basic authorization is never sent" in out
    assert out.startswith("header ")
    assert "aGFybmVzczpzZWNyZXQ=" not in out  # the password is not repeated


def test_the_literal_null_passes_on_android_tracking_but_nothing_else_does():
    assert header_findings("android", with_headers(EVENT, authorization="null")) == []
    assert header_findings("android", with_headers(EVENT, authorization="Token other-key")) == []
    for value in ("Bearer jwt", "Token ", "token k", "ApiKey k"):
        assert header_findings("android", with_headers(EVENT, authorization=value)) == [
            ("header", "headers.authorization")
        ], value
    # The Room round trip always yields a header on tracking (android#75): none at all is wrong.
    assert header_findings("android", with_headers(EVENT, drop=("authorization",))) == [
        ("header", "headers.authorization")
    ]


def test_android_calls_other_than_tracking_send_the_configured_value_or_none():
    assert header_findings("android", with_headers(BUNDLE, drop=("authorization",))) == []
    # a customer-token Bearer is used for content blocks and App Inbox (ExponeaProjectFactory.kt)
    assert header_findings("android", with_headers(BUNDLE, authorization="Bearer customer-jwt")) == []
    inbox = CapturedRequest(
        id=9,
        method="POST",
        path="/webxp/projects/t/appinbox/fetch",
        headers={**EVENT.headers, "authorization": "Bearer customer-jwt"},
        body="{}",
        received_at=1.0,
    )
    assert header_findings("android", inbox) == []
    messages = CapturedRequest(
        id=10,
        method="POST",
        path="/webxp/s/t/inappmessages?compatibility=3",
        headers={**EVENT.headers, "authorization": "Bearer customer-jwt"},
        body="{}",
        received_at=1.0,
    )
    assert header_findings("android", messages) == [("header", "headers.authorization")]
    assert header_findings("android", with_headers(BUNDLE, authorization="null")) == [
        ("header", "headers.authorization")
    ]


@pytest.mark.parametrize(
    ("request_", "value"),
    [
        (EVENT, "text/plain; charset=utf-8"),
        (EVENT, "application/json"),  # OkHttp adds the charset to a POST body's type
        (BUNDLE, "application/json; charset=utf-8"),  # a GET keeps the SDK's plain value
    ],
)
def test_a_wrong_content_type_fails_on_android(request_, value):
    assert header_findings("android", with_headers(request_, content_type=value)) == [
        ("header", "headers.content-type")
    ]


def test_content_type_is_compared_as_a_media_type():
    assert header_findings("android", with_headers(EVENT, content_type="application/json;charset=UTF-8")) == []


def test_user_agent_shape_not_version():
    assert header_findings("android", with_headers(EVENT, user_agent="okhttp/4.9.3")) == []
    assert header_findings("android", with_headers(EVENT, user_agent="okhttp/5.0.0-alpha.14")) == []
    assert header_findings("android", with_headers(EVENT, user_agent="Dalvik/2.1.0 (Linux; Android 14)")) == [
        ("header", "headers.user-agent")
    ]
    assert header_findings("ios", ios(user_agent="VirtualApp/1 CFNetwork/1410 Darwin/22.6.0")) == []
    assert header_findings("ios", ios(user_agent="okhttp/4.12.0")) == [("header", "headers.user-agent")]
    # the in-app hooks see a request before the HTTP client adds its user agent
    assert header_findings("android", with_headers(EVENT, drop=("user-agent",))) == []


def test_ios_forms():
    assert header_findings("ios", ios()) == []
    assert header_findings("ios", ios(authorization="Bearer jwt")) == []
    assert header_findings("ios", ios(drop=("authorization",))) == []  # .none
    assert header_findings("ios", ios(authorization="Basic eDp5")) == [("header", "headers.authorization")]
    assert header_findings("ios", ios(authorization="null")) == [("header", "headers.authorization")]
    assert header_findings("ios", ios(content_type="text/plain")) == [("header", "headers.content-type")]
    assert header_findings("ios", ios(drop=("content-type",))) == [("header", "headers.content-type")]
    assert header_findings("ios", ios(drop=("accept",))) == [("header", "headers.accept")]
    stream = "/track/u/v1/customers/events?stream_id=S"
    assert header_findings("ios", ios(stream, authorization="Bearer jwt")) == []
    assert header_findings("ios", ios(stream, drop=("authorization",))) == []
    assert header_findings("ios", ios(stream)) == [("header", "headers.authorization")]  # a Token on a stream
    bundle = "/wxstatic/projects/t/bundle-ios.json?v=2"
    assert header_findings("ios", ios(bundle, method="GET", body="", drop=("content-type",))) == []


def test_calls_that_are_not_the_engagement_api_are_not_judged():
    sentry = ios("/api/42/envelope/", content_type="application/x-sentry-envelope", user_agent="sentry.cocoa/8.52.1")
    found, total = lint_observations("ios", [observe(sentry)])
    assert found == [] and total == 0


def test_the_in_app_capture_rows_are_judged_the_same_way(tmp_path):
    """The OkHttp hook's message: headers as the app built them, Content-Type from the body."""
    store = Store(tmp_path / "inapp.sqlite")
    try:
        recorder = InAppRecorder(store, "app")

        def row(auth):
            message = {
                "phase": "request",
                "id": 1,
                "method": "POST",
                "url": "https://api.exponea.com/track/v2/projects/t/customers/events",
                "headers": [["Content-Type", "application/json; charset=utf-8"], ["Authorization", auth]],
            }
            return recorder.record(message, EVENT.body.encode(), 1.0, 200, None)

        assert header_findings("android", row("Token k")) == []
        assert header_findings("android", row("null")) == []
        assert header_findings("android", row("Basic eDp5")) == [("header", "headers.authorization")]
    finally:
        store.close()


def _expected(auth):
    return Expected(
        route="events",
        project_token="harness-token",
        authorization=auth,
        body=json.loads(EVENT.body),
        cause=0,
        headers={"content-type": "application/json; charset=utf-8"},
    )


def test_the_checker_holds_the_sdk_calls_to_the_configured_authorization():
    rules = HeaderRules("android", frozenset({"Token harness-key"}))
    good = check(Expectations([_expected("Token harness-key")], header_rules=rules), [observe(EVENT), observe(BUNDLE)])
    assert good.passed, good.report()
    assert "1 non-tracking requests judged by their headers only" in good.notes
    other = with_headers(BUNDLE, authorization="Token another-project-key")
    v = check(Expectations([_expected("Token harness-key")], header_rules=rules), [observe(EVENT), observe(other)])
    assert [(x.kind, x.path, x.request_id) for x in v.violations] == [("header", "headers.authorization", BUNDLE.id)]
    assert "configured authorization" in v.violations[0].message
    # without a run's rules (a bare Expectations) the checker judges no header beyond its expectations
    assert check(Expectations([_expected("Token harness-key")]), [observe(EVENT), observe(other)]).passed


def test_a_matched_request_is_not_reported_twice_and_its_header_mismatch_is_kind_header():
    rules = HeaderRules("android", frozenset({"Token harness-key"}))
    wrong = with_headers(EVENT, authorization="Token other", user_agent="curl/8.0")
    v = check(Expectations([_expected("Token harness-key")], header_rules=rules), [observe(wrong)])
    assert sorted((x.kind, x.path) for x in v.violations) == [
        ("header", "headers.authorization"),
        ("header", "headers.user-agent"),
    ]


def test_an_exported_capture_passes_check_though_its_authorization_is_masked(tmp_path):
    """``collector export`` masks the credential ('Token ****') and a bare value whole ('****')."""
    from harness.capture.export import export

    requests = [with_headers(EVENT, authorization="Token harness-key"), with_headers(EVENT, authorization="null")]
    exported = tmp_path / "export.jsonl"
    exported.write_text(export(requests, "jsonl"))
    assert main(["check", "--profile", "exponea-android", str(exported)]) == 0
