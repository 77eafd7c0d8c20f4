"""Answer rules: which requests they take, what the client gets, and what the store says about it."""

import json
import subprocess
import sys

import httpx
import pytest

from harness.capture.export import export
from harness.capture.rules import AnswerRules, parse_rule_spec
from harness.errors import ConfigError

EVENTS = "/track/v2/projects/t/customers/events"
CUSTOMERS = "/track/v2/projects/t/customers"


def take(rules, n, route="track-events", method="POST", device=""):
    out = []
    for _ in range(n):
        rule = rules.pick(method, route, device)
        out.append(rule.id if rule else None)
    return out


def test_times_takes_the_first_n_matching_requests_then_retires():
    rules = AnswerRules()
    rule = rules.add("events", status=500, times=2)
    assert take(rules, 4) == [rule.id, rule.id, None, None]
    assert rules.active == [] and rule.applied == 2


def test_nth_takes_only_the_nth_matching_request():
    rules = AnswerRules()
    rule = rules.add("events", status=503, nth=3)
    assert take(rules, 2, route="track-customers") == [None, None]  # other routes do not count
    assert take(rules, 5) == [None, None, rule.id, None, None]


def test_share_is_drawn_from_a_seeded_rng_and_repeats_with_the_same_seed():
    def draw(seed):
        rules = AnswerRules(seed=seed)
        rules.add("events", status=500, share=0.3)
        return take(rules, 400)

    first, again, other = draw(7), draw(7), draw(8)
    assert first == again
    assert first != other
    hits = sum(1 for x in first if x)
    assert 60 < hits < 180  # about 30 % of 400


def test_time_window_retires_the_rule():
    rules = AnswerRules()
    rule = rules.add("events", status=500, seconds=0)
    assert take(rules, 1) == [None]
    assert rule.retired


def test_device_scope_and_method_and_order():
    rules = AnswerRules()
    mine = rules.add_from_step("dev-a", {"route": "events", "status": 500})
    anyone = rules.add("any", method="*", status=404)
    assert take(rules, 1, device="dev-a") == [mine.id]
    assert take(rules, 1, device="dev-b") == [anyone.id]
    assert take(rules, 1, route="segments", method="GET", device="dev-a") == [anyone.id]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"route": "nowhere", "status": 500}, "rule.route"),
        ({"route": "events"}, "rule.status"),
        ({"route": "events", "action": "explode"}, "rule.action"),
        ({"route": "events", "action": "delay"}, "rule.delay"),
        ({"route": "events", "status": 500, "share": 2.0}, "rule.share"),
        ({"route": "events", "status": 500, "times": 0}, "rule.times"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ConfigError) as info:
        AnswerRules().add(**kwargs)
    assert info.value.setting == field


def test_scenario_rule_with_unknown_key_is_refused():
    with pytest.raises(ConfigError, match="unknown keys"):
        AnswerRules().add_from_step("d", {"route": "events", "status": 500, "bogus": 1})


def test_fault_spec_text_form():
    assert parse_rule_spec("route=events,status=500,times=2") == {"route": "events", "status": 500, "times": 2}
    assert parse_rule_spec('route=any,action=delay,delay=0.5,share=0.1,body={"a":1,"b":2}') == {
        "route": "any",
        "action": "delay",
        "delay": 0.5,
        "share": 0.1,
        "body": '{"a":1,"b":2}',
    }
    with pytest.raises(ConfigError, match="not a number"):
        parse_rule_spec("route=events,status=abc")
    with pytest.raises(ConfigError, match="unknown key"):
        parse_rule_spec("route=events,colour=red")


# -- on the real server -----------------------------------------------------------------------


def test_answer_rule_status_and_body_are_sent_and_stored(live_collector):
    live_collector.rules.add("events", status=500, times=1)
    url = live_collector.device_url("p") + EVENTS
    first = httpx.post(url, json={"n": 1})
    second = httpx.post(url, json={"n": 2})
    assert first.status_code == 500 and first.json() == {"success": False}
    assert second.status_code == 200
    a, b = live_collector.store.query(device="p")
    assert (a.response_status, a.rule) == (500, "#1 route=track-events status=500 times=1")
    assert a.response_body == '{"success":false}'
    assert (b.response_status, b.rule) == (200, "")
    har = json.loads(export([a, b], "har"))
    assert [e["response"]["status"] for e in har["log"]["entries"]] == [500, 200]
    assert json.loads(export([a], "jsonl"))["response"]["rule"].startswith("#1")


