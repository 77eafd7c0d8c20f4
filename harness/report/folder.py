"""A recorded run on disk: everything a person or ``harness diff`` needs, in one folder.

Layout (``--report DIR``)::

    DIR/report.html        the self-contained HTML report
    DIR/run.json           metadata: devices (URI, platform, model, profile, SDK version), harness
                           version, faults, start time, duration, host
    DIR/verdicts.json      per scenario and device: outcome, violations (kind, JSON path, expected,
                           captured, message, rules)
    DIR/results.json       the full records (trace, expectations, matches, diffs) without requests
    DIR/matrix.json        checklist ids x devices: pass / fail / n/a
    DIR/junit.xml          JUnit XML
    DIR/captures/DEVICE/SCENARIO.jsonl and .har   the captured requests, Authorization masked
    DIR/captures/DEVICE/SCENARIO.in-app.jsonl, .in-app.har   with --in-app-capture: what the app's
                                                  HTTP client sent (capture_diff in results.json)

The captures are the one copy of the requests: :func:`load_run` reads them back into the records.

A folder holds one run: :func:`write_run` refuses a folder that holds an earlier run (unless told
to replace it) or other files, since a report whose captures come from two runs would lie.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.capture.export import export
from harness.capture.record import CapturedRequest
from harness.errors import HarnessError
from harness.report.html import write_html
from harness.report.junit import write_junit
from harness.report.matrix import build_matrix

__all__ = ["RunFolderError", "check_run_folder", "load_run", "write_run"]

FORMAT = 1


class RunFolderError(HarnessError):
    """A folder that is not a recorded run (or a damaged one)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _holds_run(folder: Path) -> bool:
    return (folder / "run.json").is_file() or (folder / "results.json").is_file()


def check_run_folder(folder: str | Path, *, replace: bool = False, replace_flag: str | None = "--force") -> None:
    """Raise :class:`RunFolderError` unless a run can be written to ``folder`` without mixing.

    A missing or empty folder is fine; one that holds an earlier run is fine only with ``replace``
    (``--force``, named by ``replace_flag`` in the refusal); one with other files never is, so nothing
    of the user's is deleted. Callers run this before the scenarios, so a refusal costs nothing.
    """
    out = Path(folder)
    if not out.exists():
        return
    if not out.is_dir():
        raise RunFolderError(out, "is a file, not a folder for the report")
    if not any(out.iterdir()):
        return
    if not _holds_run(out):
        raise RunFolderError(out, "is not empty and holds no run; write the report to a new folder")
    if not replace:
        how = f", or {replace_flag} to replace it" if replace_flag else ""
        raise RunFolderError(out, f"holds an earlier run; give a new folder{how}")


def write_run(
    folder: str | Path, meta: Mapping[str, Any], records: Sequence[Mapping[str, Any]], *, replace: bool = False
) -> dict[str, Any]:
    """Write the run folder; returns the matrix (the CLI prints it).

    Args:
        folder: the run folder; see :func:`check_run_folder` for which folders are refused.
        meta: the run's metadata (``run.json``).
        records: one record per scenario and device.
        replace: delete an earlier run in ``folder`` first instead of refusing it.
    """
    out = Path(folder)
    check_run_folder(out, replace=replace)
    if out.is_dir() and _holds_run(out):
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    records = sorted(records, key=lambda r: (r["device"], r["path"], r["scenario"]))
    matrix = build_matrix(records)
    slim = []
    for r in records:
        rel = f"captures/{_slug(r['device'])}/{_slug(r['scenario'])}"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        reqs = [CapturedRequest.from_json(q) for q in r["requests"]]
        (out / f"{rel}.jsonl").write_text(export(reqs, "jsonl"), encoding="utf-8")
        (out / f"{rel}.har").write_text(export(reqs, "har"), encoding="utf-8")
        if r.get("app_requests") is not None:  # the in-app capture, beside the collector's
            app = [CapturedRequest.from_json(q) for q in r["app_requests"]]
            (out / f"{rel}.in-app.jsonl").write_text(export(app, "jsonl"), encoding="utf-8")
            (out / f"{rel}.in-app.har").write_text(export(app, "har"), encoding="utf-8")
        extra = {
            q["id"]: {
                "expectation": q.get("expectation"),
                "expectations": q.get("expectations", []),
                "device_timestamp": q.get("device_timestamp"),
            }
            for q in r["requests"]
        }
        slim.append(
            {
                **{k: v for k, v in r.items() if k not in ("requests", "app_requests")},
                "captures": rel,
                "request_links": extra,
            }
        )
    _dump(out / "run.json", {"format": FORMAT, **meta})
    _dump(out / "results.json", {"format": FORMAT, "results": slim})
    _dump(
        out / "verdicts.json",
        {
            "format": FORMAT,
            "results": [
                {
                    k: r[k]
                    for k in ("scenario", "device", "platform", "sdk_version", "fault", "outcome", "error", "summary")
                }
                | {"violations": r["violations"]}
                for r in records
            ],
        },
    )
    _dump(out / "matrix.json", matrix)
    write_junit(records, out / "junit.xml")
    write_html(out / "report.html", meta, records, matrix)
    return matrix


def load_run(folder: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read a run folder back: ``(meta, records)`` with each record's requests from its JSONL capture."""
    root = Path(folder)
    if not root.exists():
        raise RunFolderError(root, "no such folder")
    if not root.is_dir():
        raise RunFolderError(root, "not a folder (a run is the folder --report DIR wrote)")
    if not (root / "results.json").is_file():
        raise RunFolderError(root, "not a recorded run (no results.json; write one with --report DIR)")
    try:
        meta = json.loads((root / "run.json").read_text(encoding="utf-8"))
        results = json.loads((root / "results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError) as exc:
        raise RunFolderError(root, f"cannot read the run: {exc}") from exc
    records = []
    for r in results:
        capture = root / f"{r['captures']}.jsonl"
        requests = []
        try:
            lines = capture.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise RunFolderError(root, f"missing capture {capture.name}: {exc}") from exc
        links = {int(k): v for k, v in (r.get("request_links") or {}).items()}
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise RunFolderError(capture, f"line {n}: not JSON ({exc})") from exc
            requests.append({**obj, **links.get(int(obj.get("id") or 0), {})})
        records.append({**r, "requests": requests})
    return meta, records
