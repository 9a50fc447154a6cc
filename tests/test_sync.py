"""Feeds, URL lists, CSV exports, web archives and syndicated copies, end to end into an archive.

Everything is served from a real HTTP server on 127.0.0.1; embedding work is counted with a
real subclass of the test embedder.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bot.cli import cli
from config.settings import IngestSettings
from ingest.fetch import Fetcher
from ingest.intake import gather, ingest_file
from ingest.pipeline import IngestLockedError, Ingestor, ingest_lock
from ingest.subscriptions import Subscriptions, subscriptions_path
from ingest.sync import sync_feeds
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding
from retrieval.search import SearchOptions, search
from tests.support.httpserver import FIXTURES, LocalServer
from tests.support.settings import make_settings
from tests.support.warc import write_closed

TODAY = date(2024, 3, 10)


class CountingEmbedding(HashingEmbedding):
    """Counts every text it embeds, so a test can assert that no model work happened."""

    texts: int = 0

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return super()._get_text_embeddings(texts)

    def _get_text_embedding(self, text: str) -> list[float]:
        self.texts += 1
        return super()._get_text_embedding(text)


@pytest.fixture
def counting_archive(tmp_path: Path) -> Iterator[tuple[Archive, CountingEmbedding]]:
    embedder = CountingEmbedding(dimensions=256)
    settings = make_settings(tmp_path / "data", ingest=IngestSettings(fetch_timeout_s=2))
    archive = Archive.open(settings, embedder=embedder)
    yield archive, embedder
    archive.close()


def test_second_sync_is_conditional_and_embeds_nothing(
    sources_server: LocalServer, counting_archive: tuple[Archive, CountingEmbedding]
) -> None:
    archive, embedder = counting_archive
    subs = Subscriptions(subscriptions_path(archive.data_dir))
    subs.add(sources_server.url("/feeds/regional.rss"), "Regional")
    subs.add(sources_server.url("/feeds/science.atom"), "Science")
    with Fetcher(IngestSettings(fetch_timeout_s=2)) as fetcher:
        first = sync_feeds(archive, subs, today=TODAY, fetcher=fetcher)
        assert sum(r.new for r in first) == 6
        assert archive.catalog.stats().articles >= 5
        embedded = embedder.texts
        assert embedded > 0
        requests = fetcher.requests
        second = sync_feeds(
            archive,
            Subscriptions(subscriptions_path(archive.data_dir)),
            today=TODAY,
            fetcher=fetcher,
        )
        assert [r.not_modified for r in second] == [True, True]
        assert fetcher.requests - requests == 2
        assert fetcher.conditional_requests == 2
    assert embedder.texts == embedded  # no model work at all


def test_sync_is_one_writer_and_names_only_one_feed(
    sources_server: LocalServer, archive: Archive
) -> None:
    subs = Subscriptions(subscriptions_path(archive.data_dir))
    subs.add(sources_server.url("/feeds/regional.rss"), "Regional")
    subs.add(sources_server.url("/feeds/science.atom"), "Science")
    with ingest_lock(archive.data_dir), pytest.raises(IngestLockedError):
        sync_feeds(archive, subs, today=TODAY)
    assert sources_server.log == []  # refused before anything was fetched
    lines: list[str] = []
    reports = sync_feeds(
        archive, subs, today=TODAY, only="science", on_report=lambda r: lines.append(r.line())
    )
    assert lines == ["Science: 3 new, 0 changed"] == [r.line() for r in reports]
    assert Subscriptions(subscriptions_path(archive.data_dir)).get("Regional").last_sync is None


def test_an_uploaded_file_is_ingested_without_fetching(
    sources_server: LocalServer, archive: Archive, tmp_path: Path
) -> None:
    urls = tmp_path / "links.txt"
    urls.write_text(
        sources_server.url("/pages/bridge.html") + "\n" + sources_server.url("/pages/flood.html")
    )
    linked = ingest_file(archive, urls, today=TODAY, wait_s=0.0)
    assert (linked.unfetched, linked.summary.added) == (2, 0)
    assert sources_server.log == []
    export = tmp_path / "export.jsonl"
    export.write_text(
        '{"title": "Ferry fares frozen", "text": "The ferry operator froze fares."}\n'
    )
    stored = ingest_file(archive, export, today=TODAY, wait_s=0.0)
    assert (stored.unfetched, stored.summary.added) == (0, 1)
    with ingest_lock(archive.data_dir), pytest.raises(IngestLockedError):
        ingest_file(archive, export, today=TODAY, wait_s=0.0)


def test_feeds_cli_round_trip(
    sources_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", "deterministic:64")
    runner = CliRunner()
    added = runner.invoke(
        cli, ["feeds", "add", sources_server.url("/feeds/regional.rss"), "--name", "Regional"]
    )
    assert added.exit_code == 0, added.output
    dup = runner.invoke(cli, ["feeds", "add", sources_server.url("/feeds/regional.rss")])
    assert dup.exit_code == 1 and "already subscribed" in dup.output
    synced = runner.invoke(cli, ["sync"])
    assert synced.exit_code == 0, synced.output
    assert "Regional: 3 new" in synced.output
    again = runner.invoke(cli, ["sync"])
    assert "Regional: not modified" in again.output
    listed = runner.invoke(cli, ["feeds", "list"])
    assert "Regional" in listed.output and "3 entries" in listed.output
    assert runner.invoke(cli, ["feeds", "remove", "Regional"]).exit_code == 0
    assert "no subscriptions" in runner.invoke(cli, ["feeds", "list"]).output


def test_url_list_with_404_and_timeout(
    sources_server: LocalServer, archive: Archive, tmp_path: Path
) -> None:
    sources_server.route("/slow.html", b"<html><body><p>late</p></body></html>", delay_s=3.5)
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "\n".join(
            [
                "# pages to archive",
                sources_server.url("/pages/bridge.html"),
                sources_server.url("/missing.html"),
                sources_server.url("/slow.html"),
                sources_server.url("/pages/flood.html"),
            ]
        )
    )
    settings = IngestSettings(fetch_timeout_s=2)
    items = list(gather([str(urls)], settings=settings, today=TODAY))
    summary = Ingestor(archive).ingest(items)
    assert summary.added == 2
    reasons = " | ".join(str(e) for e in summary.errors)
    assert "missing.html" in reasons and "404" in reasons
    assert "slow.html" in reasons and "time" in reasons.lower()


def test_ingest_a_page_url_directly(sources_server: LocalServer, archive: Archive) -> None:
    items = list(
        gather([sources_server.url("/pages/harbour.html")], settings=IngestSettings(), today=TODAY)
    )
    summary = Ingestor(archive).ingest(items)
    assert summary.added == 1
    stats = archive.catalog.stats()
    assert stats.articles == 1
    assert search(archive, "harbour", SearchOptions(k=1)).passages[0].url


def test_csv_export_with_column_map(archive: Archive, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "Headline,Story Text,Day,Link,Paper\n"
        'Ferry fares frozen,"The ferry operator froze fares for 2024. Commuters welcomed it.",'
        "2024-01-05,https://paper.example/ferry,Coast Paper\n"
        'Library extends hours,"The central library will open on Sundays from March.",'
        "2024-02-01,https://paper.example/library,Coast Paper\n"
    )
    plain = list(gather([str(export)], settings=IngestSettings(), today=TODAY))
    assert all(not hasattr(i, "body") for i in plain)  # no body column recognised
    assert "--map" in str(plain[0])
    mapped = list(
        gather(
            [str(export)],
            settings=IngestSettings(),
            today=TODAY,
            mapping={"body": "Story Text", "published": "Day", "source": "Paper"},
        )
    )
    summary = Ingestor(archive).ingest(mapped)
    assert summary.added == 2
    top = search(archive, "ferry fares", SearchOptions(k=1)).passages[0]
    assert top.source == "Coast Paper"
    assert top.published == date(2024, 1, 5)


def _warc(path: Path) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        page = (FIXTURES / "pages" / "bridge.html").read_bytes()
        for uri, status, ctype, body in (
            ("https://paper.example/bridge", "200 OK", "text/html; charset=utf-8", page),
            ("https://paper.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n"),
            ("https://paper.example/gone", "404 Not Found", "text/html", b"<html>gone</html>"),
        ):
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
            write_closed(writer, record)


def test_warc_articles_and_skips(archive: Archive, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    summary = Ingestor(archive).ingest(gather([str(warc)], settings=IngestSettings(), today=TODAY))
    assert summary.added == 1
    assert summary.skipped == 2
    assert summary.failed == 0


def test_three_outlets_near_copies_are_one_story(archive: Archive) -> None:
    from ingest.articles import Article

    wire = (
        "Rescue teams pulled 14 miners from a flooded shaft in the Karsk valley on Tuesday after a "
        "36-hour operation, regional officials said. The miners had been trapped 300 metres below "
        "ground when an underground river broke through a wall of the Karsk No. 2 mine. All 14 "
        "were taken to hospital in Veldt, where doctors said two were in serious condition. The "
        "mine's owner, Karsk Coal, said it would suspend work at the site pending an inquiry. "
        "Families had gathered at the pithead since Sunday night, and cheers broke out as the "
        "last miner was brought to the surface shortly after dawn."
    )
    copies = [
        Article(
            "Miners rescued after 36 hours",
            wire,
            "a",
            url="https://wire.example/miners",
            source="Wire Service",
        ),
        Article(
            "Karsk miners freed",
            "VELDT (Wire Service) - " + wire.replace("regional officials said", "officials said"),
            "b",
            url="https://daily.example/karsk",
            source="Daily Post",
        ),
        Article(
            "All 14 Karsk miners out alive",
            wire.replace("shortly after dawn", "just after dawn") + " Share this article.",
            "c",
            url="https://courier.example/miners",
            source="Evening Courier",
        ),
        Article(
            "Library extends hours",
            "The central library will open on Sundays from March. " * 3,
            "d",
            url="https://courier.example/library",
            source="Evening Courier",
        ),
    ]
    summary = Ingestor(archive).ingest(copies)
    assert summary.added == 4
    assert summary.syndicated == 2
    passages = search(archive, "miners rescued from flooded shaft", SearchOptions(k=10)).passages
    stories = [p for p in passages if "miner" in p.text.lower()]
    assert len({p.article_id for p in stories}) == 1
    assert set(stories[0].also_published_by) | {stories[0].source} == {
        "Wire Service",
        "Daily Post",
        "Evening Courier",
    }
