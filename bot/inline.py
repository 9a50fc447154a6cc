"""Inline mode: `@bot question` in any chat offers the answer card, sources included.

The card is the same HTML as a chat answer (short answer, cited sentences, each source with
its quote), cut to one message. Telegram sends a query as the user types, so only a question
of some length is answered, each user within three times the chat question rate, and results
are cached per user for a minute. A refusal ("the archive doesn't say") is offered too: it is
an answer. There are no buttons: a card sent through inline mode belongs to no chat the bot
remembers.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update

from bot.bot_data import Context, bot_data
from bot.formatting import answer_html, preview_url, split_message, to_plain
from bot.sending import MAX_QUESTION_CHARS
from retrieval.citations import strip_citation_markers
from retrieval.responder import AskOptions

log = logging.getLogger(__name__)

MIN_QUERY_CHARS = 8
CACHE_S = 60
MAX_TITLE = 80


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with one article result: the answer card."""
    query = update.inline_query
    if query is None:
        return
    data = bot_data(context)
    question = " ".join(query.query.split())
    if not data.access.is_allowed(query.from_user.id, None):
        await query.answer([], cache_time=CACHE_S, is_personal=True)
        return
    if len(question) < MIN_QUERY_CHARS or len(question) > MAX_QUESTION_CHARS:
        await query.answer([], cache_time=0, is_personal=True)
        return
    if data.inline_limiter.wait_s(query.from_user.id) > 0:
        await query.answer([], cache_time=0, is_personal=True)
        return
    answer = await asyncio.to_thread(data.responder.ask, question, AskOptions())
    card = split_message(answer_html(answer))[0]
    preview = preview_url(answer)
    options = (
        LinkPreviewOptions(url=preview, prefer_small_media=True)
        if preview
        else LinkPreviewOptions(is_disabled=True)
    )
    lead = answer.short if answer.short and not answer.abstained else to_plain(answer.text)
    title = _clip(" ".join(lead.split()), MAX_TITLE)
    sentence = strip_citation_markers(answer.text) if answer.short and not answer.abstained else ""
    result = InlineQueryResultArticle(
        id=hashlib.sha1(question.encode(), usedforsecurity=False).hexdigest()[:32],
        title=title or "Answer",
        description=_clip(" ".join(sentence.split()), 200) or None,
        input_message_content=InputTextMessageContent(
            card, parse_mode="HTML", link_preview_options=options
        ),
    )
    await query.answer([result], cache_time=CACHE_S, is_personal=True)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
