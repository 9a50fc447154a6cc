"""The catalog: what articles are stored, their chunks' text, aliases and the clean-up journal.

# size: one set of tables (articles, chunks, aliases, meta, clean-up) and their SQL; cohesive

One SQLite file under the data dir. It is the record of truth for what retrieval may show:
a chunk found in Chroma counts only when the catalog holds its article with the same content
hash, so an ingest killed half-way never shows a half-stored article. The catalog opens the
file and creates every table in it: its own, the keyword index's (`keywords.py`, reached as
`catalog.keywords` or through `keyword_search` and `idf`) and the syndication stories'
(`stories.py`, reached as `catalog.stories`), so nothing else connects to the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from retrieval.archive.keywords import KEYWORD_SCHEMA, KeywordHit, KeywordIndex
from retrieval.archive.store import ChunkRecord, date_to_int, int_to_date
from retrieval.archive.stories import STORY_SCHEMA, StoryTables
from retrieval.archive.vectors import VectorFile
from retrieval.connections import ThreadConnections

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT,
    url TEXT,
    published_int INTEGER NOT NULL DEFAULT 0,
    date_source TEXT NOT NULL DEFAULT 'none',
    author TEXT,
    origin TEXT NOT NULL,
    external_id TEXT,
    story_id TEXT,
    n_chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL DEFAULT (datetime('now')),
    body TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS articles_body ON articles(body_hash);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_ext ON articles(external_id);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_int);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT UNIQUE NOT NULL,
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    published_int INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cleanup (
    article_id TEXT PRIMARY KEY,
    keep_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    source TEXT,
    published_int INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS aliases_article ON aliases(article_id);
"""


