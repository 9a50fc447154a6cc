"""/coverage <topic> and a timeline's "Coverage chart" button: the chart, sent as a photo.

The matching articles (`retrieval.topics`, as for follows) are counted per week or month with
outlets stacked (`retrieval.coverage`) and drawn headless (`bot.coverage_chart`) in a worker
thread. From a timeline answer the chart is of the answer's question and marks its dated
events.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date

from telegram import Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType

from bot.access import REFUSAL
from bot.bot_data import BotData, Context, bot_data
from bot.coverage_chart import coverage_caption, coverage_png
from bot.formatting import escape
from bot.sending import GONE, send
from retrieval.coverage import Coverage, coverage, events_from_answer
from retrieval.question.profile import topic_of
from retrieval.topics import MAX_TOPIC_CHARS, topic_terms

COVERAGE_HOW = "Name a topic: /coverage port strike"

_COVERAGE_DATA = re.compile(r"cov:([A-Za-z0-9_-]{8,16})")


def _chart(
    data: BotData, topic: str, events: tuple[tuple[date, str], ...] = ()
) -> tuple[Coverage, bytes | None]:
    found = coverage(data.archive, topic, data.retrieval, events=events)
    return found, coverage_png(found) if found.bins else None


async def _send_chart(
    context: Context,
    chat_id: int,
    topic: str,
    thread_id: int | None,
    reply_to: int | None,
    events: tuple[tuple[date, str], ...] = (),
) -> None:
    data = bot_data(context)
    await context.bot.send_chat_action(
        chat_id, ChatAction.UPLOAD_PHOTO, message_thread_id=thread_id
    )
    found, png = await asyncio.to_thread(_chart, data, topic, events)
    if png is None:
        undated = f" ({found.undated} undated articles match)" if found.undated else ""
        await send(
            context.bot,
            chat_id,
            f"No dated articles in the archive are about <b>{escape(topic)}</b>{undated}.",
            thread_id,
            reply_to,
        )
        return
    await context.bot.send_photo(
        chat_id,
        png,
        caption=coverage_caption(found),
        message_thread_id=thread_id,
        filename="coverage.png",
        reply_parameters=(
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        ),
    )


async def on_coverage(update: Update, context: Context) -> None:
    """/coverage <topic>: matching articles per week or month, outlets stacked."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit(update):
        return
    parts = (message.text or "").split(maxsplit=1)
    topic = " ".join(parts[1].split()) if len(parts) > 1 else ""
    if not topic or len(topic) > MAX_TOPIC_CHARS or not topic_terms(topic):
        await message.reply_text(COVERAGE_HOW)
        return
    thread_id = message.message_thread_id if message.is_topic_message else None
    reply_to = message.message_id if chat.type != ChatType.PRIVATE else None  # as answers do
    await _send_chart(context, chat.id, topic, thread_id, reply_to)


async def on_coverage_button(update: Update, context: Context) -> None:
    """The "Coverage chart" button of a timeline answer given in this chat."""
    data = bot_data(context)
    query = update.callback_query
    if query is None:
        return
    message = query.message
    chat_id = message.chat.id if message else None
    if not data.access.is_allowed(query.from_user.id, chat_id):
        await query.answer(REFUSAL, show_alert=True)
        return
    match = _COVERAGE_DATA.fullmatch(query.data or "")
    state = data.chats.peek(chat_id) if match and chat_id is not None else None
    answer = state.answers.get(match.group(1)) if state and match else None
    if answer is None or chat_id is None:
        await query.answer(GONE, show_alert=True)
        return
    await query.answer()
    thread_id = message.message_thread_id if isinstance(message, Message) else None
    topic = topic_of(answer.question) or answer.question
    await _send_chart(context, chat_id, topic, thread_id, None, events_from_answer(answer))
