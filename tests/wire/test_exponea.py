import json
from pathlib import Path

from harness.capture.record import CapturedRequest
from harness.sdks.exponea.wire import observe, observe_all
from harness.wire.observation import ABSENT


def _req(body, path="/track/v2/projects/tok/customers/events", headers=None, rid=1):
    return CapturedRequest(id=rid, method="POST", path=path, headers=headers or {}, body=body, received_at=1.0)


def test_exponent_timestamps_and_integer_doubles_are_numbers():
    obs = observe(
        _req('{"event_type":"x","timestamp":1.712345678123E9,"customer_ids":{"cookie":"c"},"properties":{"n":5.0}}')
    )
    assert obs.route == "events" and obs.project_token == "tok"
    assert obs.timestamp == 1712345678.123
    assert obs.properties["n"] == 5


def test_absent_keys_differ_from_null_values():
    obs = observe(_req('{"customer_ids":{"cookie":"c"},"properties":null}', path="/track/v2/projects/t/customers"))
    assert obs.route == "customers"
    assert obs.event_type is ABSENT and obs.timestamp is ABSENT
    assert obs.properties is None


def test_authorization_null_is_the_literal_string():
    obs = observe(_req("{}", headers={"authorization": "null"}))
    assert obs.authorization == "null"
    assert observe(_req("{}")).authorization is None


def test_prefix_and_query_are_tolerated_and_campaign_clicks_recognised():
    obs = observe(
        _req(
            '{"url":"https://x","properties":{"platform":"Android"}}',
            path="/api/track/v2/projects/t/campaigns/clicks?x=1",
        )
    )
    assert obs.route == "campaign_clicks" and obs.url == "https://x"


def test_malformed_bodies_are_kept_with_a_problem():
    obs = observe(_req('{"event_type": '))
    assert obs.body is None and any("not JSON" in p for p in obs.problems)
    obs = observe(_req("[1,2]"))
    assert any("not an object" in p for p in obs.problems)


def test_non_tracking_requests_are_filtered_by_default():
    reqs = [_req("{}", rid=1), _req("", path="/wxstatic/projects/t/bundle-android.json?v=2", rid=2)]
    assert [o.request_id for o in observe_all(reqs)] == [1]
    assert [o.route for o in observe_all(reqs, tracking_only=False)] == ["events", "other"]


# -- what real SDKs send ---------------------------------------------------------------------------

DATA = Path(__file__).parent / "data"

# Android: Gson after the Room round trip (android §2.6, verified with Gson 2.10.1).
ANDROID_BODY = (
    '{"event_type":"purchase","timestamp":1.712345678123E9,'
    '"customer_ids":{"cookie":"0f8fad5b-d9cb-469f-a165-70867728950e","registered":"jane@example.com"},'
    '"properties":{"count":5.0,"price":12.5,"big":1.2345678901E10,"list":[1.0,2.0],"s":"a<b>&\'",'
    '"application_id":"default-application","device_id":"8ae1e7f7-53a3-47f8-a631-23e5205812bf"}}'
)
# iOS: JSONSerialization, upper-case cookie, Int stays Int (ios §2.3).
IOS_BODY = (
    '{"customer_ids":{"cookie":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","registered":"jane@example.com"},'
    '"properties":{"screen_name":"dashboard","count":5,"application_id":"default-application",'
    '"device_id":"9C1B5D2A-0C9E-4B53-A3C8-5E7E2C1F7A10"},"timestamp":1712345678.123,"event_type":"screen_view"}'
)


