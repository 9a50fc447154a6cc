"""The quality gate that runs on any clone: our own questions over our own examples/archive.

eval/examples-ci.jsonl was written from the 16 fictional articles of examples/archive alone:
answerable who/what/when/where/how-many questions, dated ones ("last week", "in February
2025" against an `as_of`), and unanswerable ones (one detail changed, or a topic the archive
lacks). The gate ingests the archive with the packaged model and runs `newsbot eval` with the
thresholds of tests/support/gates.py. The question set's own checks need no model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.evaluation.questions import load_questions
from tests.support.gates import EXAMPLES_CI, run_gate
from tests.support.paths import EXAMPLES


def _rows() -> list[dict[str, Any]]:
    lines = EXAMPLES_CI.questions.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _squashed(text: str) -> str:
    return " ".join(text.split())


def test_the_question_set_loads_whole() -> None:
    questions, problems = load_questions(EXAMPLES_CI.questions)
    assert problems == []
    assert len(questions) == EXAMPLES_CI.question_count()
    assert len({q.id for q in questions}) == len(questions)


def test_every_question_is_of_a_kind_and_dated_ones_say_when() -> None:
    rows = _rows()
    for row in rows:
        if row.get("answerable", True):
            assert row["answers"] and row["evidence"], row["id"]
        else:
            assert "answers" not in row and "evidence" not in row, row["id"]
        if row["type"] == "temporal":
            assert "as_of" in row, row["id"]
    kinds = {row["type"] for row in rows}
    assert {"factoid", "temporal", "unanswerable"} <= kinds


def test_evidence_names_stored_articles_and_quotes_their_text(
    archive: Archive, example_articles: list[Article]
) -> None:
    Ingestor(archive).ingest(example_articles)
    stored = {record.article_id: (record, body) for record, body in archive.catalog.bodies()}
    for row in _rows():
        for evidence in row.get("evidence", []):
            record, body = stored[evidence["article_id"]]
            assert evidence.get("url", record.url) == record.url, row["id"]
            assert _squashed(evidence["quote"]) in _squashed(body), (row["id"], evidence)


@pytest.mark.model
def test_examples_meet_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    records = run_gate(EXAMPLES_CI, EXAMPLES / "archive", tmp_path)
    assert [r["id"] for r in records] == [row["id"] for row in _rows()]
