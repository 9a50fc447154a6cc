"""The `newsbot` command through click's runner: ingest, ask --json contract, stats, remove, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from ingest.articles import Article
from tests.support.paths import EXAMPLES

CONTRACT = {"question", "answer", "abstained", "citations", "passages", "timings_ms"}
CITATION_KEYS = {"n", "article_id", "title", "source", "published", "url", "quote"}
PASSAGE_KEYS = {"rank", "article_id", "title", "source", "published", "url", "score", "text"}


def _ingest(runner: CliRunner) -> str:
    result = runner.invoke(cli, ["ingest", str(EXAMPLES / "archive")])
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_summary_and_idempotence(runner: CliRunner, example_articles: list[Article]) -> None:
    first = _ingest(runner)
    assert f"added {len(example_articles)}," in first and "failed 0" in first
    second = _ingest(runner)
    assert "added 0," in second and f"unchanged {len(example_articles)}," in second


def test_ask_json_contract(runner: CliRunner) -> None:
    _ingest(runner)
    result = runner.invoke(
        cli, ["ask", "How many jobs is Quillstack cutting?", "--json", "--top-k", "4"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert CONTRACT <= set(data)
    assert isinstance(data["abstained"], bool)
    assert len(data["passages"]) == 4
    assert [p["rank"] for p in data["passages"]] == [1, 2, 3, 4]
    for passage in data["passages"]:
        assert PASSAGE_KEYS <= set(passage)
        assert passage["published"] is None or len(passage["published"]) == 10
    assert data["citations"], data["answer"]  # else the citation fields go unchecked
    for citation in data["citations"]:
        assert CITATION_KEYS <= set(citation)
        assert f"[{citation['n']}]" in data["answer"]


def test_ask_text_answers_and_lists_its_source(
    runner: CliRunner, example_articles: list[Article]
) -> None:
    _ingest(runner)
    result = runner.invoke(cli, ["ask", "How many jobs is Quillstack cutting?"])
    assert result.exit_code == 0, result.output
    reply, _, sources = result.output.partition("\nSources:\n")
    assert "340" in reply, result.output
    (layoffs,) = (a for a in example_articles if "Quillstack" in a.title)
    assert layoffs.title in sources and f"{layoffs.url}\n" in sources


def test_stats_and_remove(runner: CliRunner, example_articles: list[Article]) -> None:
    _ingest(runner)
    stats = json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)
    assert stats["articles"] == len(example_articles)
    assert stats["store"]["kind"] == "embedded"
    dates = sorted(a.published for a in example_articles if a.published)
    assert (stats["first"], stats["last"]) == (dates[0].isoformat(), dates[-1].isoformat())
    url = next(a.url for a in example_articles if a.url)
    removed = runner.invoke(cli, ["remove", "--url", url])
    assert removed.exit_code == 0, removed.output
    stats = json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)
    assert stats["articles"] == len(example_articles) - 1
    again = runner.invoke(cli, ["remove", "--url", url])
    assert again.exit_code == 1
    assert "no article" in again.output


def test_errors_are_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(tmp_path / "missing.json")])
    assert "missing.json: no such file or folder" in result.output
    bad = runner.invoke(cli, ["ask", "x", "--as-of", "yesterday"])
    assert bad.exit_code == 2
    assert "not a date" in bad.output
    assert "Traceback" not in bad.output


def test_bad_setting_names_the_variable(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_RETRIEVAL__TOP_K", "many")
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code == 1
    assert "NEWSBOT_RETRIEVAL__TOP_K" in result.output
