"""The Telegram bot: questions in, cited HTML answers out, by long polling or a webhook.

`build_application` wires the handlers into a python-telegram-bot `Application` and keeps what
they share in its `bot_data` (`bot.bot_data`); `run` is what `newsbot telegram` calls. The
handlers live by job: asking and sending in `bot.sending`, who is served in `bot.access`, the
admins' commands in `bot.admin`; /help, /new and the one error handler here. What is said in
a chat (its `Conversation` and its recent answers, for the Sources button) is kept per chat in
memory, bounded (`bot.chat_state`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.constants import ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import admin, charting, following, inline, rating, sending
from bot.access import Access
from bot.bot_data import BotApp, BotData, Context, app_data, bot_data
from bot.chat_state import MAX_CHATS, ChatStates
from bot.errors import BotSetupError
from bot.feedback import FeedbackStore
from bot.follows import FollowStore
from bot.formatting import escape
from bot.limiter import QuestionLimiter
from bot.redaction import protect_secrets
from bot.sending import TYPING_EVERY_S, send
from config.settings import Settings, TelegramSettings
from ingest.loaders import SUFFIXES
from retrieval.archive import Archive
from retrieval.question.followup import Conversation
from retrieval.responder import Responder

log = logging.getLogger(__name__)

COMMANDS = (
    BotCommand("ask", "Ask the archive a question"),
    BotCommand("sources", "Sources of the last answer"),
    BotCommand("new", "Start a new conversation"),
    BotCommand("follow", "Be told when new articles on a topic arrive"),
    BotCommand("following", "The topics this chat follows"),
    BotCommand("unfollow", "Stop following a topic"),
    BotCommand("coverage", "Chart of a topic's coverage over time"),
    BotCommand("help", "What this bot does"),
    BotCommand("stats", "What the archive holds (admins)"),
    BotCommand("ingest", "Add articles by sending a file (admins)"),
    BotCommand("sync", "Pull the subscribed feeds now (admins)"),
)

FAILED = "Sorry, something went wrong on my side. Please try again in a moment."
EXAMPLE = "How many workers walked out when the port strike began?"

_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def bot_token(settings: TelegramSettings) -> str:
    """The token, or BotSetupError naming the setting when it is missing."""
    token = settings.token.get_secret_value().strip() if settings.token else ""
    if not token:
        raise BotSetupError("no Telegram bot token: set NEWSBOT_TELEGRAM__TOKEN")
    return token


async def on_help(update: Update, context: Context) -> None:
    """/start and /help: what the bot does and how to ask (admins also hear about uploads)."""
    data = bot_data(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or not await data.access.admit(update):
        return
    if chat.type == ChatType.PRIVATE:
        how = "Send me a question"
    else:
        how = (
            f"Mention me (@{escape(context.bot.username or '')}), use /ask, or reply to my answers"
        )
    lines = [
        "<b>newsbot</b> answers questions from a news archive and cites the articles "
        "it used, with links.",
        "",
        f"{how}, for example:",
        f"<i>{escape(EXAMPLE)}</i>",
        "",
        "Follow-ups such as <i>and when did it end?</i> build on the conversation.",
        f"Tap {rating.UP} or {rating.DOWN} under an answer; after {rating.DOWN} you can reply "
        "with the right answer, which becomes a test for the next version.",
        "/sources – the passages behind the last answer (or tap <b>Sources</b>)",
        "/follow <i>topic</i> – be told when new articles about it arrive (/following, /unfollow)",
        "/coverage <i>topic</i> – a chart of its coverage per week or month, by outlet",
        f"In any chat: <i>@{escape(context.bot.username or '')} your question</i> "
        "offers the answer to send there",
        "/new – start a new conversation",
    ]
    if data.access.is_admin(user.id if user else None):
        formats = escape(" ".join(SUFFIXES))
        lines.append(f"/stats – what the archive holds; send a file ({formats}) to add articles")
    await send(context.bot, chat.id, "\n".join(lines))


async def on_new(update: Update, context: Context) -> None:
    """/new: forget this chat's conversation."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit(update):
        return
    data.chats.get(chat.id).conversation = Conversation()
    await message.reply_text("Started a new conversation.")


