"""/follow, /following, /unfollow, and pushing what is new on a followed topic.

After every feed sync and upload the bot runs, and every `follow_check_minutes` (which also
catches a `newsbot ingest` run from the shell), the articles added since each chat's mark are
matched against the topics it follows (`retrieval.topics.new_articles_about`: the question's
keyword and dense retrieval, with a threshold). Each chat gets one message listing what is new
(title, outlet, date, link), at most `follow_pushes_per_hour` messages an hour; what a full
hour holds back comes with the next message. A chat the allow-lists no longer admit gets
nothing. An article is pushed to a chat once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.error import Forbidden, TelegramError

from bot.bot_data import BotData, Context, bot_data
from bot.follows import MAX_FOLLOWS_PER_CHAT, Follow
from bot.formatting import escape, source_line
from bot.sending import send
from config.errors import NewsbotError
from retrieval.archive.catalog import ArticleRecord
from retrieval.results import Passage
from retrieval.topics import MAX_TOPIC_CHARS, new_articles_about, topic_terms

log = logging.getLogger(__name__)

MAX_LISTED = 10  # articles named in one push; the rest are counted

FOLLOW_HOW = "Follow a topic with /follow port strike: I'll tell you when new articles arrive."


@dataclass(frozen=True)
class Push:
    """What one chat is told after a sync: the new articles per topic it follows."""

    chat_id: int
    topics: tuple[tuple[str, tuple[ArticleRecord, ...]], ...]
    mark: int


def _argument(update: Update) -> str:
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1) if message else []
    return " ".join(parts[1].split()) if len(parts) > 1 else ""


async def on_follow(update: Update, context: Context) -> None:
    """/follow <topic>: push new articles about it to this chat from now on."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit(update):
        return
    topic = _argument(update)
    if not topic:
        await message.reply_text(FOLLOW_HOW)
        return
    if len(topic) > MAX_TOPIC_CHARS or not topic_terms(topic):
        await message.reply_text(
            f"Please name a topic in words, under {MAX_TOPIC_CHARS} characters."
        )
        return
    if len(data.follows.of_chat(chat.id)) >= MAX_FOLLOWS_PER_CHAT:
        await message.reply_text(
            f"This chat follows {MAX_FOLLOWS_PER_CHAT} topics already; /unfollow one first."
        )
        return
    mark = await asyncio.to_thread(data.archive.catalog.last_article_rowid)
    user = update.effective_user
    if data.follows.follow(chat.id, topic, mark, user.id if user else None):
        text = f"Following <b>{escape(topic)}</b>: I'll tell you when new articles about it arrive."
    else:
        text = f"This chat already follows <b>{escape(topic)}</b>."
    await send(context.bot, chat.id, text)


async def on_following(update: Update, context: Context) -> None:
    """/following: the topics this chat follows."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit(update):
        return
    follows = data.follows.of_chat(chat.id)
    if not follows:
        await message.reply_text("This chat follows no topics. " + FOLLOW_HOW)
        return
    lines = ["<b>Following</b>"]
    lines += [f"{n}. {escape(f.topic)}" for n, f in enumerate(follows, start=1)]
    lines.append("\n/unfollow <i>topic</i> or /unfollow <i>number</i> to stop.")
    await send(context.bot, chat.id, "\n".join(lines))


async def on_unfollow(update: Update, context: Context) -> None:
    """/unfollow <topic or its number in /following>."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit(update):
        return
    wanted = _argument(update)
    follows = data.follows.of_chat(chat.id)
    if wanted.isdigit() and 1 <= int(wanted) <= len(follows):
        wanted = follows[int(wanted) - 1].topic
    if not wanted:
        await message.reply_text("Which topic? See /following.")
        return
    if data.follows.unfollow(chat.id, wanted):
        await send(context.bot, chat.id, f"Stopped following <b>{escape(wanted)}</b>.")
    else:
        await send(context.bot, chat.id, f"This chat does not follow <b>{escape(wanted)}</b>.")


