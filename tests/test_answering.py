"""Hybrid retrieval and extractive answers on the bundled sample archive with the real model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding

from config.settings import EmbeddingSettings, IngestSettings
from ingest.intake import gather
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.responder import Responder
from retrieval.search import SearchOptions, rrf, search
from tests.support.paths import EXAMPLES
from tests.support.settings import make_settings

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def sample(
    tmp_path_factory: pytest.TempPathFactory, packaged_embedder: BaseEmbedding
) -> Iterator[Archive]:
    data = tmp_path_factory.mktemp("sample")
    archive = Archive.open(
        make_settings(data, embedding=EmbeddingSettings()), embedder=packaged_embedder
    )
    items = gather([str(EXAMPLES / "archive")], settings=IngestSettings(), today=date(2026, 11, 25))
    summary = Ingestor(archive).ingest(items)
    assert summary.failed == 0, summary.errors
    yield archive
    archive.close()


def test_rrf_rewards_agreement() -> None:
    scores = rrf([["a", "b", "c"], ["b", "c", "d"]], k=60)
    assert max(scores, key=lambda key: scores[key]) == "b"
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["d"] == pytest.approx(1 / 63)


@pytest.mark.parametrize(
    ("question", "title_word"),
    [
        ("Which striker gave Alder Falls the lead in the cup final?", "Regional Cup"),
        ("How much did the Eastbank tram cost?", "tram"),
        ("Quillstack layoffs", "Quillstack"),
        ("property tax increase approved by the council", "budget"),
    ],
)
def test_hybrid_search_finds_the_article(sample: Archive, question: str, title_word: str) -> None:
    passages = search(sample, question, SearchOptions(k=5)).passages
    assert title_word.lower() in passages[0].title.lower()


def test_syndicated_copy_appears_once(sample: Archive) -> None:
    passages = search(
        sample, "dock workers walked off the job port strike begins", SearchOptions(k=10)
    ).passages
    titles = [p.title for p in passages]
    begins = [t for t in titles if "strike begins" in t.lower()]
    assert len({p.story_id for p in passages if "strike begins" in p.title.lower()}) == 1
    assert len(begins) >= 1
    owner = next(p for p in passages if "strike begins" in p.title.lower())
    assert owner.also_published_by  # the other outlet is named


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many jobs is Quillstack cutting?", "340"),
        ("Who scored the winner in the Regional Cup final?", "Okonkwo"),
        ("How many homes in Alder Falls were told to leave because of the flood warning?", "600"),
        ("What share of members voted to ratify the port deal?", "78"),
    ],
)
def test_answers_cite_the_passage(sample: Archive, question: str, expected: str) -> None:
    answer = Responder(sample).ask(question)
    assert not answer.abstained, answer.text
    assert expected in answer.text
    assert answer.citations
    assert any(expected in c.quote for c in answer.citations)
    assert all(c.passage.url or c.passage.title for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "When will the red panda cubs at Kestrel Bay Zoo go on public view?",  # only in a teaser
        "What did the prime minister of Norway say about oil prices?",
        "How many people attended the Meridian City jazz festival?",
    ],
)
def test_abstains_when_the_archive_lacks_it(sample: Archive, question: str) -> None:
    answer = Responder(sample).ask(question)
    assert answer.abstained, answer.text
    assert answer.citations == ()
    assert "archive" in answer.text.lower()


def test_seed_page_acceptance(seed_dir: Path, model_archive: Archive) -> None:
    items = gather([str(seed_dir)], settings=IngestSettings(), today=date(2026, 11, 25))
    assert Ingestor(model_archive).ingest(items).added == len(list(seed_dir.glob("*.txt")))
    responder = Responder(model_archive)
    answer = responder.ask("When did Akar and Shoigu talk on the phone?")
    assert not answer.abstained
    assert "May 20" in answer.text
    stored = " ".join(
        t for _c, t in model_archive.catalog.article_chunks(answer.citations[0].article_id)
    )
    for boilerplate in (
        "Home /",
        "Image credit",
        "Check Also",
        "Erdogan’s crimes",
        "Leave a Reply",
        "email address",
    ):
        assert boilerplate not in stored
    assert responder.ask(
        "What violations against elderly people does the article on Erdogan describe?"
    ).abstained
