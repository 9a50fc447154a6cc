"""Syncing subscriptions (`newsbot sync`, the bot's /sync): pull every feed once, ingest what is new.

Feeds are asked conditionally (ETag / Last-Modified), so a feed with nothing new costs one
304 and no model work. A feed's state is saved only after its articles are stored: a crash in
between means the entries are read again next time, never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date

from config.settings import IngestSettings
from ingest.articles import LoadError
from ingest.fetch import Fetcher
from ingest.pipeline import Ingestor, IngestSummary, ingest_lock
from ingest.subscriptions import Subscriptions, poll_feed
from retrieval.archive import Archive


@dataclass
class FeedReport:
    """What one feed's sync did."""

    name: str
    url: str
    not_modified: bool
    new: int = 0
    changed: int = 0
    removed: int = 0
    errors: list[LoadError] = field(default_factory=list)
    summary: IngestSummary | None = None

    def line(self) -> str:
        """One line for people."""
        if self.not_modified:
            return f"{self.name}: not modified"
        text = f"{self.name}: {self.new} new, {self.changed} changed"
        if self.removed:
            text += f", {self.removed} gone from the feed (kept in the archive)"
        if self.errors:
            text += f", {len(self.errors)} failed"
        return text


def sync_feeds(
    archive: Archive,
    subscriptions: Subscriptions,
    *,
    today: date,
    wait_s: float = 0.0,
    only: str | None = None,
    on_report: Callable[[FeedReport], None] | None = None,
    fetcher: Fetcher | None = None,
    settings: IngestSettings | None = None,
) -> list[FeedReport]:
    """Poll every feed (or the one named `only`) and ingest what is new; one report per feed.

    What `newsbot sync` and the bot's /sync run. The data dir's ingest lock is held throughout.

    Args:
        archive: where the articles go.
        subscriptions: the feeds, and where each one's state is recorded after its articles
            are stored.
        today: dates after tomorrow are flagged and not used.
        wait_s: how long to wait for another ingest to finish (else IngestLockedError).
        only: a feed's URL or name (SubscriptionError when there is none).
        on_report: called as each feed is done, e.g. to print its line.
        fetcher: the HTTP client to use; by default one made from `settings`.
        settings: the ingest section (fetch limits, chunking, syndication).
    """
    subs = [subscriptions.get(only)] if only else subscriptions.list()
    settings = settings or IngestSettings()
    with (
        ingest_lock(archive.data_dir, wait_s),
        Fetcher(settings) if fetcher is None else nullcontext(fetcher) as active,
    ):
        ingestor = Ingestor(archive, settings)
        reports = []
        for sub in subs:
            poll = poll_feed(sub, active, today=today)
            report = FeedReport(
                name=poll.name,
                url=poll.url,
                not_modified=poll.not_modified,
                new=len(poll.new),
                changed=len(poll.changed),
                removed=len(poll.removed_guids),
                errors=list(poll.errors),
            )
            articles = [*poll.new, *poll.changed]
            if articles:
                report.summary = ingestor.ingest(articles)
                report.errors.extend(report.summary.errors)
            subscriptions.record(poll)
            reports.append(report)
            if on_report:
                on_report(report)
    return reports
