"""Metrics against values worked out by hand in the comments next to each case."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from retrieval.citations import SupportChecker
from retrieval.evaluation.matching import (
    answer_correct,
    best_f1,
    choice_correct,
    normalize_answer,
    token_f1,
)
from retrieval.evaluation.metrics import (
    QuestionScore,
    citation_precision,
    citation_support,
    comparable_url,
    hits_at,
    mrr_at,
    passage_hit,
    percentile,
    score_question,
    summarize,
)
from retrieval.evaluation.questions import EvalQuestion, GoldEvidence
from retrieval.evaluation.report import question_record, summary_to_dict
from retrieval.results import Answer, Citation, Passage

NOTRE_DAME = "https://en.wikinews.org/wiki/Notre_Dame_fire"
BODY = "A fire broke out in the roof of Notre-Dame de Paris on 15 April 2019."


def passage(
    article_id: str, url: str | None = None, text: str = "unrelated text", n: int = 0
) -> Passage:
    return Passage(
        chunk_id=f"{article_id}-{n}",
        article_id=article_id,
        text=text,
        title=article_id,
        source=None,
        published=None,
        url=url,
        score=0.0,
    )


def answer(
    text: str,
    citations: tuple[Citation, ...] = (),
    passages: tuple[Passage, ...] = (),
    abstained: bool = False,
    short: str | None = None,
) -> Answer:
    return Answer(
        question="q",
        text=text,
        citations=citations,
        passages=passages,
        abstained=abstained,
        short=short,
    )


# --- answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Eiffel Tower!", "eiffel tower"),
        ("  An   apple a day ", "apple day"),
        ("1,000", "1000"),
        ("U.S.-based", "us based"),  # dots dropped, the hyphen splits words
        ("Notre-Dame", "notre dame"),
        ("\u201cQuoted\u201d \u2014 text", "quoted text"),  # Unicode quotes and an em dash
        ("Theatre", "theatre"),
        ("Anthem", "anthem"),  # "an" only as a whole word
    ],
)
def test_normalize_answer(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected


def test_token_f1_exact_values() -> None:
    # pred "cat sat on mat" (4), gold "cat on mat" (3), 3 shared: P=3/4, R=1, F1=6/7.
    assert token_f1("the cat sat on the mat", "a cat on a mat") == pytest.approx(6 / 7)
    # P=1/2, R=1 -> 2/3.
    assert token_f1("Paris, France", "Paris") == pytest.approx(2 / 3)
    # Repeated tokens count by multiplicity: pred "a"x... -> "new new york" vs "new york":
    # shared min(2,1)+min(1,1)=2, P=2/3, R=1 -> 0.8.
    assert token_f1("new new york", "New York") == pytest.approx(0.8)
    assert token_f1("London", "Paris") == 0.0
    assert token_f1("the", "a") == 1.0  # both empty after normalising
    assert token_f1("", "Paris") == 0.0


def test_answer_correct_is_token_bounded_and_ignores_markers() -> None:
    reply = "The fire broke out on 15 April 2019 [1]."
    assert answer_correct(reply, ["April 15, 2019", "15 April 2019"])
    assert not answer_correct(reply, ["April 15, 2019"])
    assert not answer_correct("It happened in 2019.", ["201"])
    assert answer_correct("Repairs cost $1,000 [2].", ["1000"])
    assert not answer_correct("See the report [1].", ["1"])
    assert not answer_correct("anything", [])


def test_best_f1_takes_the_closest_answer() -> None:
    # vs "15 April 2019": 3/3 shared with pred "15 april 2019" -> 1.0.
    assert best_f1("15 April 2019 [1]", ["Monday", "15 April 2019"]) == 1.0
    # vs "Emmanuel Macron": pred "macron" P=1, R=1/2 -> 2/3.
    assert best_f1("Macron", ["Emmanuel Macron"]) == pytest.approx(2 / 3)
    assert best_f1("anything", []) == 0.0


CHOICES = ("Boeing", "Boeing 737", "Airbus A320")


@pytest.mark.parametrize(
    ("reply", "answers", "expected"),
    [
        ("It was a Boeing 737 [1].", ["Boeing 737"], True),
        ("It was a Boeing 737.", ["Boeing"], False),  # the longer choice contains "Boeing"
        ("Boeing said the plane was a Boeing 737.", ["Boeing 737"], False),  # names both
        ("Either an Airbus A320 or a Boeing 737.", ["Boeing 737"], False),
        ("Nobody knows.", ["Boeing 737"], False),  # names no choice
        ("It was an airbus a320", ["Airbus A320"], True),
    ],
)
def test_choice_correct(reply: str, answers: list[str], expected: bool) -> None:
    assert choice_correct(reply, CHOICES, answers) is expected


def test_choice_overlap_prefers_longer_then_earlier() -> None:
    # "new york city": "New York" (2 words) and "York City" (2 words) overlap; the earlier wins.
    assert choice_correct("in New York City", ["New York", "York City"], ["New York"])
    assert not choice_correct("in New York City", ["New York", "York City"], ["York City"])


# --- retrieval -----------------------------------------------------------------------------


def test_comparable_url() -> None:
    assert comparable_url("http://www.Example.com/a/") == "https://example.com/a"
    assert (
        comparable_url("example.com/a?utm_source=x&b=2&a=1#top") == "https://example.com/a?a=1&b=2"
    )
    assert comparable_url("https://example.com/") == "https://example.com/"


def test_comparable_url_keeps_blank_query_values() -> None:
    # Blank query values are kept, as ingest keeps them for ids: "?1001" and "?1002" are two
    # pages, so evidence for one must not match a passage from the other.
    assert comparable_url("https://site.example/view?1001") == "https://site.example/view?1001="
    assert comparable_url("https://site.example/story?id=7&page=") == (
        "https://site.example/story?id=7&page="
    )
    one = [GoldEvidence(url="https://site.example/view?1001", article_id=None)]
    assert passage_hit(passage("a", "http://www.site.example/view?1001", BODY), one)
    assert not passage_hit(passage("b", "https://site.example/view?1002", BODY), one)


EVIDENCE = (GoldEvidence(url="http://www.En.wikinews.org/wiki/Notre_Dame_fire/", article_id=None,
                     quote="fire broke   OUT in the roof"),)  # fmt: skip


def test_passage_hit_by_url_article_id_and_quote() -> None:
    same_url_no_quote = passage("x", NOTRE_DAME, "Firefighters arrived.")
    same_url_quote = passage("x", NOTRE_DAME, BODY.replace("broke out", "broke\nout"))
    by_id = passage("nd", None, BODY)
    assert passage_hit(same_url_no_quote, EVIDENCE)
    assert not passage_hit(same_url_no_quote, EVIDENCE, strict=True)
    assert passage_hit(same_url_quote, EVIDENCE, strict=True)  # case and line break ignored
    assert not passage_hit(by_id, EVIDENCE)
    assert passage_hit(by_id, [GoldEvidence(url=None, article_id="nd")], strict=True)  # no quote
    assert not passage_hit(passage("other", "https://example.com/x", BODY), EVIDENCE)


def test_hits_and_mrr_on_a_constructed_ranking() -> None:
    ranking = [
        passage("a", "https://example.com/a"),
        passage("x", NOTRE_DAME, "Firefighters arrived.", n=1),  # article hit, no quote
        passage("b", "https://example.com/b"),
        passage("x", NOTRE_DAME, BODY, n=2),  # the same article again, with the quote
        passage("c", "https://example.com/c"),
    ]
    # Loose: first hit at rank 2 -> hit@1 no, hit@3/5/10 yes, MRR 1/2.
    assert hits_at(ranking, EVIDENCE) == {1: False, 3: True, 5: True, 10: True}
    assert mrr_at(ranking, EVIDENCE) == 0.5
    # Strict: first hit at rank 4 -> hit@5 and hit@10 only, MRR 1/4.
    assert hits_at(ranking, EVIDENCE, strict=True) == {1: False, 3: False, 5: True, 10: True}
    assert mrr_at(ranking, EVIDENCE, strict=True) == 0.25
    assert hits_at(ranking, EVIDENCE, ks=(2,)) == {2: True}


def test_a_hit_after_rank_ten_scores_nothing() -> None:
    ranking = [passage(f"n{i}") for i in range(10)] + [passage("x", NOTRE_DAME)]
    assert hits_at(ranking, EVIDENCE) == {1: False, 3: False, 5: False, 10: False}
    assert mrr_at(ranking, EVIDENCE) == 0.0
    assert mrr_at(ranking, EVIDENCE, k=11) == pytest.approx(1 / 11)
    assert mrr_at([], EVIDENCE) == 0.0


# --- citations -----------------------------------------------------------------------------


def test_citation_precision() -> None:
    on = passage("x", NOTRE_DAME, BODY)
    off = passage("y", "https://example.com/y", "Something else.")
    cites = (Citation(1, on, ""), Citation(2, off, ""), Citation(3, on, ""))
    assert citation_precision(answer("t", cites), EVIDENCE) == pytest.approx(2 / 3)
    assert citation_precision(answer("t"), EVIDENCE) is None


def test_citation_support_counts_cited_sentences() -> None:
    on = passage("x", NOTRE_DAME, BODY)
    text = (
        "A fire broke out in the roof of Notre-Dame de Paris on 15 April 2019 [1]. "
        "It broke out on 16 April 2019 [1]. "  # wrong date: unsupported
        "Nobody was hurt. "  # no marker: not a cited sentence
        "The roof of Notre-Dame caught fire [1, 4]."  # [4] does not exist: unsupported
    )
    # 3 cited sentences, 1 supported.
    result = citation_support(answer(text, (Citation(1, on, ""),)), SupportChecker())
    assert result == pytest.approx(1 / 3)
    assert citation_support(answer("No markers here."), SupportChecker()) is None


# --- percentiles ---------------------------------------------------------------------------


def test_percentile_linear_interpolation() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5  # halfway between 2 and 3
    # position (10-1)*0.95 = 8.55 -> 9 + 0.55 * (10 - 9)
    assert percentile([float(v) for v in range(1, 11)], 95) == pytest.approx(9.55)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    rng = np.random.default_rng(7)
    values = [float(v) for v in rng.random(37)]
    for q in (0, 50, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


# --- per question and aggregation --------------------------------------------------------


def question(**kwargs: object) -> EvalQuestion:
    base: dict[str, object] = {
        "id": "q1",
        "question": "When did the fire break out?",
        "answers": ("15 April 2019",),
        "evidence": EVIDENCE,
    }
    base.update(kwargs)
    return EvalQuestion(**base)  # type: ignore[arg-type]


def test_score_question_end_to_end() -> None:
    hit = passage("x", NOTRE_DAME, BODY)
    reply = answer(
        "A fire broke out in the roof of Notre-Dame de Paris on 15 April 2019 [1].",
        citations=(Citation(1, hit, ""),),
        passages=(passage("a"), hit),
        short="15 April",
    )
    score = score_question(question(), reply, SupportChecker(), latency_s=1.5)
    assert score.correct is True
    assert score.f1 == pytest.approx(0.8)  # "15 april" vs "15 april 2019": P=1, R=2/3
    assert score.choice_correct is None
    assert score.hits == {1: False, 3: True, 5: True, 10: True}
    assert score.mrr == 0.5
    assert score.strict_mrr == 0.5  # the hit passage also holds the quote
    assert score.citation_precision == 1.0
    assert score.citation_support == 1.0
    record = question_record(question(), reply, score)
    assert record["scores"] == {
        "correct": True,
        "truth": 1,
        "f1": pytest.approx(0.8),
        "choice_correct": None,
        "hit@1": False,
        "hit@3": True,
        "hit@5": True,
        "hit@10": True,
        "mrr@10": 0.5,
        "strict_hit@1": False,
        "strict_hit@3": True,
        "strict_hit@5": True,
        "strict_hit@10": True,
        "strict_mrr@10": 0.5,
        "citation_precision": 1.0,
        "citation_support": 1.0,
        "latency_s": 1.5,
    }
    assert [p["hit"] for p in record["passages"]] == [False, True]  # type: ignore[attr-defined]
    assert record["citations"][0]["url"] == NOTRE_DAME  # type: ignore[index]
    json.dumps(record)


def test_abstaining_on_an_answerable_question_scores_zero() -> None:
    reply = answer("The archive has nothing on 15 April 2019.", abstained=True)
    score = score_question(question(choices=("15 April 2019", "Monday")), reply, SupportChecker())
    assert (score.correct, score.f1, score.choice_correct) == (False, 0.0, False)


def test_unanswerable_questions_get_no_answer_or_retrieval_scores() -> None:
    q = question(answers=(), evidence=(), answerable=False, type="unanswerable")
    score = score_question(q, answer("Not in the archive.", abstained=True), SupportChecker())
    assert (score.correct, score.f1, score.hits, score.mrr, score.strict_hits) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert score.citation_precision is None


def qs(qid: str, qtype: str, answerable: bool, abstained: bool, **kw: object) -> QuestionScore:
    return QuestionScore(id=qid, type=qtype, answerable=answerable, abstained=abstained, **kw)  # type: ignore[arg-type]


def test_summarize_overall_and_per_type() -> None:
    scores = [
        qs("f1", "factoid", True, False, correct=True, f1=1.0, hits={1: True, 5: True},
           mrr=1.0, latency_s=1.0, citations=2, citations_on_evidence=1),
        qs("f2", "factoid", True, True, correct=False, f1=0.0, hits={1: False, 5: True},
           mrr=0.25, latency_s=3.0, citations=1, citations_on_evidence=1),
        qs("u1", "unanswerable", False, True, latency_s=2.0),
        qs("u2", "unanswerable", False, True, latency_s=4.0),
        qs("u3", "unanswerable", False, False, latency_s=5.0, citations=1),
    ]  # fmt: skip
    summary = summarize(scores)
    overall = summary.overall
    assert (overall.questions, overall.answerable, overall.unanswerable) == (5, 2, 3)
    assert overall.abstention_rate == pytest.approx(2 / 3)  # u1, u2 of u1..u3
    assert overall.false_refusal_rate == 0.5  # f2 of f1, f2
    assert overall.accuracy == 0.5
    # f1 right +1, f2 abstained 0, u1 u2 abstained +1 each, u3 answered -1
    assert overall.truthfulness == pytest.approx(2 / 5)
    assert overall.wrong_answer_rate == 0.0  # f2 abstained: not a wrong answer
    assert overall.hit_at == {1: 0.5, 5: 1.0}
    assert overall.mrr == pytest.approx(0.625)  # (1 + 0.25) / 2
    assert overall.strict_hit_at is None
    assert overall.citation_precision == pytest.approx(
        2 / 3
    )  # pooled: (1+1)/(2+1); u3 has no evidence
    assert overall.citation_support is None
    assert overall.latency_p50_s == 3.0  # sorted 1,2,3,4,5
    assert overall.latency_p95_s == pytest.approx(4.8)  # position 3.8 -> 4 + 0.8
    assert list(summary.by_type) == ["factoid", "unanswerable"]
    factoid, unanswerable = summary.by_type["factoid"], summary.by_type["unanswerable"]
    assert factoid.abstention_rate is None
    assert factoid.false_refusal_rate == 0.5
    assert factoid.choice_accuracy is None
    assert unanswerable.abstention_rate == pytest.approx(2 / 3)
    assert unanswerable.false_refusal_rate is None
    assert unanswerable.hit_at is None
    assert unanswerable.mrr is None
    assert unanswerable.accuracy is None
    assert unanswerable.latency_p50_s == 4.0


def test_truthfulness_punishes_a_wrong_answer_below_an_abstention() -> None:
    right = qs("a", "factoid", True, False, correct=True)
    abstained = qs("b", "factoid", True, True, correct=False)
    wrong = qs("c", "factoid", True, False, correct=False)
    unscored = qs("d", "timeline", True, False)  # no accepted answers: no truth score
    refused = qs("e", "unanswerable", False, True)
    invented = qs("f", "unanswerable", False, False)
    assert [s.truth for s in (right, abstained, wrong, unscored, refused, invented)] == [
        1, 0, -1, None, 1, -1,
    ]  # fmt: skip
    overall = summarize([right, abstained, wrong, unscored, refused, invented]).overall
    assert overall.truthfulness == pytest.approx(0.0)  # (1 + 0 - 1 + 1 - 1) / 5
    assert overall.wrong_answer_rate == pytest.approx(1 / 3)  # c of a, b, c
    assert summarize([abstained, wrong]).overall.truthfulness == pytest.approx(-0.5)


def test_summary_json_is_flat_and_plain() -> None:
    scores = [qs("f1", "factoid", True, False, hits={1: True, 3: True, 5: True, 10: True},
                 mrr=1.0)]  # fmt: skip
    report = summary_to_dict(summarize(scores))
    overall = report["overall"]
    assert overall["hit@5"] == 1.0  # type: ignore[index]
    assert overall["mrr@10"] == 1.0  # type: ignore[index]
    assert overall["strict_hit@5"] is None  # type: ignore[index]
    assert overall["abstention_rate"] is None  # type: ignore[index]
    assert math.isclose(json.loads(json.dumps(report))["by_type"]["factoid"]["hit@1"], 1)
