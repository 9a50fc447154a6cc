"""Compound questions: split into parts, each answered, one reply."""

from __future__ import annotations

import pytest

from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.question.compound import split_question
from retrieval.responder import AskOptions, Responder
from tests.support.stories import BUS_STRIKE


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who sent the notice that got youtube-dl blocked on GitHub, and when was access restored?",
            [
                "Who sent the notice that got youtube-dl blocked on GitHub?",
                "when was access restored",
            ],
        ),
        (
            "Where was Soleimani killed, and how many died when Iran shot down the airliner?",
            ["Where was Soleimani killed?", "how many died when Iran shot down the airliner"],
        ),
        (
            "What stake did Fiat take in Chrysler, and what would the deal give it in 2011?",
            ["What stake did Fiat take in Chrysler?", "what would the deal give it in 2011"],
        ),
        # Not compound: one question word, or a part too short to stand alone.
        ("What did Russia and Turkey agree?", ["What did Russia and Turkey agree?"]),
        ("Which carmaker closed more dealers, and how many?", None),
    ],
)
def test_split_question(question: str, parts: list[str] | None) -> None:
    """Each part starts with the user's own words for it; how a part is completed is not pinned."""
    got = split_question(question)
    expected = parts or [question]
    assert len(got) == len(expected), got
    for part, words in zip(got, expected, strict=True):
        assert part.startswith(words.removesuffix("?")) and part.endswith("?"), (part, words)


def test_each_part_gets_its_own_lead(model_archive: Archive) -> None:
    assert Ingestor(model_archive).ingest(BUS_STRIKE).added == 4
    answer = Responder(model_archive).ask(
        "When did the Ostrava bus strike end, and how much of a pay rise did the drivers get?",
        AskOptions(as_of=model_archive.catalog.stats().last),
    )
    assert not answer.abstained
    reply = answer.reply()
    assert "24 March 2023" in reply, reply  # "ended on Friday", dated from the article
    assert "9 percent" in reply, reply


def test_a_part_the_archive_lacks_is_named(model_archive: Archive) -> None:
    assert Ingestor(model_archive).ingest(BUS_STRIKE).added == 4
    answer = Responder(model_archive).ask(
        "How much of a pay rise did the Ostrava bus drivers get, and who owns the city zoo?",
        AskOptions(as_of=model_archive.catalog.stats().last),
    )
    assert not answer.abstained
    assert "9 percent" in answer.reply()
    assert any("who owns the city zoo" in note for note in answer.notes), answer.notes
