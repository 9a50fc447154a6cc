"""Files and folders to Articles: one loader per format, chosen by suffix and a look inside.

# size: one short loader per format and the walk that picks them; cohesive, so not split

`load_paths` yields, in file order:

    Article      an article read from a file
    LoadError    a file, line or record that could not be read, and why (the batch goes on)
    PendingUrl   a page to fetch (a URL list, a summary-only feed entry): loaders never touch
                 the network, so the pipeline fetches these with `fetch.fetch_article`
    WarcSkip     a web-archive record that is not an article page (image, 404, request ...)

Formats: plain-text page dumps and URL lists (.txt), HTML (.html .htm), JSON (.json: an
article, an array of them, or {"articles"|"items"|"data"|"results": [...]}), JSON Lines
(.jsonl .ndjson), Markdown with optional front matter (.md .markdown), tables (.csv .tsv),
web archives (.warc .warc.gz) and feeds (.xml .rss .atom).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.cleaning import clean_dump
from ingest.dates import vet_date
from ingest.errors import first_line
from ingest.feeds import feed_items, parse_feed
from ingest.fetch import PendingUrl
from ingest.htmlpage import article_from_html, decode_bytes
from ingest.markdown import article_from_markdown
from ingest.records import article_from_record, missing_body_column
from ingest.warc import WarcSkip, articles_from_warc

LoadItem = Article | LoadError | PendingUrl | WarcSkip

_MB = 1024 * 1024
_SNIFF_BYTES = 8192
_ARRAY_KEYS = ("articles", "items", "data", "results", "entries", "posts", "stories")
_URL_LINE = re.compile(r"^https?://\S+$", re.I)


@dataclass(frozen=True)
class _Context:
    settings: IngestSettings
    today: date
    mapping: Mapping[str, str] | None


def load_paths(
    paths: Sequence[Path],
    *,
    settings: IngestSettings,
    today: date,
    csv_mapping: Mapping[str, str] | None = None,
) -> Iterator[LoadItem]:
    """Everything under the given files and folders (recursively, sorted, hidden ones skipped).

    Args:
        paths: files and folders; a folder is walked, skipping names that start with a dot.
        settings: max_file_mb bounds the files read whole (web archives are streamed).
        today: dates after tomorrow or before 1900 are flagged and not used.
        csv_mapping: our field -> their column, for CSV/TSV/JSON/JSONL records
            (e.g. {"body": "text"}).
    """
    context = _Context(settings=settings, today=today, mapping=csv_mapping)
    for root in paths:
        for found in iter_files(root):
            if isinstance(found, LoadError):
                yield found
            else:
                yield from _load_file(found, context)


def load_file(
    path: Path,
    *,
    settings: IngestSettings,
    today: date,
    csv_mapping: Mapping[str, str] | None = None,
) -> Iterator[LoadItem]:
    """The items in one file (whatever its name), or a LoadError saying why it cannot be read."""
    yield from _load_file(path, _Context(settings=settings, today=today, mapping=csv_mapping))


def iter_files(root: Path) -> Iterator[Path | LoadError]:
    """Files under a path in sorted order, skipping hidden names and symlink loops."""
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        yield LoadError(str(root), "no such file or folder")
        return
    seen: set[Path] = set()
    yield from _walk(root, seen)


def _load_file(path: Path, context: _Context) -> Iterator[LoadItem]:
    kind = file_kind(path)
    if kind is None:
        suffix = f"'{path.suffix.lower()}'" if path.suffix else "(no suffix)"
        yield LoadError(
            str(path), f"unsupported file type {suffix} (supported: {', '.join(SUFFIXES)})"
        )
        return
    try:
        if kind == ".warc":
            yield from articles_from_warc(path, today=context.today)
            return
        data = _read(path, context.settings)
        if isinstance(data, LoadError):
            yield data
            return
        if kind in _BYTE_LOADERS:
            yield from _BYTE_LOADERS[kind](path, data, context)
            return
        text = decode_bytes(data).lstrip("\ufeff")
        if not text.strip():
            yield LoadError(str(path), "empty file")
            return
        yield from _TEXT_LOADERS[kind](path, text, context)
    except (OSError, ValueError, csv.Error, RecursionError) as error:
        # Reported for this file alone; whatever it yielded before stays, the batch goes on.
        yield LoadError(str(path), f"cannot load: {first_line(error)}")


def file_kind(path: Path) -> str | None:
    """The loader key for a file name: its suffix folded to one of SUFFIXES' groups."""
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return ".warc"
    return _KINDS.get(path.suffix.lower())


def is_url_list(text: str) -> bool:
    """True when every non-empty, non-comment line is an http(s) URL (and there is one)."""
    urls = [url for _, url in url_lines(text)]
    return bool(urls) and all(_URL_LINE.match(url) for url in urls)


