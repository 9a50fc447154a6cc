"""The admins' commands: /stats, /sync (and the scheduled sync), /ingest and uploaded files.

Feed syncs and uploads run the same ingest functions as `newsbot sync` and `newsbot ingest`
(`ingest.sync.sync_feeds`, `ingest.intake.ingest_file`) in a worker thread, under the data
dir's ingest lock. An upload is never fetched from: pages it links to are only counted.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from datetime import date
from pathlib import Path

from telegram import Document, Update
from telegram.constants import ChatType

from bot.bot_data import Context, bot_data
from bot.errors import describe_error
from bot.following import push_followed, scheduled_push
from bot.formatting import escape, stats_html
from bot.sending import send, typing
from config.errors import NewsbotError
from config.settings import IngestSettings
from ingest.intake import FileIngest, ingest_file
from ingest.loaders import SUFFIXES, file_kind
from ingest.pipeline import IngestLockedError
from ingest.subscriptions import Subscriptions, subscriptions_path
from ingest.sync import sync_feeds
from retrieval.archive import Archive

log = logging.getLogger(__name__)

MAX_ERRORS_SHOWN = 10

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


async def on_stats(update: Update, context: Context) -> None:
    """/stats: what the archive holds."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit_admin(update):
        return
    stats = await asyncio.to_thread(data.archive.stats)
    await send(context.bot, chat.id, stats_html(stats))


def sync_summary(archive: Archive, settings: IngestSettings, wait_s: float) -> str:
    """Pull every subscribed feed once (in a worker thread); a summary line per feed.

    A running ingest is waited for up to `wait_s`, then the sync gives up (IngestLockedError).
    """
    subscriptions = Subscriptions(subscriptions_path(archive.data_dir))
    if not subscriptions.list():
        return "No feeds are subscribed; add one with `newsbot feeds add URL`."
    reports = sync_feeds(
        archive, subscriptions, today=date.today(), wait_s=wait_s, settings=settings
    )
    return "\n".join(report.line() for report in reports)


async def on_sync(update: Update, context: Context) -> None:
    """/sync: pull the feeds now; a line per feed, or why it could not be done."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await data.access.admit_admin(update):
        return
    try:
        summary = await asyncio.to_thread(
            sync_summary, data.archive, data.ingest, data.settings.sync_wait_seconds
        )
    except NewsbotError as error:  # another ingest running, a broken subscriptions file, ...
        summary = describe_error(error)
    await send(context.bot, chat.id, escape(summary))
    await push_followed(context.bot, data)


async def scheduled_sync(context: Context) -> None:
    """The JobQueue's periodic sync; failures are logged, never fatal to the bot."""
    try:
        data = bot_data(context)
        summary = await asyncio.to_thread(
            sync_summary, data.archive, data.ingest, data.settings.sync_wait_seconds
        )
    except NewsbotError as error:
        log.warning("scheduled sync skipped: %s", error)
        return
    log.info("scheduled sync: %s", summary.replace("\n", "; "))
    await scheduled_push(context)


async def on_ingest_command(update: Update, context: Context) -> None:
    """/ingest: how to add articles."""
    data = bot_data(context)
    message = update.effective_message
    if message is None or not await data.access.admit_admin(update):
        return
    await message.reply_text(
        f"Send me a file ({' '.join(SUFFIXES)}, up to {data.settings.max_upload_mb:g} MB) "
        "and I'll add its articles. In a group, give it the caption /ingest."
    )


async def on_document(update: Update, context: Context) -> None:
    """An admin's file: downloaded to a temporary folder and ingested under the lock."""
    data = bot_data(context)
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.document is None:
        return
    caption = (message.caption or "").split(maxsplit=1)
    if chat.type != ChatType.PRIVATE and not (caption and caption[0].lower().startswith("/ingest")):
        return  # files shared in a group are not meant for us
    if not await data.access.admit_admin(update):
        return
    document = message.document
    name = safe_file_name(document.file_name)
    max_mb = data.settings.max_upload_mb
    refusal = upload_refusal(name, document.file_size or 0, max_mb)
    if refusal:
        await message.reply_text(refusal)
        return
    async with typing(context.bot, chat.id, None, data.typing_interval):
        report = await _take_upload(
            data.archive, data.ingest, document, name, max_mb, data.settings.upload_wait_seconds
        )
    await send(context.bot, chat.id, report)
    await push_followed(context.bot, data)


async def _take_upload(
    archive: Archive,
    settings: IngestSettings,
    document: Document,
    name: str,
    max_mb: float,
    wait_s: float,
) -> str:
    """Download to a temporary folder, ingest in a worker thread; the reply as HTML."""
    with tempfile.TemporaryDirectory(prefix="newsbot-upload-") as folder:
        path = Path(folder) / name
        await (await document.get_file()).download_to_drive(path)
        refusal = upload_refusal(name, path.stat().st_size, max_mb)
        if refusal:
            return escape(refusal)
        try:
            upload = await asyncio.to_thread(
                ingest_file,
                archive,
                path,
                today=date.today(),
                wait_s=wait_s,
                settings=settings,
            )
        except IngestLockedError:  # said plainly: the lock's path means nothing in a chat
            return "Another ingest is running; try again in a minute."
        except NewsbotError as error:
            return escape(describe_error(error).replace(folder + "/", ""))
        return _upload_report(name, upload, folder)


def upload_refusal(name: str, size: int, max_mb: float) -> str | None:
    """Why a file cannot be ingested (its type, its size), or None when it can."""
    if file_kind(Path(name)) is None:
        return f"I can't read {name}. Send one of: {' '.join(SUFFIXES)}"
    if size > max_mb * 2**20:
        return f"{name} is too big ({size / 2**20:.1f} MB; the limit is {max_mb:g} MB)."
    return None


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


def _upload_report(name: str, upload: FileIngest, folder: str) -> str:
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
