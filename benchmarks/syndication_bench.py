"""Syndicated copies that outlets lightly edit: which text features still group them?

Wire copies are made from real articles (the first 60 words of each Wikinews article in
../shared/data, the length of a short wire story) with the edits regional outlets make, each
copy all of them at once:
  - "said on Thursday" -> "said Thursday" (the "on" before a weekday dropped),
  - a tagline added ("- Reporting by the <outlet> news desk"),
  - one word in ten replaced by another word of the corpus.
Positive pairs: the original with each of its 3 copies, and the copies with each other (6 per
story). Negative pairs, the hardest there are: each original with the other article whose
opening shares the most words with it, and random pairs. For each feature scheme the exact
Jaccard similarity is computed (the MinHash in ingest/syndication.py estimates it), and
recall / precision are reported at the threshold ingest uses (0.7) and at the threshold that
separates best.

    .venv/bin/python benchmarks/syndication_bench.py
    .venv/bin/python benchmarks/syndication_bench.py --words 0 --name syndication-whole
    .venv/bin/python benchmarks/syndication_bench.py --stories 20      # CI size
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import report  # noqa: E402 - after the path set-up above

from ingest.syndication import shingles  # noqa: E402
from retrieval.text.sentences import STOPWORDS, stem  # noqa: E402

WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_WORD = re.compile(r"\w+")


def _shared() -> Path:
    return Path(os.environ.get("NEWSBOT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def openings(shared: Path, words: int = 60) -> list[str]:
    """The first `words` words of each article (0: the whole article)."""
    path = shared / "wikinews" / "articles.jsonl"
    if not path.is_file():
        raise SystemExit(f"no articles at {path}: set NEWSBOT_SHARED_DATA")
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            body = json.loads(line)["body"].split()
            if len(body) >= (words or 60):
                texts.append(" ".join(body[:words] if words else body))
    return texts


def edited(text: str, vocabulary: list[str], rng: random.Random, outlet: str) -> str:
    """A regional outlet's copy: 'on' before weekdays dropped, one word in ten changed,
    a tagline added."""
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word.lower() == "on" and i + 1 < len(words) and words[i + 1].strip(".,") in WEEKDAYS:
            continue
        out.append(word)
    start = rng.randrange(10)
    for i in range(start, len(out), 10):
        out[i] = rng.choice(vocabulary)
    return " ".join(out) + f" - Reporting by the {outlet} news desk."


def _content(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.casefold()) if w not in STOPWORDS]


SCHEMES: dict[str, Callable[[str], set[str]]] = {
    "word 5-shingles (ingest today)": lambda t: shingles(t, 5),
    "word 3-shingles": lambda t: shingles(t, 3),
    "word 2-shingles": lambda t: shingles(t, 2),
    "content-word stems": lambda t: set(_content(t)),
    "content-stem 2-shingles": lambda t: {
        " ".join(p) for p in zip(_content(t), _content(t)[1:], strict=False)
    },
}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _f1(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def run(stories: int, seed: int, words: int = 60) -> dict[str, Any]:
    rng = random.Random(seed)
    texts = openings(_shared(), words)
    rng.shuffle(texts)
    texts = texts[:stories]
    vocabulary = sorted({w for t in texts for w in t.split() if w.isalpha() and len(w) > 3})
    copies = [[edited(t, vocabulary, rng, f"Outlet {n}") for n in range(3)] for t in texts]
    results: dict[str, Any] = {}
    for name, features in SCHEMES.items():
        feats = [features(t) for t in texts]
        positives = []
        for original, story in zip(feats, copies, strict=True):
            copy_feats = [features(c) for c in story]
            positives += [jaccard(original, c) for c in copy_feats]
            positives += [
                jaccard(copy_feats[i], copy_feats[j]) for i in range(3) for j in range(i + 1, 3)
            ]
        hardest = [
            max(jaccard(feats[i], feats[j]) for j in range(len(feats)) if j != i)
            for i in range(len(feats))
        ]
        randoms = [
            jaccard(feats[i], feats[(i + 1 + rng.randrange(len(feats) - 1)) % len(feats)])
            for i in range(len(feats))
        ]
        negatives = hardest + randoms

        def scores(
            threshold: float, pos: list[float] = positives, neg: list[float] = negatives
        ) -> tuple[float, float]:
            tp = sum(p >= threshold for p in pos)
            fp = sum(n >= threshold for n in neg)
            return tp / len(pos), (tp / (tp + fp) if tp + fp else 1.0)

        recall, precision = scores(0.7)
        best = max((t / 100 for t in range(5, 100)), key=lambda t: _f1(*scores(t)))
        best_recall, best_precision = scores(best)
        results[name] = {
            "recall_at_0.7": round(recall, 3),
            "precision_at_0.7": round(precision, 3),
            "best_threshold": best,
            "recall_at_best": round(best_recall, 3),
            "precision_at_best": round(best_precision, 3),
            "positive_median": round(report.median(positives), 3),
            "hardest_negative_max": round(max(hardest), 3),
            "hardest_negative_median": round(report.median(hardest), 3),
        }
    return {
        "machine": report.machine(),
        "stories": len(texts),
        "words": words or "whole articles",
        "positive_pairs": 6 * len(texts),
        "negative_pairs": 2 * len(texts),
        "schemes": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Grouping of lightly edited wire copies.")
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--words", type=int, default=60, help="story length (0: whole articles)")
    parser.add_argument("--name", default="syndication")
    args = parser.parse_args()
    results = run(args.stories, args.seed, args.words)
    rows = [{"scheme": name, **values} for name, values in results["schemes"].items()]
    print(
        f"{results['stories']} stories, {results['positive_pairs']} positive pairs, "
        f"{results['negative_pairs']} negative pairs (hardest neighbour + random)"
    )
    print(
        report.table(
            rows,
            [
                "scheme",
                "recall_at_0.7",
                "precision_at_0.7",
                "best_threshold",
                "recall_at_best",
                "precision_at_best",
                "positive_median",
                "hardest_negative_max",
            ],
        )
    )
    print(f"wrote {report.write(args.name, results)}")


if __name__ == "__main__":
    main()
