"""Fetching pages and feeds over HTTP with an honest User-Agent, limits and conditional GETs.

    FetchError              one line: the URL and what went wrong (timeout, HTTP 404, too large,
                            not http(s), connection failed, too many redirects)

`PendingUrl` is a page the loaders found (a URL list, a summary-only feed entry) but did not
fetch, because loaders never touch the network; the pipeline hands it to `fetch_article`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from config.settings import IngestSettings
from ingest.articles import Article, DateSource, LoadError
from ingest.errors import IngestError, first_line
from ingest.htmlpage import HTML_TYPES, article_from_html, decode_bytes

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class FetchError(IngestError):
    """A URL could not be fetched; `reason` is one line a person can act on."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class FetchResult:
    """One HTTP response that was read completely (or a 304 with no content)."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


@dataclass(frozen=True)
class PendingUrl:
    """A page to fetch and turn into an Article, with what its referrer already knew."""

    url: str
    origin: str
    title: str | None = None
    source: str | None = None
    published: date | None = None
    date_source: DateSource = "none"
    author: str | None = None
    feed_guid: str | None = None


class Fetcher:
    """HTTP GETs with the settings' User-Agent, timeout and size limit; counts what it sends.

    Args:
        settings: user_agent, fetch_timeout_s (each network wait and the whole download) and
            fetch_max_mb (the body is streamed and abandoned past it).
        client: an httpx.Client to use (tests pass one with a MockTransport); when None the
            Fetcher makes and owns one.
    """

    def __init__(self, settings: IngestSettings, client: httpx.Client | None = None) -> None:
        self._timeout = settings.fetch_timeout_s
        self._max_bytes = int(settings.fetch_max_mb * 1024 * 1024)
        self._max_mb = settings.fetch_max_mb
        self._headers = {"User-Agent": settings.user_agent}
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=httpx.Timeout(self._timeout))
        self.requests = 0
        self.conditional_requests = 0
        self.not_modified = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client if this Fetcher made it."""
        if self._owns_client:
            self._client.close()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a URL, following up to 5 redirects; raises FetchError with a one-line reason."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise FetchError(url, "not an http(s) URL")
        headers = dict(self._headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self.requests += 1
        if etag or last_modified:
            self.conditional_requests += 1
        deadline = time.monotonic() + self._timeout
        try:
            return self._get(url, headers, deadline)
        except httpx.TimeoutException as error:
            raise FetchError(url, f"timed out after {self._timeout:g} s") from error
        except httpx.TooManyRedirects as error:
            raise FetchError(url, f"too many redirects (more than {MAX_REDIRECTS})") from error
        except httpx.ConnectError as error:
            raise FetchError(url, f"connection failed: {first_line(error)}") from error
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise FetchError(url, f"{type(error).__name__}: {first_line(error)}") from error

    def _get(self, url: str, headers: dict[str, str], deadline: float) -> FetchResult:
        request = self._client.build_request(
            "GET", url, headers=headers, timeout=httpx.Timeout(self._timeout)
        )
        for _ in range(MAX_REDIRECTS + 1):
            response = self._client.send(request, stream=True, follow_redirects=False)
            try:
                if response.next_request is None:
                    return self._read(url, response, deadline)
                request = response.next_request
            finally:
                response.close()
        raise httpx.TooManyRedirects("too many redirects", request=request)

    def _read(self, url: str, response: httpx.Response, deadline: float) -> FetchResult:
        if response.status_code == 304:
            self.not_modified += 1
            return self._result(url, response, b"", not_modified=True)
        if response.status_code >= 400:
            raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(url, self._too_large())
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes(_CHUNK):
            size += len(chunk)
            if size > self._max_bytes:
                raise FetchError(url, self._too_large())
            if time.monotonic() > deadline:
                raise FetchError(url, f"timed out after {self._timeout:g} s (slow download)")
            chunks.append(chunk)
        return self._result(url, response, b"".join(chunks), not_modified=False)

    def _result(
        self, url: str, response: httpx.Response, content: bytes, *, not_modified: bool
    ) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            content=content,
            content_type=response.headers.get("Content-Type"),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            not_modified=not_modified,
        )

    def _too_large(self) -> str:
        return f"too large (over {self._max_mb:g} MB, the ingest.fetch_max_mb limit)"


def fetch_article(pending: PendingUrl, fetcher: Fetcher, *, today: date) -> Article | LoadError:
    """Fetch a pending page and extract its article; what the referrer knew fills the gaps.

    The page's own metadata date wins; the referrer's date (e.g. the feed's) is the fallback.
    The referrer's title wins, since feed titles come without the " | Outlet" suffix.
    """
    referrer = f" (listed in {pending.origin})" if pending.origin != pending.url else ""
    try:
        result = fetcher.get(pending.url)
    except FetchError as error:
        return LoadError(pending.url, error.reason + referrer)
    media_type = (result.content_type or "text/html").split(";")[0].strip().lower()
    if media_type not in HTML_TYPES:
        return LoadError(pending.url, f"not an HTML page (Content-Type {media_type}){referrer}")
    html = decode_bytes(result.content, declared=result.content_type)
    article = article_from_html(
        html,
        origin=pending.url,
        url=result.final_url,
        fallback_date=pending.published,
        fallback_date_source=pending.date_source if pending.published else "none",
        today=today,
    )
    if isinstance(article, LoadError):
        return article
    # trafilatura names the outlet after the host when the page does not; the feed knows better.
    host = urlsplit(result.final_url).netloc.lower().removeprefix("www.")
    page_source = article.source if (article.source or "").lower() != host else None
    return replace(
        article,
        title=pending.title or article.title,
        source=page_source or pending.source or article.source,
        author=article.author or pending.author,
        feed_guid=pending.feed_guid,
    )
