"""Feed subscriptions: a JSON file of feeds with their sync state, and polling one feed.

Per feed we keep the validators for conditional GETs (ETag, Last-Modified), when it was last
synced and the last error, and a hash of every entry seen, so a sync yields only new and
changed entries and reports the ones that left the feed (the archive keeps those articles).

`poll_feed` does not write the file: the caller (`sync.sync_feeds`) stores the articles first
and then calls `Subscriptions.record(poll)`, so a crash in between re-reads the entries next
time instead of losing them.
"""

from __future__ import annotations

import builtins
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest.articles import Article, LoadError, canonical_url
from ingest.errors import IngestError
from ingest.feeds import articles_from_feed, feed_problem, parse_feed
from ingest.fetch import Fetcher, FetchError

_FORMAT_VERSION = 1


class SubscriptionError(IngestError):
    """A subscription could not be added, found or read; the message says what to do."""


@dataclass(frozen=True)
class Subscription:
    """One feed and its sync state; `entries` maps each entry's guid to its content hash."""

    url: str
    name: str
    etag: str | None = None
    last_modified: str | None = None
    last_sync: str | None = None
    last_error: str | None = None
    entries: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedPoll:
    """What one poll found; `subscription` is the state to record once articles are stored."""

    name: str
    url: str
    not_modified: bool
    new: list[Article]
    changed: list[Article]
    removed_guids: list[str]
    errors: list[LoadError]
    subscription: Subscription


def subscriptions_path(data_dir: Path) -> Path:
    """Where a data dir keeps its feed subscriptions."""
    return data_dir / "feeds.json"