async def on_error(update: object, context: Context) -> None:
    """The one error handler: log with traceback, tell the user briefly, reveal nothing."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    with contextlib.suppress(TelegramError):  # telling the user is best effort
        if update.callback_query is not None:
            await update.callback_query.answer(FAILED, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, FAILED)


def _register(app: BotApp) -> None:
    """Add every handler and the one error handler to `app`."""
    new = filters.UpdateType.MESSAGE  # edits of old messages are not new questions
    text = new & filters.TEXT & ~filters.COMMAND
    app.add_handlers(
        [
            CommandHandler(["start", "help"], on_help, filters=new),
            CommandHandler("ask", sending.on_ask, filters=new),
            CommandHandler("new", on_new, filters=new),
            CommandHandler("sources", sending.on_sources, filters=new),
            CommandHandler("follow", following.on_follow, filters=new),
            CommandHandler("following", following.on_following, filters=new),
            CommandHandler("unfollow", following.on_unfollow, filters=new),
            CommandHandler("coverage", charting.on_coverage, filters=new),
            CommandHandler("stats", admin.on_stats, filters=new),
            CommandHandler("ingest", admin.on_ingest_command, filters=new),
            CommandHandler("sync", admin.on_sync, filters=new),
            MessageHandler(text & filters.ChatType.PRIVATE, sending.on_private_text),
            MessageHandler(text & filters.ChatType.GROUPS, sending.on_group_text),
            MessageHandler(new & filters.Document.ALL, admin.on_document),
            CallbackQueryHandler(rating.on_rating, pattern=r"^fb"),
            CallbackQueryHandler(charting.on_coverage_button, pattern=r"^cov:"),
            CallbackQueryHandler(sending.on_button),
            InlineQueryHandler(inline.on_inline_query),
        ]
    )
    app.add_error_handler(on_error)


async def _post_init(app: BotApp) -> None:
    data = app_data(app)
    if data.warm_up:  # loads the models now, not on the first user's question
        await asyncio.to_thread(data.responder.ask, "warm up")
    await app.bot.set_my_commands(list(COMMANDS))
    log.info("newsbot is answering as @%s", app.bot.username)


def build_application(
    settings: Settings,
    archive: Archive,
    *,
    responder: Responder | None = None,
    typing_interval: float = TYPING_EVERY_S,
    max_chats: int = MAX_CHATS,
    warm_up: bool = False,
) -> BotApp:
    """The bot as a PTB Application, ready for `run_polling`, `run_webhook` or a test.

    Args:
        settings: the `telegram` section (token, Bot API URLs, allow-lists, admins, limits)
            is used; uploads and feed syncs follow its `ingest` section.
        archive: the archive questions are answered from and uploads go into.
        responder: answers questions; defaults to one configured by `settings`.
        typing_interval: seconds between "typing…" actions while answering.
        max_chats: how many chats' conversations and recent answers are kept in memory; the
            least recently used chat is forgotten first.
        warm_up: ask one question in post_init, before serving, so the models are loaded
            when the first user asks (`run` does; tests need not).
    """
    telegram = settings.telegram
    app: BotApp = (
        Application.builder()
        .token(bot_token(telegram))
        .base_url(telegram.api_url)
        .base_file_url(telegram.file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .post_init(_post_init)
        .build()
    )
    BotData(
        settings=telegram,
        ingest=settings.ingest,
        archive=archive,
        responder=responder or Responder.from_settings(archive, settings),
        access=Access(telegram),
        chats=ChatStates(max_chats),
        limiter=QuestionLimiter(telegram.questions_per_minute),
        inline_limiter=QuestionLimiter(3 * telegram.questions_per_minute),
        typing_interval=typing_interval,
        retrieval=settings.retrieval,
        follows=FollowStore.in_data_dir(archive.data_dir),
        feedback=FeedbackStore.in_data_dir(archive.data_dir),
        warm_up=warm_up,
    ).install(app)
    _register(app)
    if telegram.sync_interval_minutes and app.job_queue is not None:
        interval = telegram.sync_interval_minutes * 60
        app.job_queue.run_repeating(
            admin.scheduled_sync, interval=interval, first=interval, name="sync"
        )
    if telegram.follow_check_minutes and app.job_queue is not None:
        every = telegram.follow_check_minutes * 60
        app.job_queue.run_repeating(following.scheduled_push, interval=every, first=every)
    return app


def run(
    settings: Settings,
    *,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
) -> None:
    """Run the bot until SIGINT or SIGTERM: long polling, or a webhook server on listen:port.

    Polling never drops pending updates, and PTB confirms every fetched update on shutdown, so
    after a restart nothing is answered twice. The webhook path is the path of `webhook_url`;
    TLS is left to a reverse proxy in front.
    """
    telegram = settings.telegram
    secret = ""
    if webhook_url is not None:
        configured = telegram.webhook_secret
        secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
    if not _WEBHOOK_SECRET.fullmatch(secret or "x"):
        raise BotSetupError(
            "NEWSBOT_TELEGRAM__WEBHOOK_SECRET must be 1-256 of A-Z a-z 0-9 _ - (no other characters)"
        )
    redactor = protect_secrets(bot_token(telegram), secret)
    service_log = logging.getLogger("bot")  # every bot.* module: sending, admin, stream_draft ...
    if service_log.getEffectiveLevel() > logging.INFO:
        service_log.setLevel(logging.INFO)  # a long-running service says when it starts and stops
    if webhook_url is not None and telegram.webhook_secret is None:
        log.info("no NEWSBOT_TELEGRAM__WEBHOOK_SECRET set: generated one for this run")
    archive = Archive.open(settings)
    app: BotApp | None = None
    try:
        app = build_application(settings, archive, warm_up=True)
        access = (
            f"{len(telegram.allowed_users)} allowed users, {len(telegram.allowed_chats)} chats"
            if telegram.allowed_users or telegram.allowed_chats
            else "open to everyone"
        )
        log.info("archive %s; %s; %d admins", settings.data_dir, access, len(telegram.admins))
        updates = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
        if webhook_url is None:
            app.run_polling(drop_pending_updates=False, allowed_updates=updates)
        else:
            app.run_webhook(
                listen=listen,
                port=port,
                url_path=urlsplit(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=secret,
                drop_pending_updates=False,
                allowed_updates=updates,
            )
    # Only start-up errors get here (PTB retries network errors once running). PTB's own
    # messages may quote the token, so they are redacted and their traceback is cut off.
    except InvalidToken:
        raise BotSetupError(
            "Telegram rejected the bot token: check NEWSBOT_TELEGRAM__TOKEN"
        ) from None
    except NetworkError as error:
        where = redactor.redact(telegram.api_url)
        raise BotSetupError(
            f"cannot reach the Telegram Bot API at {where}: {redactor.redact(error.message)}"
        ) from None
    except TelegramError as error:
        raise BotSetupError(
            f"Telegram refused to start the bot: {redactor.redact(error.message)}"
        ) from None
    finally:
        if app is not None:
            app_data(app).follows.close()
            app_data(app).feedback.close()
        archive.close()
    log.info("stopped")
