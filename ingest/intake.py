"""Everything a person can hand to `newsbot ingest` -> Articles: paths, URLs, feeds, URL lists.

Local files go through the loaders; URLs are fetched once and sniffed (a feed, a list of
URLs, or a page). Pages that loaders or feeds only point at (`PendingUrl`) are fetched here, so
loaders never touch the network. Defaults given on the command line fill only what an article
lacks. `ingest_file` is the bot's upload: one file, ingested without fetching anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.feeds import feed_items, parse_feed
from ingest.fetch import Fetcher, FetchError, PendingUrl, fetch_article
from ingest.htmlpage import article_from_html, decode_bytes
from ingest.loaders import LoadItem, is_url_list, load_file, load_paths, url_lines
from ingest.pipeline import Ingestor, IngestSummary, ingest_lock
from ingest.warc import WarcSkip
from retrieval.archive import Archive

IntakeItem = Article | LoadError | WarcSkip
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")


@dataclass(frozen=True)
class FileIngest:
    """What ingesting one file did, and how many pages it links to were left unfetched."""

    summary: IngestSummary
    unfetched: int


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
    default_language: str | None = None,
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
                    yield item.with_defaults(default_source, default_published, default_language)
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
        yield from feed_items(parse_feed(result.content, origin=url), today=today)
        return
    text = decode_bytes(result.content, declared=result.content_type)
    if media_type == "text/plain" and is_url_list(text):
        for _, listed in url_lines(text):
            yield PendingUrl(url=listed, origin=url)
        return
    yield article_from_html(text, origin=url, url=result.final_url, today=today)


def ingest_file(
    archive: Archive,
    path: Path,
    *,
    today: date,
    wait_s: float,
    settings: IngestSettings | None = None,
) -> FileIngest:
    """Load one file (whatever its name) and ingest it under the data dir's lock, offline.

    What the bot does with an upload: nothing is fetched, so the pages a URL list or a feed's
    teasers point at are only counted.
    """
    unfetched: list[PendingUrl] = []

    def offline(items: Iterable[LoadItem]) -> Iterator[Article | LoadError]:
        for item in items:
            if isinstance(item, Article | LoadError):
                yield item
            elif isinstance(item, PendingUrl):
                unfetched.append(item)

    settings = settings or IngestSettings()
    with ingest_lock(archive.data_dir, wait_s):
        items = load_file(path, settings=settings, today=today)
        summary = Ingestor(archive, settings).ingest(offline(items))
    return FileIngest(summary, len(unfetched))
