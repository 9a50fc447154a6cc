"""Who the Telegram bot serves: the allow-lists, the admins, and one refusal per stranger an hour.

When `allowed_users` or `allowed_chats` is set, a message is served when its sender is in
`allowed_users` or its chat in `allowed_chats` (admins always); anyone else gets one short
refusal (at most one an hour) and nothing from the archive.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict

from telegram import Update

from config.settings import TelegramSettings

log = logging.getLogger(__name__)

REFUSE_EVERY_S = 3600.0
REFUSALS_KEPT = 10_000  # strangers remembered, so each is refused at most once an hour

REFUSAL = "Sorry, this bot is private."
ADMINS_ONLY = "Only the bot's admins can do that."


class Access:
    """The access rules of one bot, and when each stranger was last refused."""

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self._refused: OrderedDict[tuple[int, int], float] = OrderedDict()

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admins

    def is_allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        """Open when both allow-lists are empty; else the user's or the chat's list admits."""
        users, chats = self.settings.allowed_users, self.settings.allowed_chats
        if self.is_admin(user_id) or not (users or chats):
            return True
        return user_id in users or chat_id in chats

    async def admit(self, update: Update) -> bool:
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

    async def admit_admin(self, update: Update) -> bool:
        """Whether to serve an admin command: admitted, and the sender is an admin (else told so)."""
        if not await self.admit(update):
            return False
        user, message = update.effective_user, update.effective_message
        if self.is_admin(user.id if user else None):
            return True
        if message is not None:
            await message.reply_text(ADMINS_ONLY)
        return False
