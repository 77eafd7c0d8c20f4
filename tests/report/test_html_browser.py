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


def rendered_dom(path):
    binary = chromium_binary()
    assert binary, "chromium is not installed (scripts/test.sh installs it)"
    proc = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.resolve().as_uri()],
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
