"""The iOS SDK's Core Data store (``DatabaseModel v7``) as SQLite in the app's data directory.

Entities (research ios §7): ``Customer`` (uuid, creation time, push token, last token-track date,
custom ids) and the tracked rows, ``TrackEvent`` and ``TrackCustomer``, kept here in one table with a
``kind`` column. A row belongs to one target project (base URL, token or stream id, integration
type) and to one *customer*: its ``customer_ids`` are read from that customer when it is flushed,
not when it is tracked (ios#20). Every write is committed before the call returns, so a SIGKILL of
the app loses nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Customer", "Database", "Row"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS customer (
    uuid TEXT PRIMARY KEY,
    creation REAL NOT NULL,
    seq INTEGER NOT NULL,
    push_token TEXT,
    last_token_track REAL,
    ids TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS track_row (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    event_type TEXT,
    timestamp REAL NOT NULL,
    properties TEXT NOT NULL,
    base_url TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    integration_type TEXT NOT NULL,
    retries INTEGER NOT NULL DEFAULT 0,
    customer TEXT NOT NULL,
    sdk_type TEXT NOT NULL,
    frozen_ids TEXT,
    authorization TEXT
);
"""


@dataclass
class Customer:
    uuid: str
    creation: float
    push_token: str | None = None
    last_token_track: float | None = None
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def cookie(self) -> str:
        return self.uuid

    def all_ids(self) -> dict[str, str]:
        """``Customer.ids``: the cookie plus every id ever identified.

        A stored id overrides the cookie, as in the real SDK (``data[key] = ...`` after
        ``["cookie": uuid]``, ``Models/Core Data/Customer.swift:35-55@4.0.1``). 4.0.1 stores the
        *current* cookie under ``cookie`` (``ExponeaInternal+Tracking.swift:127``); this SDK stores none,
        which sends the same ids; only the ``ios-identify-cookie-kept`` fault stores another.
        """
        return {"cookie": self.uuid, **self.ids}


@dataclass
class Row:
    """One ``TrackEvent`` (kind ``event``) or ``TrackCustomer`` (kind ``customer``)."""

    kind: str
    event_type: str | None
    timestamp: float
    properties: dict[str, Any]
    base_url: str
    integration_id: str
    integration_type: str  # "project" | "stream"
    customer: str
    sdk_type: str
    retries: int = 0
    frozen_ids: dict[str, str] | None = None  # only set by the ids-at-track-time fault
    authorization: str | None = None  # 3.11.0's authorizationString, stored when tracked
    seq: int = 0


class Database:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()
        # Changes made in the managed object context but never saved (only the
        # ``ios-identified-ids-not-persisted`` fault makes any): seen by this process, lost with it.
        self._unsaved_ids: dict[str, dict[str, str]] = {}

    # -- customers -------------------------------------------------------------------------

    def current_customer(self, now: float) -> Customer:
        """The newest customer; one is created if there is none (``DatabaseManager`` init)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT uuid, creation, push_token, last_token_track, ids FROM customer ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return self.new_customer(now)
            return Customer(row[0], row[1], row[2], row[3], self._ids(row[0], row[4]))

    def customer(self, cookie: str) -> Customer | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT uuid, creation, push_token, last_token_track, ids FROM customer WHERE uuid=?", (cookie,)
            ).fetchone()
        return None if row is None else Customer(row[0], row[1], row[2], row[3], self._ids(row[0], row[4]))

    def _ids(self, cookie: str, stored: str) -> dict[str, str]:
        ids: dict[str, str] = json.loads(stored)
        ids.update(self._unsaved_ids.get(cookie, {}))
        return ids

    def new_customer(self, now: float) -> Customer:
        """``makeNewCustomer``: a fresh ``UUID().uuidString`` (uppercase), no hard ids."""
        with self._lock:
            seq = int(self._conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM customer").fetchone()[0])
            customer = Customer(str(uuid.uuid4()).upper(), now)
            self._conn.execute(
                "INSERT INTO customer (uuid, creation, seq, ids) VALUES (?,?,?,?)",
                (customer.uuid, now, seq, "{}"),
            )
            return customer

    def save_customer(self, customer: Customer, persist: bool = True) -> None:
        """Save the customer; ``persist=False`` changes its ids in memory only (a context never saved).

        A later save persists them too, as a Core Data ``save()`` writes every pending change.
        """
        with self._lock:
            if not persist:
                self._unsaved_ids[customer.uuid] = dict(customer.ids)
                return
            self._unsaved_ids.pop(customer.uuid, None)
            self._conn.execute(
                "UPDATE customer SET push_token=?, last_token_track=?, ids=? WHERE uuid=?",
                (customer.push_token, customer.last_token_track, json.dumps(customer.ids), customer.uuid),
            )

    # -- rows ------------------------------------------------------------------------------

    def add(self, row: Row) -> None:
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO track_row (kind, event_type, timestamp, properties, base_url, integration_id,"
                " integration_type, retries, customer, sdk_type, frozen_ids, authorization)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    row.kind,
                    row.event_type,
                    row.timestamp,
                    json.dumps(row.properties),
                    row.base_url,
                    row.integration_id,
                    row.integration_type,
                    row.retries,
                    row.customer,
                    row.sdk_type,
                    None if row.frozen_ids is None else json.dumps(row.frozen_ids),
                    row.authorization,
                ),
            )
            row.seq = int(cur.lastrowid or 0)

    def rows(self, kind: str | None = None) -> list[Row]:
        """Rows of one kind (or all), ascending by timestamp as the flush fetches them."""
        sql = (
            "SELECT kind, event_type, timestamp, properties, base_url, integration_id, integration_type, customer,"
            " sdk_type, retries, frozen_ids, seq, authorization FROM track_row"
        )
        params: tuple[Any, ...] = ()
        if kind is not None:
            sql += " WHERE kind=?"
            params = (kind,)
        with self._lock:
            found = self._conn.execute(sql + " ORDER BY timestamp, seq", params).fetchall()
        return [
            Row(
                kind=r[0],
                event_type=r[1],
                timestamp=r[2],
                properties=json.loads(r[3]),
                base_url=r[4],
                integration_id=r[5],
                integration_type=r[6],
                customer=r[7],
                sdk_type=r[8],
                retries=r[9],
                frozen_ids=None if r[10] is None else json.loads(r[10]),
                seq=r[11],
                authorization=r[12],
            )
            for r in found
        ]

    def update_properties(self, row: Row) -> None:
        with self._lock:
            self._conn.execute("UPDATE track_row SET properties=? WHERE seq=?", (json.dumps(row.properties), row.seq))

    def set_retries(self, seq: int, retries: int) -> None:
        with self._lock:
            self._conn.execute("UPDATE track_row SET retries=? WHERE seq=?", (retries, seq))

    def delete(self, seq: int) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM track_row WHERE seq=?", (seq,))

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM track_row").fetchone()[0])

    def delete_rows(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM track_row")

    def wipe(self) -> None:
        """Every entity gone (``stopIntegration`` / ``clearLocalCustomerData``)."""
        with self._lock:
            self._conn.execute("DELETE FROM track_row")
            self._conn.execute("DELETE FROM customer")
            self._unsaved_ids.clear()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
