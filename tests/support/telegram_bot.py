"""The real bot against `FakeTelegram`: built, run as `run_polling` runs it, and its replies read.

`polling` is what `run_polling` does, minus signal handling; `newsbot_telegram` starts the
`newsbot telegram` command itself as a child process. `RecordingResponder` is the real
responder, remembering what it was asked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.bot_data import BotApp
from bot.chat_state import MAX_CHATS
from bot.telegram import build_application
from config.settings import Settings, TelegramSettings
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder
from retrieval.results import Answer
from tests.support.fake_telegram import ApiCall, FakeTelegram
from tests.support.paths import ROOT
from tests.support.settings import make_settings
from tests.support.telegram_data import ARTICLES


class RecordingResponder(Responder):
    """The real responder, remembering each question and how long its conversation was."""

    def __init__(self, archive: Archive, delay_s: float = 0.0) -> None:
        super().__init__(archive)
        self.asked: list[tuple[str, int]] = []
        self.delay_s = delay_s

    @property
    def questions(self) -> list[str]:
        return [question for question, _turns in self.asked]

    def ask(
        self,
        question: str,
        options: AskOptions | None = None,
        conversation: Conversation | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        self.asked.append((question, len(conversation.turns) if conversation else -1))
        time.sleep(self.delay_s)
        return super().ask(question, options, conversation, on_token)


def bot_settings(archive: Archive, fake: FakeTelegram, **telegram: Any) -> Settings:
    """Test settings for the archive's data dir, with a Telegram section pointing at `fake`."""
    section = TelegramSettings(
        token=SecretStr(fake.token),
        api_url=fake.base_url,
        file_url=fake.base_file_url,
        **telegram,
    )
    return make_settings(archive.data_dir, telegram=section)


def bot_app(
    archive: Archive, fake: FakeTelegram, responder: Responder | None = None, **telegram: Any
) -> BotApp:
    """The application `newsbot telegram` builds, talking to `fake`."""
    typing_interval = telegram.pop("typing_interval", 4.0)
    max_chats = telegram.pop("max_chats", MAX_CHATS)
    return build_application(
        bot_settings(archive, fake, **telegram),
        archive,
        responder=responder,
        typing_interval=typing_interval,
        max_chats=max_chats,
    )


@contextlib.asynccontextmanager
async def polling(app: BotApp) -> AsyncIterator[BotApp]:
    """What `run_polling` does, minus signal handling; stopping processes every update."""
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=False)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def sent_answers(fake: FakeTelegram, chat_id: int) -> list[ApiCall]:
    """The messages the bot sent to `chat_id` that Telegram accepted."""
    return [c for c in fake.calls("sendMessage", chat_id=chat_id) if c.ok]


def button_data(call: ApiCall, prefix: str = "src:") -> str:
    """The callback data of the first inline button under a sent message whose data starts
    with `prefix` (the Sources button by default)."""
    rows = call.params["reply_markup"]["inline_keyboard"]
    found = [
        b["callback_data"] for row in rows for b in row if b["callback_data"].startswith(prefix)
    ]
    assert found, f"no {prefix!r} button under the message"
    return str(found[0])


@contextlib.contextmanager
def newsbot_telegram(
    tmp_path: Path, fake: FakeTelegram, *args: str, ingest: bool = True, **env: str
) -> Iterator[subprocess.Popen[str]]:
    """`newsbot telegram ...` as a child process against `fake`, on a pre-ingested archive."""
    data = tmp_path / "child-data"
    if ingest:
        archive = Archive.open(make_settings(data))
        Ingestor(archive).ingest(ARTICLES)
        archive.close()
    child_env = {
        **os.environ,
        "NEWSBOT_TELEGRAM__TOKEN": fake.token,
        "NEWSBOT_TELEGRAM__API_URL": fake.base_url,
        "NEWSBOT_TELEGRAM__FILE_URL": fake.base_file_url,
        "NEWSBOT_DATA_DIR": str(data),
        "NEWSBOT_EMBEDDING__MODEL": "deterministic:256",
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    command = [
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "--debug",
        "telegram",
        *args,
    ]
    child = subprocess.Popen(
        command, cwd=ROOT, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def stop_child(child: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, as a service manager stops the bot; returns the exit code and stderr."""
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=20)
    return child.returncode, stderr
