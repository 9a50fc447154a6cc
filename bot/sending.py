"""Questions in, cited answers out: the question handlers, "typing…", and sending in parts.

Answering stays synchronous (`Responder.ask`) and runs in a worker thread, with concurrent
updates, so one slow question never stalls other users; a chat asks one question at a time,
since its questions share a conversation. LLM answers stream through `bot.stream_draft`.
Replies are HTML split under Telegram's length limit; a part whose HTML Telegram rejects is
sent again as plain text. /sources and the Sources button show the passages behind an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
from collections.abc import AsyncIterator

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.access import REFUSAL
from bot.bot_data import Context, bot_data
from bot.formatting import answer_html, preview_url, sources_html, split_message, to_plain
from bot.rating import STALE_BUTTON, rating_buttons, take_correction
from bot.stream_draft import NO_PREVIEW, StreamDraft
from retrieval.question.profile import is_timeline
from retrieval.responder import AskOptions
from retrieval.results import Answer

log = logging.getLogger(__name__)

TYPING_EVERY_S = 4.0  # Telegram shows "typing…" for about 5 s per action
MAX_QUESTION_CHARS = 1000

ASK_HOW = "Ask me a question, for example: /ask How many workers joined the port strike?"
GONE = STALE_BUTTON
NO_ANSWER_YET = "Ask a question first; /sources then shows the passages the answer cites."

_SOURCES_DATA = re.compile(r"src:([A-Za-z0-9_-]{8,16})")


async def on_private_text(update: Update, context: Context) -> None:
    """In a private chat every text is a question, but a reply to a correction prompt."""
    message = update.effective_message
    if message is not None and message.text and not await take_correction(update, context):
        await ask(update, context, _strip_mention(message.text, context.bot))


async def on_group_text(update: Update, context: Context) -> None:
    """In groups only a mention or a reply to one of our messages is a question."""
    message = update.effective_message
    if message is None or not message.text or await take_correction(update, context):
        return
    bot = context.bot
    replied = message.reply_to_message
    to_us = replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    if _mention(bot).search(message.text) or to_us:
        await ask(update, context, _strip_mention(message.text, bot))


async def on_ask(update: Update, context: Context) -> None:
    """`/ask question`, anywhere."""
    message = update.effective_message
    if message is not None and message.text:
        parts = message.text.split(maxsplit=1)
        await ask(update, context, parts[1] if len(parts) > 1 else "")


def _mention(bot: Bot) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@]){re.escape('@' + (bot.username or ''))}\b", re.I)


def _strip_mention(text: str, bot: Bot) -> str:
    return _mention(bot).sub(" ", text).strip(" \t\n,:;")


async def ask(update: Update, context: Context, question: str) -> None:
    """Answer `question` in its chat, within the limits, with a Sources button."""
    data = bot_data(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or not await data.access.admit(update):
        return
    question = " ".join(question.split())
    if not question:
        await message.reply_text(ASK_HOW)
        return
    if len(question) > MAX_QUESTION_CHARS:
        await message.reply_text(f"Please ask in under {MAX_QUESTION_CHARS} characters.")
        return
    wait = data.limiter.wait_s(user.id if user else chat.id)
    if wait > 0:
        await message.reply_text(
            f"You're asking faster than I can read. Please try again in {math.ceil(wait)} seconds."
        )
        return
    state = data.chats.get(chat.id)
    thread_id = message.message_thread_id if message.is_topic_message else None
    reply_to = message.message_id if chat.type != ChatType.PRIVATE else None
    async with state.lock:  # one question at a time per chat: they share a conversation
        draft = None
        if data.responder.answer_settings.mode == "llm":
            draft = StreamDraft(context.bot, chat.id, thread_id, reply_to)
        async with typing(context.bot, chat.id, thread_id, data.typing_interval):
            if draft is not None:
                draft.start()
            try:
                answer = await asyncio.to_thread(
                    data.responder.ask,
                    question,
                    AskOptions(),
                    state.conversation,
                    draft.feed() if draft is not None else None,
                )
            finally:
                if draft is not None:
                    await draft.stop()
        key = state.remember(answer)
        markup = answer_keyboard(key, answer)
        final = answer_html(answer)
        if draft is not None and await draft.replace(final, markup):
            return
        await send(context.bot, chat.id, final, thread_id, reply_to, markup, preview_url(answer))


def answer_keyboard(key: str, answer: Answer) -> InlineKeyboardMarkup:
    """👍 👎 and Sources under an answer; a timeline also offers its coverage chart."""
    row = rating_buttons(key)
    if answer.passages:
        row.append(InlineKeyboardButton("Sources", callback_data=f"src:{key}"))
    rows = [row]
    if is_timeline(answer.question) and answer.citations:
        rows.append([InlineKeyboardButton("📈 Coverage chart", callback_data=f"cov:{key}")])
    return InlineKeyboardMarkup(rows)


async def on_sources(update: Update, context: Context) -> None:
    """/sources: the passages behind this chat's last answer."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit(update):
        return
    state = data.chats.peek(chat.id)
    answer = state.conversation.last_answer if state else None
    if answer is None:
        await message.reply_text(NO_ANSWER_YET)
        return
    thread_id = message.message_thread_id if message.is_topic_message else None
    await send(context.bot, chat.id, sources_html(answer), thread_id)


