"""An LLM answer shown as it is written: one Telegram message, edited as the text streams in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.formatting import escape, split_message

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # answers never unfurl their links


class StreamDraft:
    """A message that shows an LLM reply as it is written, edited at most every 1.2 s.

    The model's raw text is only a preview: when the answer is ready the message is replaced
    by the verified answer (unsupported sentences dropped, citations checked).
    """

    EDIT_EVERY_S = 1.2

    def __init__(self, bot: Bot, chat_id: int, thread_id: int | None, reply_to: int | None) -> None:
        self.bot, self.chat_id, self.thread_id, self.reply_to = bot, chat_id, thread_id, reply_to
        self.text = ""
        self.shown = ""
        self.message_id: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def feed(self) -> Callable[[str], None]:
        """A callback for the worker thread: appends streamed text (thread-safe)."""
        loop = asyncio.get_running_loop()

        def push(delta: str) -> None:
            loop.call_soon_threadsafe(self._append, delta)

        return push

    def _append(self, delta: str) -> None:
        self.text += delta

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.EDIT_EVERY_S)
            await self._show()

    async def _show(self) -> None:
        preview = self.text.strip()
        if not preview or preview == self.shown:
            return
        body = escape(preview[:3500]) + " …"
        try:
            if self.message_id is None:
                reply = (
                    ReplyParameters(self.reply_to, allow_sending_without_reply=True)
                    if self.reply_to is not None
                    else None
                )
                sent = await self.bot.send_message(
                    self.chat_id,
                    body,
                    parse_mode=ParseMode.HTML,
                    message_thread_id=self.thread_id,
                    reply_parameters=reply,
                    link_preview_options=NO_PREVIEW,
                )
                self.message_id = sent.message_id
            else:
                await self.bot.edit_message_text(
                    body,
                    chat_id=self.chat_id,
                    message_id=self.message_id,
                    parse_mode=ParseMode.HTML,
                )
            self.shown = preview
        except TelegramError as error:  # a preview that fails is skipped; the answer still comes
            log.info("stream preview not shown: %s", error)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def replace(self, final_html: str, markup: InlineKeyboardMarkup | None) -> bool:
        """Put the verified answer in place of the preview; False when there is no preview or
        the answer needs more than one message (then it is sent normally, preview removed)."""
        if self.message_id is None:
            return False
        parts = split_message(final_html)
        if len(parts) == 1:
            try:
                await self.bot.edit_message_text(
                    parts[0],
                    chat_id=self.chat_id,
                    message_id=self.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                )
                return True
            except BadRequest as error:
                log.warning(
                    "could not replace the preview (%s); sending the answer anew", error.message
                )
        with contextlib.suppress(TelegramError):
            await self.bot.delete_message(self.chat_id, self.message_id)
        return False
