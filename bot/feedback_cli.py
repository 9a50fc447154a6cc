"""`newsbot feedback export|stats`: users' ratings as a question set, and how they rate.

Only the feedback file is opened: no archive, no Chroma, no embedding model.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.context import CliContext
from bot.feedback import FeedbackEntry, FeedbackStore
from bot.feedback_export import write_question_set
from bot.feedback_stats import feedback_stats


def _entries(obj: CliContext) -> list[FeedbackEntry]:
    store = FeedbackStore.in_data_dir(obj.settings.data_dir)
    try:
        return store.entries()
    finally:
        store.close()


@click.group("feedback")
def feedback_group() -> None:
    """Users' 👍/👎 and corrections (Telegram and `newsbot chat`)."""


@feedback_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def feedback_export(obj: CliContext, file: Path) -> None:
    """Write the rated questions as a question set that `newsbot eval FILE` runs."""
    entries = _entries(obj)
    if not entries:
        click.echo(f"no feedback yet in {obj.settings.data_dir}: nothing written")
        return
    click.echo(write_question_set(file, entries).line())


@feedback_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def feedback_stats_command(obj: CliContext, as_json: bool) -> None:
    """Ratings per week and per question type: 👍, 👎, share 👍, corrections."""
    entries = _entries(obj)
    stats = feedback_stats(entries)
    if as_json:
        click.echo(json.dumps(stats.as_dict(), ensure_ascii=False))
    elif not entries:
        click.echo(f"no feedback yet in {obj.settings.data_dir}")
    else:
        click.echo(stats.table())
