"""Sentence choice: term coverage, hyphenated names, and which typed sentence leads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from config.settings import AnswerSettings
from retrieval.answering.evidence import choose
from retrieval.answering.scoring import (
    ScoredSentence,
    lexical_coverage,
    missing_names,
    score_sentences,
)
from retrieval.question.profile import profile
from retrieval.results import Passage
from retrieval.text.sentences import split_sentences

TITLE = "Basketball player Kobe Bryant dies in helicopter crash"
BODY = (
    "The former player joined the league in 1996 and retired in 2016. "
    "On Sunday morning, a helicopter carrying Kobe Bryant crashed in Calabasas and all on "
    "board died."
)
PASSAGE = Passage(
    chunk_id="a:0",
    article_id="a",
    text=BODY,
    title=TITLE,
    source="Wire",
    published=date(2020, 1, 27),
    url="https://wire.example/bryant",
    score=1.0,
)


def test_hyphenated_term_is_found_written_apart() -> None:
    prof = profile("When did the fire at Notre-Dame cathedral break out?")
    assert lexical_coverage(prof, "The roof of Notre Dame cathedral caught fire.") > (
        lexical_coverage(prof, "The roof of the cathedral caught fire.")
    )
    assert missing_names(prof, "The roof of Notre Dame cathedral caught fire.") == []
    assert missing_names(prof, "The roof of the cathedral caught fire.") == ["notre-dame"]


def test_word_forms_of_short_verbs_meet() -> None:
    prof = profile("When did Kobe Bryant die?")
    assert lexical_coverage(prof, "Kobe Bryant died on Sunday.") == 1.0


def _scored(text: str, score: float, own: float) -> ScoredSentence:
    return ScoredSentence(text, 0, semantic=score, lexical=score, score=score, own=own)


def test_typed_lead_is_the_sentence_that_says_it_itself() -> None:
    """Both sentences hold a date and score alike through the title, but only one says he died."""
    prof = profile("When did Kobe Bryant die?")
    joined, crashed = split_sentences(BODY)
    scored = [
        _scored(joined, 0.80, lexical_coverage(prof, joined)),
        _scored(crashed, 0.70, lexical_coverage(prof, crashed)),
    ]
    evidence = choose(
        prof,
        scored,
        [PASSAGE],
        AnswerSettings(),
        lambda p: p.text,
        fits_kind=lambda c: 1.0,
    )
    assert evidence.confident
    assert evidence.chosen[0].text == crashed


def test_typed_lead_without_own_words_keeps_the_score_order() -> None:
    """With equal own coverage the better-scored typed sentence still leads."""
    prof = profile("When did Kobe Bryant die?")
    joined, crashed = split_sentences(BODY)
    scored = [_scored(joined, 0.80, 0.5), _scored(crashed, 0.70, 0.5)]
    evidence = choose(
        prof, scored, [PASSAGE], AnswerSettings(), lambda p: p.text, fits_kind=lambda c: 1.0
    )
    assert evidence.chosen[0].text == joined


def test_reading_is_capped_and_keeps_room_for_dated_sentences() -> None:
    """Only `max_candidates` sentences reach the model, and a dated one is among them."""
    filler = " ".join(
        f"The Ostrava council debated budget item {word} at length." for word in "abcdefghijkl"
    )
    passage = Passage(
        chunk_id="b:0",
        article_id="b",
        text=f"{filler} Councillors voted on 4 May.",
        title="Budget",
        source=None,
        published=None,
        url=None,
        score=1.0,
    )
    read: list[str] = []

    def embed(question: str, texts: Sequence[str]) -> tuple[list[float], list[list[float]]]:
        read.extend([question, *texts])
        return [1.0, 0.0], [[1.0, 0.0] for _ in texts]

    prof = profile("When did the Ostrava council pass the budget?")
    score_sentences(prof, "When did the council pass it?", [passage], embed, max_candidates=8)
    assert len(read) == 9  # the question and eight sentences
    assert "Councillors voted on 4 May." in read


def test_designations_and_serials_are_names() -> None:
    assert "747-8" in profile("How many passengers can the Boeing 747-8 carry?").names
    assert "covid-19" in profile("When was COVID-19 declared a pandemic?").names
    assert "iphone 5" in profile("How much did the iPhone 5 cost at launch?").names
    # Years and decades are dates, not names; a number after a plain word is not a serial.
    assert profile("What happened in 2019 and in the 1990s?").names == ()
    assert profile("Did the phone cost 5 dollars?").names == ()


def test_a_serial_name_must_be_in_the_evidence() -> None:
    prof = profile("How much did the iPhone 5 cost at launch?")
    assert missing_names(prof, "The iPhone 3G cost $199, half the price of 5 rivals.")
    assert not missing_names(prof, "Apple's iPhone 5 cost $199 at launch.")
    plane = profile("Where did the Boeing 787 first fly?")
    assert not missing_names(plane, "Boeing said the 787 first flew from Everett.")
    assert missing_names(plane, "Boeing said the 777 first flew from Everett, 787 km away.")


def test_the_name_in_a_hyphenated_word_is_its_capitalised_part() -> None:
    prof = profile("On which Scientology-owned ship was she held?")
    assert prof.names == ("scientology",)
    assert not missing_names(prof, "She was held aboard a ship owned by Scientology.")


def _election(text: str) -> Passage:
    return Passage(
        chunk_id="e:0",
        article_id="e",
        text=text,
        title="Virginia governor's election",
        source="Wire",
        published=date(2013, 11, 1),
        url="https://wire.example/va",
        score=1.0,
    )


def test_outcome_questions_are_recognised() -> None:
    assert profile("Who won the 2013 Virginia governor's election?").outcome
    assert profile("Which design did voters pick in the referendum?").outcome
    assert profile("What sentence did the gunman receive?").outcome
    assert not profile("Who will win the 2013 Virginia governor's election?").outcome
    assert not profile("Who leads the union?").outcome


def test_a_preview_does_not_answer_who_won() -> None:
    prof = profile("Who won the 2013 Virginia governor's election?")
    preview = "Whoever wins the 2013 Virginia governor's election will replace Bob McDonnell."
    evidence = choose(
        prof,
        [_scored(preview, 0.9, 1.0)],
        [_election(preview)],
        AnswerSettings(),
        lambda p: p.text,
        fits_kind=lambda c: 1.0,
    )
    assert not evidence.confident
    assert "outcome" in evidence.reason


def test_a_result_answers_who_won_but_not_another_years() -> None:
    prof = profile("Who won the 2013 Virginia governor's election?")
    earlier = "Bob McDonnell won the Virginia governor's election in 2009."
    result = "Terry McAuliffe won the 2013 Virginia governor's election on Tuesday."
    passage = _election(f"{earlier} {result}")
    evidence = choose(
        prof,
        [_scored(earlier, 0.9, 1.0), _scored(result, 0.8, 1.0)],
        [passage],
        AnswerSettings(),
        lambda p: p.text,
        fits_kind=lambda c: 1.0,
    )
    assert evidence.confident
    assert [c.text for c in evidence.chosen] == [result]


def test_a_win_as_a_noun_reports_a_result() -> None:
    prof = profile("Which team beat Maroochydore?")
    assert prof.outcome
    result = "The University team kept top spot with a 22 points to 10 win over Maroochydore."
    evidence = choose(
        prof,
        [_scored(result, 0.8, 1.0), _scored("Maroochydore hope to win at home.", 0.9, 1.0)],
        [_election(result)],
        AnswerSettings(),
        lambda p: p.text,
    )
    assert [c.text for c in evidence.chosen] == [result]
