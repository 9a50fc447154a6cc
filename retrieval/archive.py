"""The archive: one data dir's vector store, catalog and embedder, opened together.

Front ends open one `Archive` from the settings and pass it to ingest, search and answering;
the embedder is loaded on first use so commands that need no model (stats, remove) start fast.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from config.settings import Settings
from retrieval.catalog import Catalog, CatalogStats
from retrieval.embedding import make_embedder
from retrieval.store import ChunkStore


@dataclass(frozen=True)
class ArchiveStats:
    """The catalog's figures plus where the vectors live."""

    catalog: CatalogStats
    store_kind: str
    store_location: str
    vectors: int
    embedding_model: str


class Archive:
    """A data dir opened for reading and writing."""

    def __init__(self, settings: Settings, embedder: BaseEmbedding | None = None) -> None:
        self.settings = settings
        data_dir = Path(settings.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.catalog = Catalog(data_dir / "catalog.sqlite3")
        self.store = ChunkStore(settings.chroma, data_dir)
        self._embedder = embedder
        self._lock = threading.Lock()

    @property
    def embedder(self) -> BaseEmbedding:
        """The embedding model, loaded once on first use."""
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings.embedding)
            return self._embedder

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        """Vectors for passages or sentences (batched by the embedder)."""
        if not texts:
            return []
        return [list(v) for v in self.embedder.get_text_embedding_batch(texts)]

    def embed_sentences(self, texts: list[str]) -> list[list[float]]:
        """Vectors for short texts at question time.

        Small batches, each text cut to its first 64 words: one long text in a big batch would
        pad every other one to its length and multiply the cost.
        """
        vectors: list[list[float]] = []
        clipped = [" ".join(t.split()[:64]) for t in texts]
        for start in range(0, len(clipped), 16):
            vectors.extend(self.embed_texts(clipped[start : start + 16]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The vector of a question."""
        return list(self.embedder.get_query_embedding(text))

    def stats(self) -> ArchiveStats:
        """What the archive holds and where."""
        return ArchiveStats(
            catalog=self.catalog.stats(),
            store_kind=self.store.kind,
            store_location=self.store.location,
            vectors=self.store.count(),
            embedding_model=self.settings.embedding.model,
        )

    def close(self) -> None:
        """Release the catalog; Chroma clients need no closing."""
        self.catalog.close()