def find_pushes(data: BotData) -> list[Push]:
    """What each allowed chat should be told now (blocking: run it in a worker thread)."""
    follows = data.follows.all()
    if not follows:
        return []
    catalog = data.archive.catalog
    newest = catalog.last_article_rowid()
    by_chat: dict[int, list[Follow]] = defaultdict(list)
    for follow in follows:
        by_chat[follow.chat_id].append(follow)
    low = min(f.mark for f in follows)
    added = catalog.articles_after(low) if newest > low else []
    row_of = {article_id: rowid for rowid, article_id in added}
    matched: dict[str, set[str]] = {}  # topic key -> article ids about it
    pushes: list[Push] = []
    for chat_id, chat_follows in by_chat.items():
        found: list[tuple[str, tuple[ArticleRecord, ...]]] = []
        for follow in chat_follows:
            # As for a question: the chat or the user who followed must still be admitted (a
            # private chat's id is its user's).
            user = follow.user_id if follow.user_id is not None else chat_id
            if not data.access.is_allowed(user, chat_id):
                continue  # an allow-list changed since the chat followed: tell it nothing
            key = follow.topic.casefold()
            if key not in matched:
                rows = [rowid for rowid, _ in added]
                hits = new_articles_about(data.archive, follow.topic, data.retrieval, rows)
                matched[key] = {m.record.article_id for m in hits}
            ids = [a for a in matched[key] if row_of.get(a, 0) > follow.mark]
            fresh = set(ids) - data.follows.was_pushed(chat_id, ids)
            if fresh:
                records = catalog.get(fresh)
                ordered = sorted(records.values(), key=lambda r: -row_of[r.article_id])
                found.append((follow.topic, tuple(ordered)))
        if found:
            pushes.append(Push(chat_id, tuple(found), newest))
        else:
            data.follows.advance(chat_id, newest)
    return pushes


def push_html(push: Push) -> str:
    """One chat's message: per topic, the new articles (outlet · date · linked title)."""
    blocks: list[str] = []
    told: set[str] = set()
    for topic, records in push.topics:
        fresh = [r for r in records if r.article_id not in told]
        if not fresh:
            continue
        told.update(r.article_id for r in fresh)
        many = "s" if len(fresh) > 1 else ""
        lines = [f"<b>New on {escape(topic)}</b> ({len(fresh)} article{many})"]
        lines += [f"• {source_line(_as_passage(r))}" for r in fresh[:MAX_LISTED]]
        if len(fresh) > MAX_LISTED:
            lines.append(f"… and {len(fresh) - MAX_LISTED} more; ask me about them.")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _as_passage(record: ArticleRecord) -> Passage:
    return Passage(
        chunk_id="",
        article_id=record.article_id,
        text="",
        title=record.title,
        source=record.source,
        published=record.published,
        url=record.url,
        score=0.0,
    )


async def push_followed(bot: Bot, data: BotData) -> int:
    """Tell every following chat what is new; how many chats were told. Never raises for
    one chat's failure (a chat that blocked the bot is skipped)."""
    async with data.push_lock:  # a sync and the timer must not push the same article twice
        pushes = await asyncio.to_thread(find_pushes, data)
        told = 0
        hour_ago = time.time() - 3600
        for push in pushes:
            limit = data.settings.follow_pushes_per_hour
            if data.follows.pushes_since(push.chat_id, hour_ago) >= limit:
                continue  # held back: comes with the next message, the mark stays
            try:
                await send(bot, push.chat_id, push_html(push))
            except Forbidden:
                log.info("chat %s blocked the bot; nothing pushed", push.chat_id)
                continue
            except TelegramError as error:
                log.warning("push to chat %s failed: %s", push.chat_id, error)
                continue
            ids = [r.article_id for _, records in push.topics for r in records]
            data.follows.record_push(push.chat_id, ids, push.mark, time.time())
            told += 1
        return told


async def scheduled_push(context: Context) -> None:
    """The JobQueue's periodic check (catches ingests run outside the bot); never fatal."""
    try:
        await push_followed(context.bot, bot_data(context))
    except (NewsbotError, TelegramError) as error:
        log.warning("checking followed topics failed: %s", error)
