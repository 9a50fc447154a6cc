"""The topics each chat follows, and which articles each chat has been told about.

One SQLite file in the data dir (`follows.sqlite3`), so following survives restarts. A follow
keeps a mark, the catalog's newest article row when it was made (`Catalog.last_article_rowid`):
only articles added after it are news to that chat. What was pushed is kept per chat and
article, so an article is pushed to a chat once, whatever topics it matches and however often
the archive is synced; a replaced version of it is not news again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from retrieval.connections import ThreadConnections

MAX_FOLLOWS_PER_CHAT = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS follows (
    chat_id INTEGER NOT NULL,
    topic_key TEXT NOT NULL,
    topic TEXT NOT NULL,
    mark INTEGER NOT NULL,
    created TEXT NOT NULL,
    user_id INTEGER,
    PRIMARY KEY (chat_id, topic_key)
);
CREATE TABLE IF NOT EXISTS pushed (
    chat_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    pushed_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, article_id)
);
CREATE TABLE IF NOT EXISTS pushes (
    chat_id INTEGER NOT NULL,
    pushed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pushes_chat ON pushes(chat_id, pushed_at);
"""


@dataclass(frozen=True)
class Follow:
    """A chat following a topic since the catalog's article row `mark`, asked by `user_id`
    (a group is pushed to while the allow-lists admit the group or the user who followed)."""

    chat_id: int
    topic: str
    mark: int
    created: datetime
    user_id: int | None = None


def topic_key(topic: str) -> str:
    """What makes two spellings the same follow: case and spacing do not count."""
    return " ".join(topic.casefold().split())


class FollowStore:
    """The follows of one bot, in `follows.sqlite3` beside the archive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections = ThreadConnections(path)
        self._conn.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FollowStore:
        return cls(data_dir / "follows.sqlite3")

    @property
    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (the bot reads in the loop and writes from workers)."""
        return self._connections.get()

    def close(self) -> None:
        self._connections.close()

    def follow(self, chat_id: int, topic: str, mark: int, user_id: int | None = None) -> bool:
        """Follow `topic` in the chat from `mark` on, at `user_id`'s request; False when it
        was followed already."""
        now = datetime.now(UTC).isoformat()
        with self._conn as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO follows(chat_id, topic_key, topic, mark, created, user_id) "
                "VALUES (?,?,?,?,?,?)",
                (chat_id, topic_key(topic), topic, mark, now, user_id),
            )
            return cursor.rowcount == 1

    def unfollow(self, chat_id: int, topic: str) -> bool:
        """Stop following; False when the chat did not follow it."""
        with self._conn as conn:
            cursor = conn.execute(
                "DELETE FROM follows WHERE chat_id = ? AND topic_key = ?",
                (chat_id, topic_key(topic)),
            )
            return cursor.rowcount == 1

    def of_chat(self, chat_id: int) -> list[Follow]:
        """The chat's follows, oldest first."""
        rows = self._conn.execute(
            "SELECT chat_id, topic, mark, created, user_id FROM follows WHERE chat_id = ? "
            "ORDER BY created, topic_key",
            (chat_id,),
        ).fetchall()
        return [_follow(row) for row in rows]

    def all(self) -> list[Follow]:
        """Every follow of every chat."""
        rows = self._conn.execute(
            "SELECT chat_id, topic, mark, created, user_id FROM follows ORDER BY chat_id, created"
        ).fetchall()
        return [_follow(row) for row in rows]

    def was_pushed(self, chat_id: int, article_ids: list[str]) -> set[str]:
        """Which of these articles the chat has been told about already."""
        found: set[str] = set()
        for start in range(0, len(article_ids), 500):
            part = article_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT article_id FROM pushed WHERE chat_id = ? AND article_id IN ({marks})"  # noqa: S608 - placeholders only
            found.update(str(r[0]) for r in self._conn.execute(sql, [chat_id, *part]))
        return found

    def record_push(self, chat_id: int, article_ids: list[str], mark: int, at: float) -> None:
        """The chat was told about these articles at `at` (epoch seconds); its follows now
        start after `mark`."""
        now = datetime.now(UTC).isoformat()
        with self._conn as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO pushed(chat_id, article_id, pushed_at) VALUES (?,?,?)",
                [(chat_id, article_id, now) for article_id in article_ids],
            )
            conn.execute("INSERT INTO pushes(chat_id, pushed_at) VALUES (?, ?)", (chat_id, at))
            conn.execute(
                "UPDATE follows SET mark = max(mark, ?) WHERE chat_id = ?", (mark, chat_id)
            )

    def advance(self, chat_id: int, mark: int) -> None:
        """Nothing new for the chat up to `mark`: start its follows after it."""
        with self._conn as conn:
            conn.execute(
                "UPDATE follows SET mark = max(mark, ?) WHERE chat_id = ?", (mark, chat_id)
            )

    def pushes_since(self, chat_id: int, since: float) -> int:
        """How many messages the chat was pushed since `since` (epoch seconds)."""
        row = self._conn.execute(
            "SELECT count(*) FROM pushes WHERE chat_id = ? AND pushed_at >= ?", (chat_id, since)
        ).fetchone()
        return int(row[0])


def _follow(row: tuple[object, ...]) -> Follow:
    return Follow(
        chat_id=int(str(row[0])),
        topic=str(row[1]),
        mark=int(str(row[2])),
        created=datetime.fromisoformat(str(row[3])),
        user_id=None if row[4] is None else int(str(row[4])),
    )
