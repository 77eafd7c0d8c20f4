"""The self-contained HTML report: one file, inline CSS and JS, no network, opens from disk.

The run's records are embedded once as JSON (``<script type="application/json">``, with ``<``, ``>``
and ``&`` escaped so no payload can close the script element); a small script builds the page from
them with ``textContent`` and ``createElement`` only, never ``innerHTML``, so captured payloads,
which are untrusted, can never become markup. Sections: the run's metadata, the verdict per
scenario and device, the conformance matrix, and per scenario and device a two-lane timeline
(SDK calls and app/environment events | captured requests, each request linked to every expectation it
matched), the expectations, the violations and a side-by-side diff of expected and captured payloads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["render_html", "write_html"]


def _embed(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=True, default=str, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(meta: Mapping[str, Any], records: Sequence[Mapping[str, Any]], matrix: Mapping[str, Any]) -> str:
    data = {"meta": meta, "records": list(records), "matrix": matrix}
    here = resources.files("harness.report")
    css = here.joinpath("report.css").read_text(encoding="utf-8")
    js = here.joinpath("report.js").read_text(encoding="utf-8")
    return _PAGE.replace("/*CSS*/", css).replace("/*JS*/", js).replace("__DATA__", _embed(data))


def write_html(path: str | Path, meta: Mapping[str, Any], records: Sequence[Mapping[str, Any]], matrix: Any) -> None:
    Path(path).write_text(render_html(meta, records, matrix), encoding="utf-8")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance report</title>
<style>/*CSS*/</style>
</head>
<body>
<noscript>This report is drawn by its inline script; the same data is in verdicts.json next to it.</noscript>
<main id="app"></main>
<script type="application/json" id="run-data">__DATA__</script>
<script>/*JS*/</script>
</body>
</html>
"""
