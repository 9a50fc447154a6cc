"""HTTP fetching against a real local server: limits, redirects, conditional GETs, errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.fetch import Fetcher, FetchError, PendingUrl, fetch_article
from ingest.loaders import load_paths
from tests.support.httpserver import FIXTURES, LocalServer

TODAY = date(2024, 3, 1)
# Long enough that a loaded CI host still fetches a local page in time (0.5 s was not: a
# 6-byte PNG once "timed out"); the slow routes take longer still.
SETTINGS = IngestSettings(fetch_timeout_s=2, fetch_max_mb=1, user_agent="newsbot-test/1.0")


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(SETTINGS) as made:
        yield made


def test_get_returns_content_and_validators(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/a", "<p>hi</p>", etag='"v1"', last_modified="Mon, 20 May 2019 09:00:00 GMT")
    result = fetcher.get(server.url("/a"))
    assert result.status == 200
    assert result.content == b"<p>hi</p>"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 20 May 2019 09:00:00 GMT"
    assert not result.not_modified
    assert server.log[0].headers["User-Agent"] == "newsbot-test/1.0"
    assert (fetcher.requests, fetcher.conditional_requests) == (1, 0)


def test_conditional_get_gives_not_modified(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/feed", "<rss/>", etag='"v1"')
    first = fetcher.get(server.url("/feed"))
    again = fetcher.get(server.url("/feed"), etag=first.etag)
    assert again.not_modified
    assert again.status == 304
    assert again.content == b""
    assert server.log[1].headers["If-None-Match"] == '"v1"'
    assert (fetcher.requests, fetcher.conditional_requests, fetcher.not_modified) == (2, 1, 1)


def test_last_modified_alone(server: LocalServer, fetcher: Fetcher) -> None:
    stamp = "Mon, 20 May 2019 09:00:00 GMT"
    server.route("/feed", "<rss/>", last_modified=stamp)
    assert fetcher.get(server.url("/feed"), last_modified=stamp).not_modified
    assert server.log[0].headers["If-Modified-Since"] == stamp


def test_redirects_are_followed(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/old", status=301, location="/middle")
    server.route("/middle", status=302, location=server.url("/new"))
    server.route("/new", "<p>moved</p>")
    result = fetcher.get(server.url("/old"))
    assert result.final_url == server.url("/new")
    assert result.url == server.url("/old")
    assert result.content == b"<p>moved</p>"
    assert fetcher.requests == 1


def test_redirect_loop_stops(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/loop", status=302, location="/loop")
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        fetcher.get(server.url("/loop"))
    assert len(server.requests_to("/loop")) == 6


def test_http_error_status(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/missing"))
    assert caught.value.reason == "HTTP 404 Not Found"
    assert str(caught.value) == f"{server.url('/missing')}: HTTP 404 Not Found"


def test_timeout(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/slow", "<p>late</p>", delay_s=3.5)
    with pytest.raises(FetchError, match=r"timed out after 2 s"):
        fetcher.get(server.url("/slow"))


@pytest.mark.parametrize("send_length", [True, False])
def test_too_large(server: LocalServer, fetcher: Fetcher, send_length: bool) -> None:
    server.route("/big", b"x" * (1024 * 1024 + 10), send_length=send_length)
    with pytest.raises(FetchError, match=r"too large \(over 1 MB, the ingest.fetch_max_mb limit\)"):
        fetcher.get(server.url("/big"))


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "not a url", ""])
def test_only_http_urls(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError, match="not an http"):
        fetcher.get(url)
    assert fetcher.requests == 0


def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection failed"):
        fetcher.get(f"http://127.0.0.1:{port}/")


def test_injected_client_is_used_and_not_closed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok", headers={"Content-Type": "text/plain"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with Fetcher(SETTINGS, client=client) as fetcher:
        assert fetcher.get("https://example.com/x").content == b"ok"
    assert not client.is_closed
    assert seen[0].headers["User-Agent"] == "newsbot-test/1.0"
    client.close()


def test_fetch_article_from_a_pending_url(server: LocalServer, fetcher: Fetcher) -> None:
    server.serve_fixture("/pages/undated.html", "pages/undated.html", "text/html")
    pending = PendingUrl(
        url=server.url("/pages/undated.html"),
        origin="urls.txt:2",
        title="Library hours extended",
        published=date(2019, 6, 14),
        date_source="feed",
        feed_guid="g-1",
    )
    article = fetch_article(pending, fetcher, today=TODAY)
    assert isinstance(article, Article)
    assert article.title == "Library hours extended"
    assert (article.published, article.date_source) == (date(2019, 6, 14), "feed")
    assert article.url == server.url("/pages/undated.html")
    assert article.feed_guid == "g-1"
    assert article.body.startswith("The central library will open until eight")


def test_fetch_article_errors_name_the_url_and_the_list(
    server: LocalServer, fetcher: Fetcher
) -> None:
    server.route("/logo.png", b"\x89PNG\r\n", content_type="image/png")
    missing = fetch_article(
        PendingUrl(url=server.url("/gone"), origin="urls.txt:4"), fetcher, today=TODAY
    )
    assert missing == LoadError(server.url("/gone"), "HTTP 404 Not Found (listed in urls.txt:4)")
    image = fetch_article(
        PendingUrl(url=server.url("/logo.png"), origin=server.url("/logo.png")),
        fetcher,
        today=TODAY,
    )
    assert image == LoadError(server.url("/logo.png"), "not an HTML page (Content-Type image/png)")


def test_url_list_fetched_end_to_end(tmp_path: Path, server: LocalServer, fetcher: Fetcher) -> None:
    for name in ("bridge", "harbour"):
        server.serve_fixture(f"/pages/{name}.html", f"pages/{name}.html", "text/html")
    server.route("/slow/story.html", "<p>too late</p>", delay_s=3.5)
    urls = tmp_path / "urls.txt"
    urls.write_text(server.localize((FIXTURES / "urls.txt").read_text(encoding="utf-8")))
    pending = list(load_paths([urls], settings=SETTINGS, today=TODAY))
    assert all(isinstance(item, PendingUrl) for item in pending)
    results = [fetch_article(item, fetcher, today=TODAY) for item in pending]  # type: ignore[arg-type]
    bridge, harbour, missing, slow = results
    assert isinstance(bridge, Article)
    assert bridge.published == date(2019, 5, 20)
    assert isinstance(harbour, Article)
    assert missing == LoadError(
        server.url("/pages/missing-story.html"), f"HTTP 404 Not Found (listed in {urls}:5)"
    )
    assert slow == LoadError(
        server.url("/slow/story.html"), f"timed out after 2 s (listed in {urls}:6)"
    )
