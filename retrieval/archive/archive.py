"""The archive: one data dir's vector store, catalog and embedder, opened together.

Front ends open one `Archive` from the settings and pass it to ingest, search and answering;
the embedder is loaded on first use so commands that need no model (stats, remove) start fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from llama_index.core.base.embeddings.base import BaseEmbedding

from config.settings import ChromaSettings, EmbeddingSettings, ReaderKind, Settings
from retrieval.archive.catalog import Catalog, CatalogStats
from retrieval.archive.embedding import (
    EmbeddingError,
    Read,
    embedding_identity,
    make_embedder,
    make_reader,
)
from retrieval.archive.store import ChunkStore

P = ParamSpec("P")
R = TypeVar("R")


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

    def __init__(
        self,
        data_dir: Path,
        chroma: ChromaSettings,
        embedding: EmbeddingSettings,
        reader: ReaderKind = "int8",
        embedder: BaseEmbedding | None = None,
    ) -> None:
        """Open (or create) the archive in `data_dir`; `reader` embeds candidate sentences."""
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.embedding_settings = embedding
        self.reader_kind: ReaderKind = reader
        self.catalog = Catalog(data_dir / "catalog.sqlite3")
        self.store = ChunkStore(chroma, data_dir)
        self._embedder = embedder
        self._lock = threading.Lock()
        self._helpers: ThreadPoolExecutor | None = None
        self._reader: Read | None = None

    @classmethod
    def open(cls, settings: Settings, embedder: BaseEmbedding | None = None) -> Archive:
        """The archive the settings name, given the sections it uses (the front ends' way in)."""
        return cls(
            Path(settings.data_dir),
            settings.chroma,
            settings.embedding,
            settings.answer.reader,
            embedder=embedder,
        )

    @property
    def embedder(self) -> BaseEmbedding:
        """The embedding model, loaded once on first use.

        An archive keeps the embedding its vectors were made with: loading another one would
        compare questions with vectors of a different space and quietly find nonsense.
        """
        with self._lock:
            if self._embedder is None:
                self._check_embedding()
                self._embedder = make_embedder(self.embedding_settings)
            return self._embedder

    def _check_embedding(self) -> None:
        wanted = embedding_identity(self.embedding_settings)
        stored = self.catalog.meta("embedding")
        if stored is None:
            self.catalog.set_meta("embedding", wanted)
        elif stored != wanted:
            raise EmbeddingError(
                f"the archive in {self.data_dir} was embedded with {stored}, but the settings "
                f"ask for {wanted}: set NEWSBOT_EMBEDDING__MODEL and NEWSBOT_EMBEDDING__BACKEND "
                "back, or ingest into a new --data-dir with the new model"
            )

    def in_background(self, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Run `work` on a helper thread: a question's keyword search (SQLite) overlaps its
        embedding (torch); both release the GIL."""
        with self._lock:
            if self._helpers is None:
                self._helpers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="archive")
            helpers = self._helpers
        return helpers.submit(work, *args, **kwargs)

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for passages or sentences (batched by the embedder)."""
        if not texts:
            return []
        return [list(v) for v in self.embedder.get_text_embedding_batch(list(texts))]

    def embed_sentences(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for short texts at question time, from the embedding model.

        Small batches, each text cut to its first 64 words: one long text in a big batch would
        pad every other one to its length and multiply the cost.
        """
        return self._in_batches(texts, self.embed_texts)

    def read_sentences(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for a question and its candidate sentences, from the answer's reader
        (`answer.reader`): compare them only with each other, never with stored vectors."""
        with self._lock:
            reader = self._reader
        if reader is None:
            reader = make_reader(self.embedder, self.reader_kind)
            with self._lock:
                self._reader = self._reader or reader
                reader = self._reader
        return self._in_batches(texts, reader)

    @staticmethod
    def _in_batches(texts: Sequence[str], embed: Read) -> list[list[float]]:
        vectors: list[list[float]] = []
        clipped = [" ".join(t.split()[:64]) for t in texts]
        for start in range(0, len(clipped), 16):
            vectors.extend(list(v) for v in embed(clipped[start : start + 16]))
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
            embedding_model=self.catalog.meta("embedding")
            or embedding_identity(self.embedding_settings),
        )

    def close(self) -> None:
        """Release the helper threads and the catalog; Chroma clients need no closing."""
        with self._lock:
            helpers, self._helpers = self._helpers, None
        if helpers is not None:
            helpers.shutdown(wait=True)
        self.catalog.close()
