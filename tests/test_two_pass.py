"""Ingest in two passes: every article searchable from its headline and lede (and every chunk
by keyword) before the rest is embedded; the second pass resumes after a kill and ends where a
one-pass ingest ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from llama_index.core.base.embeddings.base import BaseEmbedding

from bot.cli import cli
from config.settings import IngestSettings
from ingest.articles import Article
from ingest.chunking import chunk_article, lede_text
from ingest.pipeline import Ingestor
from ingest.second_pass import embed_awaiting
from retrieval.archive import Archive
from retrieval.search import SearchOptions, search
from tests.support.ferries import ARTICLES, NAMES, stored_vectors
from tests.support.settings import make_settings


def _open(tmp_path: Path, name: str, embedder: BaseEmbedding, **ingest: object) -> Archive:
    settings = make_settings(tmp_path / name, ingest=IngestSettings(**ingest))  # type: ignore[arg-type]
    return Archive.open(settings, embedder=embedder)


def test_the_first_pass_makes_every_article_findable_by_its_lede(
    tmp_path: Path, hashing_embedder: BaseEmbedding
) -> None:
    archive = _open(tmp_path, "data", hashing_embedder)
    summary = Ingestor(archive, archive_settings(archive)).ingest(ARTICLES, second_pass=False)
    stats = archive.catalog.stats()
    assert summary.added == len(ARTICLES)
    assert stats.awaiting == stats.chunks - 1 == summary.awaiting  # the one-sentence story is done
    assert archive.store.count() == len(ARTICLES)  # one (lede) vector per article
    for n in (0, 7, 11):
        found = search(archive, f"{NAMES[n]} ferry sailings", SearchOptions(k=3))
        opening = [p for p in found.passages if p.article_id == ARTICLES[n].id]
        assert opening and opening[0].position == 0, [p.title for p in found.passages]
    # a later chunk is not embedded yet, but its words are indexed
    later_id, later = archive.catalog.article_chunks(ARTICLES[3].id)[-1]
    assert not later_id.endswith(":0")
    assert later.endswith(f"{NAMES[3]}son.")
    hits = archive.catalog.keyword_search(f"{NAMES[3]}son", 5)
    assert later_id in [h.chunk_id for h in hits]
    archive.close()


def archive_settings(archive: Archive) -> IngestSettings:
    return IngestSettings(second_pass_batch=5)


def test_the_second_pass_ends_where_a_one_pass_ingest_ends(
    tmp_path: Path, hashing_embedder: BaseEmbedding
) -> None:
    two = _open(tmp_path, "two", hashing_embedder)
    Ingestor(two, archive_settings(two)).ingest(ARTICLES, second_pass=False)
    summary = Ingestor(two, archive_settings(two)).ingest([])
    one = _open(tmp_path, "one", hashing_embedder, two_pass=False)
    Ingestor(one, IngestSettings(two_pass=False)).ingest(ARTICLES)
    assert summary.chunks == one.catalog.stats().chunks - 1
    assert two.catalog.stats().awaiting == 0
    assert stored_vectors(two) == stored_vectors(one)
    assert two.store.count() == one.store.count() == one.catalog.stats().chunks
    assert two.catalog.vectors.complete()
    two.close()
    one.close()


def test_a_second_pass_killed_midway_is_finished_by_the_next_run(
    tmp_path: Path, hashing_embedder: BaseEmbedding
) -> None:
    archive = _open(tmp_path, "data", hashing_embedder)
    Ingestor(archive).ingest(ARTICLES, second_pass=False)
    awaiting = archive.catalog.awaiting_count()
    batches = 0

    def dies_on_the_third_batch(texts: list[str]) -> list[list[float]]:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise KeyboardInterrupt  # what a kill between two batches looks like to this pass
        return [list(v) for v in hashing_embedder.get_text_embedding_batch(texts)]

    with pytest.raises(KeyboardInterrupt):
        embed_awaiting(archive, dies_on_the_third_batch, batch=5)
    assert archive.catalog.awaiting_count() == awaiting - 10
    Ingestor(archive).ingest([])
    assert archive.catalog.awaiting_count() == 0
    one = _open(tmp_path, "one", hashing_embedder, two_pass=False)
    Ingestor(one, IngestSettings(two_pass=False)).ingest(ARTICLES)
    assert stored_vectors(archive) == stored_vectors(one)
    archive.close()
    one.close()


def test_an_article_updated_before_its_second_pass_keeps_only_its_new_version(
    tmp_path: Path, hashing_embedder: BaseEmbedding
) -> None:
    archive = _open(tmp_path, "data", hashing_embedder)
    Ingestor(archive).ingest(ARTICLES[:3], second_pass=False)
    newer = Article(
        ARTICLES[1].title,
        ARTICLES[1].body + " A late correction was added to the story.",
        ARTICLES[1].origin,
        url=ARTICLES[1].url,
        source=ARTICLES[1].source,
        published=ARTICLES[1].published,
    )
    summary = Ingestor(archive).ingest([newer])
    assert summary.updated == 1
    assert archive.catalog.awaiting_count() == 0
    ids = {c for c, _ in archive.catalog.article_chunks(newer.id)}
    assert ids == {c.chunk_id for c in chunk_article(newer)}
    assert newer.id == ARTICLES[1].id
    assert set(archive.store.chunk_ids_of(newer.id)) == ids
    archive.close()


def test_the_lede_is_the_header_and_the_first_sentences() -> None:
    chunk = chunk_article(ARTICLES[0])[0]
    lede = lede_text(chunk, 40)
    head, text = lede.split("\n")
    assert head == "Story 0 · Example Times · 2021-01-01"
    assert text.startswith("The Aldwick ferry company said on Monday")
    assert len(text.split()) <= 40
    assert text.endswith(".")  # whole sentences while they fit


def test_the_cli_says_which_pass_the_archive_is_in(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(
                {"title": a.title, "body": a.body, "published": f"2021-05-0{1 + i}", "source": "X"}
            )
            for i, a in enumerate(ARTICLES[:4])
        ),
        encoding="utf-8",
    )
    data = ["--data-dir", str(tmp_path / "cli-data")]
    env = {"NEWSBOT_EMBEDDING__MODEL": "deterministic:256"}
    runner = CliRunner()
    first = runner.invoke(cli, [*data, "ingest", "--first-pass-only", str(source)], env=env)
    assert first.exit_code == 0, first.output
    assert "chunks left for the second pass" in first.output
    stats = runner.invoke(cli, [*data, "stats"], env=env)
    assert "pass 1 done" in stats.output and "chunks still to embed" in stats.output
    rest = runner.invoke(cli, [*data, "ingest"], env=env)
    assert rest.exit_code == 0, rest.output
    assert "complete (every chunk embedded)" in runner.invoke(cli, [*data, "stats"], env=env).output
    nothing = runner.invoke(cli, [*data, "ingest"], env=env)
    assert nothing.exit_code == 2
    assert "give the files" in nothing.output
