"""Which articles are about a topic: the question's two retrievers, each with a bar to clear.

A followed topic and a coverage chart both need a yes or no per article, not a ranking, so
the rank fusion questions use cannot serve: an article is about "port strike" when its headline or one of its
chunks holds every content word of the topic (stemmed; chunks through the keyword index), or when a chunk's
vector is within `topic_threshold` cosine of the topic's (the dense index), which catches the
articles that say "dockworkers walked out". Over the whole archive the dense side is the
nearest `limit` chunks in the window; over the articles added since a mark (what a follow
pushes) every chunk of those articles is scored exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from config.settings import RetrievalSettings
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.archive.models import above_chance
from retrieval.search import SearchOptions, dense_search
from retrieval.text.sentences import content_words, stem

MAX_TOPIC_CHARS = 200


@dataclass(frozen=True)
class TopicMatch:
    """An article about the topic, and why it counts."""

    record: ArticleRecord
    similarity: float  # the best cosine of the topic with one of its chunks (0: none scored)
    keyword: bool  # one chunk holds every content word of the topic


def topic_terms(topic: str) -> tuple[str, ...]:
    """The content words a chunk must hold to match `topic` by keyword."""
    return tuple(dict.fromkeys(content_words(topic)))


def articles_about(
    archive: Archive,
    topic: str,
    settings: RetrievalSettings,
    *,
    start: date | None = None,
    end: date | None = None,
    limit: int = 2000,
) -> list[TopicMatch]:
    """Every article in the window (none: the archive) about `topic`, best first, at most
    `limit` found by each retriever."""
    vector = archive.embed_query(topic)
    dense = dense_search(archive, vector, limit, SearchOptions(start=start, end=end), settings)
    best: dict[str, float] = {}
    for hit in dense:
        similarity = above_chance(hit.similarity, archive.chance_cosine)
        if similarity >= settings.topic_threshold:
            best[hit.article_id] = max(best.get(hit.article_id, 0.0), similarity)
    terms = topic_terms(topic)
    keyword = set(archive.catalog.keywords.articles_with_all(terms, limit, start, end))
    nearby = archive.catalog.get({hit.article_id for hit in dense} - keyword)
    keyword.update(a for a, r in nearby.items() if headline_names(r.title, terms))
    return _matches(archive, best, keyword)


def new_articles_about(
    archive: Archive, topic: str, settings: RetrievalSettings, article_rowids: Sequence[int]
) -> list[TopicMatch]:
    """Which of these articles (catalog row ids: the ones added since a mark) are about
    `topic`, every chunk with a vector scored exactly."""
    if not article_rowids:
        return []
    catalog = archive.catalog
    chunks = catalog.chunk_vector_rows(article_rowids)
    best: dict[str, float] = {}
    with_rows = [(article_id, row) for article_id, row in chunks if row is not None]
    if with_rows and catalog.vectors.complete():
        query = np.asarray(archive.embed_query(topic), dtype=np.float32)
        query /= float(np.linalg.norm(query)) or 1.0
        scores = catalog.vectors.rows([row for _, row in with_rows]) @ query
        for (article_id, _), raw in zip(with_rows, scores.tolist(), strict=True):
            score = above_chance(float(raw), archive.chance_cosine)
            if score >= settings.topic_threshold:
                best[article_id] = max(best.get(article_id, 0.0), float(score))
    ids = sorted({article_id for article_id, _ in chunks})
    terms = topic_terms(topic)
    keyword = set(catalog.keywords.articles_with_all(terms, len(ids) + 1, among=ids))
    keyword.update(a for a, r in catalog.get(ids).items() if headline_names(r.title, terms))
    return _matches(archive, best, keyword)


def headline_names(title: str, terms: Sequence[str]) -> bool:
    """Whether a headline holds every one of `terms` (stemmed)."""
    held = {stem(w) for w in content_words(title)}
    return bool(terms) and all(stem(t) in held for t in terms)


def _matches(archive: Archive, best: dict[str, float], keyword: set[str]) -> list[TopicMatch]:
    records = archive.catalog.get(set(best) | keyword)
    found = [
        TopicMatch(record, best.get(article_id, 0.0), article_id in keyword)
        for article_id, record in records.items()
    ]
    found.sort(key=lambda m: (-(m.keyword + m.similarity), m.record.article_id))
    return found
