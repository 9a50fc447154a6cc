"""Planted supported and unsupported sentence/passage pairs, without and with an embedder."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pytest

from retrieval.citations import (
    SupportChecker,
    check_citations,
    citation_numbers,
    split_cited,
    strip_citation_markers,
)
from retrieval.results import Citation, Passage

PASSAGE = (
    "A fire broke out in the roof of Notre-Dame de Paris on the evening of 15 April 2019. "
    "Firefighters said 500 people fought the blaze for more than 12 hours. "
    "President Emmanuel Macron said the cathedral would be rebuilt within five years. "
    "Officials said the fire was not started deliberately. "
    "Donations reached \u20ac1 billion, or 1,000,000,000 euros."
)

# Words of the same concept share a dimension, so paraphrases land close together and
# unrelated sentences land on other axes; unknown words are ignored. Deterministic and tiny.
CONCEPTS = [
    {"fire", "blaze", "flames"},
    {"destroyed", "gutted", "ravaged"},
    {"cathedral", "church"},
    {"roof"},
    {"market", "stocks", "shares"},
    {"fell", "dropped"},
    {"rebuilt", "restored", "restore"},
    {"years"},
    {"donations"},
]


def fake_embed(texts: Sequence[str]) -> list[list[float]]:
    vectors = []
    for text in texts:
        words = re.findall(r"[a-z]+", text.lower())
        vectors.append([float(sum(w in group for w in words)) for group in CONCEPTS])
    return vectors


@pytest.fixture(params=["lexical", "embedder"])
def checker(request: pytest.FixtureRequest) -> SupportChecker:
    """The rules that do not depend on the embedder must hold with and without it."""
    return SupportChecker(fake_embed if request.param == "embedder" else None)


# --- supported -------------------------------------------------------------------------------


def test_verbatim_sentence_is_supported(checker: SupportChecker) -> None:
    verdict = checker.check("Officials said the fire was not started deliberately. [2]", PASSAGE)
    assert verdict.supported
    assert verdict.score == 1.0
    assert verdict.reason == "verbatim passage sentence"


@pytest.mark.parametrize(
    "sentence",
    [
        # same facts, different wording and order; spelled "twelve" for "12"
        "The blaze was fought by 500 people for more than twelve hours [1].",
        # "20 May"-style date written the other way, year omitted
        "The fire broke out in the roof of Notre-Dame on April 15 [1].",
        "Notre-Dame's roof caught fire on the 15th of April 2019 [1].",
        # "5" for "five"; "Macron" opens the sentence and is in the passage
        "Macron said the cathedral would be rebuilt within 5 years [1].",
        # number formats: 1 billion = 1,000,000,000
        "Donations reached 1 billion euros [1].",
        "Donations reached 1000000000 euros [1].",
    ],
)
def test_same_facts_are_supported(checker: SupportChecker, sentence: str) -> None:
    verdict = checker.check(sentence, PASSAGE)
    assert verdict.supported, verdict.reason
    assert verdict.missing_numbers == ()
    assert verdict.missing_names == ()


# --- unsupported -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "missing"),
    [
        ("Firefighters said 400 people fought the blaze [1].", "400"),
        ("The fire broke out in the roof on 16 April 2019 [1].", "16 April 2019"),
        ("Macron said the cathedral would be rebuilt within seven years [1].", "seven"),
        ("Donations reached 1 million euros [1].", "1 million"),
    ],
)
def test_changed_number_is_unsupported(
    checker: SupportChecker, sentence: str, missing: str
) -> None:
    verdict = checker.check(sentence, PASSAGE)
    assert not verdict.supported
    assert verdict.missing_numbers == (missing,)
    assert "numbers not in the passage" in verdict.reason


def test_changed_name_is_unsupported(checker: SupportChecker) -> None:
    verdict = checker.check(
        "President Angela Merkel said the cathedral would be rebuilt within five years [1].",
        PASSAGE,
    )
    assert not verdict.supported
    assert verdict.missing_names == ("Angela", "Merkel")
    assert verdict.missing_numbers == ()


def test_sentence_initial_common_word_is_not_a_name(checker: SupportChecker) -> None:
    # "Crews" starts the sentence and is not in the passage, but it is not a name.
    verdict = checker.check("Crews fought the blaze for more than 12 hours.", PASSAGE)
    assert verdict.missing_names == ()


def test_unrelated_sentence_is_unsupported(checker: SupportChecker) -> None:
    verdict = checker.check("The stock market fell sharply [1].", PASSAGE)
    assert not verdict.supported
    assert verdict.lexical == 0.0
    assert "below threshold" in verdict.reason


def test_negation_mismatch_lowers_the_score(checker: SupportChecker) -> None:
    verdict = checker.check("Officials said the fire was started deliberately [1].", PASSAGE)
    assert not verdict.supported
    assert "negation differs" in verdict.reason
    # Every content word is there (lexical 1.0); only the flipped negation sinks it.
    assert verdict.lexical == 1.0
    assert verdict.score < 0.5


def test_added_negation_is_caught_too() -> None:
    verdict = SupportChecker().check("Macron did not say the cathedral would be rebuilt.", PASSAGE)
    assert not verdict.supported
    assert verdict.score == pytest.approx(0.4)  # lexical 1.0 x negation factor 0.4


def test_empty_inputs() -> None:
    assert not SupportChecker().check("[1]", PASSAGE).supported
    assert SupportChecker().check("A fire.", "  ").reason == "empty passage"


# --- exact scores --------------------------------------------------------------------------


def test_lexical_score_without_embedder() -> None:
    # Content stems of the claim: blaze, gutt(ed), cathedral -> only "cathedral" is in the
    # passage, so lexical = 1/3 and, without an embedder, score = lexical.
    verdict = SupportChecker().check(
        "The blaze gutted the cathedral.", "A fire destroyed the cathedral roof."
    )
    assert verdict.lexical == pytest.approx(1 / 3)
    assert verdict.semantic is None
    assert verdict.score == pytest.approx(1 / 3)
    assert not verdict.supported


def test_embedder_rescues_a_paraphrase() -> None:
    # Concept vectors: claim {fire, destroyed, cathedral} = (1,1,1,0,...), passage adds roof =
    # (1,1,1,1,...): cosine 3 / (sqrt(3) * 2) = sqrt(3)/2. Score = (1/3 + sqrt(3)/2) / 2.
    verdict = SupportChecker(fake_embed).check(
        "The blaze gutted the cathedral.", "A fire destroyed the cathedral roof."
    )
    assert verdict.semantic == pytest.approx(math.sqrt(3) / 2)
    assert verdict.score == pytest.approx((1 / 3 + math.sqrt(3) / 2) / 2)
    assert verdict.supported


def test_embedder_picks_the_closest_passage_sentence() -> None:
    passage = "Stocks fell on Monday. A fire destroyed the cathedral roof."
    verdict = SupportChecker(fake_embed).check("Flames ravaged the cathedral roof.", passage)
    assert verdict.semantic == pytest.approx(1.0)  # identical concept vectors
    # stems flam, ravag, cathedral, roof: cathedral and roof found -> 1/2; score (1/2 + 1)/2
    assert verdict.score == pytest.approx(0.75)


def test_threshold_is_respected() -> None:
    claim, passage = "The blaze gutted the cathedral.", "A fire destroyed the cathedral roof."
    assert SupportChecker(threshold=0.3).check(claim, passage).supported
    assert not SupportChecker(fake_embed, threshold=0.7).check(claim, passage).supported


# --- sentences and markers -------------------------------------------------------------------


def test_markers() -> None:
    assert citation_numbers("a [1] b [2, 3] c [4-6] again [2]") == (1, 2, 3, 4, 5, 6)
    assert strip_citation_markers("It was 5 [1]. Next [2,3]") == "It was 5. Next"


def test_split_cited_keeps_markers_with_their_sentence() -> None:
    text = "It broke out on Monday. [1] Mr. Smith said so [2]. The U.S. President agreed.[3] Yes."
    assert split_cited(text) == [
        "It broke out on Monday. [1]",
        "Mr. Smith said so [2].",
        "The U.S. President agreed.[3]",
        "Yes.",
    ]


def passage_obj(text: str) -> Passage:
    return Passage("c1", "a1", text, "t", None, None, None, 0.0)


def test_check_citations_needs_every_number_and_one_supporting_passage() -> None:
    fire = Citation(1, passage_obj(PASSAGE), "")
    other = Citation(2, passage_obj("Stocks fell on Monday."), "")
    text = (
        "Firefighters said 500 people fought the blaze [2, 1]. "  # [1] supports it
        "Stocks fell on Monday [1]. "  # [1] does not
        "No marker here. "
        "The fire was not started deliberately [1, 9]."  # [9] does not exist
    )
    checks = check_citations(text, [fire, other], SupportChecker())
    assert [c.cited for c in checks] == [(2, 1), (1,), (1, 9)]
    assert [c.supported for c in checks] == [True, False, False]
    assert checks[2].unknown == (9,)
    assert len(checks[2].verdicts) == 1


def test_citation_check_stems_like_the_answerer() -> None:
    """One stemmer for the project: "died" meets "die" when citations are checked too."""
    verdict = SupportChecker().check("The actor died in 1995.", "The actor will die in 1995.")
    assert verdict.lexical == 1.0
