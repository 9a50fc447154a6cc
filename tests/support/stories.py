"""Small article sets and builders that several test modules ingest."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from ingest.articles import Article

# A bus strike in Ostrava told over three articles (vote, strike, deal) and an unrelated one on
# the zoo: time windows, follow-ups and compound questions pick among them.
BUS_STRIKE = [
    Article(
        "Bus drivers vote to strike",
        "Bus drivers in Ostrava voted on Monday to strike over pay. The union said 1,200 drivers "
        "backed the walkout, which will begin next week.",
        "t1",
        url="https://ostrava.example/vote",
        source="Ostrava Daily",
        published=date(2023, 3, 8),
    ),
    Article(
        "Bus strike halts Ostrava services",
        "The bus strike in Ostrava began on Monday, halting all city services. Union leader Petra "
        "Novak said drivers want a 12 percent pay rise.",
        "t2",
        url="https://ostrava.example/strike",
        source="City Wire",
        published=date(2023, 3, 14),
    ),
    Article(
        "Ostrava bus strike ends with pay deal",
        "The Ostrava bus strike ended on Friday after the city agreed a 9 percent pay rise for "
        "drivers. Services resume on Saturday.",
        "t3",
        url="https://ostrava.example/deal",
        source="Ostrava Daily",
        published=date(2023, 3, 25),
    ),
    Article(
        "Ostrava zoo welcomes twin lynx cubs",
        "Ostrava zoo said on Tuesday that its lynx had given birth to twin cubs, the first in ten "
        "years. The cubs will go on view in June.",
        "t4",
        url="https://ostrava.example/zoo",
        source="City Wire",
        published=date(2022, 4, 12),
    ),
]


def council_story(n: int, body: str | None = None, **changes: object) -> Article:
    """Article `n` of a series: a council budget vote in town `n`, dated 2020-2022 by `n`."""
    article = Article(
        title=f"Council vote {n}",
        body=body
        or (
            f"The council of town {n} approved a budget of {n} million dollars on Monday. "
            f"Mayor Alice Example{n} said the vote was close. Residents of town {n} protested."
        ),
        origin=f"test:{n}",
        url=f"https://news.example/vote-{n}",
        source="Example Times",
        published=date(2020 + n % 3, 1 + n % 12, 1 + n % 28),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def story(tag: str, sentences: int = 3) -> str:
    """A paragraph no other test shares: equal bodies would be stored once, as duplicates."""
    words = " ".join(tag.replace("-", " ").split())
    return " ".join(
        f"The {words} council approved budget line {n} worth {n * 7 + len(tag)} million pounds "
        f"on Thursday after a long debate about {words}."
        for n in range(1, sentences + 1)
    )


def record(tag: str, **fields: object) -> str:
    """One JSON Lines record of a good article, its body `story(tag)`."""
    return json.dumps({"title": f"Story {tag}", "text": story(tag), **fields})
