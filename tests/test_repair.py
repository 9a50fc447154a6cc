"""`newsbot repair`: a lost or damaged Chroma collection is made again from the vector file and
the catalog, without the model, and finds what it found before."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from llama_index.core.base.embeddings.base import BaseEmbedding

from bot.cli import cli
from config.settings import IngestSettings, RetrievalSettings
from ingest.pipeline import Ingestor
from ingest.repair import repair
from retrieval.archive import Archive
from retrieval.search import SearchOptions, search
from tests.support.ferries import ARTICLES, NAMES
from tests.support.settings import make_settings

# every question through Chroma's index, none through the vector file
THROUGH_CHROMA = RetrievalSettings(exact_window_rows=0)
QUESTIONS = [f"{name} ferry sailings" for name in NAMES[:6]] + ["council budget vote"]


Found = list[tuple[str, float]]


def _found(archive: Archive) -> list[Found]:
    return [
        [
            (p.chunk_id, round(p.score, 4))
            for p in search(archive, q, SearchOptions(k=5), THROUGH_CHROMA).passages
        ]
        for q in QUESTIONS
    ]


def _ingested(tmp_path: Path, embedder: BaseEmbedding) -> tuple[Archive, list[Found]]:
    archive = Archive.open(make_settings(tmp_path / "data"), embedder=embedder)
    Ingestor(archive).ingest(ARTICLES)
    return archive, _found(archive)


def test_a_lost_collection_is_stored_again_from_the_vector_file(
    tmp_path: Path, hashing_embedder: BaseEmbedding
) -> None:
    archive, before = _ingested(tmp_path, hashing_embedder)
    chunks = archive.catalog.stats().chunks
    # the collection loses its vectors (a damaged or emptied store; Chroma keeps a client per
    # path in the process, so removing its files here would not show)
    archive.store.delete_articles(a.id for a in ARTICLES)
    assert archive.store.count() == 0
    summary = repair(archive, IngestSettings(), batch=7)
    assert (summary.restored, summary.embedded) == (chunks, 0)
    assert archive.store.count() == chunks
    assert _found(archive) == before
    archive.close()


def test_chunks_without_a_vector_row_are_embedded_by_the_repair(
    tmp_path: Path, hashing_embedder: BaseEmbedding
) -> None:
    archive, before = _ingested(tmp_path, hashing_embedder)
    conn = archive.catalog.keywords._connect()  # an archive from before the vector file
    with conn:
        conn.execute("UPDATE chunks SET vector_row = NULL WHERE position > 0")
    unstored = int(conn.execute("SELECT count(*) FROM chunks WHERE position > 0").fetchone()[0])
    summary = repair(archive, IngestSettings())
    assert summary.embedded == unstored
    assert summary.restored == archive.catalog.stats().chunks - unstored
    assert archive.catalog.vectors.complete()
    assert _found(archive) == before
    archive.close()


def test_the_cli_repairs_and_says_what_it_did(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"NEWSBOT_EMBEDDING__MODEL": "deterministic:256"}
    data = ["--data-dir", str(tmp_path / "data")]
    source = tmp_path / "a.md"
    source.write_text("# Ferry stops\n\nThe Aldwick ferry company stopped all sailings.\n")
    assert runner.invoke(cli, [*data, "ingest", str(source)], env=env).exit_code == 0
    result = runner.invoke(cli, [*data, "repair"], env=env)
    assert result.exit_code == 0, result.output
    assert "stored 1 chunks again from the vector file" in result.output
