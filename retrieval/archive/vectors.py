"""The local vector file: every chunk's vector beside the catalog, for date-windowed search.

Chroma's HNSW index answers an unfiltered question in a few milliseconds, but with a `where`
clause on the publication date it first filters metadata in SQLite and then walks the graph
with the allowed ids: ~200 ms at 80k chunks, and the normal question has a date (`as_of`, or
"in May 2019"). So ingest also appends each chunk's normalised vector to `vectors.f32` (raw
float32 rows, append-only) and the catalog's `chunks.vector_row` says which row is whose. A
windowed question is then scored exactly: the in-window rows of a memory-mapped matrix times
the question (9 ms for 100k rows on 2 cores, 87 ms for 1M), with no approximation at all.

The catalog stays the record of truth: only rows its committed chunks name are ever read, so
rows an interrupted run appended are never found, and an updated article's old rows are
simply not named any more (`dead_rows` counts them, for `newsbot stats`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retrieval.archive.store import date_to_int
from retrieval.errors import ArchiveError

# Scoring every row and picking the window's is cheaper than gathering the window's rows
# once the window holds more than about a tenth of them (measured at 358k rows: a gather of
# 10 % costs 26 ms, of 50 % 99 ms; scoring every row 30 ms).
_GATHER_SHARE = 0.1


class VectorFileError(ArchiveError):
    """The vector file does not fit the catalog (another dimension, or cut short)."""


@dataclass(frozen=True)
class WindowHit:
    """A chunk found by exact scoring inside a date window (committed: no hash check needed)."""

    chunk_id: str
    article_id: str
    text: str
    position: int
    similarity: float


@dataclass(frozen=True)
class _Snapshot:
    """The catalog's chunk rows as arrays, for one generation of the catalog."""

    generation: str
    rowids: npt.NDArray[np.int64]  # catalog chunks.rowid
    vector_rows: npt.NDArray[np.int64]  # row in vectors.f32
    published: npt.NDArray[np.int32]  # YYYYMMDD, 0 undated
    # committed chunks with no vector row that are in Chroma (ingested before the file existed);
    # chunks the second ingest pass has still to embed are in neither, so they do not count
    missing: int
    matrix: npt.NDArray[np.float32] | None


