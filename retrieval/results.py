"""Typed results of a question: the passages found, the citations made, the answer given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of an article, with where it came from and how it ranked."""

    chunk_id: str
    article_id: str
    text: str
    title: str
    source: str | None
    published: date | None
    url: str | None
    score: float
    position: int = 0
    story_id: str | None = None
    also_published_by: tuple[str, ...] = ()

    def label(self) -> str:
        """`Title · Outlet · 2019-05-20` for headers and citations."""
        parts = [self.title or "(untitled)"]
        if self.source:
            parts.append(self.source)
        parts.append(self.published.isoformat() if self.published else "undated")
        return " · ".join(parts)


@dataclass(frozen=True)
class Citation:
    """A numbered reference from an answer sentence to the passage that supports it."""

    n: int
    passage: Passage
    quote: str

    @property
    def article_id(self) -> str:
        return self.passage.article_id


@dataclass(frozen=True)
class Answer:
    """What the bot replies. `abstained` answers are normal answers that say the archive lacks it.

    `text` is the cited sentences (or the abstention), with `[n]` markers that refer to
    `citations` by number. `short` is the short answer (a date, a name, a number) when one was
    found; it is not repeated in `text`, each front end shows it its own way. `notes` are things
    the reader should know (a time window that held nothing, a date that was resolved).
    `decision` is what the calibrated answer-or-abstain decision read (its features and the
    `probability` it gave), when one was taken.
    """

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    abstained: bool
    short: str | None = None
    notes: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    verification: dict[str, object] | None = None
    search_query: str | None = None
    decision: dict[str, float] | None = None

    def reply(self) -> str:
        """The reply as plain text: the short answer on its own line, then the cited text."""
        return f"{self.short}\n{self.text}" if self.short and not self.abstained else self.text
