"""What the SDK keeps in the app's data directory: preferences and the batch files of the event queue.

The event queue follows analytics-kotlin 1.24.1 ``EventsFileManager``
(core/src/main/java/com/segment/analytics/kotlin/core/utilities/EventsFileManager.kt): events are
appended to the open file ``{writeKey}-{index}.tmp`` that starts with ``{"batch":[`` (line 118);
closing it (``rollover``, at every flush) appends ``],"sentAt":"<now>","writeKey":"<key>"}``
(line 139) and drops the ``.tmp`` suffix, so a closed file is the upload body as is, and a re-sent
file repeats its ``sentAt`` and messageIds (research A6). Every write goes to disk at once, so a
SIGKILL loses nothing that was stored.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["BatchFiles", "Prefs"]


class Prefs:
    """A small JSON key-value file (SharedPreferences), rewritten atomically on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._data: dict[str, Any] = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            self._data = {}

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._data.get(key, default)

    def set(self, **values: Any) -> None:
        with self._lock:
            self._data.update(values)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._data))
            os.replace(tmp, self.path)


class BatchFiles:
    """The file-backed event queue: one open ``.tmp`` file, and closed batch files waiting for upload."""

    def __init__(self, folder: Path, write_key: str, index: Callable[[], int], bump: Callable[[], None]) -> None:
        self.folder = folder
        self.write_key = write_key
        self._index = index  # the persisted file index (``segment.events.file.index.<key>``)
        self._bump = bump
        self._lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)

    def _open_file(self) -> Path:
        return self.folder / f"{self.write_key}-{self._index()}.tmp"

    def store(self, event_json: str) -> None:
        with self._lock:
            path = self._open_file()
            if path.exists() and path.stat().st_size > len('{"batch":['):
                text = "," + event_json
            elif path.exists():
                text = event_json
            else:
                text = '{"batch":[' + event_json
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())

    def rollover(self, sent_at: str) -> None:
        """Close the open file (when it holds events): the body is complete, its sentAt fixed."""
        with self._lock:
            path = self._open_file()
            if not path.exists():
                return
            with path.open("a", encoding="utf-8") as fh:
                fh.write(f'],"sentAt":"{sent_at}","writeKey":"{self.write_key}"}}')
            os.replace(path, path.with_suffix(""))
            self._bump()

    def closed(self) -> list[Path]:
        """The closed batch files, oldest first (EventsFileManager.read: the key, not ``.tmp``)."""
        with self._lock:
            prefix = self.write_key + "-"
            files = [p for p in self.folder.iterdir() if p.name.startswith(prefix) and not p.name.endswith(".tmp")]
        return sorted(files, key=lambda p: int(p.name.rsplit("-", 1)[1]))

    def has_open_events(self) -> bool:
        with self._lock:
            return self._open_file().exists()

    def remove(self, path: Path) -> None:
        with self._lock:
            path.unlink(missing_ok=True)
