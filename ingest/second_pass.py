"""Ingest's second pass: every chunk embedded from its full text.

The first pass (`pipeline.Ingestor`) stores every article and keyword-indexes every chunk but
embeds only each article's header and lede, so the whole archive can be searched and answered
from its ledes within a fraction of the full ingest. This pass then embeds the chunks the
catalog marks `awaiting`, in catalog order, and replaces the lede vectors of the opening chunks.

Resumable by construction: what is left to do is in the catalog, and a batch's vectors are
stored (Chroma upsert, vector file append) before the catalog records them, so a run killed at
any point leaves at most vector rows nobody names; the next ingest embeds the rest. Embedding a
batch overlaps with storing the previous one, as in the first pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from ingest.chunking import embed_text_of
from retrieval.archive import Archive
from retrieval.archive.catalog import CatalogChunk
from retrieval.archive.store import ChunkRecord

Embed = Callable[[list[str]], list[list[float]]]


def embed_awaiting(
    archive: Archive,
    embed: Embed,
    batch: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed every awaiting chunk; returns how many were embedded."""
    finish_reset(archive)
    catalog = archive.catalog
    after = 0
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-writer") as writer:
        pending: Future[None] | None = None
        while todo := catalog.awaiting_chunks(after, batch):
            after = todo[-1].rowid
            records = [replace(t.record, embed_text=embed_text_of(t.record)) for t in todo]
            vectors = embed([r.embed_text for r in records])
            if pending is not None:
                pending.result()
            pending = writer.submit(_store, archive, todo, records, vectors, progress)
            done += len(todo)
        if pending is not None:
            pending.result()
    return done


def _store(
    archive: Archive,
    todo: Sequence[CatalogChunk],
    records: Sequence[ChunkRecord],
    vectors: Sequence[Sequence[float]],
    progress: Callable[[int], None] | None,
) -> None:
    archive.store.upsert(records, vectors)
    rows = archive.catalog.vectors.append(vectors)
    archive.catalog.embedded(
        [(t.rowid, t.record.chunk_id, row) for t, row in zip(todo, rows, strict=True)]
    )
    if progress:
        progress(len(todo))


def finish_reset(archive: Archive) -> None:
    """Drop the old vectors of a `reembed` that a kill stopped before it had (a no-op
    otherwise): nothing may be appended to a vector file of the old model's rows."""
    if archive.catalog.meta("reembed_reset") is None:
        return
    archive.catalog.vectors.discard()
    archive.store.reset()
    archive.catalog.end_reset()
