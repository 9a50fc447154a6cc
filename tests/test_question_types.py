"""The question types beyond who/when/where/how many: yes/no, why, said, which, how long, latest.

Every text here is written for the test; none comes from a question set.
"""

from __future__ import annotations

from datetime import date

import pytest

from config.settings import AnswerSettings
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.answering.evidence import LATEST, Evidence, choose_latest
from retrieval.answering.scoring import ScoredSentence
from retrieval.answering.short_answer import attribution, short_answer, typed_answer
from retrieval.answering.verdict import verdict
from retrieval.archive import Archive
from retrieval.evaluation.matching import polar_answer, polar_correct
from retrieval.question.profile import profile, question_kind
from retrieval.responder import AskOptions, Responder
from retrieval.results import Passage
from retrieval.text.sentences import stem


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Did the board approve the merger?", "yesno"),
        ("Was anyone hurt in the blast?", "yesno"),
        ("Has the ferry service resumed?", "yesno"),
        ("Why was the concert cancelled?", "why"),
        ("What caused the blackout?", "why"),
        ("What did the finance minister say about the deficit?", "said"),
        ("How did the union respond to the offer?", "said"),
        ("What was the mayor's reaction?", "said"),
        ("Which party won the most seats?", "which"),
        ("Which city will host the games?", "where"),
        ("Which year did the bridge open?", "when"),
        ("How long did the trial last?", "how_long"),
        ("How much did the stadium cost?", "how_many"),
        ("What did the court decide?", "what"),
        ("Who did the jury convict?", "who"),
    ],
)
def test_question_kind(question: str, kind: str) -> None:
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        (
            "Did the Harbour Board approve the dredging plan?",
            "The Harbour Board approved the dredging plan on Tuesday by six votes to one.",
            "Yes",
        ),
        (
            "Did the Harbour Board approve the dredging plan?",
            "The Harbour Board did not approve the dredging plan, sending it back for review.",
            "No",
        ),
        # A plan or an expectation is not the event a past-tense question asks about.
        (
            "Did the Harbour Board approve the dredging plan?",
            "The Harbour Board is expected to approve the dredging plan next month.",
            None,
        ),
        # The question's subject stands after the verb: another side did it.
        (
            "Did Kestrel Rovers win the Lantern Cup?",
            "Alder United won the Lantern Cup, beating Kestrel Rovers 3-1 in the final.",
            None,
        ),
        (
            "Did Kestrel Rovers win the Lantern Cup?",
            "Kestrel Rovers won the Lantern Cup, beating Alder United 3-1 in the final.",
            "Yes",
        ),
        # Only the subject keeps its side: another name may come first in the sentence.
        (
            "Was the Harbour Board suspended after Mayor Okafor resigned?",
            "After Mayor Okafor resigned, the Harbour Board was suspended until new elections.",
            "Yes",
        ),
        # Another year is another question.
        (
            "Did the Harbour Board approve the dredging plan in 2021?",
            "The Harbour Board approved the dredging plan in 2019.",
            None,
        ),
        # Part of the question missing from the sentence: nothing is settled.
        (
            "Did the Harbour Board approve the dredging plan for the north quay?",
            "The Harbour Board approved a budget on Tuesday.",
            None,
        ),
    ],
)
def test_verdict(question: str, sentence: str, expected: str | None) -> None:
    prof = profile(question)
    assert verdict(prof, question, sentence, "Harbour news") == expected


def test_a_cause_is_the_clause_a_causal_marker_opens() -> None:
    strong = typed_answer(
        "why", "The match was called off because of a waterlogged pitch.", "Why?", (), None
    )
    assert strong.text == "a waterlogged pitch"
    assert strong.fit == 1.0
    weak = typed_answer("why", "The match was called off after heavy rain.", "Why?", (), None)
    assert (weak.text, weak.fit) == (None, 0.5)
    assert typed_answer("why", "The match was called off.", "Why?", (), None).fit == 0.0


def test_a_statement_is_attributed_to_the_speaker_asked_about() -> None:
    question = "What did Mayor Ines Duarte say about the tram line?"
    assert attribution('"It is a great day," Duarte said of the tram line.', question) == 1.0
    assert attribution("She said the tram line would open in May.", question) == 0.5
    assert attribution("Opposition leader Pavel Lind said the tram was late.", question) == 0.0
    assert attribution("The tram line opened in May.", question) == 0.0


def test_how_long_gives_a_length_of_time_not_the_one_asked_about() -> None:
    sentence = "The strike, which began three weeks ago, ended after 21 days of talks."
    question = "How long did the strike last?"
    assert short_answer("how_long", sentence, question, ("strike", "last"), None) == "three weeks"
    assert (
        short_answer("how_long", "The two-year contract was signed.", question, (), None)
        == "two-year"
    )
    assert short_answer("how_long", "The strike ended on Friday.", question, (), None) is None


def test_irregular_past_forms_meet_their_verb_but_nouns_do_not() -> None:
    assert stem("won") == stem("win") == stem("wins")
    assert stem("chosen") == stem("chose") == stem("choose")
    assert stem("struck") == stem("strikes")
    assert stem("left") != stem("leave")  # "the left wing" is not "to leave"
    assert stem("wounded") != stem("wind")