def test_custom_body_and_success_status(live_collector):
    live_collector.rules.add("customers", status=202, body={"success": True, "note": "later"})
    r = httpx.post(live_collector.url + CUSTOMERS, json={})
    assert r.status_code == 202 and r.json() == {"success": True, "note": "later"}


def test_reset_closes_the_connection_without_an_answer_and_is_stored(live_collector):
    live_collector.rules.add("events", action="reset", nth=1)
    with pytest.raises(httpx.TransportError):
        httpx.post(live_collector.url + EVENTS, json={"n": 1})
    assert httpx.post(live_collector.url + EVENTS, json={"n": 2}).status_code == 200
    reset, ok = live_collector.store.query()
    assert reset.response_status is None and "action=reset" in reset.rule and reset.body == '{"n":1}'
    assert ok.response_status == 200
    har = json.loads(export([reset], "har"))
    assert har["log"]["entries"][0]["response"]["status"] == 0


def test_hang_never_answers_but_stores_and_others_are_served(live_collector):
    live_collector.rules.add("events", action="hang", times=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(live_collector.url + EVENTS, json={"n": 1}, timeout=httpx.Timeout(5.0, read=0.5))
    assert httpx.post(live_collector.url + EVENTS, json={"n": 2}).status_code == 200
    hung, ok = live_collector.store.query()
    assert hung.response_status is None and "action=hang" in hung.rule
    assert ok.response_status == 200


def test_delay_answers_normally_and_is_stored_before(live_collector):
    live_collector.rules.add("events", action="delay", delay=0.3, times=1)
    r = httpx.post(live_collector.url + EVENTS, json={})
    assert r.status_code == 200 and r.json()["success"] is True
    (stored,) = live_collector.store.query()
    assert stored.response_status == 200 and "action=delay" in stored.rule


def test_a_hung_request_does_not_keep_the_server_from_stopping(tmp_path):
    from harness.capture.server import CollectorServer

    server = CollectorServer(tmp_path / "c.sqlite").start()
    server.rules.add("events", action="hang")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(server.url + EVENTS, json={}, timeout=httpx.Timeout(5.0, read=0.3))
    server.stop()
    assert not server.is_alive()


def serve(tmp_path, *flags):
    """``harness collector serve`` in its own process with these flags; yields its URL and stdout."""
    argv = [sys.executable, "-m", "harness.cli", "collector", "serve", "--port", "0"]
    return subprocess.Popen([*argv, "--store", str(tmp_path / "c.sqlite"), *flags], stdout=subprocess.PIPE, text=True)


def test_cli_serve_takes_answer_rules(tmp_path):
    proc = serve(tmp_path, "--rule", "route=events,status=503,times=1")
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        url = line.split()[-1]
        assert "answer rule #1 route=track-events status=503 times=1" in proc.stdout.readline()
        assert httpx.post(url + EVENTS, json={}).status_code == 503
        assert httpx.post(url + EVENTS, json={}).status_code == 200
    finally:
        proc.kill()
        proc.wait()


def test_cli_serve_still_takes_the_deprecated_fault_flag_in_order_with_rule(tmp_path):
    """``collector serve --fault RULE`` was the old name of ``--rule``: it still works, and rules given
    under both names keep the order they were given in (the first rule that takes a request decides)."""
    proc = serve(tmp_path, "--fault", "route=events,status=503,times=1", "--rule", "route=events,status=502")
    try:
        url = proc.stdout.readline().split()[-1]
        assert "answer rule #1 route=track-events status=503 times=1" in proc.stdout.readline()
        assert "answer rule #2 route=track-events status=502" in proc.stdout.readline()
        assert [httpx.post(url + EVENTS, json={}).status_code for _ in range(2)] == [503, 502]
    finally:
        proc.kill()
        proc.wait()


def test_collector_serve_help_shows_rule_and_hides_the_deprecated_fault(capsys):
    from harness.cli import main

    with pytest.raises(SystemExit):
        main(["collector", "serve", "--help"])
    shown = capsys.readouterr().out
    assert "--rule RULE" in shown and "--fault" not in shown


def test_cli_refuses_a_bad_answer_rule_in_one_line(tmp_path, capsys):
    from harness.cli import main

    assert main(["collector", "serve", "--store", str(tmp_path / "c.sqlite"), "--rule", "route=nope,status=1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "rule.route" in err and "'nope'" in err
