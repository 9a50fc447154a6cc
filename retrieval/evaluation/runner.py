"""Running a question set through one system: ask each question, time it, score the answer.

A system is anything that answers an `EvalQuestion` (newsbot's responder, the plain
llama-index baseline, the LLM mode). The runner never prints: progress goes to `on_outcome`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retrieval.citations import SupportChecker
from retrieval.evaluation.metrics import QuestionScore, Summary, score_question, summarize
from retrieval.evaluation.questions import EvalQuestion
from retrieval.results import Answer

Ask = Callable[[EvalQuestion], Answer]


@dataclass(frozen=True)
class Outcome:
    """One question, the answer the system gave and its score (latency included)."""

    question: EvalQuestion
    answer: Answer
    score: QuestionScore

    @property
    def mark(self) -> str:
        """How a progress line shows it: ok, abstained, or - for a wrong answer."""
        if self.score.correct:
            return "ok"
        return "abstained" if self.answer.abstained else "-"


@dataclass(frozen=True)
class RunResult:
    """One system's outcomes over the question set, in question order, and their summary."""

    name: str
    outcomes: tuple[Outcome, ...]
    summary: Summary


def run_system(
    name: str,
    questions: Sequence[EvalQuestion],
    ask: Ask,
    checker: SupportChecker,
    on_outcome: Callable[[int, Outcome], None] | None = None,
) -> RunResult:
    """Ask every question, timing each, and score the answers.

    Args:
        name: the system's name in tables and reports.
        questions: the question set, asked in order.
        ask: the system under test.
        checker: judges whether cited passages support the sentences citing them.
        on_outcome: called after each question with its 1-based index, e.g. to show progress.
    """
    outcomes: list[Outcome] = []
    for index, question in enumerate(questions, start=1):
        started = time.perf_counter()
        answer = ask(question)
        latency = time.perf_counter() - started
        score = score_question(question, answer, checker, latency_s=latency)
        outcomes.append(Outcome(question, answer, score))
        if on_outcome is not None:
            on_outcome(index, outcomes[-1])
    return RunResult(name, tuple(outcomes), summarize([o.score for o in outcomes]))
