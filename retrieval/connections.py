"""One SQLite file opened once per thread: what the catalog and the bot's own stores share.

Each thread gets its own connection (the bot answers in worker threads and writes from the
event loop), in WAL mode, so a reader never sees half of another thread's transaction;
`close` closes every connection any thread opened.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class ThreadConnections:
    """Per-thread connections to the SQLite file at `path` (its folder made if missing)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection opened so far; a later `get` opens a new one."""
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
        self._local = threading.local()
