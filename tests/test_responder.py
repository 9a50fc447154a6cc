"""Time windows, follow-ups, timelines and short answers through the Responder and `chat`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.answering.short_answer import short_answer
from retrieval.archive import Archive
from retrieval.question.followup import Conversation, is_follow_up
from retrieval.responder import AskOptions, Responder
from tests.support.stories import BUS_STRIKE


@pytest.fixture
def responder(archive: Archive) -> Responder:
    assert Ingestor(archive).ingest(BUS_STRIKE).added == 4
    return Responder(archive)


def test_time_window_filters_both_retrievers(responder: Responder) -> None:
    answer = responder.ask(
        "What happened with the Ostrava bus strike last week?", AskOptions(as_of=date(2023, 3, 29))
    )
    assert {p.published for p in answer.passages} <= {date(2023, 3, 25)}
    assert any("last week" in note and "from 20 to 29 March 2023" in note for note in answer.notes)


def test_window_without_an_answer_says_so_and_names_the_closest(responder: Responder) -> None:
    answer = responder.ask(
        "What did the zoo say about lynx cubs in March 2023?", AskOptions(as_of=date(2023, 6, 1))
    )
    assert answer.abstained
    assert "Nothing in the archive answers that" in answer.text and "March 2023" in answer.text
    assert any("lynx" in note.lower() and "2022" in note for note in answer.notes)


def test_window_outside_the_archive_gives_its_coverage(responder: Responder) -> None:
    answer = responder.ask(
        "What did the zoo announce in May 2023?", AskOptions(as_of=date(2023, 6, 1))
    )
    assert answer.abstained
    assert any("the archive covers 12 April 2022 to 25 March 2023" in note for note in answer.notes)


def test_as_of_hides_later_articles(responder: Responder) -> None:
    answer = responder.ask("Ostrava bus strike pay deal", AskOptions(as_of=date(2023, 3, 15)))
    assert all(p.published and p.published <= date(2023, 3, 15) for p in answer.passages)


def test_timeline_is_chronological(responder: Responder) -> None:
    answer = responder.ask(
        "How did the Ostrava bus strike develop?", AskOptions(as_of=date(2023, 4, 1))
    )
    assert not answer.abstained, answer.text
    days = [line.split(":")[0] for line in answer.text.splitlines()]
    assert days == sorted(days)
    assert len(days) >= 2


def test_follow_up_is_rewritten_with_context(responder: Responder) -> None:
    conversation = Conversation()
    responder.ask("What pay rise did the Ostrava bus drivers win?", conversation=conversation)
    follow = responder.ask("and when did it end?", conversation=conversation)
    assert follow.search_query and "ostrava" in follow.search_query.lower()
    assert follow.question == "and when did it end?"


@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("and what did Russia say?", True),
        ("When was that?", True),
        ("Who won the 2019 Virginia election for governor?", False),
    ],
)
def test_follow_up_detection(question: str, follow: bool) -> None:
    assert is_follow_up(question) is follow


@pytest.mark.parametrize(
    ("kind", "sentence", "question", "published", "expected"),
    [
        (
            "when",
            "The strike began on Monday, halting services.",
            "When did the strike begin?",
            date(2023, 3, 14),
            "13 March 2023",
        ),
        (
            "when",
            "Akar spoke to Shoigu on May 20th.",
            "When did Akar speak to Shoigu?",
            None,
            "May 20th",
        ),
        (
            "how_many",
            "The union said 1,200 drivers backed the walkout in 2023.",
            "How many drivers backed the walkout?",
            None,
            "1,200",
        ),
        (
            "who",
            "Union leader Petra Novak said drivers want more.",
            "Who leads the union?",
            None,
            "Petra Novak",
        ),
        (
            "where",
            "The summit was held in Reykjavik on Friday.",
            "Where was the summit held?",
            None,
            "Reykjavik",
        ),
        (
            "who",
            '"Our results show progress," said the chief executive, Alan Mulally.',
            "Who runs Ford?",
            None,
            "Alan Mulally",
        ),
        ("what", "Nothing to extract here.", "What happened?", None, None),
        # a day of the month or an ordinal is never a count
        (
            "how_many",
            "On May 20, 340 workers walked out of the plant.",
            "How many workers walked out?",
            None,
            "340",
        ),
        (
            "how_many",
            "The strike began on 12 March and ended on the 20th.",
            "How many days did the strike last?",
            None,
            None,
        ),
    ],
)
def test_short_answers(
    kind: str, sentence: str, question: str, published: date | None, expected: str | None
) -> None:
    from retrieval.question.profile import profile

    assert short_answer(kind, sentence, question, profile(question).terms, published) == expected


def test_chat_follow_up_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", "deterministic:256")
    from config.settings import Settings

    archive = Archive.open(Settings())
    Ingestor(archive).ingest(BUS_STRIKE)
    archive.close()
    result = CliRunner().invoke(
        cli,
        ["chat", "--as-of", "2023-04-01"],
        input="What pay rise did the Ostrava bus drivers win?\nand when did it end?\n/sources\n/new\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("newsbot>") == 2
    assert "9 percent" in result.output
    assert "(new conversation)" in result.output


# An undated page (a scraped "about the strike" explainer) beside the dated reports.
UNDATED_EXPLAINER = Article(
    "Explainer: the Ostrava tram depot fire",
    "The fire at the Ostrava tram depot destroyed 14 trams, the transport company said. "
    "Investigators blamed a faulty heater.",
    "t5",
    url="https://ostrava.example/explainer",
    source="Ostrava Daily",
    published=None,
)


def test_a_window_searches_undated_pages_and_flags_them(responder: Responder) -> None:
    assert Ingestor(responder.archive).ingest([UNDATED_EXPLAINER]).added == 1
    answer = responder.ask(
        "How many trams did the Ostrava depot fire destroy in March 2023?",
        AskOptions(as_of=date(2023, 6, 1)),
    )
    assert not answer.abstained and "14" in answer.reply()
    assert any(p.published is None for p in answer.passages)
    flag = "“Explainer: the Ostrava tram depot fire” is undated: it may not be from"
    assert any(note.startswith(flag) for note in answer.notes), answer.notes
    # Dated articles outside the window stay out; the undated one is not dropped.
    assert all(p.published is None or p.published.year == 2023 for p in answer.passages)


def test_a_month_without_a_year_is_the_latest_the_archive_covers(responder: Responder) -> None:
    # Asked in 2024: March 2024 holds nothing, March 2023 holds the strike.
    answer = responder.ask(
        "What happened with the Ostrava bus strike in March?", AskOptions(as_of=date(2024, 5, 2))
    )
    assert {p.published.year for p in answer.passages if p.published} == {2023}
    assert any(
        "“in March” (no year given: the latest the archive covers)" in note
        and "from 1 March to 7 April 2023" in note  # March, and the week of reports after it
        for note in answer.notes
    ), answer.notes
    # With an explicit year the window is kept, and the reply says the archive lacks it.
    kept = responder.ask(
        "What happened with the Ostrava bus strike in March 2024?",
        AskOptions(as_of=date(2024, 5, 2)),
    )
    assert kept.abstained and not kept.passages


def test_a_who_answer_saying_he_is_named_from_the_sentence_before(archive: Archive) -> None:
    story = Article(
        "Rovers lift the Harbour Shield",
        "Harbour Town Rovers won the Harbour Shield on Saturday. Midfielder Tomas Brekke came "
        "on after an hour. He scored the winning goal of the Harbour Shield final in extra time.",
        "s1",
        url="https://harbour.example/shield",
        source="Harbour Post",
        published=date(2024, 5, 4),
    )
    assert Ingestor(archive).ingest([story]).added == 1
    answer = Responder(archive).ask("Who scored the winning goal of the Harbour Shield final?")
    assert not answer.abstained
    assert answer.short == "Tomas Brekke"
    assert "He scored the winning goal" in answer.text
