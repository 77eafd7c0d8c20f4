from harness.capture.record import CapturedRequest
from harness.wire.exponea import observe, observe_all
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
