"""The keyword index: SQLite FTS5 over the catalog's chunk text, ranked by BM25.

It lives in the catalog's file and follows its `chunks` table through triggers, so a chunk is
searchable exactly when the catalog holds it. Persisted, updated incrementally and queried
from disk: no start-up loads every chunk into memory.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from retrieval.archive.store import date_to_int
from retrieval.text.morphology import script_language
from retrieval.text.sentences import content_words, stem

# Run by the catalog after its own schema (the triggers watch its `chunks` table).
KEYWORD_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    text, content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunk_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_fts(chunk_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
"""

_KEYWORD = (
    "SELECT c.chunk_id, c.article_id, c.text, r.rank FROM ("
    "SELECT rowid AS id, bm25(chunk_fts) AS rank FROM chunk_fts "
    "WHERE chunk_fts MATCH ? ORDER BY rank LIMIT ?"
    ") r JOIN chunks c ON c.rowid = r.id ORDER BY r.rank"
)
_KEYWORD_IN_WINDOW = (
    "SELECT c.chunk_id, c.article_id, c.text, r.rank FROM ("
    "SELECT f.rowid AS id, bm25(chunk_fts) AS rank FROM chunk_fts f "
    "JOIN chunks w ON w.rowid = f.rowid "
    "WHERE chunk_fts MATCH ? AND (w.published_int BETWEEN ? AND ? OR w.published_int = 0) "
    "ORDER BY rank LIMIT ?"
    ") r JOIN chunks c ON c.rowid = r.id ORDER BY r.rank"
)


def fts_term(word: str) -> str:
    """One word as an FTS5 query term. The index's Porter stemmer knows English only, so a
    Russian or Arabic word is looked up by its Snowball stem as a prefix ("бородин"* finds
    "Бородина" and "Бородиным"); a stem under four letters would find too much and is exact."""
    cleaned = word.replace('"', "")
    if not cleaned.isascii() and script_language(cleaned) is not None:
        root = stem(cleaned)
        if len(root) >= 4 and cleaned.startswith(root):
            return f'"{root}"*'
    return f'"{cleaned}"'


@dataclass(frozen=True)
class KeywordHit:
    """A chunk the keyword index found; larger `score` is better."""

    chunk_id: str
    article_id: str
    text: str
    score: float


class KeywordIndex:
    """BM25 search and term rarity over the chunks of one catalog.

    Args:
        connect: the calling thread's connection to the catalog's file (the catalog's).
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect

    def search(
        self, query: str, k: int, start: date | None = None, end: date | None = None
    ) -> list[KeywordHit]:
        """BM25 over chunk text, inside an optional publication-date window (undated chunks
        are always in it: an undated page may be from any time)."""
        terms = list(dict.fromkeys(content_words(query)))
        if not terms:
            return []
        match = " OR ".join(fts_term(t) for t in terms[:32] if t.replace('"', ""))
        low = date_to_int(start) if start else -1
        high = date_to_int(end) if end else 99999999
        conn = self._connect()
        # Rank row ids first and fetch only the k winners' texts: sorting every matching
        # row together with its text was most of the cost at 100k chunks.
        if start or end:
            rows = conn.execute(_KEYWORD_IN_WINDOW, (match, low, high, k)).fetchall()
        else:
            rows = conn.execute(_KEYWORD, (match, k)).fetchall()
        return [KeywordHit(str(r[0]), str(r[1]), str(r[2]), -float(r[3])) for r in rows]

    def articles_with_all(
        self,
        terms: Sequence[str],
        limit: int,
        start: date | None = None,
        end: date | None = None,
        *,
        among: Sequence[str] | None = None,
    ) -> list[str]:
        """Articles with a chunk holding every one of `terms` (stemmed), in an optional
        window (undated always in it) or among the given article ids; at most `limit`."""
        cleaned = [t.replace('"', "") for t in terms if t.replace('"', "")]
        if not cleaned or (among is not None and not among):
            return []
        match = " AND ".join(fts_term(t) for t in cleaned[:32])
        low = date_to_int(start) if start else -1
        high = date_to_int(end) if end else 99999999
        sql = (
            "SELECT DISTINCT c.article_id FROM chunk_fts f JOIN chunks c ON c.rowid = f.rowid "
            "WHERE chunk_fts MATCH ? AND (c.published_int BETWEEN ? AND ? OR c.published_int = 0)"
        )
        params: list[object] = [match, low, high]
        if among is not None:
            sql += f" AND c.article_id IN ({','.join('?' * len(among))})"
            params.extend(among)
        rows = self._connect().execute(sql + " LIMIT ?", [*params, limit]).fetchall()
        return [str(r[0]) for r in rows]

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """How rare each word is among the chunks (BM25's idf; unseen words get the maximum)."""
        conn = self._connect()
        total = int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
        rarity: dict[str, float] = {}
        for term in terms:
            cleaned = term.replace('"', "")
            if not cleaned:
                continue
            try:
                found = conn.execute(
                    "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ?", (fts_term(cleaned),)
                ).fetchone()[0]
            except sqlite3.OperationalError:
                found = 0
            rarity[term] = math.log((total - found + 0.5) / (found + 0.5) + 1.0)
        return rarity
