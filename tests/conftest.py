"""Shared fixtures: settings, embedders, the shared corpus, a local site, and a network guard."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from llama_index.core.base.embeddings.base import BaseEmbedding

from config.settings import EmbeddingSettings, IngestSettings, Settings
from ingest.articles import Article
from ingest.loaders import load_paths
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding, make_embedder
from tests.support.fake_telegram import FakeTelegram
from tests.support.httpserver import LocalServer
from tests.support.paths import EXAMPLES, ROOT
from tests.support.settings import make_settings
from tests.support.telegram_data import ARTICLES, BOT

SOURCE_PAGES = ("bridge", "harbour", "undated", "flood")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return isinstance(address, str | bytes)  # AF_UNIX paths are local


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection beyond loopback fails the test: no test may reach the network."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The workplace's shared data (override with NEWSBOT_SHARED_DIR); skips when absent."""
    path = Path(os.environ.get("NEWSBOT_SHARED_DIR", ROOT.parent / "shared"))
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set NEWSBOT_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def wikinews_path(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "wikinews" / "articles.jsonl"
    if not path.is_file():
        pytest.skip(f"Wikinews corpus not found at {path}")
    return path


@pytest.fixture(scope="session")
def wikinews_ru_path(shared_dir: Path) -> Path:
    """Russian Wikinews (no `published`; `date_in_text` is the first full date, 404 articles)."""
    path = shared_dir / "data" / "wikinews-ru" / "articles.jsonl"
    if not path.is_file():
        pytest.skip(f"Russian Wikinews not found at {path}")
    return path


@pytest.fixture(scope="session")
def wikinews_fr_path(shared_dir: Path) -> Path:
    """French Wikinews: `published` is the dateline's date (91 of 100)."""
    path = shared_dir / "data" / "wikinews-fr" / "articles.jsonl"
    if not path.is_file():
        pytest.skip(f"French Wikinews not found at {path}")
    return path


@pytest.fixture(scope="session")
def seed_dir(shared_dir: Path) -> Path:
    """The shared seed pages (scraped page dumps), whatever their file names."""
    path = shared_dir / "data" / "seed"
    if not path.is_dir() or not any(path.glob("*.txt")):
        pytest.skip(f"seed pages not found in {path}")
    return path


@pytest.fixture(scope="session")
def packaged_embedder() -> BaseEmbedding:
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    return make_embedder(EmbeddingSettings())


@pytest.fixture(scope="session")
def example_articles() -> list[Article]:
    """What the loaders find in examples/archive: every article an ingest of it must store."""
    items = list(load_paths([EXAMPLES / "archive"], settings=IngestSettings(), today=date.today()))
    articles = [item for item in items if isinstance(item, Article)]
    assert len(articles) == len(items), [i for i in items if not isinstance(i, Article)]
    return articles


@pytest.fixture
def hashing_embedder() -> BaseEmbedding:
    return HashingEmbedding(dimensions=256)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Click's runner for `newsbot`, in tmp_path (no stray .env), data under tmp_path/data."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", "deterministic:256")
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def archive(settings: Settings, hashing_embedder: BaseEmbedding) -> Iterator[Archive]:
    opened = Archive.open(settings, embedder=hashing_embedder)
    yield opened
    opened.close()


@pytest.fixture
def model_archive(tmp_path: Path, packaged_embedder: BaseEmbedding) -> Iterator[Archive]:
    """An archive that embeds with the real packaged model."""
    opened = Archive.open(
        make_settings(tmp_path / "model-data", embedding=EmbeddingSettings()),
        embedder=packaged_embedder,
    )
    yield opened
    opened.close()


@pytest.fixture
def sources_server() -> Iterator[LocalServer]:
    """The pages and feeds of tests/fixtures/sources, served by a local server.

    The RSS feed carries an ETag and the Atom feed a Last-Modified, for conditional GETs.
    """
    with LocalServer() as local:
        for name in SOURCE_PAGES:
            local.serve_fixture(f"/pages/{name}.html", f"pages/{name}.html", "text/html")
        local.serve_fixture(
            "/feeds/regional.rss", "feeds/regional.rss", "application/rss+xml", etag='"r1"'
        )
        local.serve_fixture(
            "/feeds/science.atom",
            "feeds/science.atom",
            "application/atom+xml",
            last_modified="Tue, 02 Jul 2019 09:00:00 GMT",
        )
        yield local


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API server on 127.0.0.1 for the bot named `BOT`."""
    with FakeTelegram(bot_username=BOT) as server:
        yield server


@pytest.fixture
def news(archive: Archive) -> Archive:
    """The Telegram tests' archive (tests/support/telegram_data.py): the port strike and the pandas."""

    assert Ingestor(archive).ingest(ARTICLES).added == 2
    return archive
