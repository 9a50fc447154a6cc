"""The local vector file: date-windowed dense search agrees with Chroma's own filter, follows
updates and removals, survives a torn write, and falls back for archives that predate it."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from config.settings import RetrievalSettings
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.store import date_where
from retrieval.archive.vectors import VectorFileError, window_bounds
from retrieval.search import SearchOptions, dense_search, search
from tests.support.stories import council_story

WINDOWS = [
    (date(2020, 1, 1), date(2020, 12, 31)),
    (date(2021, 3, 1), date(2021, 8, 31)),
    (None, date(2021, 6, 30)),
    (date(2022, 2, 1), None),
    (date(2019, 1, 1), date(2019, 12, 31)),  # nothing dated: only the undated article
]


_WORDS = (
    "council budget harbour strike vote bridge museum river election hospital school rail "
    "airport police court judge mayor union workers drivers festival theatre storm flood "
    "factory energy prices housing rent tax minister parliament tram port ferry market bank "
    "fire rescue forest park zoo library stadium cup final goal coach player album concert"
).split()


def _article(n: int, published: date | None) -> Article:
    rng = random.Random(n)
    body = " ".join(
        " ".join(rng.choice(_WORDS) for _ in range(12)).capitalize() + "." for _ in range(4)
    )
    return Article(
        f"Report {n}",
        body,
        f"test:{n}",
        url=f"https://news.example/{n}",
        source="Example Times",
        published=published,
    )


def _fill(archive: Archive, count: int = 30) -> None:
    stories = [_article(n, date(2020 + n % 3, 1 + n % 12, 1 + n % 28)) for n in range(count)]
    stories.append(_article(999, None))
    Ingestor(archive).ingest(stories)


def _ids(hits: list[object]) -> list[str]:
    return [h.chunk_id for h in hits]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_windowed_search_finds_what_chromas_filter_finds(
    archive: Archive, start: date | None, end: date | None
) -> None:
    _fill(archive)
    vector = archive.embed_query("harbour strike vote by the union workers")
    exact = dense_search(
        archive, vector, 8, SearchOptions(start=start, end=end), RetrievalSettings()
    )
    chroma = archive.store.query(vector, 8, date_where(start, end))
    assert exact, "every window holds at least the undated article"
    # the same similarities, best first (ids may swap only where two chunks tie)
    assert [round(h.similarity, 4) for h in exact] == [round(h.similarity, 4) for h in chroma]
    tied = {round(h.similarity, 4) for h in exact}
    for ours, theirs in zip(exact, chroma, strict=True):
        assert ours.chunk_id == theirs.chunk_id or round(ours.similarity, 4) in tied
    low, high = window_bounds(start, end)
    published = archive.catalog.get({h.article_id for h in exact})
    for hit in exact:
        day = published[hit.article_id].published
        assert day is None or (start or date.min) <= day <= (end or date.max), (low, high)


def test_the_vector_file_holds_a_row_for_every_chunk(archive: Archive) -> None:
    _fill(archive, 5)
    vectors = archive.catalog.vectors
    assert vectors.complete()
    stats = archive.catalog.stats()
    assert vectors.in_window(*window_bounds(None, None)) == (stats.chunks,) * 2
    # the only rows nobody names: first-pass lede vectors the second pass replaced
    assert 0 < vectors.dead_rows() <= stats.articles


def test_an_updated_article_is_found_only_in_its_new_version(archive: Archive) -> None:
    _fill(archive, 5)
    old = council_story(3)
    Ingestor(archive).ingest([old])
    summary = Ingestor(archive).ingest([replace(old, body="The bridge in town 3 reopened.")])
    assert summary.updated == 1
    window = SearchOptions(k=10, start=date(2000, 1, 1), end=date(2030, 1, 1))
    texts = [p.text for p in search(archive, "town 3 council budget", window).passages]
    assert not any("budget of 3 million" in t for t in texts)
    assert "bridge" in search(archive, "bridge reopened", window).passages[0].text
    assert archive.catalog.vectors.dead_rows() > 0


def test_a_removal_is_seen_by_another_open_archive(
    archive: Archive, settings: object, hashing_embedder: object
) -> None:
    _fill(archive, 5)
    reader = Archive.open(settings, embedder=hashing_embedder)  # type: ignore[arg-type]
    window = SearchOptions(k=10, start=date(2000, 1, 1), end=date(2030, 1, 1))
    try:
        before = {p.article_id for p in search(reader, "council budget", window).passages}
        victim = sorted(before)[0]
        assert Ingestor(archive).remove(victim)
        vector = reader.embed_query("council budget")
        after = dense_search(reader, vector, 10, window, RetrievalSettings())
        assert victim not in {h.article_id for h in after}
    finally:
        reader.close()


def test_a_torn_row_from_a_killed_run_is_cut_before_the_next_append(archive: Archive) -> None:
    Ingestor(archive).ingest([council_story(n) for n in range(1, 4)])
    path = archive.catalog.vectors.path
    with path.open("ab") as out:
        out.write(b"\x00" * 10)  # a kill mid-write leaves part of a row
    Ingestor(archive).ingest([council_story(n) for n in range(4, 8)])
    vectors = archive.catalog.vectors
    dim = 256
    assert path.stat().st_size % (dim * 4) == 0
    vector = archive.embed_query(council_story(6).body)
    hits = dense_search(
        archive, vector, 3, SearchOptions(start=date(2000, 1, 1)), RetrievalSettings()
    )
    assert vectors.complete() and hits[0].article_id == council_story(6).id


def test_a_wide_window_uses_the_index_and_keeps_only_in_window_hits(archive: Archive) -> None:
    _fill(archive)
    vector = archive.embed_query("museum festival in the park")
    options = SearchOptions(start=date(2020, 6, 1), end=date(2022, 12, 31))
    wide = dense_search(archive, vector, 6, options, RetrievalSettings(exact_window_rows=0))
    exact = dense_search(archive, vector, 6, options, RetrievalSettings())
    assert set(_ids(wide)) == set(_ids(exact))
    assert all(h.content_hash for h in wide)  # came from Chroma: checked against the catalog


def test_an_archive_from_before_the_vector_file_falls_back_to_chromas_filter(
    archive: Archive,
) -> None:
    _fill(archive, 10)
    with archive.catalog.transaction() as conn:
        conn.execute("UPDATE chunks SET vector_row = NULL")
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'chunks_generation'")
    assert not archive.catalog.vectors.complete()
    options = SearchOptions(start=date(2021, 1, 1), end=date(2021, 12, 31))
    vector = archive.embed_query("council budget")
    hits = dense_search(archive, vector, 5, options, RetrievalSettings())
    chroma = archive.store.query(vector, 5, date_where(options.start, options.end))
    assert _ids(hits) == [h.chunk_id for h in chroma]


def test_vectors_of_another_dimension_are_refused(archive: Archive) -> None:
    _fill(archive, 2)
    with pytest.raises(VectorFileError, match="256-dimensional"):
        archive.catalog.vectors.append([[0.1] * 384])
