"""Make docs/inspector.png: the live inspector with events from the virtual device and from curl.

    .venv/bin/python scripts/inspector_screenshot.py

A collector with the inspector (profile exponea-android), two scenarios on ``virtual:android`` (real
traffic from the reference SDK), one event with a wrong field and one malformed body, then the page in
headless Chromium (Debian's) with the bad event's detail open.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from harness.capture.server import CollectorServer
from harness.devices.registry import open_device
from harness.scenario.loader import load_scenario
from harness.scenario.runner import Runner

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    binary = shutil.which("chromium")
    if binary is None:
        print("error: chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    with (
        tempfile.TemporaryDirectory() as tmp,
        CollectorServer(Path(tmp) / "capture.sqlite", ui=True, profile="exponea-android") as server,
    ):
        device = open_device("virtual:android")
        try:
            for name in ("identify", "custom-event"):
                Runner(device, server).run(load_scenario(ROOT / "scenarios" / "exponea" / f"{name}.yaml"))
        finally:
            device.close()
        events = server.url + "/d/curl/track/v2/projects/t/customers/events"
        bad = {"event_type": "purchase", "timestamp": 1712345678123, "customer_ids": {"registered": "jane"},
               "properties": {"total_price": "9.99"}}  # fmt: skip
        httpx.post(events, json=bad, headers={"authorization": "Token s3cret"})
        httpx.post(events, content=b'{"event_type": "purchase", ', headers={"content-type": "application/json"})
        bad_key = f"collector:{server.store.last_id - 1}:0"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=binary, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1500, "height": 820})
            page.goto(server.ui_url)
            page.wait_for_selector(f"tr[data-key='{bad_key}']")
            page.click(f"tr[data-key='{bad_key}']")
            page.screenshot(path=str(ROOT / "docs" / "inspector.png"))
            browser.close()
        print(json.dumps(httpx.get(server.url + "/_harness/inspector/all").json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
