"""Feedback through the `newsbot` command: rated in `chat`, exported, run by `eval`, counted."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.chat import Rating, parse_rating
from bot.cli import cli
from bot.feedback import FeedbackStore
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from tests.support.settings import make_settings
from tests.support.telegram_data import ARTICLES, PANDA_Q, STRIKE_Q

UNKNOWN_Q = "Who won the 2031 Meridian City mayoral election?"


def _archive(tmp_path: Path) -> None:
    """The Telegram tests' two articles, in the data dir the `runner` fixture points at."""
    archive = Archive.open(make_settings(tmp_path / "data"))
    try:
        assert Ingestor(archive).ingest(ARTICLES).added == 2
    finally:
        archive.close()


def test_rating_commands() -> None:
    assert parse_rating("/good") == Rating("up")
    assert parse_rating("/BAD") == Rating("down")
    assert parse_rating("/bad the answer is  in June") == Rating("down", correction="in June")
    assert parse_rating("/correct 12 May") == Rating("down", correction="12 May")
    assert parse_rating("/notinarchive") == Rating("down", not_in_archive=True)
    assert isinstance(parse_rating("/correct"), str)  # a hint: the answer is missing
    assert parse_rating("/badger") is None and parse_rating("good") is None


def test_empty_feedback_says_so(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "fb.jsonl"
    result = runner.invoke(cli, ["feedback", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "no feedback yet" in result.output and not out.exists()
    result = runner.invoke(cli, ["feedback", "stats"])
    assert result.exit_code == 0 and "no feedback yet" in result.output
    result = runner.invoke(cli, ["feedback", "stats", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["total"]["ratings"] == 0


def test_chat_ratings_become_a_question_set_that_eval_runs(
    runner: CliRunner, tmp_path: Path
) -> None:
    _archive(tmp_path)
    script = "\n".join(
        [
            "/good",  # nothing to rate yet
            STRIKE_Q,
            "/bad",
            "/good",  # changes the verdict on the same answer
            PANDA_Q,
            "/correct",  # a hint, not a rating
            "/bad the answer is in June",
            UNKNOWN_Q,
            "/notinarchive",
            "/quit",
        ]
    )
    result = runner.invoke(cli, ["chat", "--as-of", "2025-06-01"], input=script + "\n")
    assert result.exit_code == 0, result.output
    assert "(no answer to rate yet)" in result.output
    assert "/correct 12 May 2019" in result.output
    assert "noted 👎, in June" in result.output

    store = FeedbackStore.in_data_dir(tmp_path / "data")
    try:
        entries = store.entries()
    finally:
        store.close()
    assert [(e.question, e.verdict) for e in entries] == [
        (STRIKE_Q, "up"),
        (PANDA_Q, "down"),
        (UNKNOWN_Q, "down"),
    ]
    assert all(e.channel == "cli" and e.chat_id is None for e in entries)
    assert len({e.answer_key for e in entries}) == 3
    assert entries[1].correction == "in June" and entries[2].not_in_archive
    assert {e.as_of.isoformat() for e in entries} == {"2025-06-01"}

    out = tmp_path / "fb.jsonl"
    result = runner.invoke(cli, ["feedback", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "3 questions written, 2 answerable, 1 unanswerable, 0 skipped, 0 duplicates merged"
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["answers"] and records[0]["evidence"], records[0]  # the 👍 on the strike
    assert records[1]["answers"] == ["in June"] and records[1]["evidence"] == []

    report = tmp_path / "report.json"
    result = runner.invoke(cli, ["eval", str(out), "--json", str(report)])
    assert result.exit_code == 0, result.output
    assert "skipped:" not in result.output  # every exported line loads
    run = json.loads(report.read_text(encoding="utf-8"))["systems"]["newsbot"]
    assert [q["id"] for q in run["questions"]] == [r["id"] for r in records]

    result = runner.invoke(cli, ["feedback", "stats"])
    assert result.exit_code == 0, result.output
    assert "how_many" in result.output and "33%" in result.output
    stats = json.loads(runner.invoke(cli, ["feedback", "stats", "--json"]).output)
    assert stats["total"]["ratings"] == 3 and stats["total"]["corrections"] == 1


def test_a_new_chat_session_does_not_overwrite_the_last_ones_ratings(
    runner: CliRunner, tmp_path: Path
) -> None:
    _archive(tmp_path)
    for verdict in ("/good", "/bad"):
        result = runner.invoke(cli, ["chat"], input=f"{STRIKE_Q}\n{verdict}\n/quit\n")
        assert result.exit_code == 0, result.output
    store = FeedbackStore.in_data_dir(tmp_path / "data")
    try:
        assert [e.verdict for e in store.entries()] == ["up", "down"]
    finally:
        store.close()
