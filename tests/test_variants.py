"""Spelling variants: one word spelled two ways matches; a near miss does not."""

from __future__ import annotations

import pytest

from retrieval.answering.scoring import lexical_coverage, missing_names
from retrieval.question.profile import profile
from retrieval.text.variants import fold, spelled_alike


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Qaddafi", "Gaddafi"),
        ("Zelenskyy", "Zelensky"),
        ("Navalnyi", "Navalny"),
        ("Khodorkovsky", "Hodorkovsky"),
        ("Tchaikovsky", "Chaikovsky"),
        ("Erdoğan", "Erdogan"),
        ("Muhammad", "Mohammed"),
        ("Phillips", "Philips"),
    ],
)
def test_names_spelled_two_ways_match(a: str, b: str) -> None:
    assert spelled_alike(a, b, name=True) and spelled_alike(b, a, name=True)


@pytest.mark.parametrize(
    ("a", "b"),
    [("organisation", "organization"), ("colour", "color"), ("defence", "defense"),
     ("theatre", "theater"), ("labour", "labor"), ("analyse", "analyze")],
)  # fmt: skip
def test_us_and_uk_spellings_match(a: str, b: str) -> None:
    assert spelled_alike(a, b)


@pytest.mark.parametrize(
    ("a", "b", "name"),
    [
        ("Austria", "Australia", True),
        ("Iran", "Iraq", True),
        ("Peru", "Perm", True),
        ("Moscow", "Ankara", True),
        ("Austin", "Boston", True),
        ("killed", "wounded", False),
        ("killed", "filled", False),
        ("wounded", "founded", False),
        ("sold", "sealed", False),
        ("won", "own", False),
    ],
)
def test_near_misses_do_not_match(a: str, b: str, name: bool) -> None:
    assert not spelled_alike(a, b, name=name)


def test_folding_drops_accents_and_case() -> None:
    assert fold("Erdoğan") == "erdogan" and fold("SÃO Paulo") == "sao paulo"


def test_a_name_in_another_spelling_is_not_missing() -> None:
    prof = profile("What did Qaddafi say about the oil embargo?")
    text = "Libyan leader Muammar Gaddafi said the oil embargo would end in March."
    assert missing_names(prof, text) == []
    assert lexical_coverage(prof, text) == pytest.approx(1.0)
    near_miss = profile("What did Erdogan say about the oil embargo in Austria?")
    assert missing_names(near_miss, "Erdoğan spoke about the oil embargo in Australia.") == [
        "austria"
    ]
