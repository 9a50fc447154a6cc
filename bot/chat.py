"""`newsbot chat`: a terminal conversation with follow-ups, /sources, /new and /quit."""

from __future__ import annotations

from datetime import date

import click

from bot.render import answer_text
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder

HELP = (
    "Ask a question about the archive. Follow-ups like 'and when was that?' use the "
    "conversation so far.\nCommands: /sources (passages of the last answer), /new (forget the "
    "conversation), /stats, /quit."
)


def run_chat(responder: Responder, as_of: date | None = None) -> None:
    """Read questions from the terminal until /quit or end of input."""
    archive = responder.archive
    conversation = Conversation()
    click.echo("newsbot chat - " + HELP.splitlines()[1])
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
        click.echo("newsbot> " + answer_text(answer))
