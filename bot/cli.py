"""The `newsbot` command: ingest, ask, chat, stats, remove, eval, feeds, sync, feedback,
coverage, telegram.

The only place that parses arguments, prints and exits. Settings are built once here and
passed down. Errors meant for people become one line and exit code 1; `--debug` shows the
traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from bot.context import CliContext, iso_date
from bot.coverage_cli import coverage_command
from bot.errors import USER_ERRORS, BotSetupError, describe_error
from bot.evaluate import eval_command
from bot.feedback import FeedbackStore
from bot.feedback_cli import feedback_group
from bot.feeds_cli import feeds_group, sync_command
from bot.render import answer_json, answer_text
from config.settings import Settings
from retrieval.text.language import language_code

if TYPE_CHECKING:  # annotations only: importing the archive loads Chroma and torch
    from retrieval.archive import Archive

log = logging.getLogger("newsbot")


def _language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    code = language_code(value)
    if code is None:
        raise click.BadParameter(f"{value!r} is not a language code like ru, en or fr")
    return code


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.INFO if debug else logging.ERROR)


class _Group(click.Group):
    """Turns the errors meant for people into one line and exit code 1 (`--debug`: traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            if isinstance(ctx.obj, CliContext) and ctx.obj.debug:
                raise
            raise click.ClickException(describe_error(error)) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir", type=click.Path(path_type=Path), help="Store and state (NEWSBOT_DATA_DIR)."
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option("0.1.0", prog_name="newsbot")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, debug: bool) -> None:
    """Ask questions of a news archive and get answers that cite the passages."""
    _setup_logging(debug)
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = "NEWSBOT_" + "__".join(str(p).upper() for p in first["loc"])
        raise click.ClickException(f"bad setting {field}: {first['msg']}") from error
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = CliContext(settings=settings, debug=debug)


def _open(obj: CliContext) -> Archive:
    # Deferred, like every heavy import here: Chroma and torch take seconds; `--help` is instant.
    from retrieval.archive import Archive

    return Archive.open(obj.settings)


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--source", help="Outlet name for articles that do not state one.")
@click.option(
    "--published", callback=iso_date, help="Publication date (YYYY-MM-DD) for undated articles."
)
@click.option(
    "--language",
    callback=_language,
    help="Language (ISO 639-1, e.g. ru) for articles that do not state one; else detected.",
)
@click.option("--map", "mapping", help="Column names for odd exports: body=text,published=date")
@click.option(
    "--wait", type=float, default=0.0, help="Seconds to wait for another ingest to finish."
)
@click.option(
    "--first-pass-only",
    is_flag=True,
    help="Stop once every article is searchable by its headline, lede and keywords; "
    "the next ingest embeds the remaining chunks.",
)
@click.pass_obj
def ingest(
    obj: CliContext,
    inputs: tuple[str, ...],
    source: str | None,
    published: date | None,
    language: str | None,
    mapping: str | None,
    wait: float,
    first_pass_only: bool,
) -> None:
    """Ingest files, folders, feeds, web archives, URL lists or URLs.

    In passes: every article is stored, keyword-indexed and embedded by its headline and
    lede first (searchable from then on), then every chunk is embedded from its full text,
    then every sentence (so answers need not embed them).
    A killed run loses nothing stored; the next one (with no INPUTS: only that) carries on
    with what is left.
    """
    from tqdm import tqdm  # deferred: only this command draws a progress bar

    # Deferred: ingest loads Chroma, the embedding model and the page extractors.
    from ingest.intake import gather, parse_mapping
    from ingest.pipeline import Ingestor, ingest_lock

    column_map = parse_mapping(mapping) if mapping else None
    archive = _open(obj)
    if not inputs and not archive.catalog.awaiting_count() and not archive.unread_sentences():
        raise click.UsageError("give the files, folders, feeds or URLs to ingest")
    chunks_bar: Any = None
    sentences_bar: Any = None

    def chunk_progress(done: int, total: int) -> None:
        nonlocal chunks_bar
        if chunks_bar is None:
            bar.close()
            chunks_bar = tqdm(
                desc="embed chunks (pass 2)",
                unit=" chunks",
                total=total,
                file=sys.stderr,
                mininterval=0.5,
                disable=None,
            )
        chunks_bar.update(done - chunks_bar.n)

    def sentence_progress(done: int, total: int) -> None:
        nonlocal sentences_bar
        if sentences_bar is None:
            bar.close()
            if chunks_bar is not None:
                chunks_bar.close()
            sentences_bar = tqdm(
                desc="embed sentences (pass 3)",
                unit=" chunks",
                total=total,
                file=sys.stderr,
                mininterval=0.5,
                disable=None,
            )
        sentences_bar.update(done - sentences_bar.n)

    with (
        ingest_lock(archive.data_dir, wait),
        tqdm(
            desc="ingest (pass 1)",
            unit=" articles",
            file=sys.stderr,
            mininterval=0.5,
            disable=None,
        ) as bar,
    ):
        items = gather(
            list(inputs),
            settings=obj.settings.ingest,
            today=date.today(),
            mapping=column_map,
            default_source=source,
            default_published=published,
            default_language=language,
        )
        summary = Ingestor(archive, obj.settings.ingest).ingest(
            items,
            progress=bar.update,
            second_pass=not first_pass_only,
            chunk_progress=chunk_progress,
            sentence_progress=sentence_progress,
        )
    for progress_bar in (chunks_bar, sentences_bar):
        if progress_bar is not None:
            progress_bar.close()
    for error in summary.errors:
        click.echo(f"failed: {error}", err=True)
    for warning in summary.warnings:  # stored, but a date or an older copy was not used
        click.echo(f"warning: {warning}", err=True)
    click.echo(summary.line())


