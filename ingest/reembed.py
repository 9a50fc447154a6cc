"""`newsbot reembed`: move an archive to another embedding model or backend, without the
source files (the catalog keeps every chunk's text).

One catalog transaction switches the archive's embedding identity and marks every chunk as
awaiting a vector (`Catalog.begin_reembed`); the old vectors (the vector file and the Chroma
collection) are then dropped, and ingest's second pass embeds every chunk with the new model.
Each step survives a kill: a reset left half done is redone by the next `reembed` or `ingest`
(`second_pass.finish_reset`), and chunks not yet embedded stay marked, so either command carries on.
Meanwhile questions are answered from what is re-embedded and by keyword.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from config.settings import IngestSettings
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.models import embedding_identity


@dataclass(frozen=True)
class ReembedSummary:
    """What one `reembed` did."""

    before: str | None  # the identity the archive had (None: it was already switching)
    after: str
    chunks: int
    seconds: float

    def line(self) -> str:
        start = f"from {self.before} " if self.before else ""
        return f"re-embedded {self.chunks} chunks {start}to {self.after} in {self.seconds:.1f}s"


def reembed(
    archive: Archive,
    settings: IngestSettings,
    *,
    force: bool = False,
    chunk_progress: Callable[[int, int], None] | None = None,
) -> ReembedSummary | None:
    """Re-embed every chunk with the archive's embedding settings; None when the archive
    already has them (and `force` is not set) and nothing is left to embed."""
    catalog = archive.catalog
    wanted = embedding_identity(archive.embedding_settings)
    stored = catalog.meta("embedding")
    resuming = catalog.meta("reembed_reset") is not None or (
        stored == wanted and catalog.awaiting_count() > 0
    )
    if not resuming:
        if stored == wanted and not force:
            return None
        catalog.begin_reembed(wanted)
    summary = Ingestor(archive, settings).ingest([], chunk_progress=chunk_progress)
    return ReembedSummary(
        before=None if resuming else stored,
        after=wanted,
        chunks=summary.chunks,
        seconds=summary.seconds,
    )
