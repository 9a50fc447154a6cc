"""Sentence splitting and word tokens: abbreviations, initials, numbers, quotes, paragraphs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.text.sentences import IRREGULAR_FORMS, content_words, split_sentences, stem, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Mr. Smith met Mrs. Jones and Dr. Ruiz on Monday. They talked for an hour.",
            ["Mr. Smith met Mrs. Jones and Dr. Ruiz on Monday.", "They talked for an hour."],
            id="titles",
        ),
        pytest.param(
            "The U.S. and the U.K. signed the deal. It takes effect in May.",
            ["The U.S. and the U.K. signed the deal.", "It takes effect in May."],
            id="country-abbreviations",
        ),
        pytest.param(
            "The talks resume on Jan. 5 in Geneva. Sept. 30 is the deadline.",
            ["The talks resume on Jan. 5 in Geneva.", "Sept. 30 is the deadline."],
            id="months",
        ),
        pytest.param(
            "Gen. Holm and Lt. Col. Berg arrived. St. Louis sent Gov. Park.",
            ["Gen. Holm and Lt. Col. Berg arrived.", "St. Louis sent Gov. Park."],
            id="ranks",
        ),
        pytest.param(
            "J. Smith won. J. R. R. Tolkien wrote it. J.R.R. Tolkien also did. The F.B.I. said so.",
            [
                "J. Smith won.",
                "J. R. R. Tolkien wrote it.",
                "J.R.R. Tolkien also did.",
                "The F.B.I. said so.",
            ],
            id="initials",
        ),
        pytest.param(
            "Prices rose 3.5 percent. That was 1.2 points more than in 2023. It cost $4.10.",
            [
                "Prices rose 3.5 percent.",
                "That was 1.2 points more than in 2023.",
                "It cost $4.10.",
            ],
            id="decimals",
        ),
        pytest.param(
            "The vote was 5-2. 2020 was worse.",
            ["The vote was 5-2.", "2020 was worse."],
            id="number-starts-a-sentence",
        ),
        pytest.param(
            "He was ranked No. 1 in the world. Asked again, he said no. Then he left.",
            ["He was ranked No. 1 in the world.", "Asked again, he said no.", "Then he left."],
            id="number-abbreviation",
        ),
        pytest.param(
            '"We will win," he said. "We are ready." Then he left.',
            ['"We will win," he said.', '"We are ready."', "Then he left."],
            id="straight-quotes",
        ),
        pytest.param(
            "“We are ready,” she said. “The talks are over.” Nobody answered.",
            ["“We are ready,” she said.", "“The talks are over.”", "Nobody answered."],
            id="curly-quotes",
        ),
        pytest.param(
            'He asked: "Why?" Nobody answered! Was it over? Yes.',
            ['He asked: "Why?"', "Nobody answered!", "Was it over?", "Yes."],
            id="question-and-exclamation",
        ),
        pytest.param(
            "Wait... and then it happened. (The bridge closed.) Traffic stopped.",
            ["Wait... and then it happened.", "(The bridge closed.)", "Traffic stopped."],
            id="ellipsis-and-parentheses",
        ),
        pytest.param(
            "Dr. Ana Ruiz, Ph.D. in physics, spoke at 6 p.m. on Friday, e.g. about tides.",
            ["Dr. Ana Ruiz, Ph.D. in physics, spoke at 6 p.m. on Friday, e.g. about tides."],
            id="lower-case-after-abbreviation",
        ),
        pytest.param(
            "The mayor arrived in Paris. Élodie Martin greeted him. Ökonomen warned of costs.",
            [
                "The mayor arrived in Paris.",
                "Élodie Martin greeted him.",
                "Ökonomen warned of costs.",
            ],
            id="accented-capitals",
        ),
        pytest.param(
            "A heading without a stop\nLine two.\n\nNew paragraph. Second sentence.\n \nLast",
            ["A heading without a stop", "Line two.", "New paragraph.", "Second sentence.", "Last"],
            id="line-and-paragraph-breaks",
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", " \t \n "])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


@given(st.text(max_size=300))
def test_splitting_keeps_every_character(text: str) -> None:
    sentences = split_sentences(text)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
    assert all(s == s.strip() and s for s in sentences)


# --- words ---------------------------------------------------------------------------------


def test_words_are_lower_case_tokens_with_numbers_whole() -> None:
    text = "The U.S. economy grew 3.5% in 2024; 1,000 jobs, Turkey’s e-mail, don't COVID-19."
    assert words(text) == [
        "the",
        "u.s",
        "economy",
        "grew",
        "3.5",
        "in",
        "2024",
        "1,000",
        "jobs",
        "turkey’s",
        "e-mail",
        "don't",
        "covid",
        "19",
    ]


def test_words_keep_non_latin_letters() -> None:
    assert words("Zürich, Łódź и Москва") == ["zürich", "łódź", "и", "москва"]


def test_content_words_drop_stop_and_question_words() -> None:
    assert content_words("What did the mayor say about the new bridge in Kestrel Bay?") == [
        "mayor",
        "bridge",
        "kestrel",
        "bay",
    ]


def test_content_words_treat_curly_apostrophes_like_straight_ones() -> None:
    assert content_words("It’s the port’s plan, and it's theirs; they didn’t say") == [
        "port’s",
        "plan",
    ]


# --- stem ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "family",
    [
        ("strike", "strikes", "striking"),
        ("talk", "talks", "talked", "talking"),
        ("price", "prices", "priced", "pricing"),
        ("agree", "agreed", "agrees"),
        ("country", "countries"),
        ("class", "classes"),
        ("minister", "ministers", "minister's", "minister’s"),
        ("turkey", "turkey's", "turkey’s"),
        ("die", "dies", "died"),
        ("win", "wins"),
        ("day", "days"),
        ("end", "ends", "ended"),
        ("vote", "votes", "voted"),
        ("make", "makes"),
        ("guarantee", "guaranteed", "guarantees"),
    ],
)
def test_stem_brings_word_forms_together(family: tuple[str, ...]) -> None:
    assert len({stem(word) for word in family}) == 1, [stem(word) for word in family]


@pytest.mark.parametrize(
    "word", ["news", "us", "is", "was", "bus", "red", "king", "2024", "u.s", "bias", "kiss"]
)
def test_stem_leaves_short_words_alone(word: str) -> None:
    assert stem(word) == word


def test_stem_keeps_different_words_apart() -> None:
    assert stem("strike") != stem("strict")
    assert stem("talks") != stem("tall")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'’", max_size=20))
def test_stem_never_grows_a_word_beyond_a_y(word: str) -> None:
    if word in IRREGULAR_FORMS:  # "met" -> "meet" is the point of that table (tested below)
        word = word + "s"
    stemmed = stem(word)
    assert len(stemmed) <= len(word)
    assert word.startswith(stemmed) or stemmed.endswith("y")


@pytest.mark.parametrize(("form", "base"), sorted(IRREGULAR_FORMS.items()))
def test_an_irregular_form_meets_its_verb(form: str, base: str) -> None:
    assert stem(form) == stem(base)
