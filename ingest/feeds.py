"""RSS and Atom feeds: parsing, and entries to Articles (from the feed or from the linked page).

An entry that carries the full article (content:encoded or Atom content, at least
`FULL_TEXT_MIN_WORDS` words) becomes an Article directly, dated by the feed. Any other entry
is a `PendingUrl` for its link: the page is fetched and its own metadata date is used when it
has one, the feed's date otherwise (pages state the original publication date; feeds often
carry the last update).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser

from ingest.articles import Article, LoadError
from ingest.dates import parse_date, vet_date
from ingest.fetch import Fetcher, PendingUrl, fetch_article
from ingest.htmlpage import html_to_text

# An entry with less text than this is a teaser, whatever tag it came in.
FULL_TEXT_MIN_WORDS = 80


@dataclass(frozen=True)
class FeedEntry:
    """One feed item; `content` and `summary` are plain text with paragraph breaks."""

    guid: str
    link: str | None
    title: str
    published: date | None
    content: str
    summary: str
    author: str | None

    @property
    def content_hash(self) -> str:
        """Changes when anything shown for the entry changes, so an edited entry is re-read."""
        parts = [
            self.link or "",
            self.title,
            self.published.isoformat() if self.published else "",
            self.content,
            self.summary,
            self.author or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class ParsedFeed:
    """A feed as read: its title and entries, or the parser's complaint when it was broken."""

    origin: str
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    problem: str | None = None


def parse_feed(content: bytes, *, origin: str) -> ParsedFeed:
    """Parse RSS/Atom bytes (never a URL: feedparser would fetch it)."""
    parsed: Any = feedparser.parse(content)
    problem = None
    if parsed.get("bozo"):
        problem = str(parsed.get("bozo_exception") or "malformed feed").splitlines()[0]
    feed = parsed.get("feed", {})
    entries = tuple(_entry(raw, index) for index, raw in enumerate(parsed.get("entries", [])))
    return ParsedFeed(
        origin=origin,
        title=_clean(feed.get("title")) or None,
        link=feed.get("link") or None,
        entries=entries,
        problem=problem if problem and not entries else None,
    )


def is_full_text(entry: FeedEntry) -> bool:
    """True when the entry carries the article itself, not a teaser to click through."""
    words = len(entry.content.split())
    return words >= FULL_TEXT_MIN_WORDS and words >= len(entry.summary.split())


def feed_problem(parsed: ParsedFeed) -> LoadError | None:
    """A LoadError when the bytes were not a readable feed (broken, or not a feed at all)."""
    if parsed.entries:
        return None
    if parsed.problem:
        return LoadError(parsed.origin, f"not a readable RSS/Atom feed: {parsed.problem}")
    if parsed.title is None:
        return LoadError(parsed.origin, "not an RSS/Atom feed (no channel, no entries)")
    return None


def entry_item(
    parsed: ParsedFeed, entry: FeedEntry, *, today: date
) -> Article | PendingUrl | LoadError:
    """The Article an entry holds, or the PendingUrl of the page that holds it."""
    published, flag = vet_date(entry.published, today=today)
    if entry.link and not is_full_text(entry):
        return PendingUrl(
            url=entry.link,
            origin=parsed.origin,
            title=entry.title or None,
            source=parsed.title,
            published=published,
            date_source="feed" if published else "none",
            author=entry.author,
            feed_guid=entry.guid,
        )
    body = entry.content or entry.summary
    origin = entry.link or f"{parsed.origin}#{entry.guid}"
    if not body:
        return LoadError(origin, "feed entry has neither text nor a link")
    return Article(
        title=entry.title,
        body=body,
        origin=origin,
        url=entry.link,
        source=parsed.title,
        published=published,
        date_source="feed" if published else "none",
        author=entry.author,
        external_id=entry.guid,
        date_flag=flag,
        feed_guid=entry.guid,
    )


def feed_items(parsed: ParsedFeed, *, today: date) -> Iterator[Article | PendingUrl | LoadError]:
    """Each entry's Article or the PendingUrl of its page; an unreadable feed is one LoadError.

    The one walk over a feed's entries: the loaders (a feed file), intake (a feed URL) and
    `articles_from_feed` (subscriptions) all go through it.
    """
    if problem := feed_problem(parsed):
        yield problem
        return
    for entry in parsed.entries:
        yield entry_item(parsed, entry, today=today)


def articles_from_feed(
    parsed: ParsedFeed, fetcher: Fetcher, *, today: date
) -> Iterator[Article | LoadError]:
    """Every entry as an Article, fetching linked pages for entries that are only teasers."""
    for item in feed_items(parsed, today=today):
        yield fetch_article(item, fetcher, today=today) if isinstance(item, PendingUrl) else item


def _entry(raw: Any, index: int) -> FeedEntry:
    contents = raw.get("content") or []
    content = "\n\n".join(html_to_text(part.get("value", "")) for part in contents)
    link = raw.get("link") or None
    published = None
    for key in ("published", "updated", "created"):
        # dict.get skips feedparser's deprecated `updated` -> `published` alias (and its
        # DeprecationWarning). The raw string keeps the publisher's own day; *_parsed is UTC.
        published = parse_date(dict.get(raw, key)) or parse_date(dict.get(raw, f"{key}_parsed"))
        if published:
            break
    return FeedEntry(
        guid=str(raw.get("id") or link or f"entry-{index}"),
        link=link,
        title=_clean(raw.get("title")),
        published=published,
        content=content.strip(),
        summary=html_to_text(raw.get("summary") or ""),
        author=_clean(raw.get("author")) or None,
    )


def _clean(value: object) -> str:
    return html_to_text(value) if isinstance(value, str) else ""
