"""The feedback store (real SQLite in tmp_path), its export as a question set, and its stats."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.feedback import FeedbackEntry, FeedbackStore, clean_correction
from bot.feedback_export import (
    NO_CORRECTION,
    NOTHING_TO_SCORE,
    export_questions,
    write_question_set,
)
from bot.feedback_stats import feedback_stats
from retrieval.evaluation.questions import GoldEvidence, load_questions
from retrieval.results import Answer, Citation, Passage

AS_OF = date(2025, 6, 1)
PASSAGE = Passage(
    chunk_id="a1-0",
    article_id="a1",
    text="About 4,000 workers joined the strike at Meridian City port, the union said.",
    title="Port strike begins",
    source="Harbor Wire",
    published=date(2025, 3, 3),
    url="https://news.example/port",
    score=0.9,
)
ANSWER = Answer(
    question="How many workers joined the strike at Meridian City port?",
    text="About 4,000 workers joined the strike at Meridian City port [1].",
    citations=(Citation(1, PASSAGE, PASSAGE.text),),
    passages=(PASSAGE,),
    abstained=False,
    short="4,000",
)
ABSTAINED = Answer(
    question="Who won the 2031 election?",
    text="The archive does not say who won the 2031 election.",
    citations=(),
    passages=(PASSAGE,),
    abstained=True,
)


def vote(store: FeedbackStore, answer: Answer = ANSWER, verdict: str = "up", **kw: object) -> int:
    args: dict[str, object] = {
        "channel": "telegram",
        "chat_id": 7,
        "user_id": 42,
        "as_of": AS_OF,
        "answer_key": "m1",
    }
    args.update(kw)
    return store.vote(answer, verdict, **args)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    opened = FeedbackStore.in_data_dir(tmp_path / "data")
    yield opened
    opened.close()


def entry(entry_id: int = 1, **overrides: object) -> FeedbackEntry:
    """An entry as the store would return it: 👍 on ANSWER, rated at noon on 1 June 2025."""
    when = datetime(2025, 6, 1, 12, tzinfo=UTC)
    values: dict[str, object] = {
        "id": entry_id,
        "channel": "telegram",
        "chat_id": 7,
        "user_id": 42,
        "answer_key": f"m{entry_id}",
        "question": ANSWER.question,
        "reply": ANSWER.reply(),
        "short": ANSWER.short,
        "abstained": False,
        "citations": (
            {
                "n": 1,
                "article_id": "a1",
                "title": "Port strike begins",
                "source": "Harbor Wire",
                "published": "2025-03-03",
                "url": "https://news.example/port",
                "quote": PASSAGE.text,
                "also_published_by": [],
            },
        ),
        "as_of": AS_OF,
        "verdict": "up",
        "correction": None,
        "not_in_archive": False,
        "created": when,
        "updated": when,
    }
    values.update(overrides)
    return FeedbackEntry(**values)  # type: ignore[arg-type]


# --- the store -------------------------------------------------------------------------------


def test_vote_stores_the_answer_as_rated(store: FeedbackStore) -> None:
    entry_id = vote(store)
    got = store.get(entry_id)
    assert got is not None
    assert (got.channel, got.chat_id, got.user_id, got.answer_key) == ("telegram", 7, 42, "m1")
    assert got.question == ANSWER.question and got.reply == "4,000\n" + ANSWER.text
    assert got.short == "4,000" and not got.abstained and got.as_of == AS_OF
    assert got.citations == (
        {
            "n": 1,
            "article_id": "a1",
            "title": "Port strike begins",
            "source": "Harbor Wire",
            "published": "2025-03-03",
            "url": "https://news.example/port",
            "quote": PASSAGE.text,
            "also_published_by": [],
        },
    )
    assert got.verdict == "up" and got.correction is None and not got.not_in_archive
    assert got.created.tzinfo is not None and got.created == got.updated
    assert store.get(entry_id + 1) is None


def test_a_second_vote_changes_the_verdict_and_keeps_one_entry(store: FeedbackStore) -> None:
    first = vote(store, verdict="down")
    assert store.correct(first, "the answer is 5,000")
    again = vote(store, verdict="up")
    assert again == first and len(store.entries()) == 1
    got = store.get(first)
    assert got is not None and got.verdict == "up"
    assert got.correction is None  # a 👍 withdraws the correction that came with the 👎
    assert got.created < got.updated


def test_each_person_and_each_answer_has_its_own_entry(store: FeedbackStore) -> None:
    ids = {
        vote(store),
        vote(store, user_id=43),  # another member of the group
        vote(store, answer_key="m2"),  # another answer
        vote(store, chat_id=8),  # the same message key in another chat
        vote(store, channel="cli", chat_id=None, user_id=None),
    }
    assert len(ids) == 5
    # No ids (the terminal chat) still upserts: NULL must match NULL.
    assert vote(store, verdict="down", channel="cli", chat_id=None, user_id=None) in ids
    assert len(store.entries()) == 5


def test_correct_and_not_in_archive(store: FeedbackStore) -> None:
    entry_id = vote(store)
    assert store.correct(entry_id, "  The answer is\n about 5,000\tdockers  ")
    got = store.get(entry_id)
    assert got is not None
    assert got.correction == "about 5,000 dockers"
    assert got.verdict == "down"  # a correction says the answer was wrong
    assert store.correct(entry_id, not_in_archive=True)
    got = store.get(entry_id)
    assert got is not None and got.not_in_archive and got.correction is None
    assert not store.correct(entry_id + 99, "x")


def test_a_correction_is_one_line_of_at_most_300_characters() -> None:
    assert clean_correction("x" * 500) == "x" * 300
    assert clean_correction("Correct answer: 12 May") == "12 May"
    assert clean_correction("no, it's 12 May") == "12 May"
    assert clean_correction("It was Anna Lee") == "Anna Lee"
    assert clean_correction("Itself a puzzle") == "Itself a puzzle"
    assert clean_correction("   \n ") is None


def test_entries_persist_across_reopening(tmp_path: Path) -> None:
    store = FeedbackStore.in_data_dir(tmp_path)
    first = vote(store)
    second = vote(store, ABSTAINED, answer_key="m2")
    store.correct(first, "5,000")
    store.close()
    reopened = FeedbackStore(tmp_path / "feedback.sqlite3")
    try:
        assert [e.id for e in reopened.entries()] == [first, second]  # oldest first
        assert reopened.entries()[0].correction == "5,000"
        assert reopened.entries()[1].abstained
    finally:
        reopened.close()


def test_threads_write_to_one_store(store: FeedbackStore) -> None:
    def rate(n: int) -> None:
        for i in range(10):
            vote(store, answer_key=f"t{n}-{i}")

    threads = [threading.Thread(target=rate, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.entries()) == 40


# --- the export ------------------------------------------------------------------------------


def only(entries: list[FeedbackEntry]) -> dict[str, object]:
    result = export_questions(entries)
    assert len(result.records) == 1, result
    return result.records[0]


def test_thumbs_up_with_a_short_answer_is_an_answerable_question() -> None:
    record = only([entry(5)])
    assert record["id"] == "fb-5" and record["question"] == ANSWER.question
    assert record["answerable"] is True and record["answers"] == ["4,000"]
    assert record["evidence"] == [
        {"url": "https://news.example/port", "article_id": "a1", "quote": PASSAGE.text}
    ]
    assert record["type"] == "how_many" and record["as_of"] == "2025-06-01"
    assert record["source"] == "feedback" and record["feedback_id"] == 5
    assert "chat_id" not in record and "user_id" not in record  # a test set gets shared


def test_evidence_is_one_item_per_article_with_a_verbatim_quote() -> None:
    joined = {**entry().citations[0], "quote": "First sentence. … Second sentence."}
    other = {**joined, "n": 2, "article_id": "a2", "url": None, "quote": "Elsewhere."}
    record = only([entry(citations=(joined, {**joined, "n": 3}, other))])
    assert record["evidence"] == [
        {"url": "https://news.example/port", "article_id": "a1", "quote": "First sentence."},
        {"article_id": "a2", "quote": "Elsewhere."},
    ]


def test_thumbs_up_without_a_short_answer_is_scored_on_retrieval_only() -> None:
    record = only([entry(short=None)])
    assert record["answerable"] is True and record["answers"] == []
    assert record["evidence"]
    result = export_questions([entry(short=None, citations=())])
    assert not result.records and result.skipped == {NOTHING_TO_SCORE: 1}


def test_thumbs_up_on_an_abstention_is_an_unanswerable_question() -> None:
    record = only([entry(abstained=True, short=None, citations=())])
    assert record["answerable"] is False and record["type"] == "unanswerable"
    assert "answers" not in record and "evidence" not in record


def test_a_correction_is_the_answer_with_no_article_claimed() -> None:
    record = only([entry(verdict="down", correction="5,000")])
    assert record["answerable"] is True and record["answers"] == ["5,000"]
    assert record["evidence"] == []  # the cited article may be the wrong one
    assert record["type"] == "how_many"
    # Also when the bot had abstained: the user knows the archive holds it.
    record = only([entry(verdict="down", abstained=True, correction="5,000")])
    assert record["answerable"] is True and record["answers"] == ["5,000"]


def test_not_in_archive_is_an_unanswerable_question() -> None:
    record = only([entry(verdict="down", not_in_archive=True)])
    assert record["answerable"] is False and record["type"] == "unanswerable"


def test_a_bare_thumbs_down_is_not_exported_but_counted() -> None:
    result = export_questions([entry(1, verdict="down"), entry(2, question="Who is Anna Lee?")])
    assert [r["id"] for r in result.records] == ["fb-2"]
    assert result.skipped == {NO_CORRECTION: 1}
    assert result.line() == (
        "1 questions written, 1 answerable, 0 unanswerable, 1 skipped "
        "(1 👎 without a correction), 0 duplicates merged"
    )


def test_the_same_question_and_date_is_one_record_from_the_latest_rating() -> None:
    early = entry(1, verdict="down", correction="5,000")
    late = entry(2, question="  how many workers joined THE strike at Meridian City port? ")
    late = replace(late, updated=early.updated.replace(hour=13))
    other_day = entry(3, as_of=date(2025, 7, 1))
    result = export_questions([late, early, other_day])
    assert [r["id"] for r in result.records] == ["fb-2", "fb-3"]
    assert result.records[0]["answers"] == ["4,000"]
    assert result.merged == 1
    # The latest decides even when it cannot be exported: that user no longer vouches for it.
    rejected = replace(entry(4, verdict="down"), updated=early.updated.replace(hour=14))
    result = export_questions([late, early, rejected])
    assert not result.records and result.merged == 2 and result.skipped == {NO_CORRECTION: 1}


def test_the_export_loads_as_a_question_set(tmp_path: Path) -> None:
    entries = [
        entry(1),
        entry(2, question="Q2?", short=None),
        entry(3, question="Q3?", verdict="down", correction="5,000"),
        entry(4, question="Q4?", verdict="down", not_in_archive=True),
        entry(5, question="Q5?", abstained=True, short=None, citations=()),
        entry(6, question="Q6?", verdict="down"),
    ]
    path = tmp_path / "feedback.jsonl"
    result = write_question_set(path, entries)
    assert (result.answerable, result.unanswerable) == (3, 2)
    questions, errors = load_questions(path)
    assert errors == []
    assert [q.id for q in questions] == ["fb-1", "fb-2", "fb-3", "fb-4", "fb-5"]
    first = questions[0]
    assert first.answers == ("4,000",) and first.as_of == AS_OF
    assert first.evidence == (GoldEvidence("https://news.example/port", "a1", PASSAGE.text),)
    assert first.extra["channel"] == "telegram"
    assert [q.answerable for q in questions] == [True, True, True, False, False]
    assert all(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())


# --- the stats -------------------------------------------------------------------------------


def test_stats_per_week_and_question_type() -> None:
    monday = datetime(2025, 12, 1, 9, tzinfo=UTC)  # ISO week 2025-W49
    entries = [
        entry(1, created=monday),
        entry(2, created=monday, verdict="down", correction="5,000"),
        entry(3, created=monday, question="When did the strike end?", verdict="down"),
        entry(4, created=datetime(2025, 12, 8, tzinfo=UTC), question="When is it?"),
        entry(5, created=datetime(2025, 12, 10, tzinfo=UTC), verdict="down", not_in_archive=True),
    ]
    stats = feedback_stats(entries)
    weeks = {c.label: c for c in stats.by_week}
    assert list(weeks) == ["2025-W49", "2025-W50"]
    assert (weeks["2025-W49"].ratings, weeks["2025-W49"].up, weeks["2025-W49"].down) == (3, 1, 2)
    assert weeks["2025-W49"].corrections == 1
    assert weeks["2025-W50"].share_up == 0.5 and weeks["2025-W50"].not_in_archive == 1
    types = {c.label: c for c in stats.by_type}
    assert (types["how_many"].ratings, types["when"].ratings) == (3, 2)
    assert types["when"].share_up == 0.5
    assert (stats.total.ratings, stats.total.up, stats.total.down) == (5, 2, 3)
    table = stats.table()
    assert "2025-W49" in table and "how_many" in table and "40%" in table
    data = stats.as_dict()
    assert data["total"] == {
        "ratings": 5,
        "up": 2,
        "down": 3,
        "share_up": 0.4,
        "corrections": 1,
        "not_in_archive": 1,
    }


def test_stats_of_nothing() -> None:
    stats = feedback_stats([])
    assert stats.by_week == () and stats.total.ratings == 0 and stats.total.share_up is None
