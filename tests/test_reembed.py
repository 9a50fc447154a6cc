"""`newsbot reembed`: an archive moves to another embedding model from its stored text, ends as
a fresh ingest with that model ends, and a killed run is carried on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from config.settings import EmbeddingSettings, IngestSettings
from ingest.pipeline import Ingestor
from ingest.reembed import reembed
from ingest.second_pass import embed_awaiting
from retrieval.archive import Archive
from retrieval.archive.embedding import make_embedder
from retrieval.archive.models import EmbeddingError
from retrieval.search import SearchOptions, search
from tests.support.ferries import ARTICLES, NAMES, stored_vectors
from tests.support.settings import make_settings

OLD, NEW = "deterministic:256", "deterministic:128"


def _archive(data: Path, model: str) -> Archive:
    return Archive.open(make_settings(data, embedding=EmbeddingSettings(model=model)))


@pytest.fixture
def old_archive(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    archive = _archive(data, OLD)
    Ingestor(archive).ingest(ARTICLES)
    archive.close()
    return data


@pytest.fixture
def fresh_new(tmp_path: Path) -> dict[str, list[float]]:
    """What an ingest with the new model from the start gives."""
    archive = _archive(tmp_path / "fresh", NEW)
    Ingestor(archive).ingest(ARTICLES)
    vectors = stored_vectors(archive)
    archive.close()
    return vectors


def test_a_reembedded_archive_is_what_a_fresh_ingest_with_the_model_makes(
    old_archive: Path, fresh_new: dict[str, list[float]]
) -> None:
    archive = _archive(old_archive, NEW)
    with pytest.raises(EmbeddingError, match="newsbot reembed"):
        archive.embed_query("ferry")  # the archive refuses the other model until it moves
    summary = reembed(archive, IngestSettings(second_pass_batch=7))
    assert summary is not None
    assert (summary.before, summary.after) == (OLD, NEW)
    stats = archive.catalog.stats()
    assert summary.chunks == stats.chunks and stats.awaiting == 0
    assert stored_vectors(archive) == fresh_new
    assert archive.store.count() == stats.chunks
    assert archive.catalog.vectors.complete() and archive.catalog.vectors.dead_rows() == 0
    found = search(archive, f"{NAMES[5]} ferry sailings", SearchOptions(k=3))
    assert ARTICLES[5].id in [p.article_id for p in found.passages]
    assert reembed(archive, IngestSettings()) is None  # already there
    forced = reembed(archive, IngestSettings(), force=True)
    assert forced is not None and forced.chunks == stats.chunks
    assert stored_vectors(archive) == fresh_new
    archive.close()


def test_a_reembed_killed_anywhere_is_carried_on(
    old_archive: Path, fresh_new: dict[str, list[float]]
) -> None:
    archive = _archive(old_archive, NEW)
    # killed right after the switch, before the old vectors were dropped: an ingest carries on
    archive.catalog.begin_reembed(NEW)
    embedder = make_embedder(EmbeddingSettings(model=NEW))
    batches = 0

    def dies_on_the_second_batch(texts: list[str]) -> list[list[float]]:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KeyboardInterrupt
        return [list(v) for v in embedder.get_text_embedding_batch(texts)]

    with pytest.raises(KeyboardInterrupt):
        embed_awaiting(archive, dies_on_the_second_batch, batch=6)
    assert archive.catalog.meta("reembed_reset") is None  # the old vectors went first
    assert 0 < archive.catalog.awaiting_count() < archive.catalog.stats().chunks
    summary = reembed(archive, IngestSettings())
    assert summary is not None and summary.before is None  # a resumed run
    assert archive.catalog.awaiting_count() == 0
    assert stored_vectors(archive) == fresh_new
    assert archive.store.count() == archive.catalog.stats().chunks
    archive.close()


def test_the_cli_reembeds_with_the_configured_model(old_archive: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(old_archive)]
    same = runner.invoke(cli, [*data, "reembed"], env={"NEWSBOT_EMBEDDING__MODEL": OLD})
    assert same.exit_code == 0 and "nothing to do" in same.output
    moved = runner.invoke(cli, [*data, "reembed"], env={"NEWSBOT_EMBEDDING__MODEL": NEW})
    assert moved.exit_code == 0, moved.output
    assert f"from {OLD} to {NEW}" in moved.output
    asked = runner.invoke(
        cli,
        [*data, "ask", "Which ferry company stopped its sailings?"],
        env={"NEWSBOT_EMBEDDING__MODEL": NEW},
    )
    assert asked.exit_code == 0, asked.output
