"""The library's SQLite database: one connection in WAL mode shared by the server's threads
behind one lock, the schema, and the data folder's default place."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gekiban.errors import OutputError
from gekiban.home import data_home


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tracks (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    prompt TEXT NOT NULL,
    style TEXT NOT NULL,
    style_names TEXT NOT NULL,
    mood TEXT NOT NULL,
    tempo REAL NOT NULL,
    key TEXT NOT NULL,
    meter TEXT NOT NULL,
    duration REAL NOT NULL,
    loopable INTEGER NOT NULL,
    tags TEXT NOT NULL,
    created TEXT NOT NULL,
    parent TEXT,
    operation TEXT NOT NULL,
    seed INTEGER,
    brief TEXT NOT NULL,
    sections TEXT NOT NULL,
    files TEXT NOT NULL,
    missing INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS jobs (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    stage TEXT NOT NULL,
    progress REAL NOT NULL,
    params TEXT NOT NULL,
    client TEXT NOT NULL,
    parent TEXT,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    error TEXT,
    tracks TEXT NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
"""


def default_data_dir() -> Path:
    """The data folder (:func:`gekiban.home.data_home`)."""
    return data_home()


def now() -> str:
    """The time now in UTC, ISO 8601 to the second: ``"2026-11-26T16:55:00Z"``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Database:
    """One SQLite connection (WAL journal) used by every thread in turn under :attr:`lock`.

    Raises
    ------
    OutputError
        If the database cannot be opened or created.
    """

    def __init__(self, path: Path) -> None:
        self.lock = threading.RLock()
        try:
            self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
            self.conn.row_factory = sqlite3.Row
            self.conn.create_function("fold", 1, lambda s: s.casefold() if isinstance(s, str) else s, deterministic=True)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise OutputError(f"cannot open the library database {str(path)!r}: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on an error)."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        """All rows of a read."""
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()
