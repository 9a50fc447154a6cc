"""Sentence vectors stored at ingest (its third pass): a warm question embeds only itself, the
replies are those of reading with the model at question time, and the pass resumes, and
starts again after the archive changes model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from llama_index.core.base.embeddings.base import BaseEmbedding

from bot.cli import cli
from config.settings import AnswerSettings, EmbeddingSettings, IngestSettings, ReaderKind
from ingest.pipeline import Ingestor
from ingest.second_pass import embed_awaiting
from ingest.sentence_pass import store_sentence_vectors
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding
from retrieval.archive.sentence_vectors import SentenceVectors
from retrieval.responder import Responder
from retrieval.text.sentences import candidate_sentences, reading_text
from tests.support.ferries import ARTICLES, NAMES
from tests.support.settings import make_settings

QUESTIONS = [f"What did the {NAMES[n]} ferry company say?" for n in (0, 4, 9)]


class _CountingEmbedding(HashingEmbedding):
    """The hashing embedder, noting every text it is given (a fake, not a patch)."""

    def __init__(self) -> None:
        super().__init__(dimensions=256)
        self._texts: list[str] = []
        self._queries: list[str] = []

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self._texts.extend(texts)
        return super()._get_text_embeddings(texts)

    def _get_text_embedding(self, text: str) -> list[float]:
        self._texts.append(text)
        return super()._get_text_embedding(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        self._queries.append(query)
        return super()._get_query_embedding(query)


def _open(
    path: Path, embedder: BaseEmbedding, reader: ReaderKind = "stored", batch: int = 1024
) -> tuple[Archive, IngestSettings]:
    settings = make_settings(
        path,
        answer=AnswerSettings(reader=reader),
        ingest=IngestSettings(second_pass_batch=batch),
    )
    return Archive.open(settings, embedder=embedder), settings.ingest


def _replies(archive: Archive) -> list[tuple[str, bool]]:
    responder = Responder(archive)
    return [(a.text, a.abstained) for a in (responder.ask(q) for q in QUESTIONS)]


def _unique_sentences(archive: Archive) -> set[str]:
    return {
        reading_text(s)
        for article in ARTICLES
        for _, text in archive.catalog.article_chunks(article.id)
        for s in candidate_sentences(text)
    }


def test_the_store_gives_back_what_it_was_given_and_nothing_of_another_model(
    tmp_path: Path,
) -> None:
    store = SentenceVectors(tmp_path / "sentences.sqlite3", "model-a")
    assert store.get(["Nothing is stored yet, so nothing comes back."]) == [None]
    assert not (tmp_path / "sentences.sqlite3").exists()  # reading made no file
    vector = np.linspace(-1, 1, 8) / np.linalg.norm(np.linspace(-1, 1, 8))
    store.add(["The ferry   sailed at noon on Monday."], [vector.tolist()])
    # found by its reading text: spacing does not matter, words after the 64th do not either
    found, absent = store.get(["The ferry sailed at noon on Monday.", "Another sentence here."])
    assert absent is None
    assert found is not None
    np.testing.assert_allclose(found, vector, atol=1e-3)
    long = " ".join(["word"] * 64)
    store.add([long + " and more"], [vector.tolist()])
    assert store.missing([long, long + " still more", "Another sentence here."]) == [
        "Another sentence here."
    ]
    store.close()
    other = SentenceVectors(tmp_path / "sentences.sqlite3", "model-b")
    assert not other.usable()
    assert other.get(["The ferry sailed at noon on Monday."]) == [None]
    assert other.count() == 0
    other.reset()
    assert other.usable()
    assert other.count() == 0
    other.close()


def test_ingest_stores_every_sentence_once_and_a_question_embeds_only_itself(
    tmp_path: Path,
) -> None:
    embedder = _CountingEmbedding()
    archive, ingest = _open(tmp_path / "data", embedder)
    Ingestor(archive, ingest).ingest(ARTICLES)
    assert archive.catalog.unread_count() == 0
    sentences = _unique_sentences(archive)
    assert archive.sentence_vectors.count() == len(sentences)
    assert sentences <= set(embedder._texts)  # each embedded by the archive's model...
    assert len(embedder._texts) == len(set(embedder._texts))  # ...once
    embedder._texts.clear()
    replies = _replies(archive)
    assert embedder._texts == []  # no candidate sentence embedded at question time
    assert len(embedder._queries) == len(QUESTIONS)  # search and reading share one vector
    assert not all(abstained for _, abstained in replies)
    archive.close()

    # the same replies as reading every candidate with the model at question time
    model, _ = _open(tmp_path / "data", HashingEmbedding(dimensions=256), reader="model")
    assert _replies(model) == replies
    model.close()


def test_answers_do_not_wait_for_the_third_pass_and_do_not_change_after_it(
    tmp_path: Path,
) -> None:
    embedder = _CountingEmbedding()
    archive, ingest = _open(tmp_path / "data", embedder, batch=4)
    Ingestor(archive, ingest).ingest(ARTICLES, second_pass=False)
    assert archive.catalog.unread_count() == archive.catalog.stats().chunks
    embed = Ingestor(archive, ingest)._embed
    batches = 0

    def dies_on_the_third_batch(texts: list[str]) -> list[list[float]]:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise KeyboardInterrupt  # a kill between two batches
        return embed(texts)

    embed_awaiting(archive, embed, batch=4)
    before = _replies(archive)  # nothing stored yet: every candidate embedded now
    with pytest.raises(KeyboardInterrupt):
        store_sentence_vectors(archive, dies_on_the_third_batch, batch=4)
    chunks = archive.catalog.stats().chunks
    assert archive.catalog.unread_count() == chunks - 8
    assert _replies(archive) == before  # half stored, half embedded: the same replies
    Ingestor(archive, ingest).ingest([])  # the next run finishes the pass
    assert archive.catalog.unread_count() == 0
    assert archive.sentence_vectors.count() == len(_unique_sentences(archive))
    embedder._texts.clear()
    assert _replies(archive) == before
    assert embedder._texts == []
    archive.close()


def test_a_reader_that_stores_nothing_makes_ingest_skip_the_third_pass(tmp_path: Path) -> None:
    embedder = _CountingEmbedding()
    archive, ingest = _open(tmp_path / "data", embedder, reader="int8")
    Ingestor(archive, ingest).ingest(ARTICLES)
    assert archive.sentence_vectors.count() == 0
    assert archive.catalog.unread_count() == archive.catalog.stats().chunks
    archive.close()


def test_after_a_model_change_the_old_sentence_vectors_are_never_read(tmp_path: Path) -> None:
    archive, ingest = _open(tmp_path / "data", HashingEmbedding(dimensions=256))
    Ingestor(archive, ingest).ingest(ARTICLES)
    stored = archive.sentence_vectors.count()
    assert stored > 0
    archive.catalog.begin_reembed("deterministic:128")  # what `newsbot reembed` starts with
    assert archive.catalog.unread_count() == archive.catalog.stats().chunks
    archive.close()
    settings = make_settings(
        tmp_path / "data", embedding=EmbeddingSettings(model="deterministic:128")
    )
    moved = Archive.open(settings, embedder=HashingEmbedding(dimensions=128))
    assert not moved.sentence_vectors.usable()
    question = "What did the Aldwick ferry company say on Monday?"
    assert moved.sentence_vectors.get([question]) == [None]
    Ingestor(moved, settings.ingest).ingest([])  # the re-embedding run
    assert moved.sentence_vectors.usable()
    assert moved.sentence_vectors.count() == stored
    vector = moved.sentence_vectors.get([_first_sentence(moved)])[0]
    assert vector is not None
    assert len(vector) == 128
    moved.close()


def _first_sentence(archive: Archive) -> str:
    _, text = archive.catalog.article_chunks(ARTICLES[0].id)[0]
    first: Sequence[str] = candidate_sentences(text)
    return first[0]


def test_the_cli_says_when_sentence_vectors_are_still_to_store(runner: CliRunner) -> None:
    Path("articles.jsonl").write_text(
        "\n".join(
            json.dumps({"title": a.title, "body": a.body, "published": "2021-05-01"})
            for a in ARTICLES[:3]
        ),
        encoding="utf-8",
    )
    # an archive ingested when answers embedded every sentence at question time
    older = runner.invoke(cli, ["ingest", "articles.jsonl"], env={"NEWSBOT_ANSWER__READER": "int8"})
    assert older.exit_code == 0, older.output
    stats = runner.invoke(cli, ["stats"]).output
    assert "pass 3: sentence vectors of" in stats and "still to store" in stats
    figures = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert figures["awaiting_sentence_vectors"] == figures["chunks"] > 0
    rest = runner.invoke(cli, ["ingest"])  # no inputs: only what is left
    assert rest.exit_code == 0, rest.output
    assert "complete (every chunk embedded)" in runner.invoke(cli, ["stats"]).output
    assert (
        json.loads(runner.invoke(cli, ["stats", "--json"]).output)["awaiting_sentence_vectors"] == 0
    )
    assert runner.invoke(cli, ["ingest"]).exit_code == 2  # nothing left to do
    Path("data/sentences.sqlite3").unlink()  # deleted: every sentence is to store again
    gone = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert gone["awaiting_sentence_vectors"] == gone["chunks"]
    assert runner.invoke(cli, ["ingest"]).exit_code == 0
    after = json.loads(runner.invoke(cli, ["stats", "--json"]).output)
    assert after["awaiting_sentence_vectors"] == 0
    assert Path("data/sentences.sqlite3").is_file()
