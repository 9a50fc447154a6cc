"""A Chroma server (`chroma run`, tests/support/chroma_server.py) killed with SIGKILL mid-work.

During an ingest: `newsbot ingest` stops with one clear line naming the server and
NEWSBOT_CHROMA__URL, exit code 1 and no traceback; what it committed before stays whole, and a
re-run once the server is back completes the archive. During a question that needs the
server's index: `Responder.ask` raises StoreError; one the local vector file can score is still
answered. In the Telegram bot: the user gets a brief apology, the bot keeps running,
and answers again once the server is back on the same port and data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.telegram import FAILED
from config.settings import ChromaSettings, EmbeddingSettings, RetrievalSettings, Settings
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding
from retrieval.archive.store import StoreError
from retrieval.responder import Responder
from tests.support.chroma_server import ChromaServer
from tests.support.fake_telegram import FakeTelegram, is_call
from tests.support.httpserver import GatedPage
from tests.support.settings import make_settings
from tests.support.telegram_bot import bot_app, polling, sent_answers
from tests.support.telegram_data import ARTICLES, BOT, STRIKE_Q

pytestmark = pytest.mark.server

BATCH = 32  # NEWSBOT_INGEST__BATCH_ARTICLES for the child: the first batch is stored first


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    running = ChromaServer(tmp_path / "chroma-db")
    running.start()
    yield running
    running.stop()


def _restart(server: ChromaServer) -> ChromaServer:
    """The same server again: same port, same data."""
    again = ChromaServer(server.path, port=server.port)
    again.start()
    return again


def _settings(
    data_dir: Path, server: ChromaServer, collection: str, exact_window_rows: int = 0
) -> Settings:
    """Server-mode settings. `exact_window_rows=0` sends every question to the server's HNSW
    index (the default scores small archives from the local vector file, which a dead server
    does not reach)."""
    return make_settings(
        data_dir,
        embedding=EmbeddingSettings(model="deterministic:64"),
        chroma=ChromaSettings(url=server.url, collection=collection, retries=1),
        retrieval=RetrievalSettings(exact_window_rows=exact_window_rows),
    )


def _story(n: int) -> dict[str, object]:
    return {
        "title": f"Pier {n} repairs",
        "text": " ".join(
            f"Crews repairing pier {n} replaced beam {i} of the east side on Tuesday."
            for i in range(8)
        ),
        "url": f"https://faults.example/pier/{n}",
        "source": "Fault Line",
        "published": "2022-04-05",
    }


def _catalog_count(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _newsbot(
    data: Path, server: ChromaServer, collection: str, *args: str
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "NEWSBOT_EMBEDDING__MODEL": "deterministic:64",
        "NEWSBOT_CHROMA__URL": server.url,
        "NEWSBOT_CHROMA__COLLECTION": collection,
        "NEWSBOT_CHROMA__RETRIES": "1",
        "NEWSBOT_INGEST__BATCH_ARTICLES": str(BATCH),
        "NEWSBOT_INGEST__FETCH_TIMEOUT_S": "120",
        "HF_HUB_OFFLINE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "--data-dir", str(data), *args],
        cwd=data.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _check_whole(archive: Archive) -> int:
    """Every catalogued article has exactly its chunks on the server; returns how many."""
    rows = list(archive.catalog.bodies())
    assert archive.store.count() == archive.catalog.stats().chunks
    for row, _ in rows:
        wanted = {f"{row.article_id}:{row.content_hash[:8]}:{i}" for i in range(row.n_chunks)}
        assert set(archive.store.chunk_ids_of(row.article_id)) == wanted
    return len(rows)


@pytest.fixture
def gate() -> Iterator[GatedPage]:
    with GatedPage("Pier inquiry report") as page:
        yield page


def test_server_killed_during_an_ingest(
    server: ChromaServer, gate: GatedPage, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    collection = f"faults-{uuid.uuid4().hex[:8]}"
    stories = tmp_path / "stories.jsonl"
    count = BATCH + 6
    stories.write_text("".join(json.dumps(_story(n)) + "\n" for n in range(count)))
    # The page read after the first batch holds the run mid-ingest until the server is dead.
    child = _newsbot(data, server, collection, "ingest", str(stories), gate.url)
    try:
        assert gate.asked.wait(120), "the ingest never reached the page"
        deadline = time.monotonic() + 60
        while _catalog_count(data / "catalog.sqlite3") < BATCH:
            assert time.monotonic() < deadline, "the first batch was never committed"
            time.sleep(0.05)
        server.kill()
        gate.opened.set()
        _, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 1
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: could not store chunks in the Chroma store at {server.url}: ")
    assert last.endswith("Check that the server is running and NEWSBOT_CHROMA__URL is right.")
    assert _catalog_count(data / "catalog.sqlite3") == BATCH  # the first batch stays

    # Back on the same port and data: a re-run completes the archive, nothing twice.
    again = _restart(server)
    try:
        rerun = _newsbot(data, again, collection, "ingest", str(stories), gate.url)
        out, err = rerun.communicate(timeout=180)
        assert rerun.returncode == 0, err[-2000:]
        assert out.startswith(f"added {count + 1 - BATCH}, updated 0, unchanged {BATCH}, ")
        archive = Archive.open(
            _settings(data, again, collection), embedder=HashingEmbedding(dimensions=64)
        )
        try:
            assert _check_whole(archive) == count + 1
        finally:
            archive.close()
    finally:
        again.stop()


class _HeldEmbedding(HashingEmbedding):
    """Holds each question's embedding until released: the server dies in the meantime."""

    def __init__(self) -> None:
        super().__init__(dimensions=64)
        self._asked = threading.Event()
        self._release = threading.Event()

    def _get_query_embedding(self, query: str) -> list[float]:
        self._asked.set()
        self._release.wait(60)
        return super()._get_query_embedding(query)


