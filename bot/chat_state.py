"""What the bot remembers per chat: its conversation, and its recent answers for Sources buttons.

Memory only, and bounded: the last ANSWERS_PER_CHAT answers of a chat, for at most MAX_CHATS
chats, the least recently used chat forgotten first. An answer with its passages is about
10 KB, so a full bot holds roughly 16 x 2,000 x 10 KB = 320 MB at most. A button whose answer
has been forgotten gets an alert asking to ask again; nothing else is lost.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from retrieval.question.followup import Conversation
from retrieval.results import Answer

ANSWERS_PER_CHAT = 16  # how far back a Sources button keeps working
MAX_CHATS = 2_000


@dataclass
class ChatState:
    """One chat's conversation and its recent answers, keyed for the answer's buttons."""

    conversation: Conversation = field(default_factory=Conversation)
    answers: OrderedDict[str, Answer] = field(default_factory=OrderedDict)
    asked_on: dict[str, date] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def remember(self, answer: Answer, asked_on: date | None = None) -> str:
        """Store `answer` (asked on `asked_on`, default today) under a fresh unguessable key;
        the oldest fall out."""
        key = secrets.token_urlsafe(6)
        self.answers[key] = answer
        self.asked_on[key] = asked_on or date.today()
        while len(self.answers) > ANSWERS_PER_CHAT:
            old, _ = self.answers.popitem(last=False)
            self.asked_on.pop(old, None)
        return key


class ChatStates:
    """Per-chat state, least recently used chats forgotten first."""

    def __init__(self, max_chats: int = MAX_CHATS) -> None:
        self.max_chats = max_chats
        self._chats: OrderedDict[int, ChatState] = OrderedDict()

    def get(self, chat_id: int) -> ChatState:
        """The chat's state (new if forgotten or never seen), now the most recently used."""
        state = self._chats.pop(chat_id, None) or ChatState()
        self._chats[chat_id] = state
        while len(self._chats) > self.max_chats:
            self._chats.popitem(last=False)
        return state

    def peek(self, chat_id: int) -> ChatState | None:
        """The chat's state if it is still kept, without making it recently used."""
        return self._chats.get(chat_id)

    def __len__(self) -> int:
        return len(self._chats)
