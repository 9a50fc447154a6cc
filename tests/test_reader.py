"""The answer's sentence reader: the model as it is, or an int8 copy of it."""

from __future__ import annotations

import math

from llama_index.core.base.embeddings.base import BaseEmbedding

from retrieval.archive.embedding import make_reader
from retrieval.text.vectors import cosine

QUESTION = "When did the bus drivers' strike in Ostrava end?"
ANSWERING = "The Ostrava bus strike ended on Friday after the city agreed a pay rise."
UNRELATED = "The zoo's lynx gave birth to twin cubs, the first in ten years."


def test_int8_reader_agrees_with_the_model(packaged_embedder: BaseEmbedding) -> None:
    plain = make_reader(packaged_embedder, "model").sentences([QUESTION, ANSWERING, UNRELATED])
    int8 = make_reader(packaged_embedder, "int8").sentences([QUESTION, ANSWERING, UNRELATED])
    # A different model (its weights are int8) but close to the original, sentence by sentence.
    for a, b in zip(plain, int8, strict=True):
        assert 0.85 < cosine(a, b) < 0.9999
    # And it ranks the answering sentence above the unrelated one, as the model does.
    assert cosine(int8[0], int8[1]) > cosine(int8[0], int8[2]) + 0.2
    assert abs(math.sqrt(sum(x * x for x in int8[1])) - 1.0) < 1e-4


def test_int8_reader_leaves_the_embedder_alone(packaged_embedder: BaseEmbedding) -> None:
    before = packaged_embedder.get_text_embedding(ANSWERING)
    make_reader(packaged_embedder, "int8").sentences([ANSWERING])
    assert packaged_embedder.get_text_embedding(ANSWERING) == before


def test_hashing_embedder_reads_as_itself(hashing_embedder: BaseEmbedding) -> None:
    read = make_reader(hashing_embedder, "int8")
    assert read.sentences([ANSWERING]) == [hashing_embedder.get_text_embedding(ANSWERING)]
