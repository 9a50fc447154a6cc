"""Syndicated copies of one wire story are grouped; other stories are not; state persists."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.syndication import (
    SyndicationError,
    SyndicationIndex,
    band_params,
    minhash,
    shingles,
)
from retrieval.archive.catalog import Catalog

WIRE = """\
Rescue teams in northern Italy pulled two hikers alive from an avalanche on Sunday after a \
search that lasted more than fourteen hours, regional officials said.

The pair, a 34-year-old man and a 29-year-old woman from Milan, had been reported missing on \
Saturday evening when they failed to return from a ski-touring trip near the Passo del Tonale. \
Heavy snowfall overnight had raised the avalanche risk to level four on the five-point European \
scale, and mountain guides had warned against travelling off-piste.

Searchers using dogs, thermal cameras and a helicopter found the woman under about a metre of \
snow shortly after dawn. She was conscious and able to tell rescuers where her companion had \
been when the slope gave way. He was found forty minutes later, suffering from hypothermia and \
a broken leg.

Both were flown to hospital in Trento. Doctors said the man was in a serious but stable \
condition and the woman had minor injuries.

"They were extraordinarily lucky," said the head of the alpine rescue service for the province. \
"Most people buried for that long do not survive. An air pocket around her face made the \
difference." He urged visitors to check the avalanche bulletin before setting out and to carry \
transceivers, probes and shovels.

More than twenty people have died in avalanches in the Italian Alps this winter, according to \
figures from the national alpine rescue corps."""

OUTLET_A = (
    "MOUNTAIN NEWS DESK — From our wire partners.\n\n"
    + WIRE
    + "\n\nShare this story: Facebook Twitter Email\n\nMore from Europe: Storm closes Swiss passes"
)
OUTLET_B = (
    "Two hikers survived a night buried in snow in the Dolomites.\n\n"
    + WIRE.replace("regional officials said", "officials in the region said")
    .replace("about a metre of snow", "roughly a metre of snow")
    .replace("minor injuries", "only minor injuries")
    + "\n\nThis article was amended on 12 February to correct the name of the pass."
)
OUTLET_C = (
    "Subscribe to our newsletter for the latest headlines.\n\n"
    + WIRE.rsplit("\n\n", 1)[0].replace("Both were flown", "Both of them were flown")
    + "\n\nCopyright 2024 The Alpine Herald. Reporting by agencies."
)
UNRELATED = """\
The city council voted on Tuesday to turn three car parks near the railway station into a park \
with a playground, a community garden and a covered market for local food producers.

The plan, which will cost 6.5 million euros, was approved by 31 votes to 9 after a debate in \
which opposition members warned that shoppers from outlying villages would stop coming to the \
centre. The mayor said a new park-and-ride service would open before the car parks close.

Work is due to begin in the autumn and to finish in time for the market's first season, \
about eighteen months from now."""


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    opened = Catalog(tmp_path / "catalog.sqlite3")
    yield opened
    opened.close()


def count(catalog: Catalog, sql: str) -> int:
    """A count read straight from the catalog's file, as another process would see it."""
    with contextlib.closing(sqlite3.connect(catalog.path)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_shingles_ignore_case_and_punctuation() -> None:
    assert shingles("One, two THREE four five six!") == {
        "one two three four five",
        "two three four five six",
    }
    assert shingles("Too short") == {"too short"}
    assert shingles("  ...  ") == set()


def test_minhash_is_deterministic() -> None:
    first = minhash(WIRE)
    assert (first.hashvalues == minhash(WIRE).hashvalues).all()
    assert first.jaccard(minhash(OUTLET_B)) > 0.7
    assert first.jaccard(minhash(UNRELATED)) < 0.1


def test_band_params_fit_the_signature() -> None:
    bands, rows = band_params(0.7, 128)
    assert bands * rows <= 128
    assert bands > 1
    assert rows > 1


def test_wire_copies_are_one_story_and_others_are_not(catalog: Catalog) -> None:
    index = SyndicationIndex(catalog.stories, threshold=0.7)
    assert index.add("a", OUTLET_A) == "a"
    assert index.add("b", OUTLET_B) == "a"
    assert index.add("x", UNRELATED) == "x"
    assert index.add("c", OUTLET_C) == "a"
    assert index.members("a") == ["a", "b", "c"]
    assert index.members("x") == ["x"]
    assert index.story_of("c") == "a"
    assert index.story_of("unknown") is None


def test_remove_and_the_story_keeps_its_members(catalog: Catalog) -> None:
    index = SyndicationIndex(catalog.stories)
    for article_id, text in (("a", OUTLET_A), ("b", OUTLET_B), ("c", OUTLET_C)):
        index.add(article_id, text)
    index.remove("b")
    assert index.story_of("b") is None
    assert index.members("a") == ["a", "c"]
    # Removing the article that names the story hands the name to the next-oldest member.
    index.remove("a")
    assert index.members("c") == ["c"]
    assert index.story_of("c") == "c"
    index.remove("a")  # already gone: nothing to do
    assert count(catalog, "SELECT COUNT(*) FROM syndication_bands WHERE article_id = 'a'") == 0


def test_re_adding_an_article_replaces_it(catalog: Catalog) -> None:
    index = SyndicationIndex(catalog.stories)
    index.add("a", OUTLET_A)
    index.add("x", UNRELATED)
    # An edited article that is now the wire story moves to the wire story's group.
    assert index.add("x", OUTLET_C) == "a"
    assert index.members("a") == ["a", "x"]
    assert count(catalog, "SELECT COUNT(*) FROM syndication_sigs") == 2


def test_empty_text_is_its_own_story(catalog: Catalog) -> None:
    index = SyndicationIndex(catalog.stories)
    assert index.add("e1", "") == "e1"
    assert index.add("e2", "...") == "e2"


def test_persists_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    first = Catalog(path)
    SyndicationIndex(first.stories).add("a", OUTLET_A)
    first.close()
    second = Catalog(path)
    index = SyndicationIndex(second.stories)
    assert index.add("b", OUTLET_B) == "a"
    assert index.members("a") == ["a", "b"]
    second.close()


def test_new_threshold_rebands_stored_signatures(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    first = Catalog(path)
    SyndicationIndex(first.stories, threshold=0.7).add("a", OUTLET_A)
    first.close()
    second = Catalog(path)
    looser = SyndicationIndex(second.stories, threshold=0.5)
    assert (looser.bands, looser.rows) != band_params(0.7, 128)
    assert looser.add("b", OUTLET_B) == "a"
    second.close()


def test_other_signature_size_is_refused(catalog: Catalog) -> None:
    SyndicationIndex(catalog.stories, num_perm=128).add("a", OUTLET_A)
    with pytest.raises(SyndicationError, match="num_perm=128"):
        SyndicationIndex(catalog.stories, num_perm=64)
