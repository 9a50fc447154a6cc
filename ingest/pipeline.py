"""load -> clean -> dedupe -> chunk -> embed -> store, with progress and a summary.

# size: ~350 lines, the batch loop and its writer thread are one piece of crash-safe logic

In two passes by default (`ingest.two_pass`): this module's batches store every article and
keyword-index every chunk but embed only each article's header and lede, so the archive is
searchable soon; `second_pass.embed_awaiting` then embeds every chunk from its full text.

Work is done in batches. Unchanged articles are recognised by their content hash before any
model work. Embedding of one batch overlaps with storing the previous one (a single writer
thread), and an article becomes visible only when the catalog commits it, after its vectors are
stored: a run killed at any point leaves the previous state plus at most invisible leftovers,
which the next run removes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.chunking import chunk_article, lede_text
from ingest.errors import IngestError
from ingest.second_pass import embed_awaiting, finish_reset
from ingest.sentence_pass import store_sentence_vectors
from ingest.syndication import SyndicationIndex
from ingest.warc import WarcSkip
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.archive.store import ChunkRecord
from retrieval.text.language import detect_language

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class IngestLockedError(IngestError):
    """Another ingest is writing to the same data dir."""


@dataclass
class IngestSummary:
    """What one ingest run did; `errors` name each failed input and why."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failed: int = 0
    syndicated: int = 0
    skipped: int = 0
    chunks: int = 0
    seconds: float = 0.0
    searchable_seconds: float = 0.0  # until the first pass was done (every article findable)
    awaiting: int = 0  # chunks left for a later second pass (`second_pass=False`)
    sentence_chunks: int = 0  # chunks whose sentence vectors the third pass stored
    sentence_seconds: float = 0.0  # what the third pass took (within `seconds`)
    errors: list[LoadError] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)
    # Stored, but something was not used: a date that looked wrong, an older copy of an
    # article given twice. Each names its input, like `errors`, and is not counted as failed.
    warnings: list[LoadError] = field(default_factory=list)

    @property
    def articles_seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicate

    def line(self) -> str:
        """One-line summary for people."""
        text = (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"duplicate {self.duplicate}, failed {self.failed}"
        )
        if self.skipped:
            text += f", skipped {self.skipped} non-article records"
        if self.syndicated:
            text += f"; {self.syndicated} grouped with a syndicated copy"
        text += f" ({self.chunks} chunks embedded in {self.seconds:.1f}s"
        if (self.added or self.updated) and self.searchable_seconds < self.seconds:
            text += f"; searchable after {self.searchable_seconds:.1f}s"
        if self.sentence_chunks:
            text += (
                f"; sentences of {self.sentence_chunks} chunks embedded for answering in "
                f"{self.sentence_seconds:.1f}s"
            )
        if self.awaiting:
            text += f"; {self.awaiting} chunks left for the second pass: run `newsbot ingest`"
        return text + ")"


def _counting(total: int, progress: Callable[[int, int], None] | None) -> Callable[[int], None]:
    """A pass's per-batch count turned into `progress(done, total)` calls."""
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    return advance


