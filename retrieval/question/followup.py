"""Conversation state per chat and rule-based rewriting of follow-up questions.

"And what did Russia say?" or "When was that?" mean little alone. A follow-up is recognised
by its opening ("and", "what about", "also"), by pronouns standing for something said before,
or by having no subject of its own; it is then searched together with the key terms of the
previous standalone question and the title of the article that answered it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.results import Answer
from retrieval.text.sentences import content_words

_OPENERS = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|and what about|what else|anything else|"
    r"tell me more|more on|same for|why|when was that|where was that|who was that)\b",
    re.I,
)
_PRONOUNS = re.compile(
    r"\b(it|its|that|this|these|those|they|them|their|he|him|his|she|her|there|then|the same)\b",
    re.I,
)
_SUBJECTLESS = 2  # a question with at most this many content words has no subject of its own


@dataclass(frozen=True)
class Turn:
    """One question as asked, as searched, and what was answered."""

    asked: str
    standalone: str
    answer: Answer


@dataclass
class Conversation:
    """What one chat has said so far (reset by /new)."""

    turns: list[Turn] = field(default_factory=list)
    max_turns: int = 6

    @property
    def last_answer(self) -> Answer | None:
        return self.turns[-1].answer if self.turns else None

    def record(self, asked: str, standalone: str, answer: Answer) -> None:
        """Remember a turn, keeping only the last few."""
        self.turns.append(Turn(asked, standalone, answer))
        del self.turns[: -self.max_turns]

    def rewrite(self, question: str) -> str:
        """A standalone version of `question` (unchanged when it stands alone)."""
        if not self.turns or not is_follow_up(question):
            return question
        previous = self.turns[-1]
        context_terms = content_words(previous.standalone)
        answer = previous.answer
        if answer.citations and not answer.abstained:
            context_terms += content_words(answer.citations[0].passage.title)
        own = set(content_words(question))
        extra = [t for t in dict.fromkeys(context_terms) if t not in own]
        if not extra:
            return question
        return f"{question.rstrip()} ({' '.join(extra[:12])})"


def is_follow_up(question: str) -> bool:
    """Does the question lean on what was said before?"""
    if _OPENERS.match(question):
        return True
    terms = content_words(question)
    if len(terms) <= _SUBJECTLESS:
        return True
    return bool(_PRONOUNS.search(question)) and len(terms) <= 4
