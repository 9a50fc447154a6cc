"""`newsbot chat`: a terminal conversation with follow-ups, /sources, /new and /quit.

/good, /bad, /correct and /notinarchive rate the last answer into the feedback store, as the
Telegram buttons do (channel "cli", no chat or user id, one key per answer of the session).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from bot.feedback import FeedbackStore, Verdict, clean_correction
from bot.render import answer_text
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder
from retrieval.results import Answer

HELP = (
    "Ask a question about the archive. Follow-ups like 'and when was that?' use the "
    "conversation so far.\nCommands: /sources (passages of the last answer), /new (forget the "
    "conversation), /stats, /quit.\nCoverage: /coverage port strike (per week or month, by "
    "outlet; end with a file.png for the chart; /coverage alone after a timeline charts it).\n"
    "Rate the last answer: /good, /bad, /bad the answer is X "
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


def _coverage(responder: Responder, argument: list[str], conversation: Conversation) -> str:
    """`/coverage TOPIC [FILE.png]`: the table, and the chart when a .png is named; with no
    topic, the last timeline answer's topic with its events marked."""
    # Deferred: the chart code imports matplotlib when it draws, the counting needs the archive.
    from bot.coverage_chart import coverage_png, coverage_text
    from retrieval.coverage import coverage, events_from_answer
    from retrieval.question.profile import is_timeline, topic_of

    words = " ".join(argument).split()
    png = Path(words.pop()) if words and words[-1].lower().endswith(".png") else None
    topic = " ".join(words)
    events: tuple[tuple[date, str], ...] = ()
    last = conversation.last_answer
    if not topic and last is not None and is_timeline(last.question):
        topic, events = topic_of(last.question), events_from_answer(last)
    if not topic:
        return "(name a topic: /coverage port strike, or ask a timeline question first)"
    found = coverage(responder.archive, topic, responder.retrieval, events=events)
    text = coverage_text(found)
    if png is not None and found.bins:
        png.write_bytes(coverage_png(found))
        text += f"\n(chart written to {png})"
    return text


def _command(
    command: str, text: str, responder: Responder, conversation: Conversation
) -> str | None:
    """What /help, /stats, /sources and /coverage print; None for a question."""
    if command == "/help":
        return HELP
    if command == "/stats":
        stats = responder.archive.catalog.stats()
        return f"{stats.articles} articles, {stats.chunks} chunks, {stats.first} to {stats.last}"
    if command == "/sources":
        last = conversation.last_answer
        if last is None:
            return "(no answer yet)"
        return "\n".join(
            f"[{rank}] {passage.label()} {passage.url or ''}\n    {passage.text[:400]}"
            for rank, passage in enumerate(last.passages[:5], start=1)
        )
    if command == "/coverage" or command.startswith("/coverage "):
        return _coverage(responder, text.split(maxsplit=1)[1:], conversation)
    return None


def run_chat(responder: Responder, *, feedback: FeedbackStore, as_of: date | None = None) -> None:
    """Read questions from the terminal until /quit or end of input; ratings go to `feedback`."""
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
        rating = parse_rating(text)
        if rating is not None:
            click.echo(rating if isinstance(rating, str) else rater.rate(rating))
            continue
        if command == "/new":
            conversation = Conversation()
            click.echo("(new conversation)")
            continue
        reply = _command(command, text, responder, conversation)
        if reply is not None:
            click.echo(reply)
            continue
        answer = responder.ask(text, AskOptions(as_of=as_of), conversation=conversation)
        rater.answered_with(answer)
        click.echo("newsbot> " + answer_text(answer))
