"""A request the profile and a user ``expect`` both judged: each violation shows the expectation that
produced it, and the request links to every expectation it answered (real CLI, seeded fault)."""

import json

from tests.report.conftest import harness
from tests.report.test_html_browser import rendered_dom

SCENARIO = """\
id: expect-and-profile
covers: []
platforms: [android]
steps:
  - init: {}
  - trackEvent: {eventType: purchase, properties: {price: 9.5}}
  - expect: {event: purchase, properties: {price: 9.5}, within: 5}
  - expect: {event: purchase, properties: {price: 9.5}}
"""


def test_each_violation_shows_its_own_expectation_and_the_request_links_to_all(tmp_path):
    scenario = tmp_path / "expect-and-profile.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "run"
    proc = harness("run", "--fault", "timestamp-millis", "--report", str(out), str(scenario))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (record,) = json.loads((out / "results.json").read_text())["results"]
    exps = record["expectations"]
    timed, untimed = (e["index"] for e in exps if e["route"] == "expect")
    profile = next(e for e in exps if e["route"] != "expect" and e["body"].get("event_type") == "purchase")

    on_ts = [v for v in record["violations"] if v["path"] == "$.timestamp" and v["request_id"] == profile["request_id"]]
    by_owner = {v["expectation"]: v for v in on_ts}
    assert set(by_owner) == {profile["index"], timed}, on_ts
    # the profile's: a device-clock timestamp; the user's: the window of `within: 5` around the step
    assert by_owner[profile["index"]]["message"].startswith(profile["label"])
    assert "(device time, " in by_owner[profile["index"]]["expected_text"]
    assert by_owner[timed]["message"].startswith("expect 'purchase' (line 7)")
    assert "device time" not in by_owner[timed]["expected_text"] and " ± 3.5" in by_owner[timed]["expected_text"]

    links = record["request_links"][str(profile["request_id"])]
    assert links["expectations"] == [profile["index"], timed, untimed]
    statuses = {e["index"]: e["status"] for e in exps}
    assert (statuses[profile["index"]], statuses[timed], statuses[untimed]) == ("mismatch", "mismatch", "ok")

    # the timeline of the HTML report links the request to each of them
    dom, _ = rendered_dom(out / "report.html")
    rid = str(profile["request_id"])
    (item,) = [n for n in dom.find_all("div", class_="item") if n.attrs.get("data-request") == rid]
    assert item.attrs["data-expectations"].split() == [str(profile["index"]), str(timed), str(untimed)]
    hrefs = [a.attrs["href"].rsplit("-", 1)[1] for a in item.find_all("a", class_="match-link")]
    assert hrefs == [f"e{profile['index']}", f"e{timed}", f"e{untimed}"]
    assert "mismatch" in item.attrs["class"].split()