def url_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, URL) of each line of a URL list; blank lines and `#` comments are skipped."""
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.strip()
        if url and not url.startswith("#"):
            yield number, url


def _walk(folder: Path, seen: set[Path]) -> Iterator[Path | LoadError]:
    resolved = folder.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    try:
        children = sorted(folder.iterdir(), key=lambda child: child.name)
    except OSError as error:
        yield LoadError(str(folder), f"cannot list folder: {error.strerror or error}")
        return
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child, seen)
        elif child.is_file():
            yield child


def _read(path: Path, settings: IngestSettings) -> bytes | LoadError:
    size = path.stat().st_size
    if size > settings.max_file_mb * _MB:
        return LoadError(
            str(path),
            f"file is {size / _MB:.1f} MB, over the {settings.max_file_mb:g} MB limit "
            "(ingest.max_file_mb); split it or raise the limit",
        )
    data = path.read_bytes()
    head = data[:_SNIFF_BYTES]
    if not data.strip():
        return LoadError(str(path), "empty file")
    is_utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not is_utf16:
        return LoadError(str(path), "binary file, not text")
    return data


def _load_txt(path: Path, text: str, context: _Context) -> Iterator[LoadItem]:
    if is_url_list(text):
        for number, url in url_lines(text):
            yield PendingUrl(url=url, origin=f"{path}:{number}")
        return
    if text.lstrip()[:100].lower().startswith(("<!doctype html", "<html")):
        yield from _load_html(path, text, context)
        return
    page = clean_dump(text)
    if not page.body.strip():
        yield LoadError(str(path), "no article text left after removing page furniture")
        return
    published, flag = vet_date(page.published, today=context.today)
    yield Article(
        title=page.title or "",
        body=page.body,
        origin=str(path),
        source=page.source,
        published=published,
        date_source="text" if published else "none",
        author=page.author,
        date_flag=flag,
    )


def _load_html(path: Path, text: str, context: _Context) -> Iterator[LoadItem]:
    yield article_from_html(text, origin=str(path), today=context.today)


def _load_json(path: Path, text: str, context: _Context) -> Iterator[LoadItem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and _first_line_is_json(text):
            # One object per line in a .json file: JSON Lines by another name.
            yield from _load_jsonl(path, text, context)
            return
        reason = f"invalid JSON: {error.msg} (column {error.colno})"
        yield LoadError(f"{path}:{error.lineno}", reason)
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).casefold() in _ARRAY_KEYS and isinstance(value, list):
                data = value
                break
    if isinstance(data, dict):
        yield _record(data, str(path), context)
    elif isinstance(data, list):
        if not data:
            yield LoadError(str(path), "the JSON array is empty: no articles")
        for index, item in enumerate(data):
            origin = f"{path}[{index}]"
            if isinstance(item, dict):
                yield _record(item, origin, context)
            else:
                yield LoadError(origin, f"expected an article object, got {_json_type(item)}")
    else:
        yield LoadError(
            str(path),
            f"JSON holds {_json_type(data)}; expected an article object, an array of them, "
            'or {"articles": [...]}',
        )


def _load_jsonl(path: Path, text: str, context: _Context) -> Iterator[LoadItem]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield LoadError(origin, f"invalid JSON: {error.msg} (column {error.colno})")
            continue
        if isinstance(item, dict):
            yield _record(item, origin, context)
        else:
            yield LoadError(origin, f"expected an article object, got {_json_type(item)}")


def _load_markdown(path: Path, text: str, context: _Context) -> Iterator[LoadItem]:
    yield article_from_markdown(text, origin=str(path), today=context.today)


def _load_table(path: Path, text: str, context: _Context) -> Iterator[LoadItem]:
    # Bodies run past csv's default 128 KB field limit; the file size limit still bounds them.
    limit = int(context.settings.max_file_mb * _MB)
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [name for name in (reader.fieldnames or []) if name]
    if not columns:
        yield LoadError(str(path), "no header row")
        return
    if reason := missing_body_column(columns, context.mapping):
        yield LoadError(str(path), reason)
        return
    line = reader.line_num
    rows = 0
    for row in reader:
        origin = f"{path}:{line + 1}"
        line = reader.line_num
        rows += 1
        record = {key: value for key, value in row.items() if key is not None}
        yield article_from_record(
            record, origin=origin, mapping=context.mapping, today=context.today
        )
    if not rows:  # said, like an empty JSON array, rather than ingesting nothing in silence
        yield LoadError(str(path), "the table has a header row but no rows: no articles")


def _load_feed(path: Path, data: bytes, context: _Context) -> Iterator[LoadItem]:
    yield from feed_items(parse_feed(data, origin=str(path)), today=context.today)


def _record(item: Mapping[str, object], origin: str, context: _Context) -> Article | LoadError:
    return article_from_record(item, origin=origin, mapping=context.mapping, today=context.today)


def _delimiter(text: str) -> str:
    """The separator the header line uses most (headers are short and rarely quoted)."""
    header = text.split("\n", 1)[0]
    counts = {candidate: header.count(candidate) for candidate in (",", ";", "\t", "|")}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _first_line_is_json(text: str) -> bool:
    try:
        json.loads(text.split("\n", 1)[0])
    except json.JSONDecodeError:
        return False
    return True


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


_TEXT_LOADERS: dict[str, Callable[[Path, str, _Context], Iterator[LoadItem]]] = {
    ".txt": _load_txt,
    ".html": _load_html,
    ".json": _load_json,
    ".jsonl": _load_jsonl,
    ".md": _load_markdown,
    ".csv": _load_table,
}
# Feeds are parsed from bytes: their XML declaration names the encoding.
_BYTE_LOADERS: dict[str, Callable[[Path, bytes, _Context], Iterator[LoadItem]]] = {
    ".xml": _load_feed,
}
_KINDS = {
    ".txt": ".txt",
    ".html": ".html",
    ".htm": ".html",
    ".json": ".json",
    ".jsonl": ".jsonl",
    ".ndjson": ".jsonl",
    ".md": ".md",
    ".markdown": ".md",
    ".csv": ".csv",
    ".tsv": ".csv",
    ".xml": ".xml",
    ".rss": ".xml",
    ".atom": ".xml",
}
SUFFIXES = (*_KINDS, ".warc", ".warc.gz")
