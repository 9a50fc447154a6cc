"""Load: many Telegram users at once through the fake Bot API, and memory over many questions.

Concurrency: every user sends two questions at once; each must get exactly its two answers, in
order, with nothing dropped, duplicated or crossed between chats, and every update delivered
once. Memory: one in-process Responder answers a stream of varied questions (follow-ups in a
conversation among them); resident memory after warm-up must stay flat.

`pytest -m slow tests/test_load.py` runs 100 users and 1,000 questions; the unmarked tests run
30 users and 300 questions.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from config.settings import IngestSettings
from ingest.articles import Article
from ingest.intake import gather
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder
from tests.support.fake_telegram import FakeTelegram, is_call
from tests.support.paths import EXAMPLES
from tests.support.settings import make_settings
from tests.support.telegram_bot import RecordingResponder, bot_app, polling
from tests.support.telegram_data import BOT, PANDA_Q, STRIKE_Q

MEMORY_GROWTH_MB = 50.0


@dataclass(frozen=True)
class LoadResult:
    users: int
    seconds: float


def _many_users(news: Archive, users: int) -> LoadResult:
    """`users` private chats, each sending two questions at once; checks every reply."""
    ids = range(5000, 5000 + users)
    responder = RecordingResponder(news)
    with FakeTelegram(bot_username=BOT) as fake:

        async def scenario() -> float:
            async with polling(bot_app(news, fake, responder)):
                started = time.monotonic()
                for user in ids:
                    first, second = (STRIKE_Q, PANDA_Q) if user % 2 else (PANDA_Q, STRIKE_Q)
                    fake.inject_message(user, user, first)
                    fake.inject_message(user, user, second)
                await fake.wait_for_async(is_call("sendMessage"), count=2 * users, timeout=300)
                elapsed = time.monotonic() - started
                await asyncio.sleep(0.5)  # a duplicate would arrive now
                return elapsed

        seconds = asyncio.run(scenario())
        sent = fake.calls("sendMessage")
        assert len(sent) == 2 * users
        assert all(c.ok for c in sent)
        for user in ids:
            replies = [c.result["text"] for c in sent if c.params["chat_id"] == user]
            first_mark, second_mark = ("4,000", "June") if user % 2 else ("June", "4,000")
            assert len(replies) == 2, (user, replies)
            # Answered in the order asked (one question at a time per chat), each its own.
            assert first_mark in replies[0] and second_mark in replies[1], (user, replies)
        assert len(fake.deliveries) == 2 * users
        assert set(fake.deliveries.values()) == {1}
        assert fake.pending_updates == []
    assert len(responder.asked) == 2 * users
    # Each chat's second question saw its own first turn, and no one else's.
    assert sorted(turns for _, turns in responder.asked) == [0] * users + [1] * users
    return LoadResult(users, seconds)


def test_thirty_users_at_once(news: Archive) -> None:
    result = _many_users(news, 30)
    print(f"\n30 users, 60 questions answered in {result.seconds:.1f}s")  # quoted in the docs


@pytest.mark.slow
def test_a_hundred_users_at_once(news: Archive) -> None:
    result = _many_users(news, 100)
    print(f"\n100 users, 200 questions answered in {result.seconds:.1f}s")


# --- memory ---------------------------------------------------------------------------------

QUESTIONS = [
    "How many workers walked out when the port strike began?",
    "Who scored the winning goal in the Regional Cup final?",
    "When will the red panda cubs at Kestrel Bay Zoo go on public view?",
    "How much will water rates rise in Kestrel Bay in {year}?",
    "What happened at the harbour in May {year}?",
    "and what did the union say about it?",
    "Who won the mayoral by-election {n} weeks ago?",
    "What did council {n} decide about the budget last month?",
    "Tell me the latest on the tram line",
    "Why did the dock workers vote to strike in {year}?",
]


def _rss_mb() -> float:
    """Resident set size now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The sample archive plus 300 synthetic council stories: enough for real retrieval work."""
    archive = Archive.open(
        make_settings(tmp_path_factory.mktemp("memory") / "data"),
        embedder=HashingEmbedding(dimensions=256),
    )
    items = list(
        gather([str(EXAMPLES / "archive")], settings=IngestSettings(), today=date(2026, 1, 1))
    )
    items += [
        Article(
            title=f"Council {n} sets its budget",
            body=" ".join(
                f"Council {n} approved spending line {i} of {n * 3 + i} million on roads and "
                f"schools after a {i + 2}-hour debate, the mayor of district {n} said."
                for i in range(10)
            ),
            origin=f"synthetic:{n}",
            url=f"https://load.example/council/{n}",
            source=f"Gazette {n % 7}",
            published=date(2024, n % 12 + 1, n % 28 + 1),
        )
        for n in range(300)
    ]
    summary = Ingestor(archive).ingest(items)
    assert summary.failed == 0, summary.errors
    yield archive
    archive.close()


def _memory_growth(
    archive: Archive, warm_up: int, baseline_at: int, total: int
) -> tuple[float, float]:
    """Ask `total` questions; RSS at `baseline_at` and at the end (after a warm-up)."""
    responder = Responder(archive)
    conversation = Conversation()
    baseline = 0.0
    for n in range(total):
        question = QUESTIONS[n % len(QUESTIONS)].format(year=2015 + n % 12, n=n % 40 + 1)
        options = AskOptions(as_of=date(2025, 1 + n % 12, 1 + n % 28))
        answer = responder.ask(question, options, conversation if n % 3 else None)
        assert answer.text
        if n + 1 == warm_up:
            gc.collect()
        if n + 1 == baseline_at:
            gc.collect()
            baseline = _rss_mb()
    gc.collect()
    return baseline, _rss_mb()


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc to read RSS")
def test_memory_is_flat_over_300_questions(big_archive: Archive) -> None:
    before, after = _memory_growth(big_archive, warm_up=50, baseline_at=100, total=300)
    print(f"\nRSS after 100 questions {before:.1f} MB, after 300 {after:.1f} MB")
    assert after - before < MEMORY_GROWTH_MB


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc to read RSS")
def test_memory_is_flat_over_1000_questions(big_archive: Archive) -> None:
    before, after = _memory_growth(big_archive, warm_up=100, baseline_at=200, total=1000)
    print(f"\nRSS after 200 questions {before:.1f} MB, after 1,000 {after:.1f} MB")
    assert after - before < MEMORY_GROWTH_MB
