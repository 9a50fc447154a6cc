"""Web archives (WARC, plain or gzipped): captured HTML responses to Articles.

Each `response` record with HTTP 200 and an HTML content type is one page; everything else
(requests, metadata, images, redirects, errors) is a `WarcSkip` with the reason, so a summary
can count them. The capture date (WARC-Date) is only the fallback date: a page captured in
2021 may have been published in 2009.

warcio stops quietly at a truncated end, so truncation is detected here: a record shorter than
its Content-Length, or bytes left over after the last complete record. A cut that loses only
a gzip trailer or the blank lines after a record goes unreported: every record read is whole.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from warcio.archiveiterator import WARCIterator
from warcio.exceptions import ArchiveLoadFailed

from ingest.articles import Article, LoadError
from ingest.dates import parse_date
from ingest.errors import first_line
from ingest.htmlpage import HTML_TYPES, article_from_html, decode_bytes

# Blank lines may follow the last record of an uncompressed archive.
_TRAILING_SLACK = 16


@dataclass(frozen=True)
class WarcSkip:
    """A record that is not an article page, and why (counted, not reported as an error)."""

    origin: str
    reason: str
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.origin}: skipped, {self.reason}"


def articles_from_warc(path: Path, *, today: date) -> Iterator[Article | LoadError | WarcSkip]:
    """Every HTML page captured in a WARC file; a corrupt tail ends with a LoadError."""
    try:
        handle = path.open("rb")
    except OSError as error:
        yield LoadError(str(path), f"cannot read: {error.strerror or error}")
        return
    with handle:
        size = path.stat().st_size
        records = WARCIterator(handle)
        end = 0  # where the last complete record ended
        try:
            for record in records:
                skip = _skip_reason(record)
                # Only pages are read into memory; read_to_end() streams past the rest.
                payload = record.content_stream().read() if skip is None else b""
                offset = records.get_record_offset()
                if _is_cut_short(record):
                    yield _truncated(path, offset, "a record is shorter than its Content-Length")
                    return
                end = offset + records.get_record_length()
                origin = f"{path}@{offset}"
                url = record.rec_headers.get_header("WARC-Target-URI")
                if skip is not None:
                    yield WarcSkip(origin, skip, url)
                else:
                    yield _article(record, payload, origin, url, today=today)
        # warcio raises AttributeError/TypeError on headers that were cut off mid-line.
        except (
            ArchiveLoadFailed,
            zlib.error,
            EOFError,
            ValueError,
            OSError,
            AttributeError,
            TypeError,
        ) as error:
            # warcio's AttributeError/TypeError text ("'NoneType' object has no attribute
            # 'startswith'") means nothing to a reader: say what it stands for.
            broken = isinstance(error, AttributeError | TypeError)
            detail = "a record's headers are cut off" if broken else first_line(error)
            yield _truncated(path, end, detail)
            return
        handle.seek(end)
        tail = handle.read(_TRAILING_SLACK + 1)
        if tail.strip() or size - end > _TRAILING_SLACK:
            start = end + len(tail) - len(tail.lstrip())
            yield _truncated(path, start, "unreadable data after the last complete record")


def _is_cut_short(record: Any) -> bool:
    """A record whose headers lost their Content-Length, or whose block ended early."""
    declared = record.rec_headers.get_header("Content-Length") or ""
    return not declared.isdigit() or getattr(record.raw_stream, "limit", 0) > 0


def _skip_reason(record: Any) -> str | None:
    """Why a record is not an article page, or None when it is one."""
    if record.rec_type != "response":
        return f"{record.rec_type} record"
    if record.http_headers is None:
        return "response without HTTP headers"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"HTTP {status}"
    media_type = _media_type(record.http_headers.get_header("Content-Type"))
    if media_type not in HTML_TYPES:
        return f"not HTML ({media_type or 'no Content-Type'})"
    return None


def _article(
    record: Any, payload: bytes, origin: str, url: str | None, *, today: date
) -> Article | LoadError:
    content_type = record.http_headers.get_header("Content-Type")
    captured = parse_date(record.rec_headers.get_header("WARC-Date"))
    return article_from_html(
        decode_bytes(payload, declared=content_type),
        origin=origin,
        url=url,
        fallback_date=captured,
        fallback_date_source="capture",
        today=today,
    )


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _truncated(path: Path, offset: int, detail: str) -> LoadError:
    return LoadError(
        f"{path}@{offset}",
        f"archive is truncated or corrupt after byte {offset} ({detail}); "
        "records before it were read",
    )
