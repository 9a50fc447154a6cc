"""What every Telegram handler shares, kept in the Application's `bot_data` under one key.

`build_application` puts one `BotData` there; a handler reaches it with `bot_data(context)`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.access import Access
from bot.chat_state import ChatStates
from bot.feedback import FeedbackStore
from bot.follows import FollowStore
from bot.limiter import QuestionLimiter
from config.settings import IngestSettings, RetrievalSettings, TelegramSettings
from retrieval.archive import Archive
from retrieval.responder import Responder

BotApp = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE

_KEY = "newsbot"


@dataclass
class BotData:
    """The archive the bot answers from and adds to, and what it remembers while it runs.

    Attributes:
        settings: the `telegram` section (allow-lists, admins, limits).
        ingest: the `ingest` section uploads and feed syncs follow.
        archive: answers come from it; uploads and feed syncs go into it.
        responder: answers questions.
        access: who is served, and which strangers were refused lately.
        chats: each chat's conversation and recent answers (bounded).
        limiter: questions per user and minute.
        inline_limiter: inline queries per user and minute (sent as the user types).
        typing_interval: seconds between "typing…" actions while answering.
        retrieval: the `retrieval` section (the topic threshold of follows and charts).
        follows: the topics each chat follows (`follows.sqlite3` in the data dir).
        feedback: the users' ratings and corrections (`feedback.sqlite3` in the data dir).
        warm_up: ask one question before serving, so the models load first (`run` does).
    """

    settings: TelegramSettings
    ingest: IngestSettings
    archive: Archive
    responder: Responder
    access: Access
    chats: ChatStates
    limiter: QuestionLimiter
    inline_limiter: QuestionLimiter
    typing_interval: float
    retrieval: RetrievalSettings
    follows: FollowStore
    feedback: FeedbackStore
    warm_up: bool = False
    push_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def install(self, app: BotApp) -> None:
        """Make this the data every handler of `app` sees."""
        app.bot_data[_KEY] = self


def bot_data(context: Context) -> BotData:
    """The shared data of the bot that is handling this update."""
    data: BotData = context.bot_data[_KEY]
    return data


def app_data(app: BotApp) -> BotData:
    """The shared data of `app` (in post_init, before any update)."""
    data: BotData = app.bot_data[_KEY]
    return data
