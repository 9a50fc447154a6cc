"""Users' ratings of answers (👍/👎, a one-line correction, "the archive doesn't say this").

One SQLite file, `feedback.sqlite3` in the data dir, apart from the catalog: feedback is about
the bot's replies, not the archive, and survives a rebuilt archive. Each entry keeps what was
rated (the question, the reply, its citations, the as-of date), so `feedback_export.py` can
turn it into a question set without the archive. The Telegram bot writes from worker threads
and the event loop: one connection per thread, WAL, like the catalog.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal, cast

from bot.render import citation_json
from retrieval.connections import ThreadConnections
from retrieval.results import Answer

Verdict = Literal["up", "down"]

FILENAME = "feedback.sqlite3"
MAX_CORRECTION = 300

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    chat_id INTEGER,
    user_id INTEGER,
    answer_key TEXT NOT NULL,
    question TEXT NOT NULL,
    reply TEXT NOT NULL,
    short TEXT,
    abstained INTEGER NOT NULL,
    citations TEXT NOT NULL,
    as_of TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
    correction TEXT,
    not_in_archive INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
-- One rating per person per answer; NULL ids (the terminal chat) must still collide.
CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer ON feedback
    (channel, ifnull(chat_id, ''), answer_key, ifnull(user_id, ''));
"""

_COLUMNS = (
    "id, channel, chat_id, user_id, answer_key, question, reply, short, abstained, citations, "
    "as_of, verdict, correction, not_in_archive, created, updated"
)

