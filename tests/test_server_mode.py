"""The store, ingest and retrieval against both Chroma modes: embedded and a real server.

The server is `chroma run` on 127.0.0.1 (tests/support/chroma_server.py), started once per session;
each test gets its own collection on it and its own data dir for the catalog. The same tests
run against the embedded store, so any difference between the two modes is a failure here.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from config.settings import ChromaSettings, IngestSettings, Settings
from ingest.chunking import chunk_article
from ingest.intake import gather
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding
from retrieval.archive.store import ChunkStore, StoreError, date_where
from retrieval.responder import Responder
from retrieval.search import SearchOptions, search
from tests.support.chroma_server import ChromaServer, free_port
from tests.support.paths import EXAMPLES
from tests.support.settings import make_settings
from tests.support.stories import council_story


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One `chroma run` for the session; stopped at the end."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db")
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def mode_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for an embedded store under tmp_path, or a fresh collection on the server."""
    if request.param == "embedded":
        return make_settings(tmp_path / "data")
    server: ChromaServer = request.getfixturevalue("chroma_server")
    chroma = ChromaSettings(url=server.url, collection=f"t-{uuid.uuid4().hex[:12]}", retries=1)
    return make_settings(tmp_path / "data", chroma=chroma)


@pytest.fixture
def mode_archive(mode_settings: Settings) -> Iterator[Archive]:
    opened = Archive.open(mode_settings, embedder=HashingEmbedding(dimensions=256))
    yield opened
    opened.close()


# --- the store ---------------------------------------------------------------------------


def test_store_round_trip(mode_archive: Archive) -> None:
    store = mode_archive.store
    expected_kind = "server" if mode_archive.store.location.startswith("http") else "embedded"
    assert store.kind == expected_kind
    chunks = [c for n in range(1, 4) for c in chunk_article(council_story(n))]
    vectors = mode_archive.embed_texts([c.embed_text for c in chunks])
    store.upsert(chunks, vectors)
    store.upsert(chunks, vectors)  # upsert twice: same ids, no duplicates
    assert store.count() == len(chunks)

    hits = store.query(vectors[0], k=3)
    assert hits[0].chunk_id == chunks[0].chunk_id
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-4)
    assert hits[0].metadata["source"] == "Example Times"
    assert hits[0].metadata["published"] == chunks[0].published.isoformat()  # type: ignore[union-attr]

    got = store.get_chunks([chunks[1].chunk_id])
    assert got[chunks[1].chunk_id][0] == chunks[1].text
    assert store.chunk_ids_of(chunks[0].article_id) == [
        c.chunk_id for c in chunks if c.article_id == chunks[0].article_id
    ]


def test_store_batches_and_date_window(mode_settings: Settings) -> None:
    settings = mode_settings.model_copy(
        update={"chroma": mode_settings.chroma.model_copy(update={"add_batch_size": 2})}
    )
    archive = Archive.open(settings, embedder=HashingEmbedding(dimensions=256))
    try:
        chunks = [c for n in range(1, 7) for c in chunk_article(council_story(n))]
        vectors = archive.embed_texts([c.embed_text for c in chunks])
        archive.store.upsert(chunks, vectors)  # several add batches of two
        assert archive.store.count() == len(chunks)
        window = date_where(date(2021, 1, 1), date(2021, 12, 31))
        hits = archive.store.query(vectors[0], k=len(chunks), where=window)
        assert hits
        assert {h.metadata["published"][:4] for h in hits} == {"2021"}

        first = chunks[0].article_id
        archive.store.delete_articles([first])
        assert archive.store.chunk_ids_of(first) == []
        archive.store.delete_chunk_ids([chunks[-1].chunk_id])
        assert archive.store.count() == len(chunks) - 2
    finally:
        archive.close()


# --- ingest ------------------------------------------------------------------------------


def test_ingest_then_reingest_embeds_nothing(mode_archive: Archive) -> None:
    articles = [council_story(n) for n in range(1, 6)]
    first = Ingestor(mode_archive)
    summary = first.ingest(articles)
    assert (summary.added, summary.unchanged, summary.failed) == (5, 0, 0)
    assert mode_archive.store.count() == mode_archive.catalog.stats().chunks > 0

    again = Ingestor(mode_archive)
    summary = again.ingest(articles)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5)
    assert again.embedded_chunks == 0