async def on_button(update: Update, context: Context) -> None:
    """The Sources button: `src:<key>` of an answer given in this very chat, else an alert."""
    data = bot_data(context)
    query = update.callback_query
    if query is None:
        return
    user_id = query.from_user.id
    chat_id = query.message.chat.id if query.message else None
    if not data.access.is_allowed(user_id, chat_id):
        await query.answer(REFUSAL, show_alert=True)
        return
    match = _SOURCES_DATA.fullmatch(query.data or "")
    state = data.chats.peek(chat_id) if match and chat_id is not None else None
    answer = state.answers.get(match.group(1)) if state and match else None
    if answer is None or query.message is None:
        await query.answer(GONE, show_alert=True)
        return
    await query.answer()
    message = query.message
    thread_id = message.message_thread_id if isinstance(message, Message) else None
    await send(context.bot, message.chat.id, sources_html(answer), thread_id, message.message_id)


def _preview(url: str) -> LinkPreviewOptions:
    return LinkPreviewOptions(url=url, prefer_small_media=True, show_above_text=False)


@contextlib.asynccontextmanager
async def typing(
    bot: Bot, chat_id: int, thread_id: int | None, interval: float = TYPING_EVERY_S
) -> AsyncIterator[None]:
    """Show "typing…" now and every `interval` seconds until the block ends."""

    async def action() -> None:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
        except TelegramError as error:  # a missed hint is not worth failing the answer for
            log.debug("typing action failed: %s", error)

    async def renew() -> None:
        while True:
            await asyncio.sleep(interval)
            await action()

    # The first action is awaited at the end, not cancelled: it always reaches the chat
    # before the answer does, however fast the answer is.
    first, renewal = asyncio.create_task(action()), asyncio.create_task(renew())
    try:
        yield
    finally:
        renewal.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewal
        await first


async def send(
    bot: Bot,
    chat_id: int,
    html_text: str,
    thread_id: int | None = None,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
    preview: str | None = None,
) -> list[Message]:
    """Send HTML in parts under the limit; a part Telegram cannot parse goes as plain text.

    The first part replies to `reply_to`; the last carries `markup`. Links do not unfurl,
    but `preview`, the one article an answer cites, under the first part.
    """
    parts = [p for p in split_message(html_text) if to_plain(p).strip()]
    sent: list[Message] = []

    async def one(text: str, mode: str | None, markup_here: InlineKeyboardMarkup | None) -> None:
        reply = None
        if reply_to is not None and not sent:
            reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
        message = await bot.send_message(
            chat_id,
            text,
            parse_mode=mode,
            message_thread_id=thread_id,
            link_preview_options=NO_PREVIEW if preview is None or sent else _preview(preview),
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
