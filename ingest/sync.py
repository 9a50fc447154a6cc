"""`newsbot sync`: pull every subscribed feed once and ingest new and changed entries.

Feeds are asked conditionally (ETag / Last-Modified), so a feed with nothing new costs one
304 and no model work. A feed's state is saved only after its articles are stored: a crash in
between means the entries are read again next time, never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingest.articles import LoadError
from ingest.fetch import Fetcher
from ingest.pipeline import Ingestor, IngestSummary
from ingest.subscriptions import Subscriptions, sync_feed


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


def subscriptions_path(data_dir: Path) -> Path:
    """Where a data dir keeps its feed subscriptions."""
    return data_dir / "feeds.json"


def sync_all(
    ingestor: Ingestor,
    subscriptions: Subscriptions,
    fetcher: Fetcher,
    *,
    today: date,
    only: str | None = None,
    on_report: Callable[[FeedReport], None] | None = None,
) -> list[FeedReport]:
    """Sync every feed (or the one named `only`); failures are reported per feed."""
    subs = [subscriptions.get(only)] if only else subscriptions.list()
    reports = []
    for sub in subs:
        result = sync_feed(sub, fetcher, today=today)
        report = FeedReport(
            name=result.name,
            url=result.url,
            not_modified=result.not_modified,
            new=len(result.new),
            changed=len(result.changed),
            removed=len(result.removed_guids),
            errors=list(result.errors),
        )
        articles = [*result.new, *result.changed]
        if articles:
            report.summary = ingestor.ingest(articles)
            report.errors.extend(report.summary.errors)
        subscriptions.record(result)
        reports.append(report)
        if on_report:
            on_report(report)
    return reports
