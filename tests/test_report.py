"""The evaluation runner and report: systems run over a question set, the table, thresholds."""

from __future__ import annotations

import json

from retrieval.citations import SupportChecker
from retrieval.evaluation.questions import EvalQuestion, GoldEvidence
from retrieval.evaluation.report import (
    BY_TYPE,
    ROWS,
    format_metric,
    missed_thresholds,
    systems_to_dict,
    table,
)
from retrieval.evaluation.runner import Outcome, RunResult, run_system
from retrieval.results import Answer, Passage

FIRE = "https://news.example/fire"
QUESTIONS = [
    EvalQuestion(
        id="when",
        question="When did the fire start?",
        answers=("Monday",),
        evidence=(GoldEvidence(url=FIRE, article_id=None),),
    ),
    EvalQuestion(id="none", question="Who won the lottery?", answerable=False, type="unanswerable"),
]
PASSAGE = Passage(
    chunk_id="fire:0",
    article_id="fire",
    text="The fire started on Monday.",
    title="Fire",
    source=None,
    published=None,
    url=FIRE,
    score=1.0,
)


def knows_the_fire(question: EvalQuestion) -> Answer:
    if question.id == "when":
        return Answer(question.question, "On Monday.", (), (PASSAGE,), abstained=False)
    return always_abstains(question)


def always_abstains(question: EvalQuestion) -> Answer:
    return Answer(question.question, "Not in the archive.", (), (), abstained=True)


def test_run_system_scores_and_times_every_question_in_order() -> None:
    seen: list[tuple[int, str, str]] = []

    def note(index: int, outcome: Outcome) -> None:
        seen.append((index, outcome.question.id, outcome.mark))

    result = run_system("ours", QUESTIONS, knows_the_fire, SupportChecker(), note)
    assert seen == [(1, "when", "ok"), (2, "none", "abstained")]
    assert [o.question.id for o in result.outcomes] == ["when", "none"]
    assert all(o.score.latency_s is not None for o in result.outcomes)
    assert result.summary.overall.accuracy == 1.0
    assert result.summary.overall.abstention_rate == 1.0


def test_table_has_a_column_per_system_and_a_breakdown_per_type() -> None:
    results = [
        run_system("ours", QUESTIONS, knows_the_fire, SupportChecker()),
        run_system("shy", QUESTIONS, always_abstains, SupportChecker()),
    ]
    lines = table(results).splitlines()
    assert lines[0].split() == ["metric", "ours", "shy"]
    assert lines[2].split() == ["questions", "2", "2"]
    rows = {
        line[: line.index("  ")].strip(): line.split()[-2:] for line in lines[3 : 3 + len(ROWS)]
    }
    assert rows["answer accuracy"] == ["1.000", "0.000"]
    assert rows["false refusals (answerable)"] == ["0.000", "1.000"]
    header, factoid, unanswerable = lines[-3].split(), lines[-2].split(), lines[-1].split()
    assert header == ["type", "n"] + [f"{s}:{h}" for s in ("ours", "shy") for h, _ in BY_TYPE]
    assert len(factoid) == len(unanswerable) == len(header)
    assert factoid[:3] == ["factoid", "1", "1.000"]  # hit@5 of ours
    assert unanswerable[:2] == ["unanswerable", "1"]


def test_systems_json_holds_each_summary_and_question_records() -> None:
    result = run_system("ours", QUESTIONS, knows_the_fire, SupportChecker())
    systems = json.loads(json.dumps(systems_to_dict([result])))
    assert systems["ours"]["summary"]["overall"]["accuracy"] == 1.0
    assert [q["id"] for q in systems["ours"]["questions"]] == ["when", "none"]
    assert systems["ours"]["questions"][0]["passages"][0]["hit"] is True


def test_thresholds_name_what_was_missed() -> None:
    result: RunResult = run_system("shy", QUESTIONS, always_abstains, SupportChecker())
    assert missed_thresholds(
        result.summary,
        minimums={"accuracy": 0.5, "abstention_rate": 1.0, "hit@5": None},
        maximums={"false_refusal_rate": 0.2},
    ) == ["accuracy = 0.000, required >= 0.5", "false_refusal_rate = 1.000, required <= 0.2"]
    # A metric that does not apply to the run misses any threshold set on it.
    assert missed_thresholds(result.summary, {"choice_accuracy": 0.1}, {}) == [
        "choice_accuracy = -, required >= 0.1"
    ]
    assert format_metric(None) == "-" and format_metric(3) == "3"
    # Always abstaining: 0 on the answerable question, +1 on the unanswerable one.
    assert missed_thresholds(result.summary, {"truthfulness": 0.6}, {}) == [
        "truthfulness = 0.500, required >= 0.6"
    ]
