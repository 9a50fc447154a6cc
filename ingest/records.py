"""Records: one row of a CSV, JSON or JSONL export (or front matter) to an Article.

Exports name their columns many ways; each of our fields takes the first of its known names
present, compared case-insensitively. `mapping` overrides that for one export, e.g.
`{"body": "text", "published": "date"}`: our body comes from their column "text".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ingest.articles import Article, LoadError
from ingest.cleaning import normalize_text, strip_invisible
from ingest.dates import parse_date, vet_date
from ingest.htmlpage import html_to_text, looks_like_html
from retrieval.text.language import language_code

# Our field -> the column names exports use for it, in order of preference.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "body": ("body", "text", "content", "article", "story", "full_text"),
    "summary": ("summary", "description"),
    "published": (
        "published",
        "date",
        "published_at",
        "pub_date",
        "publication_date",
        "datetime",
        "created_at",
        "timestamp",
    ),
    "url": ("url", "link", "href", "canonical_url"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "publication"),
    "id": ("id", "guid", "uuid", "article_id"),
    "author": ("author", "byline", "authors"),
    "language": ("language", "lang", "inlanguage", "locale"),
}
MAPPABLE_FIELDS = tuple(FIELD_NAMES)


def article_from_record(
    record: Mapping[str, object],
    *,
    origin: str,
    mapping: Mapping[str, str] | None = None,
    today: date,
) -> Article | LoadError:
    """An Article from one exported record, or a LoadError naming the missing field."""
    unknown = sorted(set(mapping or {}) - set(FIELD_NAMES))
    if unknown:
        return LoadError(
            origin,
            f"unknown field(s) in mapping: {', '.join(unknown)} "
            f"(known: {', '.join(MAPPABLE_FIELDS)})",
        )
    columns = {str(key).strip().casefold(): value for key, value in record.items()}

    def pick(field: str) -> object:
        if mapping and field in mapping:
            return columns.get(mapping[field].strip().casefold())
        for name in FIELD_NAMES[field]:
            value = columns.get(name)
            if value not in (None, "", [], {}):
                return value
        return None

    body = _text(pick("body")) or _text(pick("summary"))
    if not body:
        return LoadError(origin, _missing_body_reason(record, mapping))
    raw_date = pick("published")
    published, flag = vet_date(parse_date(raw_date), today=today)
    if raw_date not in (None, "") and published is None and flag is None:
        flag = f"unrecognised date {str(raw_date)[:40]!r}; not used"
    return Article(
        title=_plain(pick("title")),
        body=body,
        origin=origin,
        url=_plain(pick("url")) or None,
        source=_plain(pick("source")) or None,
        published=published,
        date_source="metadata" if published else "none",
        author=_author(pick("author")),
        external_id=_plain(pick("id")) or None,
        date_flag=flag,
        language=language_code(pick("language")),  # None (not a code): detected at ingest
    )


def missing_body_column(columns: list[str], mapping: Mapping[str, str] | None) -> str | None:
    """Why a table with these columns cannot give article bodies, or None when it can."""
    present = {column.strip().casefold() for column in columns}
    if mapping and "body" in mapping:
        wanted: tuple[str, ...] = (mapping["body"].strip().casefold(),)
    else:
        wanted = FIELD_NAMES["body"] + FIELD_NAMES["summary"]
    if present & set(wanted):
        return None
    return _missing_body_reason(dict.fromkeys(columns), mapping)


def _missing_body_reason(record: Mapping[str, object], mapping: Mapping[str, str] | None) -> str:
    found = ", ".join(str(key) for key in record) or "none"
    if mapping and "body" in mapping:
        return f"mapped body column {mapping['body']!r} is missing or empty (columns: {found})"
    names = ", ".join(FIELD_NAMES["body"] + FIELD_NAMES["summary"])
    return (
        f"no body field: none of {names} is present and non-empty (columns: {found}); "
        "name the body column with --map body=COLUMN"
    )


def _text(value: object) -> str:
    """A body field as clean paragraphs; lists are paragraphs, HTML is reduced to its text."""
    if isinstance(value, list):
        value = "\n\n".join(str(item) for item in value if item is not None)
    if value is None or isinstance(value, dict):
        return ""
    text = strip_invisible(str(value))  # JSON escapes can hold NUL or a lone surrogate
    return html_to_text(text) if looks_like_html(text) else normalize_text(text)


def _plain(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = strip_invisible(str(value))
    if looks_like_html(text):
        text = html_to_text(text)
    return " ".join(text.split())


def _author(value: object) -> str | None:
    """`authors` may be a string, a list of names, or a list of {"name": ...} objects."""
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list):
        names = [_plain(item.get("name") if isinstance(item, dict) else item) for item in value]
        return ", ".join(name for name in names if name) or None
    return _plain(value) or None
