"""Vectors of texts: the one embedding-function type, the one cosine the project uses, and how
texts are grouped into padded batches."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Texts in, one vector per text out, in order: the embedder, the answer's reader, a test's
# deterministic hashing function all fit.
Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]


# A question and its candidate sentences in, the question's vector and theirs out, from one
# model: the answer's reader.
Read = Callable[[str, Sequence[str]], tuple[Sequence[float], Sequence[Sequence[float]]]]


@dataclass(frozen=True)
class Reader:
    """How the answer's reader embeds: `question` set when the model reads a question otherwise
    than the texts it is matched to (e5: "query: " / "passage: "); None reads the question
    with the sentences, in one batch (an int8 model quantises activations per batch)."""

    sentences: Embed
    question: Callable[[str], Sequence[float]] | None = None


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; a zero vector counts as length one, so the result is 0, not NaN."""
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)


def length_groups(lengths: Sequence[int], slack: float = 1.25) -> list[list[int]]:
    """Indexes of `lengths` in groups run as one padded batch: sorted by length, a group
    closes when the next length is over `slack` times its shortest (plus 8 tokens, so short
    texts are not run one by one)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and lengths[i] <= lengths[groups[-1][0]] * slack + 8:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
