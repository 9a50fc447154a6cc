"""Scores for one question and their aggregation: retrieval, answer, citations, abstention, time.

# size: ~310 lines, one scorer per measure and their aggregation; the decisions read as one list

Decisions a reader re-scoring a run needs to know:
- Answers are matched as `matching.py` says (SQuAD-style, Unicode-aware).
- Accuracy: an accepted answer occurs in the reply text (or its `short` answer) as whole words.
  F1 is taken against the `short` answer when there is one, else the whole reply, and is the best
  over accepted answers. An abstention on an answerable question scores 0 on both.
- Retrieval is scored on answerable questions with evidence, over `Answer.passages` in order.
  A passage hits when its canonical URL or article id equals an evidence item's. The strict
  variant also needs the passage to contain that item's quote (case and white space ignored);
  an item without a quote matches on the article alone, and questions whose evidence has no
  quote at all get no strict score (None), so the strict figures describe quoted questions only.
- Citation precision and support are pooled over citations and cited sentences of all
  applicable questions (not averaged per question). Precision only applies where there is
  evidence; support applies to every question with cited sentences.
- Truthfulness (CRAG-style) is +1 for a right answer, 0 for an abstention ("the archive doesn't
  say"), -1 for a wrong answer; on an unanswerable question abstaining is +1 and answering -1.
  Answerable questions without accepted answers (timelines scored on retrieval only) get none.
  The wrong-answer rate is the share of answerable questions answered, and answered wrongly.
- Rates are None, not 0, when no question applies (no unanswerable questions: no abstention
  rate). Latency percentiles interpolate linearly between closest ranks (numpy's default).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from retrieval.citations import SentenceCheck, SupportChecker, check_citations
from retrieval.evaluation.matching import (
    answer_correct,
    best_f1,
    choice_correct,
    polar_answer,
    polar_correct,
)
from retrieval.evaluation.questions import EvalQuestion, GoldEvidence
from retrieval.results import Answer, Passage
from retrieval.text.urls import canonical_url

DEFAULT_KS: tuple[int, ...] = (1, 3, 5, 10)
MRR_K = 10


def comparable_url(url: str) -> str:
    """A URL in the canonical form ingest stores ids by, a bare host read as https.

    Question sets are written by hand, so "example.com/a" means https://example.com/a here,
    where ingest (which takes no id from a scheme-less URL) would not read it as a page.
    """
    url = url.strip()
    if "://" not in url and not url.startswith("//"):
        url = "https://" + url
    return canonical_url(url)


def same_article(passage: Passage, item: GoldEvidence) -> bool:
    """The passage comes from the evidence item's article (by canonical URL or article id)."""
    if item.article_id and item.article_id == passage.article_id:
        return True
    return bool(
        item.url and passage.url and comparable_url(item.url) == comparable_url(passage.url)
    )


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


def passage_hit(passage: Passage, evidence: Iterable[GoldEvidence], strict: bool = False) -> bool:
    """From an evidence article, and when strict, containing that item's quote (if it has one)."""
    return any(
        same_article(passage, item)
        and (not strict or not item.quote or _squash(item.quote) in _squash(passage.text))
        for item in evidence
    )


def hits_at(
    passages: Sequence[Passage],
    evidence: Sequence[GoldEvidence],
    ks: Sequence[int] = DEFAULT_KS,
    strict: bool = False,
) -> dict[int, bool]:
    """For each k, whether any of the first k passages is a hit."""
    first = _first_hit_rank(passages, evidence, strict)
    return {k: first is not None and first <= k for k in ks}


def mrr_at(
    passages: Sequence[Passage],
    evidence: Sequence[GoldEvidence],
    k: int = MRR_K,
    strict: bool = False,
) -> float:
    """Reciprocal rank of the first hit within the first k passages, 0 when there is none."""
    first = _first_hit_rank(passages, evidence, strict)
    return 1.0 / first if first is not None and first <= k else 0.0


def _first_hit_rank(
    passages: Sequence[Passage], evidence: Sequence[GoldEvidence], strict: bool
) -> int | None:
    for rank, passage in enumerate(passages, start=1):
        if passage_hit(passage, evidence, strict):
            return rank
    return None


def citation_precision(answer: Answer, evidence: Sequence[GoldEvidence]) -> float | None:
    """Share of the answer's citations that point at an evidence article; None without any."""
    if not answer.citations:
        return None
    good = sum(passage_hit(c.passage, evidence) for c in answer.citations)
    return good / len(answer.citations)


def citation_support(answer: Answer, checker: SupportChecker) -> float | None:
    """Share of cited sentences whose cited passages support them; None without any."""
    checks = check_citations(answer.text, answer.citations, checker)
    return sum(c.supported for c in checks) / len(checks) if checks else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class QuestionScore:
    """Everything measured on one question; None where a measure does not apply to it."""

    id: str
    type: str
    answerable: bool
    abstained: bool
    correct: bool | None = None
    f1: float | None = None
    choice_correct: bool | None = None
    hits: dict[int, bool] | None = field(default=None, hash=False)
    mrr: float | None = None
    strict_hits: dict[int, bool] | None = field(default=None, hash=False)
    strict_mrr: float | None = None
    citations: int = 0
    citations_on_evidence: int | None = None
    sentence_checks: tuple[SentenceCheck, ...] = ()
    latency_s: float | None = None

    @property
    def truth(self) -> int | None:
        """+1 right, 0 abstained, -1 wrong; abstaining is right on an unanswerable question."""
        if not self.answerable:
            return 1 if self.abstained else -1
        if self.correct is None:
            return None
        if self.abstained:
            return 0
        return 1 if self.correct else -1

    @property
    def answered_wrongly(self) -> bool | None:
        """An answerable question given a reply that is not right; None when not scored."""
        if not self.answerable or self.correct is None:
            return None
        return not self.abstained and not self.correct

    @property
    def citation_precision(self) -> float | None:
        if self.citations_on_evidence is None or not self.citations:
            return None
        return self.citations_on_evidence / self.citations

    @property
    def citation_support(self) -> float | None:
        if not self.sentence_checks:
            return None
        return sum(c.supported for c in self.sentence_checks) / len(self.sentence_checks)


