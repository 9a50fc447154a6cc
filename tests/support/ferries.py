"""Ferry stories for ingest tests (each opens with a lede naming a company no other story
names, and ends with a sentence naming it again, in the last chunk only), and what an
archive's vector file holds for them."""

from __future__ import annotations

import random
from datetime import date

import numpy as np

from ingest.articles import Article
from retrieval.archive import Archive

_WORDS = (
    "council budget harbour strike vote bridge museum river election hospital school rail "
    "airport police court judge mayor union workers drivers festival theatre storm flood "
    "factory energy prices housing rent tax minister parliament tram port market bank"
).split()


NAMES = (
    "Aldwick Brenmoor Calloway Dunmere Elsworth Farrowby Glenholt Harwick Islemont Jarrowgate "
    "Kestrelmoor Lindqvist Marrowfield"
).split()


def ferry_story(n: int, sentences: int = 14) -> Article:
    rng = random.Random(n)
    body = " ".join(
        " ".join(rng.choice(_WORDS) for _ in range(12)).capitalize() + "." for _ in range(sentences)
    )
    lede = f"The {NAMES[n % 13]} ferry company said on Monday it would stop all sailings."
    return Article(
        f"Story {n}",
        f"{lede} {body} The closing remarks came from {NAMES[n % 13]}son.",
        f"test:{n}",
        url=f"https://news.example/{n}",
        source="Example Times",
        published=date(2021, 1 + n % 12, 1 + n % 28),
    )


ARTICLES = [ferry_story(n) for n in range(12)] + [ferry_story(100, sentences=1)]


def stored_vectors(archive: Archive) -> dict[str, list[float]]:
    """Every committed chunk's vector as the vector file names it, by chunk id (rounded)."""
    conn = archive.catalog.keywords._connect()  # the test reads the catalog's rows directly
    dim = int(conn.execute("SELECT value FROM meta WHERE key = 'vector_dim'").fetchone()[0])
    matrix = np.fromfile(archive.data_dir / "vectors.f32", dtype=np.float32).reshape(-1, dim)
    return {
        str(cid): [round(float(x), 5) for x in matrix[int(row)]]
        for cid, row in conn.execute("SELECT chunk_id, vector_row FROM chunks")
    }
