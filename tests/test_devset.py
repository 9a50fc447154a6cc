"""Checks for the hand-written Wikinews question sets in ``eval/``.

Format checks always run. Checks that need the corpus
(``<shared>/data/wikinews/articles.jsonl``) skip cleanly when it is absent; the shared
folder comes from ``NEWSBOT_SHARED_DIR`` or defaults to the ``shared`` folder next to
the repository root.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO_ROOT / "eval"
DEV_PATH = EVAL_DIR / "wikinews-dev.jsonl"
CI_PATH = EVAL_DIR / "wikinews-ci.jsonl"
HOLDOUT_PATH = EVAL_DIR / "wikinews-holdout.jsonl"
SLICE_PATH = EVAL_DIR / "wikinews-ci-slice.txt"

TYPES = {"factoid", "temporal", "multi", "timeline", "unanswerable"}
MIN_QUESTIONS = 120
MIN_UNANSWERABLE_SHARE = 0.15
CI_SIZE = 25
CI_MIN_UNANSWERABLE = 5

Question = dict[str, Any]
Corpus = dict[str, dict[str, Any]]


def _shared_dir() -> Path:
    env = os.environ.get("NEWSBOT_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared"


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _read_jsonl(path: Path) -> list[Question]:
    rows: list[Question] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                pytest.fail(f"{path.name}:{number} is not valid JSON: {exc}")
            assert isinstance(row, dict), f"{path.name}:{number} is not a JSON object"
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def dev() -> list[Question]:
    return _read_jsonl(DEV_PATH)


@pytest.fixture(scope="module")
def ci() -> list[Question]:
    return _read_jsonl(CI_PATH)


@pytest.fixture(scope="module")
def holdout() -> list[Question]:
    return _read_jsonl(HOLDOUT_PATH)


@pytest.fixture(scope="module")
def slice_ids() -> list[str]:
    text = SLICE_PATH.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    path = _shared_dir() / "data" / "wikinews" / "articles.jsonl"
    if not path.is_file():
        pytest.skip(f"Wikinews corpus not found at {path}")
    articles: Corpus = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                article = json.loads(line)
                articles[article["id"]] = article
    return articles


# ---- format (no corpus needed)


def test_every_line_parses() -> None:
    for path in (DEV_PATH, CI_PATH, HOLDOUT_PATH):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert lines, f"{path.name} is empty"
        for number, line in enumerate(lines, 1):
            assert isinstance(json.loads(line), dict), f"{path.name}:{number}"


def test_ids_unique(dev: list[Question], ci: list[Question], holdout: list[Question]) -> None:
    for rows in (dev, ci, holdout):
        counts = Counter(row["id"] for row in rows)
        assert not [i for i, n in counts.items() if n > 1]


def test_required_fields(dev: list[Question], holdout: list[Question]) -> None:
    _check_fields(dev, "dev")
    _check_fields(holdout, "ho")


def test_holdout_is_written_over_other_articles(
    dev: list[Question], holdout: list[Question]
) -> None:
    """The held-out questions cite no article the dev set cites: a fresh check of the method."""
    cited = {e.get("article_id") for row in dev for e in row.get("evidence", [])}
    assert not [
        row["id"]
        for row in holdout
        for e in row.get("evidence", [])
        if e.get("article_id") in cited
    ]
    assert sum(1 for row in holdout if row.get("answerable", True) is False) >= 20


def _check_fields(rows: list[Question], prefix: str) -> None:
    for row in rows:
        qid = row.get("id")
        assert isinstance(qid, str), row
        assert re.fullmatch(rf"{prefix}-\d{{3}}", qid), qid
        assert isinstance(row.get("question"), str), qid
        assert row["question"].strip(), qid
        assert row.get("type") in TYPES, qid
        answerable = row.get("answerable", True)
        assert isinstance(answerable, bool), qid
        assert answerable == (row["type"] != "unanswerable"), qid
        if "as_of" in row:
            date.fromisoformat(row["as_of"])
        if not answerable:
            continue
        answers = row.get("answers")
        assert isinstance(answers, list), qid
        assert answers, qid
        assert all(isinstance(a, str) and a.strip() for a in answers), qid
        evidence = row.get("evidence")
        assert isinstance(evidence, list), qid
        assert evidence, qid
        for item in evidence:
            assert isinstance(item, dict), qid
            assert item.get("url") or item.get("article_id"), qid
            assert isinstance(item.get("quote"), str), qid
            assert item["quote"].strip(), qid


def test_size_and_mix(dev: list[Question]) -> None:
    assert len(dev) >= MIN_QUESTIONS
    types = Counter(row["type"] for row in dev)
    assert set(types) == TYPES, types
    unanswerable = sum(1 for row in dev if row.get("answerable", True) is False)
    assert unanswerable / len(dev) >= MIN_UNANSWERABLE_SHARE


def test_temporal_questions_have_as_of(dev: list[Question]) -> None:
    missing = [row["id"] for row in dev if row["type"] == "temporal" and not row.get("as_of")]
    assert not missing


def test_multi_article_types_cite_several_articles(dev: list[Question]) -> None:
    for row in dev:
        if row["type"] in {"multi", "timeline"}:
            ids = {e.get("article_id") or e.get("url") for e in row["evidence"]}
            assert len(ids) >= 2, row["id"]


def test_ci_is_subset_of_dev(dev: list[Question], ci: list[Question]) -> None:
    by_id = {row["id"]: row for row in dev}
    assert len(ci) == CI_SIZE
    for row in ci:
        assert row["id"] in by_id, row["id"]
        assert row == by_id[row["id"]], row["id"]
    assert {row["type"] for row in ci} == TYPES
    assert sum(1 for row in ci if row.get("answerable", True) is False) >= CI_MIN_UNANSWERABLE


def test_ci_evidence_in_slice(ci: list[Question], slice_ids: list[str]) -> None:
    assert len(slice_ids) == len(set(slice_ids))
    in_slice = set(slice_ids)
    for row in ci:
        for item in row.get("evidence", []):
            assert item["article_id"] in in_slice, (row["id"], item["article_id"])


# ---- corpus-dependent


def test_evidence_articles_exist(
    dev: list[Question], holdout: list[Question], corpus: Corpus
) -> None:
    urls = {article["url"]: article_id for article_id, article in corpus.items()}
    for row in [*dev, *holdout]:
        for item in row.get("evidence", []):
            if "article_id" in item:
                assert item["article_id"] in corpus, (row["id"], item["article_id"])
            if "url" in item:
                assert item["url"] in urls, (row["id"], item["url"])
            if "article_id" in item and "url" in item:
                assert urls[item["url"]] == item["article_id"], row["id"]


def test_quotes_are_verbatim(dev: list[Question], holdout: list[Question], corpus: Corpus) -> None:
    urls = {article["url"]: article for article in corpus.values()}
    for row in [*dev, *holdout]:
        for item in row.get("evidence", []):
            article = corpus.get(item.get("article_id", "")) or urls[item["url"]]
            assert _ws(item["quote"]) in _ws(article["body"]), (row["id"], item["quote"])


def test_timeline_evidence_in_date_order(dev: list[Question], corpus: Corpus) -> None:
    for row in dev:
        if row["type"] == "timeline":
            dates = [corpus[e["article_id"]]["published"] for e in row["evidence"]]
            assert dates == sorted(dates), row["id"]


def test_slice_ids_exist(slice_ids: list[str], corpus: Corpus) -> None:
    missing = [article_id for article_id in slice_ids if article_id not in corpus]
    assert not missing
