"""`newsbot feeds add|list|remove` and `newsbot sync`.

Subscription errors (a bad URL, an unknown name, a broken file) are `NewsbotError`s: the
`newsbot` group turns them into one line and exit code 1.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from bot.context import CliContext

if TYPE_CHECKING:  # annotations only: the module itself stays light for `newsbot --help`
    from ingest.subscriptions import Subscriptions


def _subscriptions(obj: CliContext) -> Subscriptions:
    # Deferred: ingest pulls in feedparser, httpx and trafilatura (about a second).
    from ingest.subscriptions import Subscriptions, subscriptions_path

    return Subscriptions(subscriptions_path(obj.settings.data_dir))


@click.group("feeds")
def feeds_group() -> None:
    """Feed subscriptions that `newsbot sync` pulls."""


@feeds_group.command("add")
@click.argument("url")
@click.option("--name", help="Short name (default: the feed's host).")
@click.pass_obj
def feeds_add(obj: CliContext, url: str, name: str | None) -> None:
    """Subscribe to an RSS or Atom feed."""
    sub = _subscriptions(obj).add(url, name)
    click.echo(f"subscribed to {sub.url} as {sub.name!r}; run `newsbot sync` to pull it")


@feeds_group.command("list")
@click.pass_obj
def feeds_list(obj: CliContext) -> None:
    """Show subscriptions and when each was last synced."""
    subs = _subscriptions(obj).list()
    if not subs:
        click.echo("no subscriptions; add one with `newsbot feeds add URL`")
    for sub in subs:
        state = f"last sync {sub.last_sync}" if sub.last_sync else "never synced"
        if sub.last_error:
            state += f", last error: {sub.last_error}"
        click.echo(f"{sub.name}\t{sub.url}\t{len(sub.entries)} entries\t{state}")


@feeds_group.command("remove")
@click.argument("url_or_name")
@click.pass_obj
def feeds_remove(obj: CliContext, url_or_name: str) -> None:
    """Unsubscribe (articles already ingested stay in the archive)."""
    sub = _subscriptions(obj).remove(url_or_name)
    click.echo(f"unsubscribed from {sub.name!r}")


@click.command("sync")
@click.option("--feed", "only", help="Sync only this feed (URL or name).")
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for another ingest.")
@click.pass_obj
def sync_command(obj: CliContext, only: str | None, wait: float) -> None:
    """Pull every subscribed feed once: new and changed entries only."""
    # Deferred: the archive loads Chroma and the embedding model.
    from ingest.sync import sync_feeds
    from retrieval.archive import Archive

    subscriptions = _subscriptions(obj)
    if not subscriptions.list():
        raise click.ClickException("no subscriptions; add one with `newsbot feeds add URL`")
    archive = Archive.open(obj.settings)
    reports = sync_feeds(
        archive,
        subscriptions,
        today=date.today(),
        wait_s=wait,
        only=only,
        on_report=lambda r: click.echo(r.line()),
        settings=obj.settings.ingest,
    )
    for report in reports:
        for failure in report.errors:
            click.echo(f"failed: {failure}", err=True)
    if reports and all(r.errors and not (r.new or r.changed or r.not_modified) for r in reports):
        raise click.ClickException("every feed failed")
