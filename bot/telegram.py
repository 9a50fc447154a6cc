"""The Telegram bot: questions in, cited HTML answers out, by long polling or a webhook.

`build_application` wires the handlers into a python-telegram-bot `Application`; `run` is what
`newsbot telegram` calls. Answering stays synchronous (`Responder.ask`) and runs in a worker
thread, with concurrent updates, so one slow question never stalls other users. What is said
in a chat (its `Conversation` and its recent answers, for the Sources button) is kept per chat
in memory, bounded (`bot.chat_state`); LLM answers stream through `bot.stream_draft`.

Access: when `allowed_users` or `allowed_chats` is set, a message is served when its sender is
in `allowed_users` or its chat in `allowed_chats` (admins always); anyone else gets one short
refusal (at most one an hour) and nothing from the archive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import secrets
import tempfile
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat_state import MAX_CHATS, ChatStates
from bot.errors import BotSetupError
from bot.formatting import (
    answer_html,
    escape,
    sources_html,
    split_message,
    stats_html,
    to_plain,
)
from bot.limiter import QuestionLimiter
from bot.redaction import protect_secrets
from bot.stream_draft import NO_PREVIEW, StreamDraft
from config.settings import IngestSettings, Settings, TelegramSettings
from ingest.articles import Article, LoadError
from ingest.fetch import Fetcher, PendingUrl
from ingest.loaders import SUFFIXES, file_kind, load_file
from ingest.pipeline import IngestLockedError, Ingestor, IngestSummary, ingest_lock
from ingest.subscriptions import SubscriptionError, Subscriptions
from ingest.sync import subscriptions_path, sync_all
from retrieval.archive import Archive
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder

log = logging.getLogger(__name__)

BotApp = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE

TYPING_EVERY_S = 4.0  # Telegram shows "typing…" for about 5 s per action
MAX_QUESTION_CHARS = 1000
REFUSE_EVERY_S = 3600.0
REFUSALS_KEPT = 10_000  # strangers remembered, so each is refused at most once an hour
INGEST_WAIT_S = 30.0
MAX_ERRORS_SHOWN = 10

COMMANDS = (
    BotCommand("ask", "Ask the archive a question"),
    BotCommand("sources", "Sources of the last answer"),
    BotCommand("new", "Start a new conversation"),
    BotCommand("help", "What this bot does"),
    BotCommand("stats", "What the archive holds (admins)"),
    BotCommand("ingest", "Add articles by sending a file (admins)"),
    BotCommand("sync", "Pull the subscribed feeds now (admins)"),
)

REFUSAL = "Sorry, this bot is private."
ADMINS_ONLY = "Only the bot's admins can do that."
FAILED = "Sorry, something went wrong on my side. Please try again in a moment."
GONE = "These sources are no longer available. Ask again to get fresh ones."
ASK_HOW = "Ask me a question, for example: /ask How many workers joined the port strike?"
NO_ANSWER_YET = "Ask a question first; /sources then shows the passages the answer cites."
EXAMPLE = "How many workers walked out when the port strike began?"

_SOURCES_DATA = re.compile(r"src:([A-Za-z0-9_-]{8,16})")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def bot_token(settings: TelegramSettings) -> str:
    """The token, or BotSetupError naming the setting when it is missing."""
    token = settings.token.get_secret_value().strip() if settings.token else ""
    if not token:
        raise BotSetupError("no Telegram bot token: set NEWSBOT_TELEGRAM__TOKEN")
    return token


def safe_file_name(name: str | None) -> str:
    """A plain file name from what a user sent: no folders, no hidden names, no odd bytes."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).lstrip("._")
    if len(cleaned) > 100:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (
            stem[: 99 - len(suffix)] + dot + suffix if dot and len(suffix) <= 16 else cleaned[:100]
        )
    return cleaned or "upload"


@dataclass(frozen=True)
class _Upload:
    summary: IngestSummary
    unfetched: int