def test_update_and_remove(mode_archive: Archive) -> None:
    Ingestor(mode_archive).ingest([council_story(1), council_story(2)])
    changed = council_story(
        1, body="A different report. The bridge reopened on Friday after repairs."
    )
    summary = Ingestor(mode_archive).ingest([changed])
    assert summary.updated == 1
    assert mode_archive.store.count() == mode_archive.catalog.stats().chunks
    hits = search(mode_archive, "bridge reopened", SearchOptions(k=5)).passages
    assert hits
    assert "bridge reopened" in hits[0].text

    assert Ingestor(mode_archive).remove(changed.id)
    assert mode_archive.store.chunk_ids_of(changed.id) == []
    assert mode_archive.store.count() == mode_archive.catalog.stats().chunks


def test_leftover_vectors_are_invisible_then_replaced(mode_archive: Archive) -> None:
    article = council_story(7)
    chunks = chunk_article(article)
    mode_archive.store.upsert(chunks, mode_archive.embed_texts([c.embed_text for c in chunks]))
    assert search(mode_archive, "town 7 budget", SearchOptions()).passages == ()
    assert Ingestor(mode_archive).ingest([article]).added == 1
    assert mode_archive.store.count() == len(chunks)


# --- retrieval ---------------------------------------------------------------------------


def test_search_and_answer_on_the_sample_archive(mode_archive: Archive) -> None:
    items = gather([str(EXAMPLES / "archive")], settings=IngestSettings(), today=date(2026, 11, 25))
    summary = Ingestor(mode_archive).ingest(items)
    assert summary.failed == 0, summary.errors
    passages = search(mode_archive, "Quillstack layoffs jobs", SearchOptions(k=5)).passages
    assert "quillstack" in passages[0].title.lower()

    answer = Responder(mode_archive).ask("How many jobs is Quillstack cutting?")
    assert not answer.abstained, answer.text
    assert "340" in answer.text
    assert answer.citations


def test_date_window_applies_to_both_retrievers(mode_archive: Archive) -> None:
    Ingestor(mode_archive).ingest([council_story(n) for n in range(1, 7)])
    window = SearchOptions(k=10, start=date(2022, 1, 1), end=date(2022, 12, 31))
    passages = search(mode_archive, "council budget vote", window).passages
    assert passages
    assert all(p.published and p.published.year == 2022 for p in passages)


# --- what the CLI says it is connected to ------------------------------------------------


@pytest.mark.server
def test_stats_reports_the_server(
    runner: CliRunner, chroma_server: ChromaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_CHROMA__URL", chroma_server.url)
    monkeypatch.setenv("NEWSBOT_CHROMA__COLLECTION", f"cli-{uuid.uuid4().hex[:12]}")
    ingested = runner.invoke(cli, ["ingest", str(EXAMPLES / "archive")])
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["store"] == {"kind": "server", "location": chroma_server.url}
    assert stats["vectors"] == stats["chunks"] > 0
    text = runner.invoke(cli, ["stats"]).stdout
    assert f"server Chroma at {chroma_server.url}" in text


def test_stats_reports_embedded(runner: CliRunner, tmp_path: Path) -> None:
    stats = json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)
    assert stats["store"] == {"kind": "embedded", "location": str(tmp_path / "data" / "chroma")}


# --- a server that is down, or goes down ------------------------------------------------


@pytest.mark.server
def test_server_down_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreError, match="NEWSBOT_CHROMA__URL") as caught:
        ChunkStore(ChromaSettings(url=url, retries=1), tmp_path)
    assert url in str(caught.value)
    assert time.monotonic() - started < 30  # one retry after 0.5 s, not a hang


@pytest.mark.server
def test_server_down_from_the_cli(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("NEWSBOT_CHROMA__URL", url)
    monkeypatch.setenv("NEWSBOT_CHROMA__RETRIES", "1")
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code == 1
    assert "NEWSBOT_CHROMA__URL" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_url_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="NEWSBOT_CHROMA__URL"):
        ChunkStore(ChromaSettings(url="localhost:8000", retries=0), tmp_path)


@pytest.mark.server
def test_connecting_retries_with_backoff_until_the_server_is_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = ChromaServer(tmp_path / "db")
    server.launch()  # not ready yet: the first attempts are refused
    try:
        store = ChunkStore(ChromaSettings(url=server.url, retries=6), tmp_path)
        assert store.count() == 0
    finally:
        server.stop()
    assert "retrying" in caplog.text


@pytest.mark.server
def test_server_that_goes_away_then_comes_back(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "db")
    server.start()
    try:
        store = ChunkStore(ChromaSettings(url=server.url, retries=1), tmp_path)
        assert store.count() == 0
        server.stop()
        with pytest.raises(StoreError, match="NEWSBOT_CHROMA__URL"):
            store.count()
    finally:
        server.stop()
    # Restarted on the same port and data: the same store object works again.
    again = ChromaServer(tmp_path / "db", port=server.port)
    again.start()
    try:
        assert store.count() == 0
    finally:
        again.stop()
