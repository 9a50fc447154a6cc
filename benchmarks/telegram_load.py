"""50 Telegram users asking at once: answered, duplicated, and how long each waited.

Starts the fake Bot API server from the test suite, runs the real bot in-process (long polling,
AIORateLimiter, concurrent updates) against an archive, injects one question from each of N
users in the same instant and times each reply from injection to the answer's sendMessage.

    python benchmarks/telegram_load.py                      # the sample archive, hashing embedder
    python benchmarks/telegram_load.py --model packaged:all-MiniLM-L6-v2
    python benchmarks/telegram_load.py --archive newsbot-data   # an existing archive

Note: the rate limiter holds the bot to Telegram's ~30 requests/s, and every answer costs two
requests (typing + message), so 50 answers take at least ~2.3 s however fast answering is.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.telegram import BotApp, build_application  # noqa: E402 - after the path setup
from config.settings import EmbeddingSettings, Settings, TelegramSettings  # noqa: E402
from ingest.articles import Article, LoadError  # noqa: E402
from ingest.loaders import load_paths  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from retrieval.archive import Archive  # noqa: E402
from tests.support.fake_telegram import FakeTelegram, is_call  # noqa: E402

QUESTIONS = [
    "How many workers walked out when the Meridian City port strike began?",
    "Who scored the winning goal in the Regional Cup final?",
    "When will the red panda cubs at Kestrel Bay Zoo go on public view?",
    "How much will water bills rise in Kestrel Bay?",
    "When does the Eastbank tram line open?",
]


def open_archive(path: Path | None, model: str, workdir: Path) -> Archive:
    """The given archive, or the sample archive ingested into `workdir`."""
    if path is not None:
        return Archive.open(Settings(data_dir=path))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=workdir / "data",
        embedding=EmbeddingSettings(model=model),
    )
    archive = Archive.open(settings)
    items = load_paths(
        [ROOT / "examples" / "archive"], settings=settings.ingest, today=date.today()
    )
    summary = Ingestor(archive, settings.ingest).ingest(
        i for i in items if isinstance(i, Article | LoadError)
    )
    print(f"sample archive: {summary.line()}")
    return archive


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def run_load(app: BotApp, fake: FakeTelegram, users: int) -> dict[int, float]:
    """Inject one question per user at once; return each user's reply time in seconds."""
    replied: dict[int, float] = {}
    asked: dict[int, float] = {}

    def watch() -> None:
        seen = 0
        while seen < users:
            calls = fake.wait_for(is_call("sendMessage"), timeout=120, count=seen + 1)
            now = time.perf_counter()
            for call in calls[seen:]:
                replied.setdefault(int(call.params["chat_id"]), now)
            seen = len(calls)

    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        try:
            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            for n, user in enumerate(range(10_001, 10_001 + users)):
                asked[user] = time.perf_counter()
                fake.inject_message(user, user, QUESTIONS[n % len(QUESTIONS)])
            await asyncio.to_thread(watcher.join, 150)
        finally:
            await app.updater.stop()
            await app.stop()
    return {user: replied[user] - asked[user] for user in asked if user in replied}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="data dir of an existing archive")
    parser.add_argument("--model", default="deterministic:256", help="for the sample archive")
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, FakeTelegram() as fake:
        archive = open_archive(args.archive, args.model, Path(workdir))
        telegram = TelegramSettings(
            token=SecretStr(fake.token),
            api_url=fake.base_url,
            file_url=fake.base_file_url,
            questions_per_minute=100,
        )
        settings = Settings(_env_file=None, data_dir=archive.data_dir, telegram=telegram)  # type: ignore[call-arg]
        app = build_application(settings, archive)
        archive.embed_query("warm up")  # load the model before the clock starts
        started = time.perf_counter()
        times = asyncio.run(run_load(app, fake, args.users))
        wall = time.perf_counter() - started
        archive.close()
        messages = fake.calls("sendMessage")
    per_chat: dict[int, int] = {}
    for call in messages:
        per_chat[int(call.params["chat_id"])] = per_chat.get(int(call.params["chat_id"]), 0) + 1
    redelivered = sum(1 for n in fake.deliveries.values() if n > 1)
    print(f"model:       {settings.embedding.model}")
    print(f"answered:    {len(times)}/{args.users}")
    print(
        f"duplicates:  {sum(n - 1 for n in per_chat.values())} extra messages, {redelivered} updates redelivered"
    )
    print(
        f"reply time:  p50 {statistics.median(times.values()):.2f} s, p95 {percentile(list(times.values()), 95):.2f} s, max {max(times.values()):.2f} s"
    )
    print(f"wall time:   {wall:.2f} s for {len(messages)} messages")


if __name__ == "__main__":
    main()
