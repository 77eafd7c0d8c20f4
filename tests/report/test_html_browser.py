"""The HTML report opened in a real headless Chromium: the DOM after its script ran."""

import json
import subprocess
from html.parser import HTMLParser

import pytest

from tests.report.conftest import chromium_binary, harness


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for c in self.children:
            if not isinstance(c, str):
                yield c
                yield from c.iter()

    def find_all(self, tag=None, **attrs):
        out = []
        for n in self.iter():
            if tag and n.tag != tag:
                continue
            ok = True
            for k, v in attrs.items():
                k = k.rstrip("_").replace("_", "-")
                have = n.attrs.get(k)
                if have is None or (v not in have.split() and v != have):
                    ok = False
            if ok:
                out.append(n)
        return out


VOID = {"meta", "br", "img", "input", "link", "hr"}


class Tree(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.cur = Node("#root", [], None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def rendered_dom(path, fragment=""):
    binary = chromium_binary()
    assert binary, "chromium is not installed (scripts/test.sh installs it)"
    proc = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.resolve().as_uri() + fragment],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    tree = Tree()
    tree.feed(proc.stdout)
    return tree.root, proc.stdout


def test_failing_scenario_shows_two_lane_timeline_linked_requests_and_side_by_side_diff(failing_run):
    dom, _ = rendered_dom(failing_run / "report.html")
    body = dom.find_all("body")[0]
    assert body.attrs.get("data-rendered") == "2", "the script did not run to the end"
    failed = [s for s in dom.find_all("section") if s.attrs.get("data-outcome") == "failed"]
    assert [s.attrs["data-scenario"] for s in failed] == ["identify-customer"]
    sec = failed[0]
    timeline = sec.find_all("div", class_="timeline")[0]
    sdk = [n.text() for n in timeline.find_all("div", class_="item") if "data-kind" in n.attrs]
    assert any("identifyCustomer" in t for t in sdk) and any("trackEvent" in t for t in sdk)
    reqs = [n for n in timeline.find_all("div", class_="item") if "data-request" in n.attrs]
    results = json.loads((failing_run / "results.json").read_text())["results"]
    rec = next(r for r in results if r["scenario"] == "identify-customer")
    tracked = [int(k) for k, v in rec["request_links"].items() if v["expectation"] is not None]
    assert sorted(int(n.attrs["data-request"]) for n in reqs if n.attrs["data-expectation"]) == sorted(tracked)
    mismatched = [n for n in reqs if "mismatch" in n.attrs["class"].split()]
    assert len(mismatched) == 2
    for n in mismatched:  # each mismatched request links to the expectation it matched, which links back
        link = n.find_all("a", class_="match-link")[0].attrs["href"]
        row = sec.find_all("tr", id=link[1:])[0]
        assert f"#{n.attrs['data-request']}" in row.text() and "mismatch" in row.text()
    diffs = sec.find_all("table", class_="diff")
    assert len(diffs) == 2
    inserted = [r for r in diffs[0].find_all("tr", class_="insert")]
    assert any('"registered": "jane@example.com"' in r.text() for r in inserted)
    violations = sec.find_all("table", class_="violations")[0].text()
    assert "$.customer_ids.registered" in violations and "mismatch" in violations
    verdicts = dom.find_all("table", id="verdicts")[0].text()
    assert "FAILED" in verdicts and "PASSED" in verdicts
    assert dom.find_all("table", id="matrix")[0].find_all("tr", data_id="android#11")


def test_untrusted_payload_text_stays_text(tmp_path):
    hostile = "</script><img src=x onerror=\"document.body.setAttribute('data-pwned',1)\"><b>bold</b>"
    scenario = tmp_path / "scenarios" / "hostile.yaml"
    scenario.parent.mkdir()
    scenario.write_text(
        "id: hostile\ncovers: [android#5]\nplatforms: [android]\nsteps:\n  - init: {}\n"
        f"  - trackEvent: {{eventType: evil, properties: {{note: {json.dumps(hostile)}}}}}\n"
    )
    out = tmp_path / "run"
    proc = harness("run", "--report", str(out), str(scenario))
    assert (out / "report.html").exists(), proc.stdout + proc.stderr
    raw = (out / "report.html").read_text()
    assert "</script><img" not in raw
    dom, _ = rendered_dom(out / "report.html")
    assert not dom.find_all("img") and "data-pwned" not in dom.find_all("body")[0].attrs
    assert not [b for b in dom.find_all("b") if b.text() == "bold"]
    assert "<img src=x" in dom.find_all("section")[0].text()  # shown as text


@pytest.mark.parametrize("flag", ["--screenshot"])
def test_report_renders_to_a_screenshot(failing_run, tmp_path, flag):
    png = tmp_path / "shot.png"
    proc = subprocess.run(
        [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", f"{flag}={png}", "--window-size=1200,900",
         (failing_run / "report.html").resolve().as_uri()],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_leads_with_the_failures_and_names_them(failing_run):
    """The run's order puts custom-event (passes) before identify-customer (fails); the page does not."""
    results = json.loads((failing_run / "results.json").read_text())["results"]
    assert [r["scenario"] for r in results] == ["custom-event", "identify-customer"]
    dom, _ = rendered_dom(failing_run / "report.html")
    assert [s.attrs["data-scenario"] for s in dom.find_all("section")] == ["identify-customer", "custom-event"]
    assert dom.find_all("title")[0].text().startswith("FAILED (1): identify-customer on virtual:android")
    (badge,) = dom.find_all("span", id="badge")
    assert badge.text() == "FAILED (1)" and "identify-customer" in badge.attrs["title"]
    (summary,) = dom.find_all("div", id="summary")
    assert [a.attrs["data-scenario"] for a in summary.find_all("a", class_="failing")] == ["identify-customer"]
    assert "1 of 2 failed" in summary.text() and "custom-event" not in summary.text()
    rows = [tr.attrs.get("data-scenario") for tr in dom.find_all("table", id="verdicts")[0].find_all("tr")]
    assert rows[1:] == ["identify-customer", "custom-event"]
    headings = [n.text() for n in dom.find_all("h2")]
    assert headings.index("Verdicts") < headings.index("Run") < headings.index("Scenarios")
    filtered, _ = rendered_dom(failing_run / "report.html", "#failures")  # a link can open it filtered
    assert "failures-only" in filtered.find_all("body")[0].attrs.get("class", "").split()


def test_failures_only_checkbox_hides_what_passed_in_a_real_browser(failing_run):
    from tests.report.browser import Browser

    page = Browser((failing_run / "report.html").resolve().as_uri())
    try:
        page.wait_for("document.body && document.body.getAttribute('data-rendered') === '2'")
        shown = """JSON.stringify({
            sections: [...document.querySelectorAll('section.result')].filter(e => e.offsetParent !== null)
                .map(e => e.dataset.scenario),
            verdicts: [...document.querySelectorAll('#verdicts tr[data-scenario]')]
                .filter(e => e.offsetParent !== null).map(e => e.dataset.scenario),
            matrix: [...document.querySelectorAll('#matrix tr[data-id]')].filter(e => e.offsetParent !== null)
                .map(e => e.textContent)})"""
        everything = json.loads(page.js(shown))
        assert everything["sections"] == ["identify-customer", "custom-event"]
        assert any("PASS" in row for row in everything["matrix"])
        page.js("document.getElementById('failures-only').click()")
        only = json.loads(page.js(shown))
        assert only["sections"] == ["identify-customer"] and only["verdicts"] == ["identify-customer"]
        assert only["matrix"] and all("FAIL" in row for row in only["matrix"])
        page.js("document.getElementById('failures-only').click()")
        assert json.loads(page.js(shown)) == everything
    finally:
        page.close()


@pytest.fixture(scope="module")
def matcher_runs(tmp_path_factory):
    """Faults whose violations hold matchers: a device-time timestamp, and a request never sent."""
    runs = {}
    for fault in ("timestamp-millis", "wrong-event-route"):
        out = tmp_path_factory.mktemp("run") / fault
        proc = harness("run", "--fault", fault, "--report", str(out), "scenarios/exponea/custom-event.yaml")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        runs[fault] = out
    return runs


REPRS = ("Var(", "DeviceTime(", "Approx(", "OneOf(", "Absent(", "$matcher", "<absent>", "<cookie")


def test_expected_values_read_as_a_person_reads_them(matcher_runs):
    dom, _ = rendered_dom(matcher_runs["timestamp-millis"] / "report.html")
    (sec,) = dom.find_all("section", data_outcome="failed")
    expected = [td.text() for td in sec.find_all("table", class_="violations")[0].find_all("td", class_="expected")]
    assert expected and all("± 2 s (device time, " in t and t.startswith("≈ ") for t in expected)
    left = [td.text() for td in sec.find_all("td", class_="l")]
    assert any('"timestamp": ≈ ' in t and "(device time" in t for t in left)
    for text in expected + left:
        assert not any(r in text for r in REPRS), text

    dom, _ = rendered_dom(matcher_runs["wrong-event-route"] / "report.html")
    (sec,) = dom.find_all("section", data_outcome="failed")
    rows = sec.find_all("table", class_="violations")[0].find_all("tr", class_="fail")
    (missing,) = [r for r in rows if r.find_all("td")[0].text() == "missing"]
    text = missing.find_all("td", class_="expected")[0].text()
    assert '"cookie": a lower-case UUID (bound as cookie#' in text and '"event_type": "purchase"' in text
    assert "(device time, " in text and not any(r in text for r in REPRS)


def test_results_json_keeps_matchers_machine_readable(matcher_runs):
    results = json.loads((matcher_runs["timestamp-millis"] / "results.json").read_text())["results"]
    (rec,) = results
    stamps = [v for v in rec["violations"] if v["path"] == "$.timestamp"]
    assert stamps
    for v in stamps:
        assert v["expected"]["$matcher"] == "device-time" and v["expected"]["tolerance"] == 2
        assert isinstance(v["expected"]["value"], float) and v["expected_text"] == v["expected"]["text"]
    results = json.loads((matcher_runs["wrong-event-route"] / "results.json").read_text())["results"]
    (missing,) = [v for v in results[0]["violations"] if v["kind"] == "missing"]
    cookie = missing["expected"]["customer_ids"]["cookie"]
    assert cookie["$matcher"] == "var" and cookie["kind"] == "uuid" and cookie["case"] == "lower"
