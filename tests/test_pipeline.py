"""The ingest pipeline against a real Chroma in tmp_path: idempotence, updates, duplicates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ingest.articles import LoadError
from ingest.pipeline import IngestLockedError, Ingestor, ingest_lock
from retrieval.archive import Archive
from retrieval.search import SearchOptions, search
from tests.support.stories import council_story


def test_ingest_then_reingest_embeds_nothing(archive: Archive) -> None:
    articles = [council_story(n) for n in range(1, 6)]
    first = Ingestor(archive)
    summary = first.ingest(articles)
    assert (summary.added, summary.unchanged, summary.failed) == (5, 0, 0)
    assert first.embedded_chunks > 0
    assert archive.store.count() == archive.catalog.stats().chunks

    again = Ingestor(archive)
    summary = again.ingest(articles)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5)
    assert again.embedded_chunks == 0


def test_changed_article_replaces_its_chunks(archive: Archive) -> None:
    Ingestor(archive).ingest([council_story(1)])
    before = archive.store.count()
    changed = council_story(
        1, body="A completely different report. The bridge reopened on Friday after repairs."
    )
    summary = Ingestor(archive).ingest([changed])
    assert (summary.updated, summary.added) == (1, 0)
    assert archive.store.count() == archive.catalog.stats().chunks <= before
    hits = search(archive, "bridge reopened", SearchOptions(k=5)).passages
    assert hits and "bridge reopened" in hits[0].text
    assert not any("budget" in p.text for p in hits)


def test_exact_duplicate_body_is_stored_once(archive: Archive) -> None:
    original = council_story(2)
    copy = replace(
        original, url="https://other.example/copy", source="Other Daily", origin="test:copy"
    )
    summary = Ingestor(archive).ingest([original, copy])
    assert (summary.added, summary.duplicate) == (1, 1)
    assert archive.catalog.stats().articles == 1
    passages = search(archive, "budget council", SearchOptions(k=3)).passages
    assert passages[0].also_published_by == ("Other Daily",)


def test_load_errors_are_counted_and_the_rest_goes_on(archive: Archive) -> None:
    items = [
        LoadError("bad.json:3", "invalid JSON"),
        council_story(3),
        council_story(4, body="   "),
    ]
    summary = Ingestor(archive).ingest(items)
    assert summary.added == 1
    assert summary.failed == 2
    assert str(summary.errors[0]) == "bad.json:3: invalid JSON"


def test_remove_deletes_everywhere(archive: Archive) -> None:
    article = council_story(5)
    Ingestor(archive).ingest([article, council_story(6)])
    assert Ingestor(archive).remove(article.id)
    assert archive.catalog.get([article.id]) == {}
    assert article.id not in {
        p.article_id for p in search(archive, "town 5 budget", SearchOptions()).passages
    }
    assert archive.store.count() == archive.catalog.stats().chunks
    assert not Ingestor(archive).remove(article.id)


def test_vectors_without_a_catalog_entry_are_invisible(archive: Archive) -> None:
    """An ingest killed after storing vectors but before committing shows nothing."""
    from ingest.chunking import chunk_article

    article = council_story(7)
    chunks = chunk_article(article)
    archive.store.upsert(chunks, archive.embed_texts([c.embed_text for c in chunks]))
    assert search(archive, "town 7 budget", SearchOptions()).passages == ()
    summary = Ingestor(archive).ingest([article])
    assert summary.added == 1
    assert archive.store.count() == len(chunks)


def test_second_ingest_is_refused_while_one_runs(tmp_path: Path) -> None:
    with ingest_lock(tmp_path), pytest.raises(IngestLockedError, match="another ingest"):  # noqa: SIM117
        with ingest_lock(tmp_path, wait_s=0.2):
            pass
    with ingest_lock(tmp_path):
        pass  # released again
