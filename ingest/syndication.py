"""Syndicated copies: the same wire story run by several outlets, grouped as one story.

Texts are compared by MinHash signatures of their word 5-shingles, and candidates are found
with LSH banding: a signature is cut into bands, and two texts sharing any band's hash are
candidates whose estimated Jaccard similarity is then checked against the threshold. The band
hashes and signatures live in SQLite, so adding an article reads only its candidates.

Give it the cleaned body only: outlets wrap the same story in different boilerplate.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3

import datasketch
import numpy as np

from ingest.cleaning import normalize_text
from ingest.errors import IngestError

SEED = 20190520  # fixed, so signatures stored today match the ones computed tomorrow
_SCHEME = "affine32"
_SIG_DTYPE = np.uint32
_WORD = re.compile(r"\w+")
_CANDIDATE_RECALL = 0.95
_QUERY_BATCH = 500  # stays under SQLite's limit on bound parameters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS syndication_sigs (
    article_id TEXT PRIMARY KEY, sig BLOB NOT NULL, story_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS syndication_sigs_story ON syndication_sigs(story_id);
CREATE TABLE IF NOT EXISTS syndication_bands (band_key TEXT NOT NULL, article_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS syndication_bands_key ON syndication_bands(band_key);
CREATE INDEX IF NOT EXISTS syndication_bands_article ON syndication_bands(article_id);
CREATE TABLE IF NOT EXISTS syndication_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SyndicationError(IngestError):
    """The stored index cannot be used with these settings; the message says what to do."""


def shingles(text: str, k: int = 5) -> set[str]:
    """Overlapping runs of k words (case-folded, punctuation dropped); short texts give one."""
    words = _WORD.findall(normalize_text(text).casefold())
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def minhash(text: str, num_perm: int = 128) -> datasketch.MinHash:
    """A seeded MinHash of the text's shingles: equal inputs give equal signatures anywhere."""
    signature = datasketch.MinHash(num_perm=num_perm, seed=SEED, scheme=_SCHEME)
    signature.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles(text))])
    return signature


def band_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the widest bands that still catch a pair at the threshold 95% of the time.

    Candidates are verified against the threshold, so a spurious candidate costs one
    comparison while a missed one is a copy left ungrouped: recall is what the banding is for.
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= _CANDIDATE_RECALL:
            return bands, rows
    return num_perm, 1


