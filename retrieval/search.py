"""Dense + keyword retrieval, fused by reciprocal rank, inside a date window -> ranked Passages.

Both retrievers get the same publication-date window, so a question about May 2019 never sees
2020. Only chunks whose article the catalog holds in the same version count. Syndicated copies
of one story collapse into the best-ranked one, which learns the other outlets' names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from config.settings import RetrievalSettings
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.archive.store import DenseHit, date_where
from retrieval.archive.vectors import window_bounds
from retrieval.results import Passage


@dataclass(frozen=True)
class SearchOptions:
    """What to look for and where in time."""

    k: int = 10
    start: date | None = None
    end: date | None = None
    prefer_recent: bool = False


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages, best first."""

    passages: tuple[Passage, ...]


def rrf(rankings: Iterable[list[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal-rank fusion: each list adds 1/(k + rank) to the ids it ranks."""
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] += 1.0 / (k + rank)
    return dict(scores)


def recency_boost(scores: dict[str, float], published: dict[str, date | None]) -> dict[str, float]:
    """For 'latest'/'recent' questions: newer candidates gain up to +50 %, relative to the pool."""
    days = [d.toordinal() for d in published.values() if d]
    if not days:
        return scores
    low, high = min(days), max(days)
    span = max(high - low, 1)
    boosted = {}
    for key, score in scores.items():
        day = published.get(key)
        factor = 1.0 + 0.5 * ((day.toordinal() - low) / span) if day else 1.0
        boosted[key] = score * factor
    return boosted


def search(
    archive: Archive,
    query: str,
    options: SearchOptions,
    settings: RetrievalSettings | None = None,
) -> SearchResult:
    """Rank passages for `query` with dense and keyword retrieval fused (`settings`: how many
    candidates each retriever brings and how they are fused; the defaults when None)."""
    settings = settings or RetrievalSettings()
    pending = archive.in_background(
        archive.catalog.keyword_search,
        query,
        max(settings.keyword_k, options.k),
        options.start,
        options.end,
    )
    vector = archive.embed_query(query)
    dense = dense_search(archive, vector, max(settings.dense_k, options.k), options, settings)
    keyword = pending.result()
    articles = archive.catalog.get({h.article_id for h in dense} | {h.article_id for h in keyword})
    texts: dict[str, tuple[str, str, int]] = {}
    dense_ids: list[str] = []
    for hit in dense:
        record = articles.get(hit.article_id)
        if record is None or (
            hit.content_hash is not None and hit.content_hash != record.content_hash
        ):
            continue  # an interrupted or superseded write: not part of the archive
        texts[hit.chunk_id] = (hit.article_id, hit.text, hit.position)
        dense_ids.append(hit.chunk_id)
    keyword_ids: list[str] = []
    for khit in keyword:
        if khit.article_id in articles:
            keyword_ids.append(khit.chunk_id)
            if khit.chunk_id not in texts:
                texts[khit.chunk_id] = (khit.article_id, khit.text, _position(khit.chunk_id))
    scores = rrf([dense_ids, keyword_ids], settings.rrf_k)
    if options.prefer_recent:
        scores = recency_boost(scores, {cid: articles[texts[cid][0]].published for cid in scores})
    ranked = sorted(scores, key=lambda cid: (-scores[cid], cid))
    passages = _collapse_stories(archive, ranked, texts, articles, scores, options.k)
    return SearchResult(passages=tuple(passages))


@dataclass(frozen=True)
class _Dense:
    chunk_id: str
    article_id: str
    text: str
    position: int
    content_hash: str | None  # None: read from the catalog's committed chunks, nothing to check
    similarity: float


def dense_search(
    archive: Archive,
    vector: Sequence[float],
    k: int,
    options: SearchOptions,
    settings: RetrievalSettings,
) -> list[_Dense]:
    """The k nearest chunks inside the window (none: the whole archive), by the cheapest
    exact-enough route.

    The local vector file is scored exactly when the window holds at most
    `exact_window_rows` chunks (9 ms per 100k rows on 2 cores; it needs no Chroma, so a
    question from the shell never loads it). A wider window asks Chroma's HNSW index for more
    than k unfiltered and keeps the in-window hits (a wide window keeps most of them), scoring
    exactly only when too few survive. Chroma's own `where` filter serves an archive whose
    chunks predate the vector file.
    """
    vectors = archive.catalog.vectors
    if not vectors.complete():
        where = date_where(options.start, options.end)
        return [_from_store(h) for h in archive.store.query(vector, k, where)]
    low, high = window_bounds(options.start, options.end)
    held, total = vectors.in_window(low, high)
    if held > settings.exact_window_rows:
        if options.start is None and options.end is None:
            return [_from_store(h) for h in archive.store.query(vector, k)]
        share = held / max(total, 1)
        fetched = archive.store.query(vector, min(int(k / share * 2) + 1, 10 * k))
        kept = [
            _from_store(h)
            for h in fetched
            if low <= int(h.metadata.get("published_int", 0)) <= high
            or not h.metadata.get("published_int")
        ]
        if len(kept) >= k:
            return kept[:k]
    return [
        _Dense(h.chunk_id, h.article_id, h.text, h.position, None, h.similarity)
        for h in vectors.search(vector, k, low, high)
    ]


def _from_store(hit: DenseHit) -> _Dense:
    return _Dense(
        hit.chunk_id,
        hit.article_id,
        hit.text,
        int(hit.metadata.get("position", 0)),
        str(hit.metadata.get("content_hash", "")),
        hit.similarity,
    )


def _position(chunk_id: str) -> int:
    tail = chunk_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _collapse_stories(
    archive: Archive,
    ranked: list[str],
    texts: dict[str, tuple[str, str, int]],
    articles: dict[str, ArticleRecord],
    scores: dict[str, float],
    k: int,
) -> list[Passage]:
    """Keep one article per syndicated story; name the other outlets that carried it."""
    story_owner: dict[str, str] = {}
    others: dict[str, list[str]] = defaultdict(list)
    kept: list[str] = []
    for chunk_id in ranked:
        article_id = texts[chunk_id][0]
        record = articles[article_id]
        story = record.story_id or article_id
        owner = story_owner.setdefault(story, article_id)
        if owner != article_id:
            if record.source and record.source not in others[owner]:
                others[owner].append(record.source)
            continue
        kept.append(chunk_id)
    passages = []
    for chunk_id in kept[:k]:
        article_id, text, position = texts[chunk_id]
        record = articles[article_id]
        also = list(others.get(article_id, []))
        for _url, source in archive.catalog.aliases_of(article_id):
            if source and source not in also and source != record.source:
                also.append(source)
        passages.append(
            Passage(
                chunk_id=chunk_id,
                article_id=article_id,
                text=text,
                title=record.title,
                source=record.source,
                published=record.published,
                url=record.url,
                score=scores[chunk_id],
                position=position,
                story_id=record.story_id,
                also_published_by=tuple(s for s in also if s != record.source),
            )
        )
    return passages
