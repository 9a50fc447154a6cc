"""Sentence vectors stored at ingest, so a question reads its candidate sentences for free.

Answering compares the question with the strongest sentences of the found passages
(`answering.scoring`). Embedding those ~8 sentences at question time was most of a warm
answer's time on a CPU (~115 ms of ~190 ms at 100k real-shaped chunks). Ingest's third pass
embeds every sentence of every chunk once, with the archive's model, and keeps the vectors
here, keyed by the sentence's text: a sentence two chunks share (the overlap, a syndicated
copy) is stored once, and a lookup needs no chunk id.

Own SQLite file (`sentences.sqlite3`), float16 (a cosine moves by < 1e-3), tagged with the
embedding identity it was made with: after `reembed` the old vectors are never read, and the
next ingest makes new ones.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.connections import ThreadConnections
from retrieval.text.sentences import reading_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _key(text: str) -> bytes:
    return hashlib.blake2b(reading_text(text).encode("utf-8"), digest_size=16).digest()


class SentenceVectors:
    """The stored sentence vectors of one data dir, made with the embedding `identity`."""

    def __init__(self, path: Path, identity: str) -> None:
        self.path = path
        self.identity = identity
        self._connections = ThreadConnections(path)
        self._usable: bool | None = None
        self._created = False

    def _db(self) -> sqlite3.Connection:
        conn = self._connections.get()
        if not self._created:
            conn.executescript(_SCHEMA)
            self._created = True
        return conn

    def usable(self) -> bool:
        """Were the stored vectors made with this identity (or is nothing stored yet)?"""
        if self._usable is None:
            if not self.path.exists():
                return True
            row = self._db().execute("SELECT value FROM meta WHERE key = 'embedding'").fetchone()
            self._usable = row is None or row[0] == self.identity
        return self._usable

    def get(self, sentences: Sequence[str]) -> list[np.ndarray | None]:
        """The stored vector of each sentence (by its reading text), None where there is none."""
        found: list[np.ndarray | None] = [None] * len(sentences)
        if not sentences or not self.path.exists() or not self.usable():
            return found
        keys = [_key(s) for s in sentences]
        marks = ",".join("?" * len(keys))
        rows = self._db().execute(
            f"SELECT key, vector FROM sentence_vectors WHERE key IN ({marks})",  # noqa: S608 - placeholders only
            keys,
        )
        vectors = {bytes(key): np.frombuffer(blob, dtype=np.float16) for key, blob in rows}
        for index, key in enumerate(keys):
            vector = vectors.get(key)
            if vector is not None:
                found[index] = vector.astype(np.float32)
        return found

    def missing(self, sentences: Sequence[str]) -> list[str]:
        """The sentences (once each, by reading text) with no stored vector."""
        unique = list({reading_text(s): None for s in sentences})
        have = self.get(unique)
        return [s for s, vector in zip(unique, have, strict=True) if vector is None]

    def add(self, sentences: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        """Store the vectors of `sentences` (a sentence stored before is replaced)."""
        rows = [
            (_key(s), np.asarray(v, dtype=np.float16).tobytes())
            for s, v in zip(sentences, vectors, strict=True)
        ]
        conn = self._db()
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('embedding', ?)", (self.identity,)
            )
            conn.executemany("INSERT OR REPLACE INTO sentence_vectors VALUES (?, ?)", rows)
        self._usable = True

    def reset(self) -> None:
        """Drop every stored vector: they were made with another model."""
        conn = self._db()
        with conn:
            conn.execute("DELETE FROM sentence_vectors")
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('embedding', ?)", (self.identity,)
            )
        self._usable = True

    def count(self) -> int:
        """How many sentences have a stored vector (0 when they are another model's)."""
        if not self.path.exists() or not self.usable():
            return 0
        return int(self._db().execute("SELECT count(*) FROM sentence_vectors").fetchone()[0])

    def close(self) -> None:
        """Close this store's connections."""
        self._connections.close()
