"""What the real Customer.io Android SDK sends, as captured requests (shapes from research other-sdks.md A3/A6)."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from typing import Any

from harness.capture.record import CapturedRequest

KEY = "harness-cdp-key"
UA = "Customer.io Android Client/4.19.0 (Google Pixel 7; 34) com.example.app/1.0"
BATCH_HEADERS = {"content-type": "text/plain", "content-encoding": "gzip", "user-agent": "analytics-kotlin/1.24.1"}


def iso(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def event(kind: str, t: float, anon: str, user: str | None = None, token: str | None = None, **fields: Any) -> dict:
    device: dict[str, Any] = {"id": "dev-1", "manufacturer": "Google", "model": "Pixel 7", "type": "android"}
    if token is not None:
        device["token"] = token
    out: dict[str, Any] = {
        "type": kind,
        "messageId": str(uuid.uuid4()),
        "timestamp": iso(t),
        "anonymousId": anon,
        "context": {"app": {"name": "app"}, "device": device, "os": {"name": "Android"}, "userAgent": UA},
        "integrations": {},
        "_metadata": {"bundled": [], "unbundled": [], "bundledIds": []},
    }
    if user is not None:
        out["userId"] = user
    out.update(fields)
    return out


def track(name: str, t: float, anon: str, properties: dict | None = None, **kw: Any) -> dict:
    return event("track", t, anon, event=name, properties=properties or {}, **kw)


def batch(rid: int, events: list[dict], t: float, status: int = 200, sent_at: float | None = None) -> CapturedRequest:
    body = {"batch": events, "sentAt": iso(sent_at if sent_at is not None else t), "writeKey": KEY}
    return CapturedRequest(
        "POST",
        "/v1/b",
        BATCH_HEADERS,
        json.dumps(body),
        t,
        device="sim",
        kind="tracking",
        id=rid,
        response_status=status,
    )


def settings(rid: int, t: float) -> CapturedRequest:
    headers = {"content-type": "application/json; charset=utf-8", "user-agent": "analytics-kotlin/1.24.1"}
    return CapturedRequest("GET", f"/v1/projects/{KEY}/settings", headers, "", t, device="sim", id=rid)


def delivered(rid: int, t: float, delivery: str, token: str) -> CapturedRequest:
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    headers = {
        "authorization": auth,
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Android Client/4.19.0",
    }
    body = {
        "anonymousId": delivery,
        "event": "Report Delivery Event",
        "properties": {"recipient": token, "metric": "delivered", "deliveryId": delivery},
    }
    return CapturedRequest("POST", "/v1/track", headers, json.dumps(body), t, device="sim", id=rid, response_status=200)


def lifecycle(t: float, anon: str, installed: bool = True) -> list[dict]:
    out = [track("Application Installed", t, anon, {"version": "1.0", "build": "1"})] if installed else []
    out.append(track("Application Opened", t, anon, {"version": "1.0", "build": "1", "from_background": False}))
    out.append(track("Application Foregrounded", t, anon))
    return out


def device_props(**custom: Any) -> dict:
    props = {
        "device_os": 34,
        "device_model": "Pixel 7",
        "device_manufacturer": "Google",
        "app_version": "1.0",
        "cio_sdk_version": "4.19.0",
        "device_locale": "en-US",
        "push_enabled": True,
        "network_bluetooth": False,
        "network_cellular": False,
        "network_wifi": True,
        "screen_width": 1080,
        "screen_height": 2400,
        "timezone": "Europe/Prague",
    }
    props.update(custom)
    return props
