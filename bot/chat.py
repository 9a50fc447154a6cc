"""`newsbot chat`: a terminal conversation with follow-ups, /sources, /new and /quit.

/good, /bad, /correct and /notinarchive rate the last answer into the feedback store, as the
Telegram buttons do (channel "cli", no chat or user id, one key per answer of the session).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

import click

from bot.feedback import FeedbackStore, Verdict, clean_correction
from bot.render import answer_text
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder
from retrieval.results import Answer

HELP = (
    "Ask a question about the archive. Follow-ups like 'and when was that?' use the "
    "conversation so far.\nCommands: /sources (passages of the last answer), /new (forget the "
    "conversation), /stats, /quit.\nRate the last answer: /good, /bad, /bad the answer is X "
    "(or /correct X), /notinarchive (the archive cannot answer it)."
)

_RATING = re.compile(r"/(good|bad|correct|notinarchive)\b\s*(.*)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Rating:
    """What a rating command says about the last answer."""

    verdict: Verdict
    correction: str | None = None
    not_in_archive: bool = False


def parse_rating(text: str) -> Rating | str | None:
    """The rating a command gives, a usage hint for a half-given one, or None: not a rating."""
    match = _RATING.fullmatch(text.strip())
    if match is None:
        return None
    command, rest = match[1].lower(), match[2]
    if command == "good":
        return Rating("up")
    if command == "notinarchive":
        return Rating("down", not_in_archive=True)
    correction = clean_correction(rest)
    if command == "correct" and correction is None:
        return "(give the right answer: /correct 12 May 2019)"
    return Rating("down", correction=correction)


class _Rater:
    """Ratings of this session's answers: each answer gets its own key in the store."""

    def __init__(self, store: FeedbackStore, as_of: date | None) -> None:
        self.store = store
        self.as_of = as_of
        self.session = uuid.uuid4().hex[:12]  # keys of another session's answers never collide
        self.answered = 0
        self.last: Answer | None = None

    def answered_with(self, answer: Answer) -> None:
        self.answered += 1
        self.last = answer

    def rate(self, rating: Rating) -> str:
        if self.last is None:
            return "(no answer to rate yet)"
        entry_id = self.store.vote(
            self.last,
            rating.verdict,
            channel="cli",
            chat_id=None,
            user_id=None,
            as_of=self.as_of or date.today(),
            answer_key=f"{self.session}:{self.answered}",
        )
        if rating.correction or rating.not_in_archive:
            self.store.correct(entry_id, rating.correction, not_in_archive=rating.not_in_archive)
            what = "the archive cannot answer it" if rating.not_in_archive else rating.correction
            return f"(thanks: noted 👎, {what})"
        return "(thanks: noted 👍)" if rating.verdict == "up" else "(thanks: noted 👎)"


def run_chat(responder: Responder, *, feedback: FeedbackStore, as_of: date | None = None) -> None:
    """Read questions from the terminal until /quit or end of input; ratings go to `feedback`."""
    archive = responder.archive
    conversation = Conversation()
    rater = _Rater(feedback, as_of)
    click.echo("newsbot chat - " + "\n".join(HELP.splitlines()[1:]))
    while True:
        try:
            line = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.exceptions.Abort):
            click.echo()
            return
        text = line.strip()
        if not text:
            continue
        command = text.lower()
        if command in ("/quit", "/exit", "quit", "exit"):
            return
        if command == "/help":
            click.echo(HELP)
            continue
        rating = parse_rating(text)
        if rating is not None:
            click.echo(rating if isinstance(rating, str) else rater.rate(rating))
            continue
        if command == "/new":
            conversation = Conversation()
            click.echo("(new conversation)")
            continue
        if command == "/stats":
            stats = archive.catalog.stats()
            click.echo(
                f"{stats.articles} articles, {stats.chunks} chunks, {stats.first} to {stats.last}"
            )
            continue
        if command == "/sources":
            last = conversation.last_answer
            if last is None:
                click.echo("(no answer yet)")
            else:
                for rank, passage in enumerate(last.passages[:5], start=1):
                    click.echo(
                        f"[{rank}] {passage.label()} {passage.url or ''}\n    {passage.text[:400]}"
                    )
            continue
        answer = responder.ask(text, AskOptions(as_of=as_of), conversation=conversation)
        rater.answered_with(answer)
        click.echo("newsbot> " + answer_text(answer))