class SyndicationIndex:
    """Groups near-identical texts into stories, persisted in the given SQLite connection.

    Each call commits. `story_id` of a story is the id of its first member still present.
    """

    def __init__(self, conn: sqlite3.Connection, threshold: float = 0.7, num_perm: int = 128):
        if not 0 < threshold <= 1:
            raise SyndicationError(f"threshold must be in (0, 1], got {threshold}")
        self._conn = conn
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = band_params(threshold, num_perm)
        with conn:
            conn.executescript(_SCHEMA)
            self._check_params()

    def add(self, article_id: str, text: str) -> str:
        """Index a text and return its story: the closest earlier copy's story, else its own id."""
        if self._exists(article_id):
            self.remove(article_id)
        words = shingles(text)
        signature = minhash(text, self.num_perm).hashvalues.astype(_SIG_DTYPE)
        keys = self._band_keys(signature) if words else []
        story_id = self._best_story(signature, keys) or article_id
        with self._conn:
            self._conn.execute(
                "INSERT INTO syndication_sigs (article_id, sig, story_id) VALUES (?, ?, ?)",
                (article_id, signature.tobytes() if words else b"", story_id),
            )
            self._conn.executemany(
                "INSERT INTO syndication_bands (band_key, article_id) VALUES (?, ?)",
                [(key, article_id) for key in keys],
            )
        return story_id

    def remove(self, article_id: str) -> None:
        """Forget an article; if it named its story, the next-oldest member names it now."""
        story_id = self.story_of(article_id)
        if story_id is None:
            return
        with self._conn:
            self._conn.execute("DELETE FROM syndication_bands WHERE article_id = ?", (article_id,))
            self._conn.execute("DELETE FROM syndication_sigs WHERE article_id = ?", (article_id,))
            if story_id == article_id:
                heir = self._conn.execute(
                    "SELECT article_id FROM syndication_sigs WHERE story_id = ? "
                    "ORDER BY rowid LIMIT 1",
                    (story_id,),
                ).fetchone()
                if heir is not None:
                    self._conn.execute(
                        "UPDATE syndication_sigs SET story_id = ? WHERE story_id = ?",
                        (heir[0], story_id),
                    )

    def story_of(self, article_id: str) -> str | None:
        """The story an article belongs to, or None when it is not indexed."""
        row = self._conn.execute(
            "SELECT story_id FROM syndication_sigs WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def members(self, story_id: str) -> list[str]:
        """Article ids of a story, oldest first."""
        rows = self._conn.execute(
            "SELECT article_id FROM syndication_sigs WHERE story_id = ? ORDER BY rowid",
            (story_id,),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def _exists(self, article_id: str) -> bool:
        return self.story_of(article_id) is not None

    def _band_keys(self, signature: np.ndarray) -> list[str]:
        keys = []
        for band in range(self.bands):
            chunk = signature[band * self.rows : (band + 1) * self.rows].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8).hexdigest()
            keys.append(f"{band}:{digest}")
        return keys

    def _best_story(self, signature: np.ndarray, keys: list[str]) -> str | None:
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        candidates = [
            str(row[0])
            for row in self._conn.execute(
                f"SELECT DISTINCT article_id FROM syndication_bands WHERE band_key IN ({marks})",  # noqa: S608 - only placeholders are interpolated
                keys,
            )
        ]
        best: tuple[float, int, str] | None = None
        for start in range(0, len(candidates), _QUERY_BATCH):
            batch = candidates[start : start + _QUERY_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._conn.execute(
                f"SELECT rowid, sig, story_id FROM syndication_sigs WHERE article_id IN ({marks})",  # noqa: S608 - only placeholders are interpolated
                batch,
            )
            for rowid, blob, story_id in rows:
                other = np.frombuffer(blob, dtype=_SIG_DTYPE)
                similarity = float(np.count_nonzero(other == signature)) / self.num_perm
                if similarity >= self.threshold and (
                    best is None or (-similarity, rowid) < (-best[0], best[1])
                ):
                    best = (similarity, rowid, str(story_id))
        return None if best is None else best[2]

    def _check_params(self) -> None:
        """Refuse signatures of another size; re-band stored ones when the threshold changed."""
        stored = dict(self._conn.execute("SELECT key, value FROM syndication_meta").fetchall())
        if stored and int(stored["num_perm"]) != self.num_perm:
            raise SyndicationError(
                f"the syndication index was built with num_perm={stored['num_perm']}, not "
                f"{self.num_perm}; use that value or rebuild the index (drop the syndication_* "
                "tables and re-ingest)"
            )
        wanted = {"num_perm": str(self.num_perm), "bands": str(self.bands), "rows": str(self.rows)}
        if stored == wanted:
            return
        if stored:
            self._reband()
        self._conn.executemany(
            "INSERT OR REPLACE INTO syndication_meta (key, value) VALUES (?, ?)", wanted.items()
        )

    def _reband(self) -> None:
        """Recompute band keys from stored signatures, one at a time (threshold changed)."""
        self._conn.execute("DELETE FROM syndication_bands")
        reader = self._conn.cursor()
        for article_id, blob in reader.execute("SELECT article_id, sig FROM syndication_sigs"):
            if not blob:
                continue
            keys = self._band_keys(np.frombuffer(blob, dtype=_SIG_DTYPE))
            self._conn.executemany(
                "INSERT INTO syndication_bands (band_key, article_id) VALUES (?, ?)",
                [(key, article_id) for key in keys],
            )
