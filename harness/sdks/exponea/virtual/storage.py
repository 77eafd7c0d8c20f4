"""The app's private storage: SharedPreferences-like prefs and the SDK's event queue.

Both live in the app's data directory and survive a kill of the process, exactly like a phone's
app data: prefs are a JSON file replaced atomically on every write, and the queue is an SQLite
table shaped like the Android SDK's Room table ``exported_event``. A fresh install deletes the
directory.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["EventQueue", "Prefs", "QueuedEvent"]


class Prefs:
    """A small persistent key/value store (one JSON file)."""

    def __init__(self, path: Path) -> None:
        self._path = path
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
            for k, v in values.items():
                if v is None:
                    self._data.pop(k, None)
                else:
                    self._data[k] = v
            self._flush()

    def remove(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._data.pop(k, None)
            self._flush()

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        """Remove every key except ``keep`` (an app's defaults suite wiped by the SDK)."""
        with self._lock:
            self._data = {k: v for k, v in self._data.items() if k in keep}
            self._flush()

    def _flush(self) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data))
        os.replace(tmp, self._path)


@dataclass
class QueuedEvent:
    """One row of the queue: an event bound to one project and route."""

    route: str  # "events" | "customers" | "campaign"
    event_type: str | None
    timestamp: float | None
    customer_ids: dict[str, Any]
    properties: dict[str, Any] | None
    project: dict[str, Any]  # {"baseUrl", "projectToken", "authorization"}
    sdk_event_type: str
    tries: int = 0
    skipped: bool = False
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int = 0


_SCHEMA = """
CREATE TABLE IF NOT EXISTS exported_event (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    route TEXT NOT NULL,
    should_be_skipped INTEGER NOT NULL DEFAULT 0,
    exponea_project TEXT NOT NULL,
    event_type TEXT,
    timestamp REAL,
    customer_ids TEXT NOT NULL,
    properties TEXT,
    sdk_event_type TEXT NOT NULL
)
"""


class EventQueue:
    """The persisted queue; every change is committed before the call returns."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()

    def add(self, event: QueuedEvent) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO exported_event (id, tries, route, should_be_skipped, exponea_project, event_type,"
                " timestamp, customer_ids, properties, sdk_event_type) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    event.id,
                    event.tries,
                    event.route,
                    int(event.skipped),
                    json.dumps(event.project),
                    event.event_type,
                    event.timestamp,
                    json.dumps(event.customer_ids),
                    None if event.properties is None else json.dumps(event.properties),
                    event.sdk_event_type,
                ),
            )

    def all(self) -> list[QueuedEvent]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, tries, route, should_be_skipped, exponea_project, event_type, timestamp,"
                " customer_ids, properties, sdk_event_type, seq FROM exported_event ORDER BY seq"
            ).fetchall()
        return [
            QueuedEvent(
                id=r[0],
                tries=r[1],
                route=r[2],
                skipped=bool(r[3]),
                project=json.loads(r[4]),
                event_type=r[5],
                timestamp=r[6],
                customer_ids=json.loads(r[7]),
                properties=None if r[8] is None else json.loads(r[8]),
                sdk_event_type=r[9],
                seq=r[10],
            )
            for r in rows
        ]

    def __iter__(self) -> Iterator[QueuedEvent]:
        return iter(self.all())

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM exported_event").fetchone()[0])

    def update(self, event: QueuedEvent) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE exported_event SET tries=?, should_be_skipped=? WHERE id=?",
                (event.tries, int(event.skipped), event.id),
            )

    def delete(self, event_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM exported_event WHERE id=?", (event_id,))

    def reset_skipped(self) -> None:
        with self._lock:
            self._conn.execute("UPDATE exported_event SET should_be_skipped=0")

    def clear(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM exported_event")