def score_question(
    question: EvalQuestion,
    answer: Answer,
    checker: SupportChecker,
    latency_s: float | None = None,
    ks: Sequence[int] = DEFAULT_KS,
) -> QuestionScore:
    """Score one answer against its question; the runner's only call per question."""
    evidence, passages = question.evidence, answer.passages
    with_evidence = question.answerable and bool(question.evidence)
    quoted = with_evidence and any(e.quote for e in evidence)
    correct: bool | None = None
    f1: float | None = None
    picked: bool | None = None
    if question.answerable and question.answers:
        # An abstention on an answerable question is wrong, whatever words it happens to use.
        replied = not answer.abstained
        polar = polar_answer(question.answers)
        if polar is not None:
            correct = replied and polar_correct(answer.reply(), polar)
        else:
            correct = replied and (
                answer_correct(answer.reply(), question.answers)
                or bool(answer.short and answer_correct(answer.short, question.answers))
            )
        f1 = best_f1(answer.short or answer.text, question.answers) if replied else 0.0
        if question.choices:
            picked = replied and choice_correct(answer.reply(), question.choices, question.answers)
    return QuestionScore(
        id=question.id,
        type=question.type,
        answerable=question.answerable,
        abstained=answer.abstained,
        correct=correct,
        f1=f1,
        choice_correct=picked,
        hits=hits_at(passages, evidence, ks) if with_evidence else None,
        mrr=mrr_at(passages, evidence) if with_evidence else None,
        strict_hits=hits_at(passages, evidence, ks, strict=True) if quoted else None,
        strict_mrr=mrr_at(passages, evidence, strict=True) if quoted else None,
        citations=len(answer.citations),
        citations_on_evidence=(
            sum(passage_hit(c.passage, evidence) for c in answer.citations)
            if with_evidence
            else None
        ),
        sentence_checks=check_citations(answer.text, answer.citations, checker),
        latency_s=latency_s,
    )


@dataclass(frozen=True)
class MetricSet:
    """Aggregate scores over a group of questions; None where no question in it applies."""

    questions: int
    answerable: int
    unanswerable: int
    hit_at: dict[int, float] | None = field(default=None, hash=False)
    mrr: float | None = None
    strict_hit_at: dict[int, float] | None = field(default=None, hash=False)
    strict_mrr: float | None = None
    accuracy: float | None = None
    f1: float | None = None
    choice_accuracy: float | None = None
    citation_precision: float | None = None
    citation_support: float | None = None
    abstention_rate: float | None = None
    false_refusal_rate: float | None = None
    wrong_answer_rate: float | None = None
    truthfulness: float | None = None
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None


@dataclass(frozen=True)
class Summary:
    """The whole run and its breakdown by question type."""

    overall: MetricSet
    by_type: dict[str, MetricSet] = field(default_factory=dict, hash=False)


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _mean_hits(rows: Iterable[Mapping[int, bool] | None]) -> dict[int, float] | None:
    present = [r for r in rows if r is not None]
    if not present:
        return None
    return {k: sum(r[k] for r in present) / len(present) for k in present[0]}


def aggregate(scores: Sequence[QuestionScore]) -> MetricSet:
    """Pool one group of question scores into a MetricSet."""
    with_precision = [s for s in scores if s.citations_on_evidence is not None]
    cited_total = sum(s.citations for s in with_precision)
    checks = [c for s in scores for c in s.sentence_checks]
    latencies = [s.latency_s for s in scores if s.latency_s is not None]
    return MetricSet(
        questions=len(scores),
        answerable=sum(s.answerable for s in scores),
        unanswerable=sum(not s.answerable for s in scores),
        hit_at=_mean_hits(s.hits for s in scores),
        mrr=_mean(s.mrr for s in scores),
        strict_hit_at=_mean_hits(s.strict_hits for s in scores),
        strict_mrr=_mean(s.strict_mrr for s in scores),
        accuracy=_mean(s.correct for s in scores),
        f1=_mean(s.f1 for s in scores),
        choice_accuracy=_mean(s.choice_correct for s in scores),
        citation_precision=(
            sum(s.citations_on_evidence or 0 for s in with_precision) / cited_total
            if cited_total
            else None
        ),
        citation_support=sum(c.supported for c in checks) / len(checks) if checks else None,
        abstention_rate=_mean(s.abstained for s in scores if not s.answerable),
        false_refusal_rate=_mean(s.abstained for s in scores if s.answerable),
        wrong_answer_rate=_mean(s.answered_wrongly for s in scores),
        truthfulness=_mean(s.truth for s in scores),
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
    )


def summarize(scores: Sequence[QuestionScore]) -> Summary:
    """Overall metrics and one MetricSet per question type (types in name order)."""
    types = sorted({s.type for s in scores})
    return Summary(
        overall=aggregate(scores),
        by_type={t: aggregate([s for s in scores if s.type == t]) for t in types},
    )