class VectorFile:
    """`vectors.f32` and the catalog columns that point into it.

    Args:
        path: the file (under the data dir).
        connect: the calling thread's connection to the catalog (the catalog's).
    """

    def __init__(self, path: Path, connect: Callable[[], sqlite3.Connection]) -> None:
        self.path = path
        self._connect = connect
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    # --- writing (ingest) ---

    def append(self, vectors: Sequence[Sequence[float]]) -> list[int]:
        """Append normalised vectors; returns their row numbers, to commit with the chunks."""
        if not vectors:
            return []
        matrix = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = matrix / np.where(norms == 0, 1.0, norms)
        dim = self._dimension(matrix.shape[1])
        row_bytes = dim * 4
        with self._lock, self.path.open("ab") as out:
            size = out.seek(0, os.SEEK_END)
            if size % row_bytes:  # a row half-written by a killed run: never named, cut it
                out.truncate(size - size % row_bytes)
                size -= size % row_bytes
            first = size // row_bytes
            out.write(matrix.tobytes())
            out.flush()
        return list(range(first, first + len(matrix)))

    def rows(self, numbers: Sequence[int]) -> npt.NDArray[np.float32]:
        """The vectors in these rows of the file (what `repair` stores again)."""
        snapshot = self._current()
        if snapshot.matrix is None:
            raise VectorFileError(f"{self.path} is missing: run `newsbot reembed --force`")
        rows: npt.NDArray[np.float32] = np.asarray(snapshot.matrix[list(numbers)])
        return rows

    def discard(self) -> None:
        """Delete the file (`reembed`: the catalog names none of its rows any more)."""
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._snapshot = None

    def _dimension(self, dim: int) -> int:
        conn = self._connect()
        row = conn.execute("SELECT value FROM meta WHERE key = 'vector_dim'").fetchone()
        if row is None:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('vector_dim', ?)", (str(dim),)
                )
            return dim
        if int(row[0]) != dim:
            raise VectorFileError(
                f"{self.path} holds {row[0]}-dimensional vectors, the embedder gives {dim}: "
                "ingest into a new --data-dir or run `newsbot reembed`"
            )
        return dim

    # --- reading (questions) ---

    def complete(self) -> bool:
        """Whether every committed chunk has a row (else windows fall back to Chroma's filter)."""
        snapshot = self._current()
        return snapshot.missing == 0 and snapshot.matrix is not None

    def in_window(self, low: int, high: int) -> tuple[int, int]:
        """How many chunks a window [low, high] (YYYYMMDD; undated included) holds, of all."""
        snapshot = self._current()
        return int(np.count_nonzero(self._mask(snapshot, low, high))), len(snapshot.rowids)

    def search(self, vector: Sequence[float], k: int, low: int, high: int) -> list[WindowHit]:
        """The k chunks nearest `vector` (cosine) among those published in [low, high] or undated."""
        snapshot = self._current()
        matrix = snapshot.matrix
        if matrix is None or not len(snapshot.rowids):
            return []
        query = np.asarray(vector, dtype=np.float32)
        query = query / (float(np.linalg.norm(query)) or 1.0)
        picked = np.flatnonzero(self._mask(snapshot, low, high))
        if not len(picked):
            return []
        rows = snapshot.vector_rows[picked]
        if len(rows) > _GATHER_SHARE * matrix.shape[0]:
            scores = (matrix @ query)[rows]
        else:
            scores = matrix[rows] @ query
        top = min(k, len(scores))
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        return self._hits(snapshot.rowids[picked[best]], scores[best])

    def _hits(
        self, rowids: npt.NDArray[np.int64], scores: npt.NDArray[np.float32]
    ) -> list[WindowHit]:
        ids = [int(r) for r in rowids]
        marks = ",".join("?" * len(ids))
        rows = (
            self._connect()
            .execute(
                f"SELECT rowid, chunk_id, article_id, text, position FROM chunks WHERE rowid IN ({marks})",  # noqa: S608 - placeholders only
                ids,
            )
            .fetchall()
        )
        found = {int(r[0]): r for r in rows}
        hits = []
        for rowid, score in zip(ids, [float(x) for x in scores], strict=True):
            row = found.get(rowid)
            if row is not None:  # replaced between the snapshot and now: skip it
                hits.append(
                    WindowHit(str(row[1]), str(row[2]), str(row[3]), int(row[4]), float(score))
                )
        return hits

    @staticmethod
    def _mask(snapshot: _Snapshot, low: int, high: int) -> npt.NDArray[np.bool_]:
        published = snapshot.published
        mask: npt.NDArray[np.bool_] = ((published >= low) & (published <= high)) | (published == 0)
        return mask

    def _current(self) -> _Snapshot:
        conn = self._connect()
        row = conn.execute("SELECT value FROM meta WHERE key = 'chunks_generation'").fetchone()
        generation = str(row[0]) if row else "0"
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.generation != generation:
                snapshot = self._load(conn, generation)
                self._snapshot = snapshot
            return snapshot

    def _load(self, conn: sqlite3.Connection, generation: str) -> _Snapshot:
        rows = conn.execute(
            "SELECT rowid, vector_row, published_int FROM chunks WHERE vector_row IS NOT NULL"
        ).fetchall()
        missing = int(
            conn.execute(
                "SELECT count(*) FROM chunks WHERE vector_row IS NULL AND awaiting = 0"
            ).fetchone()[0]
        )
        table = np.array(rows, dtype=np.int64).reshape(-1, 3)
        dim_row = conn.execute("SELECT value FROM meta WHERE key = 'vector_dim'").fetchone()
        matrix: npt.NDArray[np.float32] | None = None
        if dim_row is not None and self.path.is_file():
            dim = int(dim_row[0])
            count = self.path.stat().st_size // (dim * 4)
            if count:
                matrix = np.memmap(self.path, dtype=np.float32, mode="r", shape=(count, dim))
            if len(table) and int(table[:, 1].max()) >= count:
                raise VectorFileError(
                    f"{self.path} has {count} rows but the catalog names row "
                    f"{int(table[:, 1].max())}: the file was cut or replaced; run `newsbot reembed`"
                )
        return _Snapshot(
            generation=generation,
            rowids=table[:, 0].copy(),
            vector_rows=table[:, 1].copy(),
            published=table[:, 2].astype(np.int32),
            missing=missing,
            matrix=matrix,
        )

    def dead_rows(self) -> int:
        """Rows in the file that no committed chunk names (old versions, interrupted runs)."""
        snapshot = self._current()
        total = 0 if snapshot.matrix is None else snapshot.matrix.shape[0]
        return total - len(snapshot.vector_rows)


def window_bounds(start: date | None, end: date | None) -> tuple[int, int]:
    """A date window as the YYYYMMDD integers the file's arrays hold (open ends stay open)."""
    return (date_to_int(start) if start else 1), (date_to_int(end) if end else 99999999)
