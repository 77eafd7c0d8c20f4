"""The live inspector page in a real headless Chromium (Debian's), driven by Playwright.

Every request the page makes goes through a route handler that lets the collector's own origin through
and aborts anything else before it leaves the browser, recording it: "nothing on the page reaches the
network" is checked, and nothing ever does.
"""

import httpx
import pytest

from harness.capture.server import CollectorServer
from tests.capture.inspector_fixtures import GOOD_EVENT, bad_event, post
from tests.report.conftest import chromium_binary

SECOND = 1000  # ms: a stored request must be on the page within a second


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    binary = chromium_binary()
    assert binary, "chromium is not installed (scripts/test.sh installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def inspector(tmp_path, browser):
    """(server, page, client, foreign): the page open on a collector with --ui; ``foreign`` collects every
    request the page tried to send anywhere but the collector."""
    with CollectorServer(tmp_path / "c.sqlite", ui=True, profile="exponea-android") as server:
        page = browser.new_page()
        foreign = []

        def guard(route):
            if route.request.url.startswith(server.url + "/"):
                route.continue_()
            else:
                foreign.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(server.ui_url)
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_selector("#status[data-state='live']")
        with httpx.Client(timeout=10) as client:
            yield server, page, client, foreign
        page.close()
        assert foreign == [], "the page reached beyond the collector"


def rows(page):
    return page.eval_on_selector_all(
        "#events tbody tr", "trs => trs.map(tr => [tr.dataset.key, tr.dataset.verdict, tr.cells[8].textContent])"
    )


def test_a_stored_request_appears_within_a_second_judged(inspector):
    server, page, client, _ = inspector
    post(client, server.url, GOOD_EVENT, device="pixel")
    page.wait_for_selector("tr[data-key='collector:1:0']", timeout=SECOND)
    assert rows(page) == [["collector:1:0", "good", ""]]
    assert page.text_content("#count-good") == "1"


def test_a_malformed_request_is_marked_bad_with_its_problem(inspector):
    server, page, client, _ = inspector
    post(client, server.url, '{"event_type": "x", oops')
    post(client, server.url, bad_event())
    page.wait_for_selector("tr[data-key='collector:2:0']", timeout=SECOND)
    (first, second) = rows(page)
    assert first[1] == "bad" and "malformed JSON" in first[2]
    assert second[1] == "bad" and second[2].startswith("$.properties.duration")
    assert page.text_content("#count-bad") == "2"


def test_filters_show_only_what_they_select_and_the_har_link_follows(inspector):
    server, page, client, _ = inspector
    post(client, server.url, GOOD_EVENT, device="a")
    post(client, server.url, bad_event(), device="b")
    client.post(server.url + "/d/a/webxp/s/t/inappmessages", json={})
    page.wait_for_selector("tr[data-key='collector:3:0']", timeout=SECOND)
    page.select_option("select[name=device]", "a")
    assert [r[0] for r in rows(page)] == ["collector:1:0", "collector:3:0"]
    page.select_option("select[name=verdict]", "good")
    assert [r[0] for r in rows(page)] == ["collector:1:0"]
    page.select_option("select[name=device]", "")
    page.select_option("select[name=verdict]", "bad")
    assert [r[0] for r in rows(page)] == ["collector:2:0"]
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=type]", "in_app_messages")
    assert [r[0] for r in rows(page)] == ["collector:3:0"]
    page.select_option("select[name=type]", "")
    page.select_option("select[name=route]", "events")
    assert [r[0] for r in rows(page)] == ["collector:1:0", "collector:2:0"]
    href = page.get_attribute("#har", "href")
    har = client.get(server.url + href).json()
    assert len(har["log"]["entries"]) == 2 and "route=events" in href


def test_detail_pane_shows_masked_headers_body_answer_and_violations(inspector):
    server, page, client, _ = inspector
    post(client, server.url, bad_event(), headers={"authorization": "Token s3cret"})
    page.click("tr[data-key='collector:1:0']", timeout=SECOND)
    assert page.is_visible("#detail")
    headers = page.text_content("#detail-headers")
    assert "Token ****" in headers and "s3cret" not in page.content()
    assert '"duration": "3"' in page.text_content("#detail-body")
    assert page.text_content("#detail-answer").startswith("HTTP 200")
    assert "$.properties.duration" in page.text_content("#detail-violations")


def test_the_page_asks_nothing_of_the_collector_that_it_would_store_as_traffic(inspector):
    server, page, _, _ = inspector
    # Chromium fetches /favicon.ico on its own (unseen by page.route), later; the collector would store it
    assert page.get_attribute("link[rel=icon]", "href").startswith("data:")
    assert server.store.count() == 0


def test_payloads_stay_text(inspector):
    server, page, client, _ = inspector
    hostile = dict(GOOD_EVENT, event_type='<img src="http://127.0.0.1:9/x" onerror="document.body.dataset.pwned=1">')
    post(client, server.url, hostile)
    page.wait_for_selector("tr[data-key='collector:1:0']", timeout=SECOND)
    page.click("tr[data-key='collector:1:0']")
    assert page.locator("#events img, #detail img").count() == 0
    assert page.get_attribute("body", "data-pwned") is None
    assert "<img" in page.text_content("#events tbody")


def test_pause_holds_new_requests_until_resumed(inspector):
    server, page, client, _ = inspector
    post(client, server.url, GOOD_EVENT)
    page.wait_for_selector("tr[data-key='collector:1:0']", timeout=SECOND)
    page.click("#pause")
    post(client, server.url, bad_event())
    page.wait_for_selector("#pause:has-text('1 new')", timeout=SECOND)
    assert [r[0] for r in rows(page)] == ["collector:1:0"]
    page.click("#pause")
    assert [r[0] for r in rows(page)] == ["collector:1:0", "collector:2:0"]


def test_reset_clears_the_page(inspector):
    server, page, client, _ = inspector
    post(client, server.url, GOOD_EVENT)
    page.wait_for_selector("tr[data-key='collector:1:0']", timeout=SECOND)
    page.click("#reset")
    page.wait_for_selector("#events tbody tr", state="detached", timeout=SECOND)
    post(client, server.url, bad_event())
    page.wait_for_selector("tr[data-key='collector:2:0']", timeout=SECOND)
    assert [r[0] for r in rows(page)] == ["collector:2:0"]