class Subscriptions:
    """The subscriptions file (JSON, rewritten atomically); every change is saved at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._subs = self._load()

    def list(self) -> builtins.list[Subscription]:
        """All subscriptions in the order they were added."""
        return list(self._subs)

    def get(self, url_or_name: str) -> Subscription:
        """The subscription with this URL or (case-insensitive) name."""
        for sub in self._subs:
            if _matches(sub, url_or_name):
                return sub
        names = ", ".join(sub.name for sub in self._subs) or "none"
        raise SubscriptionError(f"no subscription {url_or_name!r} (subscribed: {names})")

    def add(self, url: str, name: str | None = None) -> Subscription:
        """Subscribe to a feed URL under a name (default: the host name)."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise SubscriptionError(f"{url!r} is not an http(s) URL; give the feed's full address")
        name = (name or parts.hostname).strip()
        for sub in self._subs:
            if canonical_url(sub.url) == canonical_url(url):
                raise SubscriptionError(f"already subscribed to {url} as {sub.name!r}")
            if sub.name.casefold() == name.casefold():
                raise SubscriptionError(
                    f"a subscription named {name!r} already exists ({sub.url}); choose another name"
                )
        sub = Subscription(url=url, name=name)
        self._subs.append(sub)
        self._save()
        return sub

    def remove(self, url_or_name: str) -> Subscription:
        """Unsubscribe; articles already in the archive stay."""
        sub = self.get(url_or_name)
        self._subs.remove(sub)
        self._save()
        return sub

    def record(self, poll: FeedPoll) -> None:
        """Save the state a poll arrived at (call after its articles are stored)."""
        self.update(poll.subscription)

    def update(self, sub: Subscription) -> None:
        """Replace the stored state of the subscription with the same URL."""
        for index, existing in enumerate(self._subs):
            if existing.url == sub.url:
                self._subs[index] = sub
                self._save()
                return
        raise SubscriptionError(f"no subscription for {sub.url}; it may have been removed")

    def _load(self) -> builtins.list[Subscription]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [_from_json(item) for item in data["feeds"]]
        except (OSError, UnicodeDecodeError) as error:
            raise SubscriptionError(f"cannot read {self.path}: {error}") from error
        except (ValueError, KeyError, TypeError) as error:
            raise SubscriptionError(
                f"{self.path} is not a valid subscriptions file ({error}); fix or remove it"
            ) from error

    def _save(self) -> None:
        data = {"version": _FORMAT_VERSION, "feeds": [_to_json(sub) for sub in self._subs]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename over it, so a crash leaves the old or the new file.
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            Path(temp_name).replace(self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise


def poll_feed(
    sub: Subscription, fetcher: Fetcher, *, today: date, now: datetime | None = None
) -> FeedPoll:
    """Fetch a feed conditionally; new and changed entries become Articles, gone ones reported.

    A 304 means nothing else happens. An entry whose page could not be read is an error and
    keeps its old state, so the next sync tries it again.
    """
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    try:
        response = fetcher.get(sub.url, etag=sub.etag, last_modified=sub.last_modified)
    except FetchError as error:
        failed = replace(sub, last_sync=stamp, last_error=error.reason)
        return _result(sub, failed, errors=[LoadError(sub.url, error.reason)])
    if response.not_modified:
        return _result(sub, replace(sub, last_sync=stamp, last_error=None), not_modified=True)
    parsed = parse_feed(response.content, origin=sub.url)
    if problem := feed_problem(parsed):
        failed = replace(sub, last_sync=stamp, last_error=problem.reason)
        return _result(sub, failed, errors=[problem])
    # An entry keeps its old state until its article is read: unchanged entries, and changed
    # ones whose page fails now (so the next sync tries them again).
    hashes = {entry.guid: entry.content_hash for entry in parsed.entries}
    state = {guid: sub.entries[guid] for guid in hashes if guid in sub.entries}
    fresh = tuple(e for e in parsed.entries if state.get(e.guid) != e.content_hash)
    new: list[Article] = []
    changed: list[Article] = []
    errors: list[LoadError] = []
    if fresh:  # (an empty feed would read as "not a feed")
        for item in articles_from_feed(replace(parsed, entries=fresh), fetcher, today=today):
            if isinstance(item, LoadError):
                errors.append(item)
                continue
            guid = item.feed_guid  # an article from a feed carries its entry's guid
            (changed if guid in sub.entries else new).append(item)
            if guid is not None:
                state[guid] = hashes[guid]
    seen = {guid: state[guid] for guid in hashes if guid in state}  # in the feed's order
    removed = [guid for guid in sub.entries if guid not in hashes]
    synced = replace(
        sub,
        etag=response.etag,
        last_modified=response.last_modified,
        last_sync=stamp,
        last_error=errors[0].reason if errors else None,
        entries=seen,
    )
    return _result(sub, synced, new=new, changed=changed, removed=removed, errors=errors)


def _result(
    before: Subscription,
    after: Subscription,
    *,
    not_modified: bool = False,
    new: list[Article] | None = None,
    changed: list[Article] | None = None,
    removed: list[str] | None = None,
    errors: list[LoadError] | None = None,
) -> FeedPoll:
    return FeedPoll(
        name=before.name,
        url=before.url,
        not_modified=not_modified,
        new=new or [],
        changed=changed or [],
        removed_guids=removed or [],
        errors=errors or [],
        subscription=after,
    )


def _matches(sub: Subscription, url_or_name: str) -> bool:
    key = url_or_name.strip()
    if sub.name.casefold() == key.casefold():
        return True
    return "://" in key and canonical_url(sub.url) == canonical_url(key)


def _to_json(sub: Subscription) -> dict[str, object]:
    return {
        "url": sub.url,
        "name": sub.name,
        "etag": sub.etag,
        "last_modified": sub.last_modified,
        "last_sync": sub.last_sync,
        "last_error": sub.last_error,
        "entries": dict(sub.entries),
    }


def _from_json(item: dict[str, object]) -> Subscription:
    entries = item.get("entries") or {}
    if not isinstance(entries, dict):
        raise TypeError("'entries' must be an object of guid: hash")
    return Subscription(
        url=str(item["url"]),
        name=str(item["name"]),
        etag=_optional(item.get("etag")),
        last_modified=_optional(item.get("last_modified")),
        last_sync=_optional(item.get("last_sync")),
        last_error=_optional(item.get("last_error")),
        entries={str(guid): str(value) for guid, value in entries.items()},
    )


def _optional(value: object) -> str | None:
    return None if value is None else str(value)