class NewsBot:
    """The handlers, and what they share: settings, archive, responder, per-chat state."""

    def __init__(
        self,
        settings: TelegramSettings,
        ingest_settings: IngestSettings,
        archive: Archive,
        responder: Responder,
        typing_interval: float,
        max_chats: int = MAX_CHATS,
    ) -> None:
        self.settings = settings
        self.ingest_settings = ingest_settings
        self.archive = archive
        self.responder = responder
        self.typing_interval = typing_interval
        self.chats = ChatStates(max_chats)
        self.limiter = QuestionLimiter(settings.questions_per_minute)
        self._refused: OrderedDict[tuple[int, int], float] = OrderedDict()

    def register(self, app: BotApp) -> None:
        """Add every handler and the one error handler to `app`."""
        new = filters.UpdateType.MESSAGE  # edits of old messages are not new questions
        text = new & filters.TEXT & ~filters.COMMAND
        app.add_handlers(
            [
                CommandHandler(["start", "help"], self.on_help, filters=new),
                CommandHandler("ask", self.on_ask, filters=new),
                CommandHandler("new", self.on_new, filters=new),
                CommandHandler("sources", self.on_sources, filters=new),
                CommandHandler("stats", self.on_stats, filters=new),
                CommandHandler("ingest", self.on_ingest_command, filters=new),
                CommandHandler("sync", self.on_sync, filters=new),
                MessageHandler(text & filters.ChatType.PRIVATE, self.on_private_text),
                MessageHandler(text & filters.ChatType.GROUPS, self.on_group_text),
                MessageHandler(new & filters.Document.ALL, self.on_document),
                CallbackQueryHandler(self.on_button),
            ]
        )
        app.add_error_handler(self.on_error)

    # --- access -------------------------------------------------------------------------------

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admins

    def is_allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        """Open when both allow-lists are empty; else the user's or the chat's list admits."""
        users, chats = self.settings.allowed_users, self.settings.allowed_chats
        if self.is_admin(user_id) or not (users or chats):
            return True
        return user_id in users or chat_id in chats

    async def _admit(self, update: Update) -> bool:
        """Whether to serve `update`; refuses a stranger once an hour, silently after that."""
        user, chat, message = update.effective_user, update.effective_chat, update.effective_message
        user_id, chat_id = (user.id if user else None), (chat.id if chat else None)
        if self.is_allowed(user_id, chat_id):
            return True
        log.info("refused user %s in chat %s", user_id, chat_id)
        key = (chat_id or 0, user_id or 0)
        now = time.monotonic()
        if message is not None and now - self._refused.get(key, -math.inf) >= REFUSE_EVERY_S:
            self._refused[key] = now
            self._refused.move_to_end(key)
            while len(self._refused) > REFUSALS_KEPT:
                self._refused.popitem(last=False)
            await message.reply_text(REFUSAL)
        return False

    async def _admit_admin(self, update: Update) -> bool:
        """Whether to serve an admin command: admitted, and the sender is an admin (else told so)."""
        if not await self._admit(update):
            return False
        user, message = update.effective_user, update.effective_message
        if self.is_admin(user.id if user else None):
            return True
        if message is not None:
            await message.reply_text(ADMINS_ONLY)
        return False

    # --- questions ----------------------------------------------------------------------------

    async def on_private_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self._ask(update, context, self._strip_mention(message.text, context.bot))

    async def on_group_text(self, update: Update, context: Context) -> None:
        """In groups only a mention or a reply to one of our messages is a question."""
        message = update.effective_message
        if message is None or not message.text:
            return
        bot = context.bot
        mention = self._mention(bot)
        replied = message.reply_to_message
        to_us = (
            replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
        )
        if mention.search(message.text) or to_us:
            await self._ask(update, context, self._strip_mention(message.text, bot))

    async def on_ask(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None and message.text:
            parts = message.text.split(maxsplit=1)
            await self._ask(update, context, parts[1] if len(parts) > 1 else "")

    @staticmethod
    def _mention(bot: Bot) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w@]){re.escape('@' + (bot.username or ''))}\b", re.I)

    def _strip_mention(self, text: str, bot: Bot) -> str:
        return self._mention(bot).sub(" ", text).strip(" \t\n,:;")

    async def _ask(self, update: Update, context: Context, question: str) -> None:
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or not await self._admit(update):
            return
        question = " ".join(question.split())
        if not question:
            await message.reply_text(ASK_HOW)
            return
        if len(question) > MAX_QUESTION_CHARS:
            await message.reply_text(f"Please ask in under {MAX_QUESTION_CHARS} characters.")
            return
        wait = self.limiter.wait_s(user.id if user else chat.id)
        if wait > 0:
            await message.reply_text(
                "You're asking faster than I can read. "
                f"Please try again in {math.ceil(wait)} seconds."
            )
            return
        state = self.chats.get(chat.id)
        thread_id = message.message_thread_id if message.is_topic_message else None
        reply_to = message.message_id if chat.type != ChatType.PRIVATE else None
        async with state.lock:  # one question at a time per chat: they share a conversation
            draft = None
            if self.responder.settings.answer.mode == "llm":
                draft = StreamDraft(context.bot, chat.id, thread_id, reply_to)
            async with self._typing(context.bot, chat.id, thread_id):
                if draft is not None:
                    draft.start()
                try:
                    answer = await asyncio.to_thread(
                        self.responder.ask,
                        question,
                        AskOptions(),
                        state.conversation,
                        draft.feed() if draft is not None else None,
                    )
                finally:
                    if draft is not None:
                        await draft.stop()
            key = state.remember(answer)
            button = InlineKeyboardButton("Sources", callback_data=f"src:{key}")
            markup = InlineKeyboardMarkup([[button]]) if answer.passages else None
            final = answer_html(answer)
            if draft is not None and await draft.replace(final, markup):
                return
            await self.send(context.bot, chat.id, final, thread_id, reply_to, markup)

    @contextlib.asynccontextmanager
    async def _typing(self, bot: Bot, chat_id: int, thread_id: int | None) -> AsyncIterator[None]:
        """Show "typing…" now and every few seconds until the block ends."""

        async def typing() -> None:
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
            except TelegramError as error:  # a missed hint is not worth failing the answer for
                log.debug("typing action failed: %s", error)

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.typing_interval)
                await typing()

        # The first action is awaited at the end, not cancelled: it always reaches the chat
        # before the answer does, however fast the answer is.
        first, renewal = asyncio.create_task(typing()), asyncio.create_task(renew())
        try:
            yield
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            await first

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        html_text: str,
        thread_id: int | None = None,
        reply_to: int | None = None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> list[Message]:
        """Send HTML in parts under the limit; a part Telegram cannot parse goes as plain text.

        The first part replies to `reply_to`; the last carries `markup`.
        """
        parts = [p for p in split_message(html_text) if to_plain(p).strip()]
        sent: list[Message] = []

        async def one(
            text: str, mode: str | None, markup_here: InlineKeyboardMarkup | None
        ) -> None:
            reply = None
            if reply_to is not None and not sent:
                reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
            message = await bot.send_message(
                chat_id,
                text,
                parse_mode=mode,
                message_thread_id=thread_id,
                link_preview_options=NO_PREVIEW,
                reply_parameters=reply,
                reply_markup=markup_here,
            )
            sent.append(message)

        for i, part in enumerate(parts):
            markup_here = markup if i == len(parts) - 1 else None
            try:
                await one(part, ParseMode.HTML, markup_here)
            except BadRequest as error:
                if "parse entities" not in error.message.lower():
                    raise
                log.warning("Telegram rejected our HTML (%s); sending plain text", error.message)
                plain = split_message(to_plain(part), parse_tags=False)
                for j, text in enumerate(plain):
                    await one(text, None, markup_here if j == len(plain) - 1 else None)
        return sent

    # --- commands -----------------------------------------------------------------------------

    async def on_help(self, update: Update, context: Context) -> None:
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None or not await self._admit(update):
            return
        if chat.type == ChatType.PRIVATE:
            how = "Send me a question"
        else:
            how = f"Mention me (@{escape(context.bot.username or '')}), use /ask, or reply to my answers"
        lines = [
            "<b>newsbot</b> answers questions from a news archive and cites the articles "
            "it used, with links.",
            "",
            f"{how}, for example:",
            f"<i>{escape(EXAMPLE)}</i>",
            "",
            "Follow-ups such as <i>and when did it end?</i> build on the conversation.",
            "/sources – the passages behind the last answer (or tap <b>Sources</b>)",
            "/new – start a new conversation",
        ]
        if self.is_admin(user.id if user else None):
            formats = escape(" ".join(SUFFIXES))
            lines.append(
                f"/stats – what the archive holds; send a file ({formats}) to add articles"
            )
        await self.send(context.bot, chat.id, "\n".join(lines))

    async def on_new(self, update: Update, _context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not await self._admit(update):
            return
        self.chats.get(chat.id).conversation = Conversation()
        await message.reply_text("Started a new conversation.")

    async def on_sources(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not await self._admit(update):
            return
        state = self.chats.peek(chat.id)
        answer = state.conversation.last_answer if state else None
        if answer is None:
            await message.reply_text(NO_ANSWER_YET)
            return
        thread_id = message.message_thread_id if message.is_topic_message else None
        await self.send(context.bot, chat.id, sources_html(answer), thread_id)

    async def on_button(self, update: Update, context: Context) -> None:
        """The Sources button: `src:<key>` of an answer given in this very chat, else an alert."""
        query = update.callback_query
        if query is None:
            return
        user_id = query.from_user.id
        chat_id = query.message.chat.id if query.message else None
        if not self.is_allowed(user_id, chat_id):
            await query.answer(REFUSAL, show_alert=True)
            return
        match = _SOURCES_DATA.fullmatch(query.data or "")
        state = self.chats.peek(chat_id) if match and chat_id is not None else None
        answer = state.answers.get(match.group(1)) if state and match else None
        if answer is None or query.message is None:
            await query.answer(GONE, show_alert=True)
            return
        await query.answer()
        message = query.message
        thread_id = message.message_thread_id if isinstance(message, Message) else None
        await self.send(
            context.bot, message.chat.id, sources_html(answer), thread_id, message.message_id
        )

    async def on_stats(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not await self._admit_admin(update):
            return
        stats = await asyncio.to_thread(self.archive.stats)
        await self.send(context.bot, chat.id, stats_html(stats))

    # --- feeds --------------------------------------------------------------------------------

    def sync_feeds(self) -> str:
        """Pull every subscribed feed once (in a worker thread); a summary line per feed."""
        subscriptions = Subscriptions(subscriptions_path(self.archive.data_dir))
        if not subscriptions.list():
            return "No feeds are subscribed; add one with `newsbot feeds add URL`."
        with (
            ingest_lock(self.archive.data_dir, 60.0),
            Fetcher(self.ingest_settings) as fetcher,
        ):
            reports = sync_all(Ingestor(self.archive), subscriptions, fetcher, today=date.today())
        return "\n".join(report.line() for report in reports)

    async def on_sync(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not await self._admit_admin(update):
            return
        try:
            summary = await asyncio.to_thread(self.sync_feeds)
        except (IngestLockedError, SubscriptionError) as error:
            summary = str(error)
        await self.send(context.bot, chat.id, escape(summary))

    async def scheduled_sync(self, _context: Context) -> None:
        """The JobQueue's periodic sync; failures are logged, never fatal to the bot."""
        try:
            summary = await asyncio.to_thread(self.sync_feeds)
        except (IngestLockedError, SubscriptionError) as error:
            log.warning("scheduled sync skipped: %s", error)
            return
        log.info("scheduled sync: %s", summary.replace("\n", "; "))

    # --- ingest -------------------------------------------------------------------------------

    async def on_ingest_command(self, update: Update, _context: Context) -> None:
        message = update.effective_message
        if message is None or not await self._admit_admin(update):
            return
        await message.reply_text(
            f"Send me a file ({' '.join(SUFFIXES)}, up to {self.settings.max_upload_mb:g} MB) "
            "and I'll add its articles. In a group, give it the caption /ingest."
        )

    async def on_document(self, update: Update, context: Context) -> None:
        """An admin's file: downloaded to a temporary folder and ingested under the lock."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.document is None:
            return
        caption = (message.caption or "").split(maxsplit=1)
        if chat.type != ChatType.PRIVATE and not (
            caption and caption[0].lower().startswith("/ingest")
        ):
            return  # files shared in a group are not meant for us
        if not await self._admit_admin(update):
            return
        document = message.document
        name = safe_file_name(document.file_name)
        refusal = self._check_upload(name, document.file_size or 0)
        if refusal:
            await message.reply_text(refusal)
            return
        async with self._typing(context.bot, chat.id, None):
            report = await self._take_upload(document, name)
        await self.send(context.bot, chat.id, report)

    async def _take_upload(self, document: Document, name: str) -> str:
        """Download to a temporary folder, ingest in a worker thread; the reply as HTML."""
        with tempfile.TemporaryDirectory(prefix="newsbot-upload-") as folder:
            path = Path(folder) / name
            await (await document.get_file()).download_to_drive(path)
            refusal = self._check_upload(name, path.stat().st_size)
            if refusal:
                return escape(refusal)
            try:
                upload = await asyncio.to_thread(self._ingest, path)
            except IngestLockedError:
                return "Another ingest is running; try again in a minute."
            return _ingest_report(name, upload, folder)

    def _check_upload(self, name: str, size: int) -> str | None:
        """Why a file cannot be ingested (its type, its size), or None when it can."""
        if file_kind(Path(name)) is None:
            return f"I can't read {name}. Send one of: {' '.join(SUFFIXES)}"
        if size > self.settings.max_upload_mb * 2**20:
            return (
                f"{name} is too big ({size / 2**20:.1f} MB; "
                f"the limit is {self.settings.max_upload_mb:g} MB)."
            )
        return None

    def _ingest(self, path: Path) -> _Upload:
        """Runs in a worker thread: load one file and ingest it, one writer per data dir."""
        unfetched: list[PendingUrl] = []

        def articles(items: Iterable[object]) -> Iterator[Article | LoadError]:
            for item in items:
                if isinstance(item, Article | LoadError):
                    yield item
                elif isinstance(item, PendingUrl):
                    unfetched.append(item)

        with ingest_lock(self.archive.data_dir, INGEST_WAIT_S):
            items = load_file(path, settings=self.ingest_settings, today=date.today())
            summary = Ingestor(self.archive).ingest(articles(items))
        return _Upload(summary, len(unfetched))

    # --- errors -------------------------------------------------------------------------------

    async def on_error(self, update: object, context: Context) -> None:
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


def _ingest_report(name: str, upload: _Upload, folder: str) -> str:
    """The reply to an upload: the summary line, then each failure (without our temp path)."""
    summary = upload.summary
    lines = [f"<b>{escape(name)}</b>: {escape(summary.line())}"]
    for error in summary.errors[:MAX_ERRORS_SHOWN]:
        lines.append(f"• {escape(str(error).replace(folder + '/', ''))}")
    if len(summary.errors) > MAX_ERRORS_SHOWN:
        lines.append(f"… and {len(summary.errors) - MAX_ERRORS_SHOWN} more failures")
    if upload.unfetched:
        lines.append(
            f"{upload.unfetched} linked pages were not fetched: the bot does not download web "
            "pages; run <code>newsbot ingest</code> on the server for those."
        )
    return "\n".join(lines)


async def _post_init(app: BotApp) -> None:
    await app.bot.set_my_commands(list(COMMANDS))
    log.info("newsbot is answering as @%s", app.bot.username)


def build_application(
    settings: Settings,
    archive: Archive,
    *,
    responder: Responder | None = None,
    typing_interval: float = TYPING_EVERY_S,
    max_chats: int = MAX_CHATS,
) -> BotApp:
    """The bot as a PTB Application, ready for `run_polling`, `run_webhook` or a test.

    Args:
        settings: the `telegram` section (token, Bot API URLs, allow-lists, admins, limits)
            and the `ingest` section (for uploaded files) are used.
        archive: the archive questions are answered from and uploads go into.
        responder: answers questions; defaults to `Responder(archive)`.
        typing_interval: seconds between "typing…" actions while answering.
        max_chats: how many chats' conversations and recent answers are kept in memory; the
            least recently used chat is forgotten first.
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
    bot = NewsBot(
        telegram,
        settings.ingest,
        archive,
        responder or Responder(archive),
        typing_interval,
        max_chats,
    )
    bot.register(app)
    if telegram.sync_interval_minutes and app.job_queue is not None:
        interval = telegram.sync_interval_minutes * 60
        app.job_queue.run_repeating(
            bot.scheduled_sync, interval=interval, first=interval, name="sync"
        )
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
    service_log = logging.getLogger("bot")  # this module and those it uses (bot.stream_draft)
    if service_log.getEffectiveLevel() > logging.INFO:
        service_log.setLevel(logging.INFO)  # a long-running service says when it starts and stops
    if webhook_url is not None and telegram.webhook_secret is None:
        log.info("no NEWSBOT_TELEGRAM__WEBHOOK_SECRET set: generated one for this run")
    archive = Archive(settings)
    try:
        responder = Responder(archive)
        responder.ask("warm up")  # loads the models now, not on the first user's question
        app = build_application(settings, archive, responder=responder)
        access = (
            f"{len(telegram.allowed_users)} allowed users, {len(telegram.allowed_chats)} chats"
            if telegram.allowed_users or telegram.allowed_chats
            else "open to everyone"
        )
        log.info("archive %s; %s; %d admins", settings.data_dir, access, len(telegram.admins))
        updates = [Update.MESSAGE, Update.CALLBACK_QUERY]
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
        archive.close()
    log.info("stopped")
