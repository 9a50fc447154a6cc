"""Article: the unit everything in ingest flows as, and its stable id."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

# Re-exported for code that imports it beside article_id; the alias marks that for mypy --strict.
from retrieval.text.urls import canonical_url as canonical_url  # noqa: PLC0414 - re-export

# Where a publication date came from, so a reader can judge how far to trust it.
DateSource = Literal[
    "metadata",  # page metadata (htmldate via trafilatura), JSON/CSV field, front matter
    "feed",  # a feed entry's published/updated date
    "text",  # found in the text itself (e.g. a dateline)
    "cli",  # given by the person ingesting (--published)
    "capture",  # web-archive capture time: a fallback, not a publication date
    "none",
]


@dataclass(frozen=True)
class Article:
    """One news article as loaded and cleaned, before chunking.

    `origin` names where it came from (a file path, `file.jsonl:12`, a URL) so errors and
    summaries can point at it. `date_flag` is set when the date looked wrong (future, pre-1900)
    and was not used.
    """

    title: str
    body: str
    origin: str
    url: str | None = None
    source: str | None = None
    published: date | None = None
    date_source: DateSource = "none"
    author: str | None = None
    external_id: str | None = None
    date_flag: str | None = None
    feed_guid: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # ISO 639-1 code as the export or the person ingesting stated it; None: the pipeline
    # detects it from the title and body
    language: str | None = None

    @property
    def id(self) -> str:
        """Stable id: from the canonical URL when known, else from the body's content."""
        return article_id(self.url, self.body)

    @property
    def content_hash(self) -> str:
        """Hash of everything stored for the article: a change here means re-embedding.

        Not the language: it is read from the text (or stated beside it) and embeds nothing,
        so a restated or re-detected language alone is written in place, not a new version."""
        parts = [
            self.title,
            normalise_for_hash(self.body),
            self.source or "",
            self.published.isoformat() if self.published else "",
            self.url or "",
            self.author or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]

    @property
    def body_hash(self) -> str:
        """Hash of the body alone: equal bodies are exact duplicates."""
        return hashlib.sha256(normalise_for_hash(self.body).encode("utf-8")).hexdigest()[:24]

    def with_defaults(
        self, source: str | None, published: date | None, language: str | None = None
    ) -> Article:
        """Fill a missing outlet, date or language from what the person ingesting told us."""
        updated = self
        if source and not self.source:
            updated = replace(updated, source=source)
        if published and not self.published:
            updated = replace(updated, published=published, date_source="cli")
        if language and not self.language:
            updated = replace(updated, language=language)
        return updated


def normalise_for_hash(text: str) -> str:
    """Case, Unicode form and white space do not make a different article."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def article_id(url: str | None, body: str) -> str:
    """`u…` from the canonical URL when there is one, else `h…` from the body's content."""
    canonical = canonical_url(url) if url else ""
    if urlsplit(canonical).netloc:
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
        return f"u{digest}"
    digest = hashlib.sha256(normalise_for_hash(body).encode("utf-8")).hexdigest()[:16]
    return f"h{digest}"


@dataclass(frozen=True)
class LoadError:
    """An input that could not become an article; `origin` names it, `reason` says why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"
