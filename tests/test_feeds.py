"""Feeds and subscriptions against a real local server: teasers fetched, syncs incremental."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.feeds import FeedEntry, articles_from_feed, is_full_text, parse_feed
from ingest.fetch import Fetcher
from ingest.subscriptions import SubscriptionError, Subscriptions, poll_feed
from tests.support.httpserver import FIXTURES, LocalServer

TODAY = date(2024, 3, 1)
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = IngestSettings(fetch_timeout_s=2, fetch_max_mb=1)  # generous for loaded CI hosts


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(SETTINGS) as made:
        yield made


def fixture_feed(server: LocalServer, name: str) -> bytes:
    return server.localize((FIXTURES / "feeds" / name).read_text(encoding="utf-8")).encode()


# --- parsing ---------------------------------------------------------------------------------


def test_parse_rss(sources_server: LocalServer) -> None:
    parsed = parse_feed(fixture_feed(sources_server, "regional.rss"), origin="regional.rss")
    assert parsed.title == "Regional Wire"
    assert parsed.problem is None
    first = parsed.entries[0]
    assert first.guid == "regional-wire-10231"
    assert first.link == sources_server.url("/pages/bridge.html")
    assert first.title == "Council approves new bridge over River Test"
    assert first.published == date(2019, 5, 21)
    assert first.author == "Jane Smith"
    assert (
        first.summary
        == "A £4.2m pedestrian and cycle crossing in Romsey is expected to open in 2021."
    )
    assert first.content == ""
    assert not is_full_text(first)


def test_parse_atom(sources_server: LocalServer) -> None:
    parsed = parse_feed(fixture_feed(sources_server, "science.atom"), origin="science.atom")
    bees, seamounts, flood = parsed.entries
    assert bees.guid == "tag:sciencedesk.example,2019:bumblebees-play"
    # The publisher's own day from <published>, not <updated>.
    assert bees.published == date(2019, 7, 1)
    assert len(bees.content.split("\n\n")) == 3
    assert is_full_text(bees)
    assert is_full_text(seamounts)  # no <summary>: feedparser copies the content into it
    assert flood.published == date(2019, 3, 5)
    assert not is_full_text(flood)


def test_full_text_needs_enough_words() -> None:
    def entry(content: str, summary: str) -> FeedEntry:
        return FeedEntry("g", "https://a.example/", "T", None, content, summary, None)

    long_text = " ".join(["word"] * 120)
    assert is_full_text(entry(long_text, "A teaser."))
    assert not is_full_text(entry("Only a teaser in the content tag.", ""))
    assert not is_full_text(entry("", long_text))


def test_broken_feed_is_one_load_error(fetcher: Fetcher) -> None:
    parsed = parse_feed(b"<rss><channel><title>Half a feed", origin="https://x.example/feed")
    items = list(articles_from_feed(parsed, fetcher, today=TODAY))
    assert len(items) == 1
    assert isinstance(items[0], LoadError)
    assert items[0].origin == "https://x.example/feed"
    assert items[0].reason.startswith("not a readable RSS/Atom feed")
    assert fetcher.requests == 0


# --- entries to articles ---------------------------------------------------------------------


def test_teasers_are_fetched_and_full_text_is_not(
    sources_server: LocalServer, fetcher: Fetcher
) -> None:
    rss = parse_feed(fixture_feed(sources_server, "regional.rss"), origin="regional.rss")
    bridge, harbour, library = list(articles_from_feed(rss, fetcher, today=TODAY))
    assert isinstance(bridge, Article)
    assert bridge.title == "Council approves new bridge over River Test"
    assert bridge.body.startswith("Hampshire County Council has approved plans")
    # The page's own date wins over the feed's; the feed's fills in when the page has none.
    assert (bridge.published, bridge.date_source) == (date(2019, 5, 20), "metadata")
    assert isinstance(library, Article)
    assert (library.published, library.date_source) == (date(2019, 6, 14), "feed")
    assert library.source == "Regional Wire"
    assert library.feed_guid == "regional-wire-10244"
    assert isinstance(harbour, Article)
    assert fetcher.requests == 3

    atom = parse_feed(fixture_feed(sources_server, "science.atom"), origin="science.atom")
    bees, seamounts, flood = list(articles_from_feed(atom, fetcher, today=TODAY))
    assert isinstance(bees, Article)
    assert bees.url == sources_server.url("/science/bumblebees-play")
    assert (bees.source, bees.date_source) == ("Science Desk", "feed")
    assert isinstance(seamounts, Article)
    assert isinstance(flood, Article)
    assert flood.title == "River levels fall as flood warnings are lifted"
    assert sources_server.requests_to("/science/bumblebees-play") == []
    assert fetcher.requests == 4


def test_unreachable_page_is_a_load_error(sources_server: LocalServer, fetcher: Fetcher) -> None:
    sources_server.routes.pop("/pages/harbour.html")
    rss = parse_feed(fixture_feed(sources_server, "regional.rss"), origin="regional.rss")
    items = list(articles_from_feed(rss, fetcher, today=TODAY))
    assert [type(item).__name__ for item in items] == ["Article", "LoadError", "Article"]
    assert str(items[1]) == (
        f"{sources_server.url('/pages/harbour.html')}: HTTP 404 Not Found (listed in regional.rss)"
    )


# --- subscriptions ---------------------------------------------------------------------------


def test_add_list_remove_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "data" / "subscriptions.json"
    subs = Subscriptions(path)
    subs.add("https://regional.example/feed.rss", "Regional")
    subs.add("https://science.example/atom")
    assert [sub.name for sub in Subscriptions(path).list()] == ["Regional", "science.example"]
    with pytest.raises(SubscriptionError, match=r"already subscribed to .* as 'Regional'"):
        subs.add("http://www.regional.example/feed.rss/", "Other")
    with pytest.raises(SubscriptionError, match="named 'regional' already exists"):
        subs.add("https://other.example/rss", "regional")
    with pytest.raises(SubscriptionError, match="not an http"):
        subs.add("feed://regional.example/rss", "X")
    removed = subs.remove("regional")
    assert removed.url == "https://regional.example/feed.rss"
    subs.remove("https://science.example/atom")
    with pytest.raises(SubscriptionError, match="no subscription 'gone'"):
        subs.remove("gone")
    assert Subscriptions(path).list() == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["subscriptions.json"]


def test_corrupt_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.json"
    path.write_text("{not json")
    with pytest.raises(SubscriptionError, match=r"not a valid subscriptions file .* fix or remove"):
        Subscriptions(path)


def test_sync_is_incremental(tmp_path: Path, sources_server: LocalServer, fetcher: Fetcher) -> None:
    subs = Subscriptions(tmp_path / "subscriptions.json")
    subs.add(sources_server.url("/feeds/regional.rss"), "Regional")
    subs.add(sources_server.url("/feeds/science.atom"), "Science")

    first = [poll_feed(sub, fetcher, today=TODAY, now=NOW) for sub in subs.list()]
    assert [len(result.new) for result in first] == [3, 3]
    assert all(not result.changed and not result.removed_guids for result in first)
    for result in first:
        subs.record(result)
    stored = json.loads((tmp_path / "subscriptions.json").read_text())
    assert stored["feeds"][0]["etag"] == '"r1"'
    assert stored["feeds"][0]["last_sync"] == "2024-03-01T12:00:00+00:00"
    assert len(stored["feeds"][1]["entries"]) == 3

    # Nothing new: only conditional requests, each answered 304, and nothing returned.
    before = fetcher.requests
    second = [poll_feed(sub, fetcher, today=TODAY) for sub in subs.list()]
    assert [result.not_modified for result in second] == [True, True]
    assert all(not (r.new or r.changed or r.removed_guids or r.errors) for r in second)
    assert fetcher.requests - before == 2
    assert fetcher.conditional_requests == 2
    assert sources_server.log[-1].headers["If-Modified-Since"] == "Tue, 02 Jul 2019 09:00:00 GMT"
    assert sources_server.log[-2].headers["If-None-Match"] == '"r1"'

    # The feed changes: one entry edited, one gone, one new.
    rss = fixture_feed(sources_server, "regional.rss").decode()
    start = rss.index("<item>", rss.index("regional-wire-10231"))
    end = rss.index("</item>", start) + len("</item>")
    rss = rss[:start] + rss[end:]  # harbour entry removed
    rss = rss.replace("stay open until 8pm on weekdays", "stay open until 9pm on weekdays")
    new_item = (
        "<item><title>Flood warnings lifted</title>"
        f"<link>{sources_server.url('/pages/flood.html')}</link><guid>regional-wire-10250</guid>"
        "<pubDate>Tue, 05 Mar 2019 09:00:00 GMT</pubDate></item></channel>"
    )
    sources_server.route("/feeds/regional.rss", rss.replace("</channel>", new_item), etag='"r2"')
    regional = subs.get("Regional")
    page_requests = len(sources_server.requests_to("/pages/bridge.html"))
    third = poll_feed(regional, fetcher, today=TODAY)
    assert not third.not_modified
    assert [article.title for article in third.new] == ["Flood warnings lifted"]
    assert [article.feed_guid for article in third.changed] == ["regional-wire-10244"]
    assert third.removed_guids == ["regional-wire-10240"]
    assert third.errors == []
    # The unchanged entry's page was not fetched again.
    assert len(sources_server.requests_to("/pages/bridge.html")) == page_requests
    subs.record(third)
    assert subs.get("Regional").etag == '"r2"'
    assert set(subs.get("Regional").entries) == {
        "regional-wire-10231",
        "regional-wire-10244",
        "regional-wire-10250",
    }


def test_failed_page_is_retried_next_sync(
    tmp_path: Path, sources_server: LocalServer, fetcher: Fetcher
) -> None:
    subs = Subscriptions(tmp_path / "subscriptions.json")
    subs.add(sources_server.url("/feeds/regional.rss"), "Regional")
    harbour = sources_server.routes.pop("/pages/harbour.html")
    first = poll_feed(subs.get("Regional"), fetcher, today=TODAY)
    assert len(first.new) == 2
    assert [error.origin for error in first.errors] == [sources_server.url("/pages/harbour.html")]
    feed_url = sources_server.url("/feeds/regional.rss")
    assert first.subscription.last_error == f"HTTP 404 Not Found (listed in {feed_url})"
    subs.record(first)

    sources_server.routes["/pages/harbour.html"] = harbour
    sources_server.route(
        "/feeds/regional.rss", fixture_feed(sources_server, "regional.rss"), etag='"r2"'
    )
    second = poll_feed(subs.get("Regional"), fetcher, today=TODAY)
    assert [article.title for article in second.new] == ["Harbour dredging to start in autumn"]
    assert second.subscription.last_error is None


def test_sync_of_an_unreachable_feed_keeps_the_state(
    tmp_path: Path, sources_server: LocalServer, fetcher: Fetcher
) -> None:
    subs = Subscriptions(tmp_path / "subscriptions.json")
    subs.add(sources_server.url("/feeds/gone.rss"), "Gone")
    result = poll_feed(subs.get("Gone"), fetcher, today=TODAY, now=NOW)
    assert result.errors == [LoadError(sources_server.url("/feeds/gone.rss"), "HTTP 404 Not Found")]
    assert result.subscription.last_error == "HTTP 404 Not Found"
    assert result.subscription.last_sync == "2024-03-01T12:00:00+00:00"
    assert result.subscription.entries == {}

    sources_server.route("/feeds/gone.rss", "<html><body>Moved</body></html>")
    broken = poll_feed(subs.get("Gone"), fetcher, today=TODAY)
    assert len(broken.errors) == 1
    assert "not an RSS/Atom feed" in broken.errors[0].reason


def test_unreadable_entry_date_is_none_without_warnings() -> None:
    rss = (
        b'<rss version="2.0"><channel><title>T</title><item><title>A</title>'
        b"<link>https://a.example/1</link><pubDate>the other day</pubDate></item></channel></rss>"
    )
    (entry,) = parse_feed(rss, origin="t.rss").entries
    assert entry.published is None
