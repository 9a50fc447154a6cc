"""The small archive the Telegram tests talk about: a port strike and two red panda cubs.

Its texts carry markup on purpose (`<b`, `<script>`, `&`), so every reply that quotes them
exercises the HTML escaping.
"""

from __future__ import annotations

from datetime import date

from ingest.articles import Article

BOT = "newsbot_test_bot"
PORT_URL = "https://news.example/port-strike?id=1&ref=x"
STRIKE_Q = "How many workers joined the strike at Meridian City port?"
PANDA_Q = "When will the red panda cubs go on public view?"
ARTICLES = [
    Article(
        title="Port strike <b begins & dockers walk out",
        body=(
            "Dock workers at Meridian City port walked out on Monday morning. About 4,000 "
            "workers joined the strike at Meridian City port, the union said. The port authority "
            "called the walkout <script>alert(1)</script> unlawful & costly, a spokesman said."
        ),
        origin="test:port",
        url=PORT_URL,
        source="Harbor <Wire>",
        published=date(2025, 3, 3),
    ),
    Article(
        title="Red panda cubs at Kestrel Bay Zoo",
        body=(
            "Two red panda cubs were born at Kestrel Bay Zoo this spring. The cubs will go on "
            "public view in June, keepers said."
        ),
        origin="test:pandas",
        url="https://news.example/pandas",
        source="Bay Herald",
        published=date(2025, 5, 1),
    ),
]