def test_server_killed_during_a_question(server: ChromaServer, tmp_path: Path) -> None:
    embedder = _HeldEmbedding()
    settings = _settings(tmp_path / "data", server, "question")
    archive = Archive.open(settings, embedder=embedder)
    try:
        embedder._release.set()
        Ingestor(archive).ingest(ARTICLES)
        responder = Responder.from_settings(archive, settings)
        assert "4,000" in responder.ask(STRIKE_Q).text
        embedder._release.clear()
        embedder._asked.clear()
        failure: list[BaseException] = []

        def ask() -> None:
            try:  # reworded: the archive keeps the vectors of the last questions asked
                responder.ask(f"{STRIKE_Q} Tell me again.")
            except StoreError as error:
                failure.append(error)

        asking = threading.Thread(target=ask)
        asking.start()
        assert embedder._asked.wait(30)
        server.kill()
        started = time.monotonic()
        embedder._release.set()
        asking.join(60)
        assert not asking.is_alive()
        assert time.monotonic() - started < 30  # one retry, then a clear error, not a hang
        (error,) = failure
        message = str(error)
        assert message.startswith(f"could not search in the Chroma store at {server.url}: ")
        assert "NEWSBOT_CHROMA__URL" in message
        assert "\n" not in message
    finally:
        embedder._release.set()
        archive.close()


def test_bot_survives_the_server_going_away(
    server: ChromaServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path / "data", server, "telegram")
    archive = Archive.open(settings, embedder=HashingEmbedding(dimensions=64))
    restarted: list[ChromaServer] = []
    try:
        assert Ingestor(archive).ingest(ARTICLES).added == 2
        with FakeTelegram(bot_username=BOT) as fake:

            async def scenario() -> None:
                responder = Responder.from_settings(archive, settings)
                async with polling(bot_app(archive, fake, responder)):
                    fake.inject_message(7, 7, STRIKE_Q)
                    await fake.wait_for_async(is_call("sendMessage", chat_id=7), timeout=30)
                    server.kill()
                    fake.inject_message(7, 7, STRIKE_Q)
                    await fake.wait_for_async(
                        is_call("sendMessage", chat_id=7), count=2, timeout=60
                    )
                    restarted.append(await asyncio.to_thread(_restart, server))
                    fake.inject_message(7, 7, STRIKE_Q)
                    await fake.wait_for_async(
                        is_call("sendMessage", chat_id=7), count=3, timeout=60
                    )

            with caplog.at_level(logging.ERROR, logger="bot.telegram"):
                asyncio.run(scenario())
            before, during, after = (c.result["text"] for c in sent_answers(fake, 7))
    finally:
        archive.close()
        for again in restarted:
            again.stop()
    assert "4,000" in before
    assert during == FAILED
    assert "4,000" in after
    errors = [r for r in caplog.records if r.name == "bot.telegram"]
    assert len(errors) == 1
    assert "NEWSBOT_CHROMA__URL" in caplog.text  # the log says what to fix; the chat does not
    assert "Chroma" not in during


def test_a_question_the_vector_file_scores_needs_no_server(
    server: ChromaServer, tmp_path: Path
) -> None:
    settings = _settings(tmp_path / "data", server, "local", exact_window_rows=300_000)
    archive = Archive.open(settings, embedder=HashingEmbedding(dimensions=64))
    try:
        assert Ingestor(archive).ingest(ARTICLES).added == 2
        server.kill()
        answer = Responder.from_settings(archive, settings).ask(STRIKE_Q)
    finally:
        archive.close()
    assert "4,000" in answer.text
    assert answer.citations