@cli.command()
@click.argument("question")
@click.option("--as-of", callback=iso_date, help="Date the question is asked on (YYYY-MM-DD).")
@click.option("--top-k", type=click.IntRange(1, 100), help="Passages to retrieve (default 10).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def ask(
    obj: CliContext, question: str, as_of: date | None, top_k: int | None, as_json: bool
) -> None:
    """Answer one question from the archive."""
    # Deferred: answering loads Chroma and the embedding model.
    from retrieval.responder import AskOptions, Responder

    if not question.strip():
        raise click.BadParameter("the question is empty", param_hint="QUESTION")
    entered = time.perf_counter()
    responder = Responder.from_settings(_open(obj), obj.settings)
    opened = time.perf_counter()
    answer = responder.ask(question, AskOptions(as_of=as_of, top_k=top_k))
    if as_json:
        click.echo(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        click.echo(answer_text(answer))
    if obj.debug:  # where the first answer's time went (models load inside retrieve/answer)
        parts = [f"process start -> command {_since_process_start(entered):.0f}"]
        parts.append(f"open archive {(opened - entered) * 1000:.0f}")
        parts += [f"{name} {ms:.0f}" for name, ms in answer.timings_ms.items()]
        parts.append(f"wall {_since_process_start(time.perf_counter()):.0f}")
        click.echo("timings (ms): " + ", ".join(parts), err=True)


def _since_process_start(moment: float) -> float:
    """Milliseconds from this process's start (interpreter start-up included) to `moment`,
    from /proc; NaN where there is no /proc."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")
    started_ago = uptime - ticks / os.sysconf("SC_CLK_TCK")
    return (started_ago - (time.perf_counter() - moment)) * 1000


@cli.command()
@click.option("--as-of", callback=iso_date, help="Date the conversation happens on (YYYY-MM-DD).")
@click.pass_obj
def chat(obj: CliContext, as_of: date | None) -> None:
    """A terminal conversation: ask, follow up, /good, /bad, /sources, /new, /quit."""
    # Deferred: the chat answers through the responder, which loads Chroma and the model.
    from bot.chat import run_chat
    from retrieval.responder import Responder

    responder = Responder.from_settings(_open(obj), obj.settings)
    feedback = FeedbackStore.in_data_dir(obj.settings.data_dir)
    try:
        run_chat(responder, feedback=feedback, as_of=as_of)
    finally:
        feedback.close()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def stats(obj: CliContext, as_json: bool) -> None:
    """What the archive holds: articles, chunks, outlets, languages, dates, where it lives."""
    archive = _open(obj)
    figures = archive.stats()
    cat = figures.catalog
    unread = archive.unread_sentences()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "articles": cat.articles,
                    "chunks": cat.chunks,
                    "vectors": figures.vectors,
                    "outlets": dict(cat.outlets),
                    "languages": dict(cat.languages),
                    "first": cat.first.isoformat() if cat.first else None,
                    "last": cat.last.isoformat() if cat.last else None,
                    "undated": cat.undated,
                    "awaiting_second_pass": cat.awaiting,
                    "awaiting_sentence_vectors": unread,
                    "store": {"kind": figures.store_kind, "location": figures.store_location},
                    "embedding_model": figures.embedding_model,
                }
            )
        )
        return
    click.echo(f"store:     {figures.store_kind} Chroma at {figures.store_location}")
    click.echo(f"articles:  {cat.articles}")
    click.echo(f"chunks:    {cat.chunks} ({figures.vectors} vectors)")
    if cat.awaiting:
        click.echo(
            f"ingest:    pass 1 done (every article searchable by headline, lede and keywords); "
            f"pass 2: {cat.awaiting} chunks still to embed (run `newsbot ingest`)"
        )
    elif unread:
        click.echo(
            "ingest:    passes 1-2 done (every chunk embedded); pass 3: sentence vectors of "
            f"{unread} chunks still to store (answers embed those sentences until then; "
            "run `newsbot ingest`)"
        )
    else:
        click.echo("ingest:    complete (every chunk embedded)")
    span = f"{cat.first} to {cat.last}" if cat.first else "no dated articles"
    click.echo(f"dates:     {span}" + (f" ({cat.undated} undated)" if cat.undated else ""))
    outlets = ", ".join(f"{name} ({n})" for name, n in cat.outlets[:10])
    more = f" and {len(cat.outlets) - 10} more" if len(cat.outlets) > 10 else ""
    click.echo(f"outlets:   {outlets or '-'}{more}")
    click.echo(f"languages: {', '.join(f'{code} ({n})' for code, n in cat.languages) or '-'}")
    click.echo(f"model:     {figures.embedding_model}")


@cli.command()
@click.option("--force", is_flag=True, help="Re-embed even if the model has not changed.")
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for an ingest to finish.")
@click.pass_obj
def reembed(obj: CliContext, force: bool, wait: float) -> None:
    """Re-embed the archive with the configured model and backend, from the stored text.

    Set NEWSBOT_EMBEDDING__MODEL / __BACKEND to the new ones first. No source files are
    needed; a killed run is carried on by the next `reembed` or `ingest`. Until it ends,
    questions are answered from the chunks re-embedded so far and by keyword.
    """
    from tqdm import tqdm  # deferred: only this command and ingest draw progress bars

    # Deferred: re-embedding loads Chroma and the embedding model.
    from ingest.pipeline import ingest_lock
    from ingest.reembed import reembed as run_reembed

    archive = _open(obj)
    bar: Any = None

    def chunk_progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(desc="re-embed", unit=" chunks", total=total, file=sys.stderr, disable=None)
        bar.update(done - bar.n)

    with ingest_lock(archive.data_dir, wait):
        summary = run_reembed(
            archive, obj.settings.ingest, force=force, chunk_progress=chunk_progress
        )
    if bar is not None:
        bar.close()
    if summary is None:
        identity = archive.catalog.meta("embedding")
        click.echo(f"the archive is already embedded with {identity}: nothing to do (--force)")
        return
    click.echo(summary.line())


@cli.command()
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for an ingest to finish.")
@click.pass_obj
def repair(obj: CliContext, wait: float) -> None:
    """Rebuild the Chroma collection from the local vector file (after a damaged store).

    A process killed while Chroma writes its index can leave it unreadable; the catalog and
    the vector file keep everything needed to store it again, without the model.
    """
    from tqdm import tqdm  # deferred: only the commands that work through an archive draw bars

    # Deferred: repairing loads Chroma.
    from ingest.pipeline import ingest_lock
    from ingest.repair import repair as run_repair

    archive = _open(obj)
    with (
        ingest_lock(archive.data_dir, wait),
        tqdm(desc="repair", unit=" chunks", file=sys.stderr, disable=None) as bar,
    ):
        summary = run_repair(archive, obj.settings.ingest, progress=bar.update)
    click.echo(summary.line())


@cli.command()
@click.argument("article_id", required=False)
@click.option("--url", help="Remove the article with this URL.")
@click.pass_obj
def remove(obj: CliContext, article_id: str | None, url: str | None) -> None:
    """Remove an article by id or URL."""
    # Deferred: the ingest pipeline loads Chroma.
    from ingest.pipeline import Ingestor, ingest_lock

    key = article_id or url
    if not key:
        raise click.UsageError("give an ARTICLE_ID or --url URL")
    archive = _open(obj)
    resolved = archive.catalog.resolve(key)
    if resolved is None:
        raise click.ClickException(f"no article with id or URL {key!r} in {archive.data_dir}")
    with ingest_lock(archive.data_dir, 10.0):
        Ingestor(archive, obj.settings.ingest).remove(resolved)
    click.echo(f"removed {resolved}")


@cli.command("telegram")
@click.option("--webhook", "webhook_url", metavar="URL", help="Public HTTPS URL: webhook mode.")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Webhook server address.")
@click.option("--port", type=click.IntRange(1, 65535), default=8443, show_default=True)
@click.pass_obj
def telegram_command(obj: CliContext, webhook_url: str | None, listen: str, port: int) -> None:
    """Run the Telegram bot: long polling, or a webhook server with --webhook."""
    token = obj.settings.telegram.token
    if token is None or not token.get_secret_value().strip():
        raise click.ClickException("no Telegram bot token: set NEWSBOT_TELEGRAM__TOKEN")
    if webhook_url is not None and not webhook_url.startswith("https://"):
        raise click.BadParameter("Telegram only calls https:// URLs", param_hint="--webhook")
    from bot.telegram import run  # deferred: PTB takes a second to import; `--help` stays instant

    try:
        run(obj.settings, webhook_url=webhook_url, listen=listen, port=port)
    except BotSetupError as error:
        # A setup problem is never a bug: one line even under --debug, and no token in a trace.
        raise click.ClickException(str(error)) from None


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=sys.argv[1:] if argv is None else argv, prog_name="newsbot")


cli.add_command(eval_command, "eval")
cli.add_command(feeds_group, "feeds")
cli.add_command(sync_command, "sync")
cli.add_command(feedback_group, "feedback")
cli.add_command(coverage_command, "coverage")
