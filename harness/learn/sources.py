"""Where captures come from: run folders (``harness run --report DIR``), capture stores (the
collector's or the in-app capture's SQLite, forward mode included), JSONL exports and HAR files.

A run folder's requests are the collector's capture, or, when the collector saw none (``harness run
--base-url URL --in-app-capture`` sends to the real backend), the in-app capture beside it: recording
to learn never needs the app's base URL changed.

Each input becomes one or more :class:`Session`: the requests of one fresh install (one scenario on
one device of a run folder; one device key of a store or export) with the SDK calls that were made,
when they are known (a run folder's trace), so the learner can match customer ids and event names to
what the scenario passed. Values that differ between sessions of the same scenario are what varies
between installs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.capture.record import CapturedRequest
from harness.errors import HarnessError

__all__ = ["Call", "Session", "load_sessions"]

_SQLITE = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Call:
    """One SDK call a scenario made (a run folder's trace step of kind ``call``)."""

    name: str
    args: Mapping[str, Any]


@dataclass(frozen=True)
class Session:
    """The requests of one fresh install, and the calls that made them (empty when not known)."""

    source: str  # the input it came from
    key: str  # what pairs it with the same session of another input (scenario@platform, or the device)
    requests: tuple[CapturedRequest, ...]
    calls: tuple[Call, ...] = field(default=())


def _run_folder(root: Path) -> list[Session]:
    from harness.report.folder import load_run

    _, records = load_run(root)
    out = []
    for r in records:
        requests = tuple(CapturedRequest.from_json(q) for q in r["requests"])
        in_app = root / f"{r['captures']}.in-app.jsonl"
        if not requests and in_app.is_file():
            # --base-url (the real backend) with in-app capture: the collector saw nothing, the app's
            # HTTP client saw everything; with both, they are the same traffic and the collector's is kept
            requests = tuple(_jsonl(in_app))
        calls = tuple(
            Call(str(s.get("name", "")), dict(s.get("args") or {}))
            for s in r.get("trace") or []
            if s.get("kind") == "call"
        )
        key = f"{r.get('scenario')}@{r.get('platform') or r.get('device')}"
        out.append(Session(str(root), key, requests, calls))
    return out


def _by_device(source: str, requests: Sequence[CapturedRequest]) -> list[Session]:
    devices: dict[str, list[CapturedRequest]] = {}
    for req in requests:
        devices.setdefault(req.device, []).append(req)
    return [Session(source, device or "-", tuple(reqs)) for device, reqs in devices.items()]


def _jsonl(path: Path) -> list[CapturedRequest]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(CapturedRequest.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HarnessError(f"{path}:{n}: not a captured request ({exc})") from exc
    return out


def _har(path: Path) -> list[CapturedRequest]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]
        out = []
        for e in entries:
            req = e["request"]
            post = req.get("postData") or {}
            text = str(post.get("text") or "")
            raw = base64.b64decode(text) if post.get("encoding") == "base64" else text.encode()
            try:
                body = raw.decode("utf-8") if raw[:2] != b"\x1f\x8b" else ""
            except UnicodeDecodeError:
                body = ""
            url = str(req["url"])
            rest = url.split("://", 1)[-1]
            path_part = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
            if path_part.startswith("/d/"):  # the collector's device prefix
                device, _, tail = path_part[3:].partition("/")
                path_part = "/" + tail
            else:
                device = ""
            headers = {str(h["name"]).lower(): str(h["value"]) for h in req.get("headers") or []}
            out.append(
                CapturedRequest(
                    method=str(req["method"]),
                    path=path_part,
                    headers=headers,
                    body=body,
                    received_at=0.0,
                    device=device,
                    raw_body=raw,
                )
            )
        return out
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise HarnessError(f"{path}: not a HAR file ({exc})") from exc


def _store(path: Path) -> list[CapturedRequest]:
    from harness.capture.store import Store

    store = Store(path)
    try:
        return store.query()
    finally:
        store.close()


def load_sessions(paths: Sequence[str | Path]) -> list[Session]:
    """Every session of every input; raises :class:`HarnessError` (one line) for an input it cannot read."""
    out: list[Session] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if not (path / "results.json").is_file():
                raise HarnessError(f"{path}: not a recorded run (no results.json; write one with --report DIR)")
            out += _run_folder(path)
            continue
        if not path.is_file():
            raise HarnessError(f"{path}: no such file or folder (want a run folder, a capture store, JSONL or HAR)")
        with path.open("rb") as f:
            head = f.read(16)
        try:
            if head == _SQLITE:
                out += _by_device(str(path), _store(path))
            elif path.suffix == ".har":
                out += _by_device(str(path), _har(path))
            else:
                out += _by_device(str(path), _jsonl(path))
        except UnicodeDecodeError as exc:
            raise HarnessError(f"{path}: not a capture (not text at byte {exc.start})") from exc
    return out