# "the answer is 12 May", "Correct answer: 12 May", "it's 12 May": the answer is what follows.
_LEAD_IN = re.compile(
    r"^(?:(?:no|wrong)[,.!:;]?\s+)?(?:(?:the\s+)?(?:right\s+|correct\s+|real\s+)?answer\s+"
    r"(?:is|was)\b|(?:the\s+)?(?:right\s+|correct\s+)?answer\s*:|it\s+(?:is|was)\b|it['’]s\b)"
    r"[\s:,-]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FeedbackEntry:
    """One person's rating of one answer, with what the answer was."""

    id: int
    channel: str  # "telegram" or "cli"
    chat_id: int | None
    user_id: int | None
    answer_key: str  # the front end's key for the answer (per chat), for upserts
    question: str  # the standalone question the answer answered (follow-ups rewritten)
    reply: str  # Answer.reply() plain text
    short: str | None
    abstained: bool
    citations: tuple[dict[str, object], ...]  # as `ask --json` gives them (`render.citation_json`)
    as_of: date
    verdict: Verdict
    correction: str | None  # the user's right answer, one line
    not_in_archive: bool  # the user says the archive cannot answer this
    created: datetime  # UTC, when first rated
    updated: datetime


def clean_correction(text: str | None) -> str | None:
    """One line of at most 300 characters, without a lead-in like "the answer is"; None if empty."""
    if text is None:
        return None
    line = " ".join(text.split())
    line = _LEAD_IN.sub("", line).strip()
    line = line[:MAX_CORRECTION].rstrip()
    return line or None


class FeedbackStore:
    """The feedback file of one data dir; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections = ThreadConnections(path)
        self._conn.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedbackStore:
        """The store at `data_dir / feedback.sqlite3`."""
        return cls(data_dir / FILENAME)

    @property
    def _conn(self) -> sqlite3.Connection:
        # Per thread, as in the catalog: a reader never sees half of another thread's write.
        return self._connections.get()

    def vote(
        self,
        answer: Answer,
        verdict: Verdict,
        *,
        channel: str,
        chat_id: int | None,
        user_id: int | None,
        as_of: date,
        answer_key: str,
    ) -> int:
        """Record or change the verdict on one answer (upsert on channel+chat_id+answer_key+user_id);
        returns the entry id.

        Changing a 👎 to a 👍 drops its correction and not-in-archive flag: they said it was wrong.
        """
        if verdict not in ("up", "down"):
            raise ValueError(f"verdict must be 'up' or 'down', not {verdict!r}")
        now = _now()
        fields = (
            answer.question,
            answer.reply(),
            answer.short,
            int(answer.abstained),
            json.dumps([citation_json(c) for c in answer.citations], ensure_ascii=False),
            as_of.isoformat(),
            verdict,
        )
        conn = self._conn
        with conn:
            row = conn.execute(
                "SELECT id FROM feedback WHERE channel = ? AND chat_id IS ? AND answer_key = ? "
                "AND user_id IS ?",
                (channel, chat_id, answer_key, user_id),
            ).fetchone()
            if row is not None:
                entry_id = int(row[0])
                conn.execute(
                    "UPDATE feedback SET question = ?, reply = ?, short = ?, abstained = ?, "
                    "citations = ?, as_of = ?, verdict = ?, updated = ?, "
                    # The right-hand sides read the old row: the new verdict is bound again.
                    "correction = CASE WHEN ? = 'up' THEN NULL ELSE correction END, "
                    "not_in_archive = CASE WHEN ? = 'up' THEN 0 ELSE not_in_archive END "
                    "WHERE id = ?",
                    (*fields, now, verdict, verdict, entry_id),
                )
                return entry_id
            cursor = conn.execute(
                "INSERT INTO feedback (channel, chat_id, user_id, answer_key, question, reply, "
                "short, abstained, citations, as_of, verdict, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (channel, chat_id, user_id, answer_key, *fields, now, now),
            )
            return int(cast(int, cursor.lastrowid))

    def correct(
        self, entry_id: int, correction: str | None = None, *, not_in_archive: bool = False
    ) -> bool:
        """Attach the user's correction (collapsed to one line, max 300 chars) or the
        not-in-archive flag; False when no such entry.

        Either one says the answer was wrong, so the verdict becomes 👎; the two exclude each
        other (the later call wins). With neither, both are cleared and the verdict stays.
        """
        text = None if not_in_archive else clean_correction(correction)
        conn = self._conn
        with conn:
            cursor = conn.execute(
                "UPDATE feedback SET correction = ?, not_in_archive = ?, "
                "verdict = CASE WHEN ? OR ? IS NOT NULL THEN 'down' ELSE verdict END, "
                "updated = ? WHERE id = ?",
                (text, int(not_in_archive), int(not_in_archive), text, _now(), entry_id),
            )
        return cursor.rowcount > 0

    def get(self, entry_id: int) -> FeedbackEntry | None:
        """One entry by id, or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM feedback WHERE id = ?",  # noqa: S608 - fixed column list
            (entry_id,),
        ).fetchone()
        return None if row is None else _entry(row)

    def entries(self) -> list[FeedbackEntry]:
        """Every entry, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM feedback ORDER BY created, id"  # noqa: S608 - fixed column list
        ).fetchall()
        return [_entry(row) for row in rows]

    def close(self) -> None:
        """Close every connection this store opened."""
        self._connections.close()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _entry(row: tuple[object, ...]) -> FeedbackEntry:
    (entry_id, channel, chat_id, user_id, key, question, reply, short, abstained, citations,
     as_of, verdict, correction, not_in_archive, created, updated) = row  # fmt: skip
    return FeedbackEntry(
        id=cast(int, entry_id),
        channel=str(channel),
        chat_id=cast(int | None, chat_id),
        user_id=cast(int | None, user_id),
        answer_key=str(key),
        question=str(question),
        reply=str(reply),
        short=cast(str | None, short),
        abstained=bool(abstained),
        citations=tuple(json.loads(str(citations))),
        as_of=date.fromisoformat(str(as_of)),
        verdict=cast(Verdict, verdict),
        correction=cast(str | None, correction),
        not_in_archive=bool(not_in_archive),
        created=datetime.fromisoformat(str(created)),
        updated=datetime.fromisoformat(str(updated)),
    )