def test_yes_no_scoring_reads_the_first_word_only() -> None:
    assert polar_answer(["Yes"]) == "yes"
    assert polar_answer(["no", "No."]) == "no"
    assert polar_answer(["no", "none"]) is None
    assert polar_correct("No\nThe plan was rejected [1].", "no")
    # A "no" inside the quoted sentence does not answer the question.
    assert not polar_correct("Yes\nThe deal means no jobs will be cut [1].", "no")
    assert not polar_correct("The deal means no jobs will be cut [1].", "no")


def _passage(n: int, title: str, text: str, published: date | None) -> Passage:
    return Passage(f"c{n}", f"a{n}", text, title, "Post", published, None, 1.0 - n / 10)


def test_latest_lists_the_newest_answering_articles_first() -> None:
    question = "What is the latest on the Ostrava tram strike?"
    prof = profile(question)
    passages = [
        _passage(
            0, "Ostrava tram strike begins", "The Ostrava tram strike began.", date(2024, 3, 1)
        ),
        _passage(
            1, "Ostrava tram strike ends", "The Ostrava tram strike ended.", date(2024, 3, 20)
        ),
        _passage(2, "Zoo welcomes cubs", "Two cubs were born at the zoo.", date(2024, 4, 2)),
        _passage(3, "Ostrava tram strike talks", "Talks on the Ostrava tram strike.", None),
    ]
    scored = [
        ScoredSentence(passages[0].text, 0, 0.8, 1.0, 0.90),
        ScoredSentence(passages[1].text, 1, 0.7, 1.0, 0.85),
        ScoredSentence(passages[2].text, 2, 0.6, 0.0, 0.80),  # newest, but not about the strike
        ScoredSentence(passages[3].text, 3, 0.7, 1.0, 0.84),
    ]
    lead = Evidence((scored[0],), True, "supported")
    settings = AnswerSettings()
    chosen = choose_latest(prof, lead, scored, passages, settings, lambda p: p.text)
    assert chosen.reason == LATEST
    assert [c.passage_index for c in chosen.chosen] == [1, 0, 3]  # undated last
    refused = Evidence((), False, "nothing")
    assert choose_latest(prof, refused, scored, passages, settings, lambda p: p.text) is refused


# End to end on an archive (the deterministic embedder): what a user sees.
_STORIES = [
    Article(
        "Kestrel Rovers win the Lantern Cup",
        "Kestrel Rovers won the Lantern Cup on Sunday, beating Alder United 3-1 in the final at "
        'Quay Park. Manager Rosa Ilves said the win was "for everyone who stayed loyal". The '
        "final was delayed by an hour because of a power cut at the stadium.",
        "lc1",
        url="https://kestrel.example/cup",
        source="Kestrel Post",
        published=date(2024, 5, 12),
    ),
    Article(
        "Lantern Cup final set for Quay Park",
        "Kestrel Rovers will meet Alder United in the Lantern Cup final at Quay Park on Sunday.",
        "lc0",
        url="https://kestrel.example/preview",
        source="Kestrel Post",
        published=date(2024, 5, 9),
    ),
]


@pytest.fixture
def cup(archive: Archive) -> Responder:
    assert Ingestor(archive).ingest(_STORIES).added == 2
    return Responder(archive)


def test_a_yes_no_question_end_to_end(cup: Responder) -> None:
    asked = AskOptions(as_of=date(2024, 6, 1))
    answer = cup.ask("Did Kestrel Rovers win the Lantern Cup?", asked)
    assert not answer.abstained
    assert answer.reply().startswith("Yes\n")
    assert "won the Lantern Cup" in answer.text
    other = cup.ask("Did Alder United win the Lantern Cup?", asked)
    assert other.abstained


def test_latest_end_to_end_puts_the_newest_article_first(cup: Responder) -> None:
    answer = cup.ask(
        "What is the latest on the Lantern Cup final?", AskOptions(as_of=date(2024, 6, 1))
    )
    assert not answer.abstained
    assert answer.text.startswith("2024-05-12: ")


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("How long did the dock strike last?", ("dock", "strik")),
        ("How long did the last strike last?", ("last", "strik")),
        ("How long will the inquiry take?", ("inquiry",)),
    ],
)
def test_the_words_of_a_how_long_frame_are_not_terms(question: str, terms: tuple[str, ...]) -> None:
    # "last" in "How long did it last?" would otherwise meet "the last of the ships".
    assert profile(question).terms == terms


def test_a_windowed_refusal_says_why_the_passages_found_do_not_answer(cup: Responder) -> None:
    # The window holds the final's report; it does not say Alder United won, and the reply
    # says that rather than only "nothing in May 2024".
    answer = cup.ask(
        "Did Alder United win the Lantern Cup in May 2024?", AskOptions(as_of=date(2024, 6, 1))
    )
    assert answer.abstained
    assert "“in May 2024”" in answer.text
    assert answer.text.endswith(": the closest passages neither confirm nor deny it.")
