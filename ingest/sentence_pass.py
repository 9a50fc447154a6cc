"""Ingest's third pass: the vectors of every chunk's sentences, stored for answering.

An answer compares the question with the strongest sentences of what was found; with their
vectors stored (`retrieval.archive.sentence_vectors`), a warm question embeds only itself.
This pass runs after the second, so the archive is searchable (pass one) and fully embedded
(pass two) before it spends time here; until a chunk's sentences are stored, answering embeds
them at question time, with the same model, so replies do not change as the pass goes on.

Resumable like the second pass: a batch's vectors are stored before the catalog marks its
chunks, so a run killed at any point only repeats a batch; a sentence stored once (chunk
overlaps, syndicated copies) is not embedded again.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.archive import Archive
from retrieval.text.sentences import candidate_sentences

Embed = Callable[[list[str]], list[list[float]]]


def store_sentence_vectors(
    archive: Archive,
    embed: Embed,
    batch: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store the sentence vectors of every chunk that has none; returns how many chunks."""
    store = archive.sentence_vectors
    catalog = archive.catalog
    if not store.path.exists() or not store.usable():  # deleted, or another model's
        store.reset()
        catalog.forget_sentences()
    after = 0
    done = 0
    while todo := catalog.unread_chunks(after, batch):
        after = todo[-1][0]
        missing = store.missing([s for _, _, text in todo for s in candidate_sentences(text)])
        if missing:
            store.add(missing, embed(missing))
        catalog.sentences_stored([(rowid, chunk_id) for rowid, chunk_id, _ in todo])
        done += len(todo)
        if progress:
            progress(len(todo))
    return done
