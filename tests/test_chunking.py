"""Article -> chunks: sentence boundaries, overlap, nothing lost, headers, ids and positions."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.articles import Article
from ingest.chunking import chunk_article, header
from retrieval.text.sentences import split_sentences
from tests.support.nasty_text import NASTY_TEXT

SENTENCES = [
    "Dock workers at the Port of Meridian walked off the job on Monday.",
    "The strike halted container traffic at the region's busiest port.",
    "About 2,300 members of the Meridian Dockworkers' Union formed picket lines at two gates.",
    'Union leader Ines Calder said: "We are ready to talk tonight."',
    "The port authority has offered a rise of 4 percent over two years.",
    "The union wants 12 percent and a guarantee of no job losses.",
    "At least 14 ships were waiting at anchor outside the harbour by Monday afternoon.",
    "Two shipping lines said they would divert vessels to Port Alvers.",
    "Fruit exporters warned that produce could be left in cold stores.",
    "It is the first stoppage at the port since 2009.",
]


def make_article(body: str, **fields: object) -> Article:
    values: dict[str, object] = {
        "title": "Port strike begins",
        "body": body,
        "origin": "test",
        "url": "https://harborwire.example/port-strike",
        "source": "Harbor Wire",
        "published": date(2019, 5, 20),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


ARTICLE = make_article(" ".join(SENTENCES[:5]) + "\n\n" + " ".join(SENTENCES[5:]))


def n_words(text: str) -> int:
    return len(text.split())


# --- header --------------------------------------------------------------------------------


def test_header_is_title_outlet_date() -> None:
    assert header(ARTICLE) == "Port strike begins · Harbor Wire · 2019-05-20"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"source": None}, "Port strike begins · 2019-05-20"),
        ({"published": None}, "Port strike begins · Harbor Wire"),
        ({"title": ""}, "Harbor Wire · 2019-05-20"),
        ({"title": "", "source": None, "published": None}, ""),
    ],
)
def test_header_leaves_out_unknown_parts(fields: dict[str, object], expected: str) -> None:
    assert header(replace(ARTICLE, **fields)) == expected  # type: ignore[arg-type]


def test_embed_text_starts_with_the_header() -> None:
    for chunk in chunk_article(ARTICLE, size=40, overlap=10):
        assert chunk.embed_text == f"Port strike begins · Harbor Wire · 2019-05-20\n{chunk.text}"


def test_embed_text_without_any_header_is_the_text() -> None:
    article = make_article("The port reopened.", title="", source=None, published=None)
    [chunk] = chunk_article(article)
    assert chunk.embed_text == chunk.text == "The port reopened."


# --- boundaries, overlap, coverage ----------------------------------------------------------


def test_chunks_end_at_sentence_boundaries() -> None:
    chunks = chunk_article(ARTICLE, size=40, overlap=10)
    assert len(chunks) > 2
    for chunk in chunks:
        assert all(sentence in SENTENCES for sentence in split_sentences(chunk.text))


def test_every_sentence_is_in_some_chunk() -> None:
    chunks = chunk_article(ARTICLE, size=40, overlap=10)
    for sentence in SENTENCES:
        assert any(sentence in chunk.text for chunk in chunks), sentence


def test_neighbours_share_their_boundary_sentences() -> None:
    chunks = chunk_article(ARTICLE, size=40, overlap=15)
    for before, after in pairwise(chunks):
        last = split_sentences(before.text)[-1]
        assert split_sentences(after.text)[0] == last


def test_no_overlap_means_no_shared_sentences() -> None:
    chunks = chunk_article(ARTICLE, size=40, overlap=0)
    seen = [s for chunk in chunks for s in split_sentences(chunk.text)]
    assert seen == SENTENCES


def test_chunks_respect_the_size() -> None:
    for size in (12, 20, 40, 80):
        assert all(n_words(c.text) <= size for c in chunk_article(ARTICLE, size=size, overlap=8))


def test_short_article_is_one_chunk() -> None:
    article = make_article(SENTENCES[0])
    [chunk] = chunk_article(article)
    assert (chunk.text, chunk.position) == (SENTENCES[0], 0)


def test_no_chunk_is_made_of_overlap_alone() -> None:
    # A carried tail with no room for the next sentence used to become a chunk of its own.
    long_one = "Nine words make this sentence too long to share."
    body = f"Alpha beta gamma delta. Epsilon zeta eta theta. {long_one}"
    texts = [c.text for c in chunk_article(make_article(body), size=10, overlap=5)]
    assert texts == ["Alpha beta gamma delta. Epsilon zeta eta theta.", long_one]


def test_repeated_passage_is_not_dropped() -> None:
    body = "Yes. No. Yes. No."
    texts = [c.text for c in chunk_article(make_article(body), size=2, overlap=0)]
    assert texts == ["Yes. No.", "Yes. No."]


def test_very_long_sentence_is_cut_by_words() -> None:
    run_on = " ".join(f"w{i}" for i in range(250))
    body = f"{SENTENCES[0]} {run_on}. {SENTENCES[1]}"
    chunks = chunk_article(make_article(body), size=100, overlap=20)
    assert all(n_words(c.text) <= 100 for c in chunks)
    assert Counter(body.split()) <= Counter(w for c in chunks for w in c.text.split())
    assert chunks[-1].text.endswith(SENTENCES[1])


@pytest.mark.parametrize("body", ["", "   ", "\n\n \n"])
def test_empty_body_gives_no_chunks(body: str) -> None:
    assert chunk_article(make_article(body)) == []


# --- metadata, positions, ids ---------------------------------------------------------------


def test_chunks_carry_the_article_metadata_and_positions() -> None:
    chunks = chunk_article(ARTICLE, size=30, overlap=10)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert (chunk.article_id, chunk.content_hash) == (ARTICLE.id, ARTICLE.content_hash)
        assert (chunk.title, chunk.source, chunk.published, chunk.url) == (
            "Port strike begins",
            "Harbor Wire",
            date(2019, 5, 20),
            "https://harborwire.example/port-strike",
        )


def test_chunk_ids_are_unique_and_stable() -> None:
    first = [c.chunk_id for c in chunk_article(ARTICLE, size=30, overlap=10)]
    again = [c.chunk_id for c in chunk_article(replace(ARTICLE), size=30, overlap=10)]
    assert first == again
    assert len(set(first)) == len(first)
    assert all(chunk_id.startswith(f"{ARTICLE.id}:") for chunk_id in first)


@pytest.mark.parametrize(
    "change",
    [
        {"body": ARTICLE.body.replace("Monday", "Tuesday")},
        {"title": "Port strike starts"},
        {"published": date(2019, 5, 21)},
    ],
    ids=["body", "title", "date"],
)
def test_chunk_ids_change_when_the_content_changes(change: dict[str, object]) -> None:
    before = {c.chunk_id for c in chunk_article(ARTICLE, size=30, overlap=10)}
    after = {c.chunk_id for c in chunk_article(replace(ARTICLE, **change), size=30, overlap=10)}  # type: ignore[arg-type]
    assert before.isdisjoint(after)


# --- properties ----------------------------------------------------------------------------

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN0123456789'-", min_size=1)
_SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_WORD, min_size=1, max_size=30),
    st.sampled_from([".", "!", "?", '."', "", "…", "\n", "\n\n"]),
)
_BODY = st.lists(_SENTENCE, max_size=25).map(" ".join)


@given(body=_BODY, size=st.integers(5, 60), overlap=st.integers(0, 40))
def test_property_no_word_lost_and_chunks_within_size(body: str, size: int, overlap: int) -> None:
    chunks = chunk_article(make_article(body), size=size, overlap=overlap)
    assert Counter(body.split()) <= Counter(w for c in chunks for w in c.text.split())
    assert all(0 < n_words(c.text) <= size for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))


@given(body=st.text(max_size=400), size=st.integers(1, 50), overlap=st.integers(0, 50))
def test_property_arbitrary_text_keeps_every_word(body: str, size: int, overlap: int) -> None:
    chunks = chunk_article(make_article(body), size=size, overlap=overlap)
    assert Counter(body.split()) <= Counter(w for c in chunks for w in c.text.split())
    assert all(n_words(c.text) <= size for c in chunks)


# --- any text, however hostile ---------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(body=NASTY_TEXT, title=NASTY_TEXT, size=st.integers(32, 200), overlap=st.integers(0, 60))
def test_chunking_any_text_keeps_words_ids_and_headers(
    body: str, title: str, size: int, overlap: int
) -> None:
    article = Article(title=title, body=body, origin="prop", url="https://prop.example/x")
    chunks = chunk_article(article, size=size, overlap=overlap)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert all(c.chunk_id.startswith(f"{article.id}:{article.content_hash[:8]}:") for c in chunks)
    assert all(0 < len(c.text.split()) <= size for c in chunks)
    assert set(body.split()) <= {w for c in chunks for w in c.text.split()}
