"""Everything a person can hand to `newsbot ingest` -> Articles: paths, URLs, feeds, URL lists.

Local files go through the loaders; URLs are fetched once and sniffed (a feed, a list of
URLs, or a page). Pages that loaders or feeds only point at (`PendingUrl`) are fetched here, so
loaders never touch the network. Defaults given on the command line fill only what an article
lacks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.feeds import entry_item, feed_problem, parse_feed
from ingest.fetch import Fetcher, FetchError, PendingUrl, fetch_article
from ingest.htmlpage import article_from_html, decode_bytes
from ingest.loaders import is_url_list, load_paths
from ingest.warc import WarcSkip

IntakeItem = Article | LoadError | WarcSkip
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")


def parse_mapping(text: str) -> dict[str, str]:
    """`body=text,published=date` -> {"body": "text", "published": "date"}."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        ours, sep, theirs = part.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise ValueError(f"--map expects field=column pairs like body=text, got {part!r}")
        mapping[ours.strip().lower()] = theirs.strip()
    return mapping


def is_url(text: str) -> bool:
    """Is this command-line input a web address rather than a path?"""
    return text.lower().startswith(("http://", "https://"))


def gather(
    inputs: Sequence[str],
    *,
    settings: IngestSettings,
    today: date,
    mapping: Mapping[str, str] | None = None,
    default_source: str | None = None,
    default_published: date | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[IntakeItem]:
    """Every article the inputs hold, fetching what they point at; errors as items."""
    own_fetcher = fetcher is None
    active = fetcher or Fetcher(settings)
    try:
        for text in inputs:
            if is_url(text):
                raw: Iterator[object] = fetch_input(text, active, today=today)
            else:
                path = Path(text)
                if not path.exists():
                    yield LoadError(text, "no such file or folder")
                    continue
                raw = iter(load_paths([path], settings=settings, today=today, csv_mapping=mapping))
            for found in raw:
                item = (
                    fetch_article(found, active, today=today)
                    if isinstance(found, PendingUrl)
                    else found
                )
                if isinstance(item, Article):
                    yield item.with_defaults(default_source, default_published)
                elif isinstance(item, LoadError | WarcSkip):
                    yield item
    finally:
        if own_fetcher:
            active.close()


def fetch_input(
    url: str, fetcher: Fetcher, *, today: date
) -> Iterator[Article | LoadError | PendingUrl]:
    """A URL given to ingest: a feed's entries, a URL list's pages, or the page itself."""
    try:
        result = fetcher.get(url)
    except FetchError as error:
        yield LoadError(url, error.reason)
        return
    media_type = (result.content_type or "").split(";")[0].strip().lower()
    head = result.content[:512].lstrip().lower()
    if media_type in _FEED_TYPES or head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        parsed = parse_feed(result.content, origin=url)
        if problem := feed_problem(parsed):
            yield problem
            return
        for entry in parsed.entries:
            yield entry_item(parsed, entry, today=today)
        return
    text = decode_bytes(result.content, declared=result.content_type)
    if media_type == "text/plain" and is_url_list(text):
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                yield PendingUrl(url=line.strip(), origin=url)
        return
    yield article_from_html(text, origin=url, url=result.final_url, today=today)
