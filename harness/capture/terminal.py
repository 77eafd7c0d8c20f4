"""One terminal line per stored request, for ``harness collector serve`` (unless ``--quiet``).

``#12 POST /track/v2/projects/t/customers/events  pixel  session_start  good``: id, method, path, device
(``-`` when none), the request's events (a batch's, comma-separated), and its verdict with the first
violation when bad. Colour (green good, red bad, dim unchecked) only when the stream is a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

__all__ = ["TerminalPrinter", "request_line"]

_COLOURS = {"good": "\x1b[32m", "bad": "\x1b[31m", "unchecked": "\x1b[2m"}
_RESET = "\x1b[0m"
_PATH_WIDTH = 60


def request_line(entry: Mapping[str, Any], colour: bool = False) -> str:
    path = str(entry["path"])
    if len(path) > _PATH_WIDTH:
        path = path[: _PATH_WIDTH - 1] + "…"
    source = "" if entry["source"] == "collector" else f"[{entry['source']}] "
    events = ",".join(str(e["type"]) for e in entry["events"]) or "-"
    verdict = str(entry["verdict"])
    shown = f"{_COLOURS[verdict]}{verdict}{_RESET}" if colour and verdict in _COLOURS else verdict
    line = f"{source}#{entry['id']} {entry['method']} {path}  {entry['device'] or '-'}  {events}  {shown}"
    violations = entry["violations"]
    if violations:
        first = violations[0]
        where = f"{first['path']}: " if first["path"] else ""
        more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
        line += f"  {where}{first['message']}{more}"
    return line.replace("\n", " ").replace("\r", " ")


class TerminalPrinter:
    """Prints entries' lines to ``stream`` (standard output by default), coloured when it is a TTY."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.colour = bool(isatty and isatty())

    def __call__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.stream.write("".join(request_line(e, self.colour) + "\n" for e in entries))
        self.stream.flush()
