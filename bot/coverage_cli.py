"""`newsbot coverage TOPIC`: how coverage of a topic rose and fell, as a table, JSON or a PNG.

Nothing found is a normal outcome: one line saying so, exit code 0.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.context import CliContext, iso_date

if TYPE_CHECKING:  # annotations only: the archive loads Chroma; `newsbot --help` stays light
    from retrieval.coverage import Coverage, Unit


def coverage_json(coverage: Coverage) -> dict[str, Any]:
    """The coverage as one JSON object: periods with each outlet's articles (zeros left out)."""
    return {
        "topic": coverage.topic,
        "unit": coverage.unit,
        "outlets": list(coverage.outlets),
        "folded_into_other_outlets": list(coverage.folded),
        "articles": coverage.articles,
        "undated": coverage.undated,
        "bins": [
            {
                "start": b.start.isoformat(),
                "total": b.total,
                "counts": {outlet: n for outlet, n in b.counts if n},
            }
            for b in coverage.bins
        ],
        "events": [{"date": day.isoformat(), "label": label} for day, label in coverage.events],
    }


@click.command("coverage")
@click.argument("topic")
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the chart to this PNG file.",
)
@click.option(
    "--by",
    "unit",
    type=click.Choice(["week", "month"]),
    help="Period of a bar (default: weeks for up to half a year, else months).",
)
@click.option("--since", callback=iso_date, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--until", callback=iso_date, help="Only articles published on or before YYYY-MM-DD.")
@click.option(
    "--events",
    is_flag=True,
    help="Ask the archive for the topic's timeline and mark its dated events (loads the model).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def coverage_command(
    obj: CliContext,
    topic: str,
    png: Path | None,
    unit: str | None,
    since: date | None,
    until: date | None,
    events: bool,
    as_json: bool,
) -> None:
    """Articles about TOPIC per week or month, by outlet: a table, JSON or a PNG chart."""
    # Deferred: the archive loads Chroma; the chart module is light until it draws.
    from bot.coverage_chart import coverage_caption, coverage_png, coverage_text
    from retrieval.archive import Archive
    from retrieval.coverage import count_coverage, events_from_answer
    from retrieval.topics import MAX_TOPIC_CHARS, articles_about

    topic = " ".join(topic.split())
    if not topic:
        raise click.BadParameter("the topic is empty", param_hint="TOPIC")
    if len(topic) > MAX_TOPIC_CHARS:
        raise click.BadParameter(f"at most {MAX_TOPIC_CHARS} characters", param_hint="TOPIC")
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    archive = Archive.open(obj.settings)
    matches = articles_about(archive, topic, obj.settings.retrieval, start=since, end=until)
    marked: tuple[tuple[date, str], ...] = ()
    if events and matches:
        # Deferred: answering loads the embedding model and the reader.
        from retrieval.responder import Responder

        answer = Responder.from_settings(archive, obj.settings).ask(
            f"What is the timeline of {topic}?"
        )
        marked = events_from_answer(answer)
    chosen: Unit | None = "week" if unit == "week" else "month" if unit == "month" else None
    found = count_coverage(topic, matches, unit=chosen, events=marked)
    if png is not None and found.bins:  # no dated article: no chart, the text says why
        png.write_bytes(coverage_png(found))
    if as_json:
        click.echo(json.dumps(coverage_json(found), ensure_ascii=False))
    elif png is not None and found.bins:
        click.echo(coverage_caption(found))
        click.echo(f"chart written to {png}")
    else:
        click.echo(coverage_text(found))
