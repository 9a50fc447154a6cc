"""Web archives built with warcio's own writer: pages become Articles, the rest is skipped."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ingest.articles import Article, LoadError
from ingest.warc import WarcSkip, articles_from_warc
from tests.support.httpserver import FIXTURES
from tests.support.warc import write_closed

TODAY = date(2024, 3, 1)
CAPTURED = "2021-02-03T10:00:00Z"


def response(
    writer: WARCWriter, url: str, body: bytes, status: str = "200 OK", ctype: str = "text/html"
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": CAPTURED},
    )
    write_closed(writer, record)


def build_warc(path: Path, *, gzip: bool) -> Path:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    write_closed(writer, writer.create_warcinfo_record(path.name, {"software": "test-crawler"}))
    request = b"GET /bridge HTTP/1.1\r\nHost: hampshireherald.example\r\n\r\n"
    write_closed(
        writer,
        writer.create_warc_record(
            "https://hampshireherald.example/bridge", "request", payload=io.BytesIO(request)
        ),
    )
    page = FIXTURES / "pages"
    response(writer, "https://hampshireherald.example/bridge", (page / "bridge.html").read_bytes())
    response(
        writer, "https://hampshireherald.example/logo.png", b"\x89PNG\r\n\x1a\n", ctype="image/png"
    )
    response(writer, "https://hampshireherald.example/old", b"<h1>Not found</h1>", "404 Not Found")
    response(
        writer,
        "https://library.example/hours",
        (page / "undated.html").read_bytes(),
        ctype="text/html; charset=utf-8",
    )
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("gzip", [True, False])
def test_pages_become_articles_and_the_rest_is_skipped(tmp_path: Path, gzip: bool) -> None:
    path = build_warc(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip=gzip)
    items = list(articles_from_warc(path, today=TODAY))
    assert [type(item).__name__ for item in items] == [
        "WarcSkip",
        "WarcSkip",
        "Article",
        "WarcSkip",
        "WarcSkip",
        "Article",
    ]
    skips = [item for item in items if isinstance(item, WarcSkip)]
    assert [skip.reason for skip in skips] == [
        "warcinfo record",
        "request record",
        "not HTML (image/png)",
        "HTTP 404",
    ]
    assert skips[2].url == "https://hampshireherald.example/logo.png"
    bridge, library = [item for item in items if isinstance(item, Article)]
    assert bridge.url == "https://hampshireherald.example/bridge"
    assert bridge.origin.startswith(f"{path}@")
    # The page states its date; the capture date is only a fallback.
    assert (bridge.published, bridge.date_source) == (date(2019, 5, 20), "metadata")
    assert (library.published, library.date_source) == (date(2021, 2, 3), "capture")
    assert library.url == "https://library.example/hours"


@pytest.mark.parametrize("gzip", [True, False])
def test_truncated_archive_keeps_what_was_read(tmp_path: Path, gzip: bool) -> None:
    whole = build_warc(tmp_path / ("whole.warc.gz" if gzip else "whole.warc"), gzip=gzip)
    data = whole.read_bytes()
    last = list(articles_from_warc(whole, today=TODAY))[-1]
    start = int(last.origin.rsplit("@", 1)[1])
    cut = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    # Cut through the middle of the last record (the library page).
    cut.write_bytes(data[: (start + len(data)) // 2])
    items = list(articles_from_warc(cut, today=TODAY))
    assert [type(item).__name__ for item in items] == [
        "WarcSkip",
        "WarcSkip",
        "Article",
        "WarcSkip",
        "WarcSkip",
        "LoadError",
    ]
    error = items[-1]
    assert isinstance(error, LoadError)
    last_skip = items[-2]
    assert isinstance(last_skip, WarcSkip)
    offset = int(error.origin.rsplit("@", 1)[1])
    assert offset == start
    assert error.origin == f"{cut}@{start}"
    assert error.reason.startswith(f"archive is truncated or corrupt after byte {offset}")
    assert "\n" not in str(error)


def test_not_a_warc_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("these are my notes, not an archive\n")
    (error,) = list(articles_from_warc(path, today=TODAY))
    assert isinstance(error, LoadError)
    assert error.origin == f"{path}@0"
    assert "Invalid WARC record" in error.reason


def test_unreadable_file(tmp_path: Path) -> None:
    (error,) = list(articles_from_warc(tmp_path / "missing.warc", today=TODAY))
    assert isinstance(error, LoadError)
    assert error.reason.startswith("cannot read")
