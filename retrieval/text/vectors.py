"""Vectors of texts: the one embedding-function type and the one cosine the project uses."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

# Texts in, one vector per text out, in order: the embedder, the answer's reader, a test's
# deterministic hashing function all fit.
Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; a zero vector counts as length one, so the result is 0, not NaN."""
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)
