"""The syndication tables: each article's MinHash signature and story, and the LSH band keys.

They live in the catalog's file, which creates them, so one owner opens and closes every table
of a data dir. What the rows mean (signatures, bands, when two texts are one story) is
`ingest.syndication`'s business: this module only stores and finds them. Table and column
names are those data dirs were written with (`syndication_sigs`, `syndication_bands`,
`syndication_meta`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence

# Run by the catalog when it opens its file.
STORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS syndication_sigs (
    article_id TEXT PRIMARY KEY, sig BLOB NOT NULL, story_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS syndication_sigs_story ON syndication_sigs(story_id);
CREATE TABLE IF NOT EXISTS syndication_bands (band_key TEXT NOT NULL, article_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS syndication_bands_key ON syndication_bands(band_key);
CREATE INDEX IF NOT EXISTS syndication_bands_article ON syndication_bands(article_id);
CREATE TABLE IF NOT EXISTS syndication_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_QUERY_BATCH = 500  # stays under SQLite's limit on bound parameters

BandKeys = Callable[[bytes], list[str]]


class StoryTables:
    """Signatures, stories and band keys of indexed articles; each write commits.

    `story_id` of a story is the id of its first member still present.

    Args:
        connect: the calling thread's connection to the catalog's file (the catalog's).
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect

    def params(self) -> dict[str, str]:
        """The banding parameters the stored band keys were made with (empty when none)."""
        rows = self._connect().execute("SELECT key, value FROM syndication_meta").fetchall()
        return {str(key): str(value) for key, value in rows}

    def set_params(self, params: Mapping[str, str], rebuild: BandKeys | None = None) -> None:
        """Store the banding parameters; with `rebuild`, first recompute every band key.

        `rebuild` gives a stored signature's band keys; signatures of texts without words
        (stored empty) have none. Both happen in one transaction.
        """
        conn = self._connect()
        with conn:
            if rebuild is not None:
                conn.execute("DELETE FROM syndication_bands")
                reader = conn.cursor()
                for article_id, blob in reader.execute(
                    "SELECT article_id, sig FROM syndication_sigs"
                ):
                    if not blob:
                        continue
                    conn.executemany(
                        "INSERT INTO syndication_bands (band_key, article_id) VALUES (?, ?)",
                        [(key, article_id) for key in rebuild(bytes(blob))],
                    )
            conn.executemany(
                "INSERT OR REPLACE INTO syndication_meta (key, value) VALUES (?, ?)",
                params.items(),
            )

    def add(self, article_id: str, signature: bytes, story_id: str, keys: Sequence[str]) -> None:
        """Store an article's signature, its story and its band keys."""
        conn = self._connect()
        with conn:
            conn.execute(
                "INSERT INTO syndication_sigs (article_id, sig, story_id) VALUES (?, ?, ?)",
                (article_id, signature, story_id),
            )
            conn.executemany(
                "INSERT INTO syndication_bands (band_key, article_id) VALUES (?, ?)",
                [(key, article_id) for key in keys],
            )

    def remove(self, article_id: str) -> None:
        """Forget an article; if it named its story, the next-oldest member names it now."""
        story_id = self.story_of(article_id)
        if story_id is None:
            return
        conn = self._connect()
        with conn:
            conn.execute("DELETE FROM syndication_bands WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM syndication_sigs WHERE article_id = ?", (article_id,))
            if story_id == article_id:
                heir = conn.execute(
                    "SELECT article_id FROM syndication_sigs WHERE story_id = ? "
                    "ORDER BY rowid LIMIT 1",
                    (story_id,),
                ).fetchone()
                if heir is not None:
                    conn.execute(
                        "UPDATE syndication_sigs SET story_id = ? WHERE story_id = ?",
                        (heir[0], story_id),
                    )

    def story_of(self, article_id: str) -> str | None:
        """The story an article belongs to, or None when it is not indexed."""
        row = (
            self._connect()
            .execute("SELECT story_id FROM syndication_sigs WHERE article_id = ?", (article_id,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def members(self, story_id: str) -> list[str]:
        """Article ids of a story, oldest first."""
        rows = (
            self._connect()
            .execute(
                "SELECT article_id FROM syndication_sigs WHERE story_id = ? ORDER BY rowid",
                (story_id,),
            )
            .fetchall()
        )
        return [str(row[0]) for row in rows]

    def candidates(self, keys: Sequence[str]) -> list[str]:
        """Ids of the articles that share at least one band key with `keys`."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._connect().execute(
            f"SELECT DISTINCT article_id FROM syndication_bands WHERE band_key IN ({marks})",  # noqa: S608 - only placeholders are interpolated
            list(keys),
        )
        return [str(row[0]) for row in rows]

    def signatures(self, article_ids: Sequence[str]) -> Iterator[tuple[int, bytes, str]]:
        """(insertion order, signature, story) of each of these articles that is indexed."""
        conn = self._connect()
        for start in range(0, len(article_ids), _QUERY_BATCH):
            batch = list(article_ids[start : start + _QUERY_BATCH])
            marks = ",".join("?" * len(batch))
            rows = conn.execute(
                f"SELECT rowid, sig, story_id FROM syndication_sigs WHERE article_id IN ({marks})",  # noqa: S608 - only placeholders are interpolated
                batch,
            )
            for rowid, blob, story_id in rows:
                yield int(rowid), bytes(blob), str(story_id)