def test_android_gson_body_reads_as_numbers():
    obs = observe(_req(ANDROID_BODY, headers={"authorization": "Token k"}))
    assert obs.timestamp == 1712345678.123
    assert obs.properties["count"] == 5 and obs.properties["big"] == 12345678901
    assert obs.properties["list"] == [1, 2] and obs.properties["s"] == "a<b>&'"
    assert obs.customer_ids["cookie"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert obs.problems == ()


def test_ios_body_with_upper_case_cookie_and_mixed_case_header_names():
    obs = observe(_req(IOS_BODY, headers={"Authorization": "Token k", "Content-Type": "application/json"}))
    assert obs.authorization == "Token k" and obs.headers["content-type"] == "application/json"
    assert obs.customer_ids["cookie"] == "3F2504E0-4F89-41D3-9A0C-0305E82C3301"
    assert obs.event_type == "screen_view" and isinstance(obs.properties["count"], int)


def test_ios_stream_routes_carry_the_stream_id():
    obs = observe(_req(IOS_BODY, path="/track/u/v1/customers/events?stream_id=S-1"))
    assert obs.route == "events" and obs.stream_id == "S-1" and obs.project_token == "stream:S-1"
    assert obs.target == "stream:S-1" and obs.problems == ()
    click = observe(_req('{"url":"x"}', path="/track/u/v1/campaigns/clicks?a=1&stream_id=S"))
    assert click.route == "campaign_clicks" and click.stream_id == "S"
    bad = observe(_req("{}", path="/track/u/v1/customers"))
    assert bad.route == "customers" and any("stream_id" in p for p in bad.problems)


def test_campaign_click_bodies_of_both_platforms():
    android = observe(
        _req(
            '{"url":"https://a.example/x?xnpe_cmp=1","timestamp":1.712345678E9,"properties":{"platform":"Android"}}',
            path="/track/v2/projects/t/campaigns/clicks",
        )
    )
    assert android.route == "campaign_clicks" and android.customer_ids is ABSENT and android.event_type is ABSENT
    ios = observe(
        _req(
            '{"customer_ids":{"cookie":"3F2504E0-4F89-41D3-9A0C-0305E82C3301"},"url":"https://a.example/x",'
            '"properties":{"platform":"ios"},"timestamp":1712345678.1,"event_type":"campaign_click"}',
            path="/track/v2/projects/t/campaigns/clicks",
        )
    )
    assert ios.event_type == "campaign_click" and ios.url == "https://a.example/x"


def test_non_tracking_routes_are_named_not_judged():
    cases = {
        "/webxp/s/t/inappmessages?compatibility=3": "in_app_messages",
        "/wxstatic/projects/t/bundle-ios.json?v=2": "content_block_bundle",
        "/webxp/projects/t/appinbox/fetch": "app_inbox",
        "/webxp/streams/s/segments?cookie=c": "segments",
        "/data/v2/projects/t/consent/categories": "consents",
        "/campaigns/send-self-check-notification?project_id=t": "push_self_check",
        "/api/17/envelope/": "telemetry",
        "/somewhere/else": "unknown",
    }
    for path, name in cases.items():
        obs = observe(_req("{not json", path=path))
        assert (obs.route, obs.endpoint, obs.tracking, obs.problems) == ("other", name, False, ()), path


def test_unknown_tracking_paths_wrong_method_and_double_slash_are_problems():
    obs = observe(_req("{}", path="/track/v2/projects/t/events"))
    assert obs.route == "unknown" and obs.tracking and "unknown tracking route" in obs.problems[0]
    path = "/track/v2/projects/t/customers"
    get = observe(CapturedRequest(id=1, method="GET", path=path, headers={}, body="{}", received_at=1.0))
    assert any("GET" in p for p in get.problems)
    slash = observe(_req("{}", path="//track/v2/projects/t/customers"))
    assert any("'//'" in p for p in slash.problems)


def test_real_capture_of_the_virtual_android_device():
    """Traffic captured with `harness run scenarios --store` and exported as JSONL."""
    lines = (DATA / "android-virtual.jsonl").read_text().splitlines()
    requests = [CapturedRequest.from_json(json.loads(line)) for line in lines]
    all_obs = observe_all(requests, tracking_only=False)
    tracking = [o for o in all_obs if o.tracking]
    assert {o.endpoint for o in all_obs if not o.tracking} == {"content_block_bundle"}
    assert tracking and all(o.problems == () for o in tracking)
    for o in tracking:
        assert isinstance(o.timestamp, float) and 1e9 < o.timestamp < 1e11
        assert o.authorization == "Token harness-key"
        assert o.customer_ids["cookie"] == o.customer_ids["cookie"].lower()
    assert {o.route for o in tracking} == {"events", "customers"}
    assert any('E9,"customer_ids"' in r.body for r in requests)  # exponent notation on the wire


def test_fast_constructor_builds_the_same_observation_as_the_dataclass():
    import dataclasses

    from harness.wire.observation import Observation

    names = [f.name for f in dataclasses.fields(Observation)]
    values = {name: f"v-{i}" for i, name in enumerate(names)}
    fast = Observation.fast(**values)
    assert fast == Observation(**values) and vars(fast) == values
    assert dataclasses.asdict(fast) == values and hash(fast.request_id) == hash("v-0")
    try:
        fast.route = "x"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a fast-built observation must stay frozen")


def test_path_cache_keeps_the_method_and_each_requests_own_problems():
    body = '{"event_type":"x"}'
    post = observe(_req(body, rid=1))
    get = observe(CapturedRequest(id=2, method="GET", path=post.path, headers={}, body=body, received_at=1.0))
    again = observe(CapturedRequest(id=3, method="POST", path=post.path, headers={}, body="", received_at=1.0))
    bad = observe(
        CapturedRequest(id=4, method="POST", path=post.path, headers={}, body=body, received_at=1.0, problems=("x",))
    )
    assert post.problems == ()
    assert get.problems == ("tracking request sent with GET, the SDKs POST",)
    assert again.problems == ("empty body",)
    assert bad.problems == ("x",) and post.problems == ()
    double = "/track/v2/projects/tok//customers/events"
    assert observe(_req(body, path=double)).problems == observe(_req(body, path=double)).problems != ()


def test_html_escaped_characters_are_flagged_but_escaped_backslashes_are_text():
    """android#78: the SDK writes < > & ' raw (Gson with HTML escaping off); an escaped body reads the same
    once parsed, so only the raw text shows the bug."""
    escaped = observe(_req('{"event_type":"x","properties":{"html":"a\\u003cb\\u003e\\u0026\\u0027c"}}'))
    assert escaped.properties["html"] == "a<b>&'c"
    assert any("android#78" in p for p in escaped.problems)
    assert not observe(_req('{"event_type":"x","properties":{"html":"a<b>&\'c"}}')).problems
    # the app's own text "\u003c" (a backslash, then u003c) is written with an escaped backslash
    assert not observe(_req('{"event_type":"x","properties":{"t":"\\\\u003c"}}')).problems
