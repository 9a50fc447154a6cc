"""`newsbot repair`: rebuild the Chroma collection from the local vector file.

Chroma writes its HNSW index files in place; a process killed while it flushes them (a long
ingest stopped with Ctrl-C or `kill`) can leave the embedded store unreadable ("Error
deserializing pickle file"), and a server's volume can be lost. The catalog and `vectors.f32`
hold every committed chunk's text, metadata and vector, so the collection is made again from
them without the model: dropped, then every named row stored again, in catalog order. Chunks
with no row in the file (archives from before it) are marked for ingest's second pass, which
this command runs after, with the model. A repair killed midway is simply run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from config.settings import IngestSettings
from ingest.pipeline import Ingestor
from ingest.second_pass import finish_reset
from retrieval.archive import Archive


@dataclass(frozen=True)
class RepairSummary:
    """What one `repair` did."""

    restored: int  # chunks stored again from the vector file
    embedded: int  # chunks the second pass embedded (no row in the file)
    seconds: float

    def line(self) -> str:
        text = f"stored {self.restored} chunks again from the vector file"
        if self.embedded:
            text += f", embedded {self.embedded} that had no row in it"
        return text + f" ({self.seconds:.1f}s)"


def repair(
    archive: Archive,
    settings: IngestSettings,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> RepairSummary:
    """Drop the vector store and fill it again from the vector file and the catalog."""
    started = time.perf_counter()
    catalog = archive.catalog
    finish_reset(archive)  # a reembed stopped early: its file holds the old model's rows
    archive.store.reset()
    restored = 0
    after = 0
    while todo := catalog.vector_chunks(after, batch):
        after = todo[-1][0].rowid
        vectors = catalog.vectors.rows([row for _, row in todo])
        archive.store.upsert([chunk.record for chunk, _ in todo], vectors.tolist())
        restored += len(todo)
        if progress:
            progress(len(todo))
    embedded = 0
    if catalog.await_unstored() or catalog.awaiting_count():
        embedded = Ingestor(archive, settings).ingest([]).chunks
    return RepairSummary(restored, embedded, time.perf_counter() - started)