# Every change to the chunks table bumps this, so readers in other processes and threads
# reload their arrays of the vector file (`vectors.py`).
_BUMP_GENERATION = (
    "INSERT INTO meta(key, value) VALUES ('chunks_generation', '1') ON CONFLICT(key) "
    "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)

_RECORD_COLUMNS = (
    "article_id, content_hash, body_hash, title, source, url, published_int, date_source, "
    "author, origin, external_id, story_id, n_chunks, ingested_at, language"
)


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the catalog knows it (no body: that lives in the chunks)."""

    article_id: str
    content_hash: str
    body_hash: str
    title: str
    source: str | None
    url: str | None
    published: date | None
    date_source: str
    author: str | None
    origin: str
    external_id: str | None
    story_id: str | None
    n_chunks: int
    language: str = ""  # ISO 639-1, "und" when the text did not tell; "" = not known (older rows)


@dataclass(frozen=True)
class CatalogStats:
    """What the archive holds, for `newsbot stats` and coverage answers."""

    articles: int
    chunks: int
    outlets: tuple[tuple[str, int], ...]
    first: date | None
    last: date | None
    undated: int
    # chunks ingest's second pass has still to embed (found by keyword, and the article by its
    # lede, until then)
    awaiting: int = 0
    # (language, articles), most first; "(unknown)" counts rows stored before languages were
    languages: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CatalogChunk:
    """A committed chunk with what its embedding text and store metadata are made from
    (what the second pass embeds and `repair` stores again)."""

    rowid: int
    record: ChunkRecord  # embed_text left empty: the pipeline rebuilds it with the header


class Catalog:
    """The SQLite catalog of one data dir, with its keyword index and story tables."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections = ThreadConnections(path)
        conn = self._conn
        conn.executescript(_SCHEMA + KEYWORD_SCHEMA + STORY_SCHEMA)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        if "body" not in columns:  # catalogs written before bodies were kept
            conn.execute("ALTER TABLE articles ADD COLUMN body TEXT NOT NULL DEFAULT ''")
        if "language" not in columns:  # before languages: '' until a re-ingest tells it
            conn.execute("ALTER TABLE articles ADD COLUMN language TEXT NOT NULL DEFAULT ''")
        chunk_columns = {row[1] for row in conn.execute("PRAGMA table_info(chunks)")}
        if "vector_row" not in chunk_columns:
            conn.execute("ALTER TABLE chunks ADD COLUMN vector_row INTEGER")  # before vectors.f32
        if "awaiting" not in chunk_columns:  # before the two-pass ingest
            conn.execute("ALTER TABLE chunks ADD COLUMN awaiting INTEGER NOT NULL DEFAULT 0")
        conn.execute("CREATE INDEX IF NOT EXISTS chunks_awaiting ON chunks(awaiting, rowid)")
        if "sentences" not in chunk_columns:  # before stored sentence vectors: none stored
            conn.execute("ALTER TABLE chunks ADD COLUMN sentences INTEGER NOT NULL DEFAULT 0")
        conn.execute("CREATE INDEX IF NOT EXISTS chunks_sentences ON chunks(sentences, rowid)")
        self.keywords = KeywordIndex(lambda: self._conn)
        self.stories = StoryTables(lambda: self._conn)
        self.vectors = VectorFile(path.parent / "vectors.f32", lambda: self._conn)

    @property
    def _conn(self) -> sqlite3.Connection:
        """This thread's connection: readers in other threads (the bot answers in worker
        threads) then see only committed writes, never half a transaction (WAL mode).

        The keyword index and the story tables are handed this, the file's only way in."""
        return self._connections.get()

    def close(self) -> None:
        """Close every connection this catalog opened."""
        self._connections.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: an interrupted write leaves the previous state."""
        with self._conn:
            yield self._conn

    def get(self, article_ids: Iterable[str]) -> dict[str, ArticleRecord]:
        """Stored articles by id (unknown ids are simply absent)."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, ArticleRecord] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM articles WHERE article_id IN ({marks})",  # noqa: S608 - placeholders only
                part,
            ).fetchall()
            for row in rows:
                record = _record(row)
                found[record.article_id] = record
        return found

    def by_body_hash(self, body_hash: str) -> str | None:
        """The id of a stored article with exactly this body, if any."""
        row = self._conn.execute(
            "SELECT article_id FROM articles WHERE body_hash = ? LIMIT 1", (body_hash,)
        ).fetchone()
        return str(row[0]) if row else None

    def resolve(self, key: str) -> str | None:
        """An article id from an id, an external id, a URL or an alias URL."""
        for sql in (
            "SELECT article_id FROM articles WHERE article_id = ?",
            "SELECT article_id FROM articles WHERE external_id = ?",
            "SELECT article_id FROM articles WHERE url = ?",
            "SELECT article_id FROM aliases WHERE url = ?",
        ):
            row = self._conn.execute(sql, (key,)).fetchone()
            if row:
                return str(row[0])
        return None

    def commit_article(
        self,
        record: ArticleRecord,
        chunks: Sequence[ChunkRecord],
        body: str = "",
        vector_rows: Sequence[int | None] | None = None,
        awaiting: Sequence[bool] | None = None,
    ) -> None:
        """Make an article (and its freshly stored vectors) visible, replacing an old version.

        The old version's vectors are listed for clean-up in the same transaction, so a crash
        between this and the clean-up is finished by the next run. `vector_rows`: each chunk's
        row in the local vector file (`vectors.py`), None when it has none. `awaiting`: the
        chunks whose vector from their full text ingest's second pass has still to make.
        """
        rows: Sequence[int | None] = (
            vector_rows if vector_rows is not None else [None] * len(chunks)
        )
        waits: Sequence[bool] = awaiting if awaiting is not None else [False] * len(chunks)
        with self._conn:
            old = self._conn.execute(
                "SELECT content_hash FROM articles WHERE article_id = ?", (record.article_id,)
            ).fetchone()
            if old and old[0] != record.content_hash:
                self._conn.execute(
                    "INSERT OR REPLACE INTO cleanup(article_id, keep_hash) VALUES (?, ?)",
                    (record.article_id, record.content_hash),
                )
            self._conn.execute("DELETE FROM chunks WHERE article_id = ?", (record.article_id,))
            self._conn.execute(
                "INSERT OR REPLACE INTO articles(article_id, content_hash, body_hash, title, "
                "source, url, published_int, date_source, author, origin, external_id, story_id, "
                "n_chunks, body, language) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.article_id,
                    record.content_hash,
                    record.body_hash,
                    record.title,
                    record.source,
                    record.url,
                    date_to_int(record.published),
                    record.date_source,
                    record.author,
                    record.origin,
                    record.external_id,
                    record.story_id,
                    record.n_chunks,
                    body,
                    record.language,
                ),
            )
            self._conn.executemany(
                "INSERT INTO chunks(chunk_id, article_id, position, published_int, text, "
                "vector_row, awaiting) VALUES (?,?,?,?,?,?,?)",
                [
                    (
                        c.chunk_id,
                        c.article_id,
                        c.position,
                        date_to_int(c.published),
                        c.text,
                        row,
                        int(wait),
                    )
                    for c, row, wait in zip(chunks, rows, waits, strict=True)
                ],
            )
            self._conn.execute(_BUMP_GENERATION)

    def set_languages(self, languages: Iterable[tuple[str, str]]) -> None:
        """Write (article id, language) in place: a language learnt without a new version."""
        with self._conn:
            self._conn.executemany(
                "UPDATE articles SET language = ? WHERE article_id = ?",
                [(language, article_id) for article_id, language in languages],
            )

    def add_alias(
        self, url: str, article_id: str, source: str | None, published: date | None
    ) -> None:
        """Remember that an exact copy was seen at another URL/outlet."""
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO aliases(url, article_id, source, published_int) "
                "VALUES (?,?,?,?)",
                (url, article_id, source, date_to_int(published)),
            )

    def aliases_of(self, article_id: str) -> list[tuple[str, str | None]]:
        """(url, outlet) of exact copies seen elsewhere."""
        rows = self._conn.execute(
            "SELECT url, source FROM aliases WHERE article_id = ? ORDER BY url", (article_id,)
        ).fetchall()
        return [(str(r[0]), r[1]) for r in rows]

    def remove(self, article_id: str) -> bool:
        """Forget an article; its vectors are listed for clean-up. False when it was unknown."""
        with self._conn:
            cursor = self._conn.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
            if cursor.rowcount == 0:
                return False
            self._conn.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
            self._conn.execute("DELETE FROM aliases WHERE article_id = ?", (article_id,))
            self._conn.execute(_BUMP_GENERATION)
            self._conn.execute(
                "INSERT OR REPLACE INTO cleanup(article_id, keep_hash) VALUES (?, '')",
                (article_id,),
            )
        return True

    def pending_cleanup(self) -> list[tuple[str, str]]:
        """(article_id, content hash to keep; '' = none) whose stale vectors must go."""
        rows = self._conn.execute("SELECT article_id, keep_hash FROM cleanup").fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def cleanup_done(self, article_id: str) -> None:
        """The stale vectors of an article are gone."""
        with self._conn:
            self._conn.execute("DELETE FROM cleanup WHERE article_id = ?", (article_id,))

    def bodies(self) -> Iterator[tuple[ArticleRecord, str]]:
        """Every stored article with its full text (for the baseline and exports)."""
        for row in self._conn.execute(
            f"SELECT {_RECORD_COLUMNS}, body FROM articles ORDER BY article_id"  # noqa: S608 - constant
        ):
            yield _record(row[:-1]), str(row[-1])

    def article_chunks(self, article_id: str) -> list[tuple[str, str]]:
        """(chunk_id, text) of an article in reading order."""
        rows = self._conn.execute(
            "SELECT chunk_id, text FROM chunks WHERE article_id = ? ORDER BY position",
            (article_id,),
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def keyword_search(
        self, query: str, k: int, start: date | None = None, end: date | None = None
    ) -> list[KeywordHit]:
        """BM25 over chunk text, inside an optional publication-date window (and undated)."""
        return self.keywords.search(query, k, start, end)

    def has_published(self, start: date, end: date) -> bool:
        """Whether any article was published in [start, end] (undated ones are not)."""
        row = self._conn.execute(
            "SELECT 1 FROM articles WHERE published_int BETWEEN ? AND ? LIMIT 1",
            (date_to_int(start), date_to_int(end)),
        ).fetchone()
        return row is not None

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """How rare each word is among the chunks (BM25's idf; unseen words get the maximum)."""
        return self.keywords.idf(terms)

    def meta(self, key: str) -> str | None:
        """A value the archive keeps about itself (e.g. which embedding made its vectors)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def awaiting_chunks(self, after_rowid: int, limit: int) -> list[CatalogChunk]:
        """Chunks the second pass has still to embed, in catalog order after `after_rowid`,
        with what their embedding text and store metadata are made from."""
        rows = self._conn.execute(
            "SELECT c.rowid, c.chunk_id, c.article_id, c.position, c.text, a.title, a.source, "
            "a.published_int, a.url, a.content_hash FROM chunks c "
            "JOIN articles a ON a.article_id = c.article_id "
            "WHERE c.awaiting = 1 AND c.rowid > ? ORDER BY c.rowid LIMIT ?",
            (after_rowid, limit),
        ).fetchall()
        return [_catalog_chunk(r) for r in rows]

    def begin_reembed(self, identity: str) -> None:
        """Switch the archive to the embedding `identity`: every chunk awaits a new vector,
        none is named in the vector file any more, and `reembed_reset` marks that the old
        vectors (file and collection) are still to be dropped. One transaction."""
        with self._conn:
            self._conn.execute("UPDATE chunks SET vector_row = NULL, awaiting = 1, sentences = 0")
            self._conn.execute("DELETE FROM meta WHERE key = 'vector_dim'")
            self._conn.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                [("embedding", identity), ("reembed_reset", "1")],
            )
            self._conn.execute(_BUMP_GENERATION)

    def end_reset(self) -> None:
        """The old vectors are dropped (after `begin_reembed`)."""
        with self._conn:
            self._conn.execute("DELETE FROM meta WHERE key = 'reembed_reset'")

    def vector_chunks(self, after_rowid: int, limit: int) -> list[tuple[CatalogChunk, int]]:
        """Committed chunks that have a row in the vector file, with that row, in catalog
        order after `after_rowid` (what `repair` puts back into the vector store)."""
        rows = self._conn.execute(
            "SELECT c.rowid, c.chunk_id, c.article_id, c.position, c.text, a.title, a.source, "
            "a.published_int, a.url, a.content_hash, c.vector_row FROM chunks c "
            "JOIN articles a ON a.article_id = c.article_id "
            "WHERE c.vector_row IS NOT NULL AND c.rowid > ? ORDER BY c.rowid LIMIT ?",
            (after_rowid, limit),
        ).fetchall()
        return [(_catalog_chunk(r), int(r[10])) for r in rows]

    def await_unstored(self) -> int:
        """Mark the chunks with no row in the vector file (archives from before it) as awaiting
        a vector, so the second pass embeds them; returns how many."""
        with self._conn:
            marked = self._conn.execute(
                "UPDATE chunks SET awaiting = 1 WHERE vector_row IS NULL AND awaiting = 0"
            ).rowcount
            self._conn.execute(_BUMP_GENERATION)
        return int(marked)

    def unread_chunks(self, after_rowid: int, limit: int) -> list[tuple[int, str, str]]:
        """(rowid, chunk_id, text) of chunks whose sentences have no stored vectors yet
        (ingest's third pass), in catalog order after `after_rowid`."""
        rows = self._conn.execute(
            "SELECT rowid, chunk_id, text FROM chunks WHERE sentences = 0 AND rowid > ? "
            "ORDER BY rowid LIMIT ?",
            (after_rowid, limit),
        ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def sentences_stored(self, done: Sequence[tuple[int, str]]) -> None:
        """Record that the sentences of these (rowid, chunk_id) chunks have stored vectors."""
        with self._conn:
            self._conn.executemany(
                "UPDATE chunks SET sentences = 1 WHERE rowid = ? AND chunk_id = ?", done
            )

    def unread_count(self, every: bool = False) -> int:
        """How many chunks the third pass has still to store sentence vectors for (`every`:
        how many chunks there are)."""
        where = "" if every else " WHERE sentences = 0"
        return int(self._conn.execute(f"SELECT count(*) FROM chunks{where}").fetchone()[0])  # noqa: S608 - a fixed clause

    def forget_sentences(self) -> None:
        """Every chunk's sentences need vectors again (the stored ones are another model's)."""
        with self._conn:
            self._conn.execute("UPDATE chunks SET sentences = 0")

    def awaiting_count(self) -> int:
        """How many chunks the second pass has still to embed."""
        return int(
            self._conn.execute("SELECT count(*) FROM chunks WHERE awaiting = 1").fetchone()[0]
        )

    def embedded(self, done: Sequence[tuple[int, str, int]]) -> None:
        """Record the second pass's vectors: (rowid, chunk_id, vector row) per chunk. A chunk
        replaced since it was read (its rowid names another chunk id now) is left alone."""
        with self._conn:
            self._conn.executemany(
                "UPDATE chunks SET vector_row = ?, awaiting = 0 WHERE rowid = ? AND chunk_id = ?",
                [(row, rowid, chunk_id) for rowid, chunk_id, row in done],
            )
            self._conn.execute(_BUMP_GENERATION)

    def last_article_rowid(self) -> int:
        """The newest article's row id: a mark that articles added or replaced later pass."""
        return int(self._conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0])

    def articles_after(self, rowid: int, limit: int = 10_000) -> list[tuple[int, str]]:
        """(row id, article id) of the articles added or replaced since the mark `rowid`,
        oldest first (a replaced article gets a new row)."""
        rows = self._conn.execute(
            "SELECT rowid, article_id FROM articles WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (rowid, limit),
        ).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def chunk_vector_rows(self, article_rowids: Sequence[int]) -> list[tuple[str, int | None]]:
        """(article id, vector row or None) of every chunk of these articles (by row id)."""
        found: list[tuple[str, int | None]] = []
        ids = list(article_rowids)
        for begin in range(0, len(ids), 500):
            part = ids[begin : begin + 500]
            marks = ",".join("?" * len(part))
            joined = "articles a JOIN chunks c ON c.article_id = a.article_id"
            sql = f"SELECT c.article_id, c.vector_row FROM {joined} WHERE a.rowid IN ({marks})"  # noqa: S608 - placeholders only
            found.extend(
                (str(r[0]), None if r[1] is None else int(r[1]))
                for r in self._conn.execute(sql, part)
            )
        return found

    def date_range(self) -> tuple[date | None, date | None]:
        """The first and last publication day of the archive (two index lookups: a refusal
        says what the archive covers, and `stats` counts every row)."""
        low = self._conn.execute(
            "SELECT min(published_int) FROM articles WHERE published_int > 0"
        ).fetchone()[0]
        high = self._conn.execute("SELECT max(published_int) FROM articles").fetchone()[0]
        return int_to_date(low), int_to_date(high or None)

    def stats(self) -> CatalogStats:
        """Counts, outlets, languages and the date range of the archive."""
        articles = int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        chunks = int(self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
        outlets = tuple(
            (str(r[0]), int(r[1]))
            for r in self._conn.execute(
                "SELECT coalesce(source, '(unknown)'), count(*) FROM articles "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        languages = tuple(
            (str(r[0]), int(r[1]))
            for r in self._conn.execute(
                "SELECT coalesce(nullif(language, ''), '(unknown)'), count(*) FROM articles "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        low, high, undated = self._conn.execute(
            "SELECT min(nullif(published_int, 0)), max(nullif(published_int, 0)), "
            "sum(published_int = 0) FROM articles"
        ).fetchone()
        return CatalogStats(
            articles=articles,
            chunks=chunks,
            outlets=outlets,
            first=int_to_date(low),
            last=int_to_date(high),
            undated=int(undated or 0),
            awaiting=self.awaiting_count(),
            languages=languages,
        )


def _catalog_chunk(r: sqlite3.Row | tuple[object, ...]) -> CatalogChunk:
    """A chunk row joined with its article (rowid, chunk_id, article_id, position, text,
    title, source, published_int, url, content_hash, ...)."""
    return CatalogChunk(
        rowid=int(str(r[0])),
        record=ChunkRecord(
            chunk_id=str(r[1]),
            article_id=str(r[2]),
            position=int(str(r[3])),
            text=str(r[4]),
            embed_text="",
            title=str(r[5]),
            source=None if r[6] is None else str(r[6]),
            published=int_to_date(r[7]),
            url=None if r[8] is None else str(r[8]),
            content_hash=str(r[9]),
        ),
    )


def _record(row: sqlite3.Row | tuple[object, ...]) -> ArticleRecord:
    (aid, chash, bhash, title, source, url, pub, dsrc, author, origin, ext, story, n, _at, lang) = (
        row
    )
    return ArticleRecord(
        article_id=str(aid),
        content_hash=str(chash),
        body_hash=str(bhash),
        title=str(title),
        source=source if isinstance(source, str) else None,
        url=url if isinstance(url, str) else None,
        published=int_to_date(pub),
        date_source=str(dsrc),
        author=author if isinstance(author, str) else None,
        origin=str(origin),
        external_id=ext if isinstance(ext, str) else None,
        story_id=story if isinstance(story, str) else None,
        n_chunks=n if isinstance(n, int) else 0,
        language=str(lang or ""),
    )
