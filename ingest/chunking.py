"""Article -> sentence-aware chunks with overlap, metadata and an embedded header.

Chunks end at sentence boundaries and neighbours share their last/first sentences, so a fact
that straddles a boundary is whole in at least one chunk. The text a vector is made from starts
with `title · outlet · date`, so a question naming the outlet or the time finds it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ingest.articles import Article
from retrieval.archive.store import ChunkRecord
from retrieval.text.sentences import split_sentences


def header(article: Article) -> str:
    """`Title · Outlet · 2019-05-20` (parts that are unknown are left out)."""
    return header_of(article.title, article.source, article.published)


def header_of(title: str, source: str | None, published: date | None) -> str:
    """The header line from its parts."""
    parts = [title, source or "", published.isoformat() if published else ""]
    return " · ".join(p for p in parts if p)


def embed_text_of(chunk: ChunkRecord) -> str:
    """The text a chunk's vector is made from: its header line, then its text (the same for a
    chunk read back from the catalog as for one just cut from its article)."""
    head = header_of(chunk.title, chunk.source, chunk.published)
    return f"{head}\n{chunk.text}" if head else chunk.text


def lede_text(chunk: ChunkRecord, words: int) -> str:
    """What ingest's first pass embeds for an article: its header and the first sentences of
    its opening chunk, up to `words` words (at least the first sentence, cut at `words`).

    News puts the facts first, so the lede finds the article; the second pass embeds every
    chunk from its full text."""
    kept: list[str] = []
    count = 0
    for sentence in split_sentences(chunk.text):
        length = len(sentence.split())
        if kept and count + length > words:
            break
        kept.append(sentence)
        count += length
    lede = " ".join(" ".join(kept).split()[:words])
    head = header_of(chunk.title, chunk.source, chunk.published)
    return f"{head}\n{lede}" if head else lede


def _sentence_groups(sentences: list[str], size: int, overlap: int) -> list[list[str]]:
    groups: list[list[str]] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        length = len(sentence.split())
        if current and count + length > size:
            groups.append(current)
            # Carry the tail sentences (up to `overlap` words) into the next chunk, but only as
            # many as leave room for the sentence that did not fit: a carry that left no room
            # would be emitted on its own next, a chunk made of nothing but overlap.
            carried: list[str] = []
            carried_words = 0
            for previous in reversed(current):
                n = len(previous.split())
                if (
                    carried_words + n > overlap
                    or carried_words + n + length > size
                    or len(carried) + 1 >= len(current)
                ):
                    break
                carried.insert(0, previous)
                carried_words += n
            current, count = carried, carried_words
        current.append(sentence)
        count += length
    # Every group ends with a sentence no earlier group holds (the carry always has room for
    # one), so the last one is always kept; comparing texts would drop a repeated passage.
    if current:
        groups.append(current)
    return groups


def _split_long(sentence: str, size: int) -> list[str]:
    """A 'sentence' longer than a chunk (a table row dump, a run-on line) is cut by words."""
    tokens = sentence.split()
    if len(tokens) <= size:
        return [sentence]
    return [" ".join(tokens[i : i + size]) for i in range(0, len(tokens), size)]


def chunk_article(article: Article, size: int = 120, overlap: int = 30) -> list[ChunkRecord]:
    """Split an article's body into chunk records ready for embedding and storage.

    Each chunk's text holds at most `size` words; its embed text adds the header line.
    """
    sentences = [
        piece for sentence in split_sentences(article.body) for piece in _split_long(sentence, size)
    ]
    groups = _sentence_groups(sentences, size, overlap) if sentences else []
    article_id = article.id
    content_hash = article.content_hash
    records = []
    for position, group in enumerate(groups):
        record = ChunkRecord(
            chunk_id=f"{article_id}:{content_hash[:8]}:{position}",
            article_id=article_id,
            position=position,
            text=" ".join(group),
            embed_text="",
            title=article.title,
            source=article.source,
            published=article.published,
            url=article.url,
            content_hash=content_hash,
        )
        records.append(replace(record, embed_text=embed_text_of(record)))
    return records