@contextmanager
def ingest_lock(data_dir: Path, wait_s: float = 0.0) -> Iterator[None]:
    """One writer per data dir: a second ingest waits up to `wait_s`, then gives up clearly."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    handle = path.open("a+")
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IngestLockedError(
                        f"another ingest is writing to {data_dir} (lock {path}); "
                        "wait for it to finish and run this again"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@dataclass
class _Prepared:
    article: Article
    chunks: list[ChunkRecord]
    is_update: bool


class Ingestor:
    """Ingests articles into one archive."""

    # Batches default to settings.ingest.batch_articles (256 articles, ~1,300 chunks): sorted by
    # length, the model's batches then pad almost as little as one global sort would
    # (docs/benchmarks.md); memory stays small.
    def __init__(
        self,
        archive: Archive,
        settings: IngestSettings | None = None,
        batch_articles: int | None = None,
    ) -> None:
        self.archive = archive
        self.settings = settings or IngestSettings()
        self.batch_articles = batch_articles or self.settings.batch_articles
        self.syndication = SyndicationIndex(
            archive.catalog.stories, threshold=self.settings.syndication_threshold
        )
        self.embedded_chunks = 0

    def finish_interrupted(self) -> int:
        """Remove vectors that an interrupted run left behind; returns how many articles."""
        pending = self.archive.catalog.pending_cleanup()
        for article_id, keep_hash in pending:
            stale = [
                cid
                for cid in self.archive.store.chunk_ids_of(article_id)
                if not keep_hash or cid.split(":")[1] != keep_hash[:8]
            ]
            if stale:
                self.archive.store.delete_chunk_ids(stale)
            self.archive.catalog.cleanup_done(article_id)
        return len(pending)

    def ingest(
        self,
        items: Iterable[Article | LoadError | WarcSkip],
        progress: Progress | None = None,
        *,
        second_pass: bool = True,
        chunk_progress: Callable[[int, int], None] | None = None,
        sentence_progress: Callable[[int, int], None] | None = None,
    ) -> IngestSummary:
        """Store every article from `items`; bad items are counted and reported, never fatal.

        Then, unless `second_pass` is False, embed every chunk still awaiting its full-text
        vector (this run's and any an interrupted run left), and store the vectors of every
        chunk's sentences when answers read stored ones (`answer.reader=stored`);
        `chunk_progress(done, total)` and `sentence_progress` follow those passes."""
        started = time.perf_counter()
        summary = IngestSummary()
        finish_reset(self.archive)
        self.finish_interrupted()
        seen_bodies: dict[str, str] = {}
        batch: list[Article] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-writer") as writer:
            pending: Future[None] | None = None
            for item in items:
                if isinstance(item, WarcSkip):
                    summary.skipped += 1
                    continue
                if isinstance(item, LoadError):
                    summary.failed += 1
                    summary.errors.append(item)
                    log.info("%s", item)
                    if progress:
                        progress(1)
                    continue
                batch.append(item)
                if len(batch) >= self.batch_articles:
                    pending = self._flush(batch, summary, seen_bodies, writer, pending, progress)
                    batch = []
            pending = self._flush(batch, summary, seen_bodies, writer, pending, progress)
            if pending is not None:
                pending.result()
        summary.searchable_seconds = time.perf_counter() - started
        if second_pass:
            self._later_passes(summary, chunk_progress, sentence_progress)
        else:
            summary.awaiting = self.archive.catalog.awaiting_count()
        summary.seconds = time.perf_counter() - started
        return summary

    def _later_passes(
        self,
        summary: IngestSummary,
        chunk_progress: Callable[[int, int], None] | None,
        sentence_progress: Callable[[int, int], None] | None,
    ) -> None:
        """Pass two (every chunk awaiting its full-text vector), then pass three (the vectors
        of every chunk's sentences, when answers read stored ones)."""
        catalog = self.archive.catalog
        if total := catalog.awaiting_count():
            embedded = embed_awaiting(
                self.archive,
                self._embed,
                self.settings.second_pass_batch,
                _counting(total, chunk_progress),
            )
            self.embedded_chunks += embedded
            summary.chunks += embedded
        if unread := self.archive.unread_sentences():
            started = time.perf_counter()
            summary.sentence_chunks = store_sentence_vectors(
                self.archive,
                self._embed,
                self.settings.second_pass_batch,
                _counting(unread, sentence_progress),
            )
            summary.sentence_seconds = time.perf_counter() - started

    def _flush(
        self,
        batch: list[Article],
        summary: IngestSummary,
        seen_bodies: dict[str, str],
        writer: ThreadPoolExecutor,
        pending: Future[None] | None,
        progress: Progress | None,
    ) -> Future[None] | None:
        if not batch:
            return pending
        # The writer may still be committing the previous batch, whose articles this batch's
        # duplicate checks must see: wait for it before reading the catalog.
        if pending is not None:
            pending.result()
            pending = None
        prepared = self._prepare(batch, summary, seen_bodies)
        if progress:
            progress(len(batch) - len(prepared))
        if not prepared:
            return pending
        if self.settings.two_pass:
            texts = [lede_text(p.chunks[0], self.settings.lede_words) for p in prepared]
            complete = sum(
                len(p.chunks) == 1 and text == p.chunks[0].embed_text
                for p, text in zip(prepared, texts, strict=True)
            )
        else:
            texts = [c.embed_text for p in prepared for c in p.chunks]
            complete = len(texts)
        vectors = self._embed(texts)
        self.embedded_chunks += complete
        summary.chunks += complete
        return writer.submit(self._store, prepared, texts, vectors, summary, progress)

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors in input order, computed shortest text first.

        The model pads every text of a batch to the batch's longest, so batches of similar
        lengths waste less work (about 9 % fewer padded tokens on news chunks).
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        embedded = self.archive.embed_texts([texts[i] for i in order])
        vectors: list[list[float]] = [[] for _ in texts]
        for index, vector in zip(order, embedded, strict=True):
            vectors[index] = vector
        return vectors

    def _prepare(
        self, batch: list[Article], summary: IngestSummary, seen_bodies: dict[str, str]
    ) -> list[_Prepared]:
        catalog = self.archive.catalog
        known = catalog.get(a.id for a in batch)
        prepared: list[_Prepared] = []
        relabelled: list[tuple[str, str]] = []
        # The same article twice in one batch: the later copy wins, as it does across batches.
        # (Keeping the first made each re-run of one file swap the two versions.)
        last = {article.id: index for index, article in enumerate(batch)}
        for index, article in enumerate(batch):
            article_id = article.id
            later = batch[last[article_id]]
            if index != last[article_id]:
                summary.duplicate += 1
                if later.content_hash != article.content_hash:
                    summary.warnings.append(
                        LoadError(article.origin, f"replaced by a later version in {later.origin}")
                    )
                continue
            stored = known.get(article_id)
            if stored and stored.content_hash == article.content_hash:
                summary.unchanged += 1
                # The language is not in the hash: one stated anew, or none stored yet (rows
                # from before languages), is written in place, with no new version to embed.
                if article.language and article.language != stored.language:
                    relabelled.append((article_id, article.language))
                elif not stored.language:
                    relabelled.append((article_id, _language(article).language or ""))
                continue
            twin = seen_bodies.get(article.body_hash) or catalog.by_body_hash(article.body_hash)
            if twin and twin != article_id and not stored:
                summary.duplicate += 1
                if article.url:
                    catalog.add_alias(article.url, twin, article.source, article.published)
                continue
            chunks = chunk_article(article, self.settings.chunk_size, self.settings.chunk_overlap)
            if not chunks:
                summary.failed += 1
                summary.errors.append(LoadError(article.origin, "no text left after cleaning"))
                continue
            seen_bodies[article.body_hash] = article_id
            if article.date_flag:
                summary.warnings.append(LoadError(article.origin, article.date_flag))
            prepared.append(_Prepared(_language(article), chunks, is_update=stored is not None))
        if relabelled:
            catalog.set_languages(relabelled)
        return prepared

    def _store(
        self,
        prepared: list[_Prepared],
        texts: list[str],
        vectors: list[list[float]],
        summary: IngestSummary,
        progress: Progress | None,
    ) -> None:
        """Store a batch's vectors, then commit its articles. `texts` are what `vectors` were
        made from: every chunk's embed text, or (first pass) one lede per article."""
        ledes = self.settings.two_pass
        stored = (
            [p.chunks[0] for p in prepared] if ledes else [c for p in prepared for c in p.chunks]
        )
        self.archive.store.upsert(stored, vectors)
        rows = iter(self.archive.catalog.vectors.append(vectors))
        lede_texts = iter(texts)
        for item in prepared:
            article = item.article
            story_id = self.syndication.add(article.id, article.body)
            if story_id != article.id:
                summary.syndicated += 1
            if ledes:  # the opening chunk has its lede's vector; the rest have none yet
                first = item.chunks[0]
                vector_rows: list[int | None] = [next(rows)] + [None] * (len(item.chunks) - 1)
                awaiting = [next(lede_texts) != first.embed_text] + [True] * (len(item.chunks) - 1)
            else:
                vector_rows = [next(rows) for _ in item.chunks]
                awaiting = [False] * len(item.chunks)
            self.archive.catalog.commit_article(
                _record(article, story_id, len(item.chunks)),
                item.chunks,
                article.body,
                vector_rows=vector_rows,
                awaiting=awaiting,
            )
            if item.is_update:
                summary.updated += 1
            else:
                summary.added += 1
                summary.added_ids.append(article.id)
        self.finish_interrupted()
        if progress:
            progress(len(prepared))

    def remove(self, article_id: str) -> bool:
        """Delete an article from the catalog, the keyword index and the vector store."""
        if not self.archive.catalog.remove(article_id):
            return False
        self.syndication.remove(article_id)
        self.finish_interrupted()
        return True


def _language(article: Article) -> Article:
    """The article with its language: as stated, else detected from its title and body."""
    if article.language:
        return article
    return replace(article, language=detect_language(f"{article.title}\n{article.body}"))


def _record(article: Article, story_id: str, n_chunks: int) -> ArticleRecord:
    return ArticleRecord(
        article_id=article.id,
        content_hash=article.content_hash,
        body_hash=article.body_hash,
        title=article.title,
        source=article.source,
        url=article.url,
        published=article.published,
        date_source=article.date_source,
        author=article.author,
        origin=article.origin,
        external_id=article.external_id,
        story_id=story_id,
        n_chunks=n_chunks,
        language=article.language or "",
    )
