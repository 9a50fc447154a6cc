"""👍 / 👎 under every answer, and the one-line correction that makes a 👎 a test question.

A tap records the verdict on that answer for that user (`bot.feedback.FeedbackStore`; tapping
again changes it). A 👎 is followed by one prompt: reply to it with the right answer, or tap
"The archive doesn't say" when no article could answer. Both end up in
`newsbot feedback export`, a question set `newsbot eval` runs (docs/telegram.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.error import TelegramError

from bot.access import REFUSAL
from bot.bot_data import Context, bot_data
from bot.feedback import clean_correction

log = logging.getLogger(__name__)

UP, DOWN = "👍", "👎"
THANKS_UP = "Thanks! Noted as a good answer."
THANKS_DOWN = "Thanks. Noted as a wrong answer."
NOT_IN_ARCHIVE = "The archive doesn't say"
CORRECT_HOW = (
    "What is the right answer? Reply to this message with it in one line, "
    "or tap the button if no article in the archive could answer."
)
GONE = "This answer is too old to rate. Ask again to rate the new one."
# Every stale or unknown button gets this one alert (the Sources button too: bot.sending).
STALE_BUTTON = "These sources are no longer available. Ask again to get fresh ones."
NOTED_CORRECTION = "Thanks, noted: next time this question is tested against your answer."
NOTED_NOT_IN_ARCHIVE = "Thanks, noted: this question should get “the archive doesn't say”."

FEEDBACK_DATA = re.compile(r"fb:(up|down):([A-Za-z0-9_-]{8,16})")
NONE_DATA = re.compile(r"fbnone:(\d{1,12})")


def rating_buttons(key: str) -> list[InlineKeyboardButton]:
    """The 👍 and 👎 of the answer remembered under `key`."""
    return [
        InlineKeyboardButton(UP, callback_data=f"fb:up:{key}"),
        InlineKeyboardButton(DOWN, callback_data=f"fb:down:{key}"),
    ]


async def on_rating(update: Update, context: Context) -> None:
    """A 👍/👎 or "the archive doesn't say" tap (buttons whose data starts `fb`)."""
    query = update.callback_query
    if query is None:
        return
    vote = FEEDBACK_DATA.fullmatch(query.data or "")
    none = NONE_DATA.fullmatch(query.data or "")
    if vote is None and none is None:  # malformed, or empty (PTB routes that to any pattern)
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    data = bot_data(context)
    user_id = query.from_user.id
    message = query.message
    chat_id = message.chat.id if message else None
    if not data.access.is_allowed(user_id, chat_id):
        await query.answer(REFUSAL, show_alert=True)
        return
    state = data.chats.peek(chat_id) if chat_id is not None else None
    if none is not None:
        entry = await asyncio.to_thread(data.feedback.get, int(none.group(1)))
        done = entry is not None and entry.chat_id == chat_id and entry.user_id == user_id
        if done:
            await asyncio.to_thread(
                data.feedback.correct, int(none.group(1)), None, not_in_archive=True
            )
        await query.answer(NOTED_NOT_IN_ARCHIVE if done else GONE, show_alert=not done)
        if done and isinstance(message, Message):
            await _close_prompt(context, message, f"{CORRECT_HOW}\n\nNoted: {NOT_IN_ARCHIVE}.")
        return
    verdict, key = (vote.group(1), vote.group(2)) if vote else ("", "")
    answer = state.answers.get(key) if state else None
    if answer is None or state is None or chat_id is None or not isinstance(message, Message):
        await query.answer(GONE, show_alert=True)
        return
    entry_id = await asyncio.to_thread(
        data.feedback.vote,
        answer,
        "up" if verdict == "up" else "down",
        channel="telegram",
        chat_id=chat_id,
        user_id=user_id,
        as_of=state.asked_on[key],
        answer_key=key,
    )
    await query.answer(THANKS_UP if verdict == "up" else THANKS_DOWN)
    if verdict == "down":
        await _ask_for_correction(context, message, entry_id)


async def _ask_for_correction(context: Context, answer_message: Message, entry_id: int) -> None:
    """The prompt after a 👎. Its button names the feedback entry, so a reply to it is known
    for what it is from the message replied to, even after the bot restarted."""
    button = InlineKeyboardButton(NOT_IN_ARCHIVE, callback_data=f"fbnone:{entry_id}")
    await context.bot.send_message(
        answer_message.chat.id,
        CORRECT_HOW,
        message_thread_id=answer_message.message_thread_id,
        reply_parameters=ReplyParameters(
            answer_message.message_id, allow_sending_without_reply=True
        ),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


def _prompt_entry(prompt: Message, bot_id: int) -> int | None:
    """The feedback entry a correction prompt of ours asks about, from its button."""
    if prompt.from_user is None or prompt.from_user.id != bot_id or prompt.reply_markup is None:
        return None
    for row in prompt.reply_markup.inline_keyboard:
        for button in row:
            match = NONE_DATA.fullmatch(str(button.callback_data or ""))
            if match:
                return int(match.group(1))
    return None


async def take_correction(update: Update, context: Context) -> bool:
    """A reply to a correction prompt, by the user who rated: recorded as the right answer
    and the prompt closed; False for any other message (a question)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    replied = message.reply_to_message if message else None
    if message is None or chat is None or replied is None or not message.text:
        return False
    entry_id = _prompt_entry(replied, context.bot.id)
    if entry_id is None:
        return False
    data = bot_data(context)
    entry = await asyncio.to_thread(data.feedback.get, entry_id)
    if entry is None or entry.chat_id != chat.id or entry.user_id != (user.id if user else None):
        return False  # someone else's prompt: the message is a question like any other
    correction = clean_correction(message.text) or " ".join(message.text.split())
    await asyncio.to_thread(data.feedback.correct, entry_id, correction)
    await message.reply_text(NOTED_CORRECTION)
    await _close_prompt(context, replied, f"{CORRECT_HOW}\n\nNoted: “{correction}”.")
    return True


async def _close_prompt(context: Context, prompt: Message, text: str) -> None:
    """The prompt without its button, saying what was noted (best effort)."""
    with contextlib.suppress(TelegramError):
        await context.bot.edit_message_text(text, prompt.chat.id, prompt.message_id)
