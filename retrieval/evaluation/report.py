"""The evaluation report: metrics as flat JSON-ready dicts, per-question records, the table.

Flat keys (`hit@5`, `mrr@10`, `accuracy`, ...) are what thresholds, the `--json` report and
other tools name a metric by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from retrieval.evaluation.metrics import (
    DEFAULT_KS,
    MRR_K,
    MetricSet,
    QuestionScore,
    Summary,
    passage_hit,
)
from retrieval.evaluation.questions import EvalQuestion
from retrieval.evaluation.runner import RunResult
from retrieval.results import Answer, Passage

# The overall table, one row each: its label and its key in metric_set_to_dict.
ROWS: tuple[tuple[str, str], ...] = (
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("hit@10", "hit@10"),
    ("MRR@10", "mrr@10"),
    ("strict hit@5", "strict_hit@5"),
    ("strict MRR@10", "strict_mrr@10"),
    ("answer accuracy", "accuracy"),
    ("token F1", "f1"),
    ("choice accuracy", "choice_accuracy"),
    ("citation precision", "citation_precision"),
    ("citation support", "citation_support"),
    ("abstention (unanswerable)", "abstention_rate"),
    ("false refusals (answerable)", "false_refusal_rate"),
    ("wrong answers (answerable)", "wrong_answer_rate"),
    ("truthfulness (+1/0/-1)", "truthfulness"),
    ("latency p50 (s)", "latency_p50_s"),
    ("latency p95 (s)", "latency_p95_s"),
)
# The per-type breakdown, one column per system and metric: its header and its key.
BY_TYPE: tuple[tuple[str, str], ...] = (
    ("hit@5", "hit@5"),
    ("acc", "accuracy"),
    ("F1", "f1"),
    ("abst", "abstention_rate"),
    ("FR", "false_refusal_rate"),
    ("truth", "truthfulness"),
)


def metric_set_to_dict(metrics: MetricSet) -> dict[str, object]:
    """Flat keys (`hit@5`, `mrr@10`) so thresholds and other tools can name a metric simply."""
    out: dict[str, object] = {
        "questions": metrics.questions,
        "answerable": metrics.answerable,
        "unanswerable": metrics.unanswerable,
    }
    for prefix, hits in (("hit", metrics.hit_at), ("strict_hit", metrics.strict_hit_at)):
        for k in DEFAULT_KS if hits is None else sorted(hits):
            out[f"{prefix}@{k}"] = None if hits is None else hits[k]
    out[f"mrr@{MRR_K}"] = metrics.mrr
    out[f"strict_mrr@{MRR_K}"] = metrics.strict_mrr
    for name in (
        "accuracy",
        "f1",
        "choice_accuracy",
        "citation_precision",
        "citation_support",
        "abstention_rate",
        "false_refusal_rate",
        "wrong_answer_rate",
        "truthfulness",
        "latency_p50_s",
        "latency_p95_s",
    ):
        out[name] = getattr(metrics, name)
    return out


def summary_to_dict(summary: Summary) -> dict[str, object]:
    """The summary as plain JSON-ready data."""
    return {
        "overall": metric_set_to_dict(summary.overall),
        "by_type": {t: metric_set_to_dict(m) for t, m in summary.by_type.items()},
    }


def _passage_ref(passage: Passage) -> dict[str, object]:
    return {
        "chunk_id": passage.chunk_id,
        "article_id": passage.article_id,
        "url": passage.url,
        "title": passage.title,
        "published": passage.published.isoformat() if passage.published else None,
        "score": passage.score,
    }


def question_record(
    question: EvalQuestion, answer: Answer, score: QuestionScore
) -> dict[str, object]:
    """One per-question report record: enough to re-score the run without the archive.

    Each ranked passage carries its `hit` and `strict_hit` flags instead of its text, so the
    strict quote test can be audited without shipping the archive in the report.
    """
    evidence = question.evidence
    return {
        "id": question.id,
        "type": question.type,
        "question": question.question,
        "answerable": question.answerable,
        "reply": answer.reply(),
        "short": answer.short,
        "abstained": answer.abstained,
        "decision": answer.decision,
        "citations": [
            {"n": c.n, **_passage_ref(c.passage), "on_evidence": passage_hit(c.passage, evidence)}
            for c in answer.citations
        ],
        "passages": [
            {
                "rank": rank,
                **_passage_ref(p),
                "hit": passage_hit(p, evidence),
                "strict_hit": passage_hit(p, evidence, strict=True),
            }
            for rank, p in enumerate(answer.passages, start=1)
        ],
        "sentences": [
            {
                "text": c.sentence,
                "cited": list(c.cited),
                "unknown": list(c.unknown),
                "supported": c.supported,
                "reasons": [v.reason for v in c.verdicts],
            }
            for c in score.sentence_checks
        ],
        "scores": {
            "correct": score.correct,
            "truth": score.truth,
            "f1": score.f1,
            "choice_correct": score.choice_correct,
            **_hit_fields("hit", score.hits),
            f"mrr@{MRR_K}": score.mrr,
            **_hit_fields("strict_hit", score.strict_hits),
            f"strict_mrr@{MRR_K}": score.strict_mrr,
            "citation_precision": score.citation_precision,
            "citation_support": score.citation_support,
            "latency_s": score.latency_s,
        },
    }


def _hit_fields(prefix: str, hits: Mapping[int, bool] | None) -> dict[str, bool | None]:
    if hits is None:
        return {f"{prefix}@{k}": None for k in DEFAULT_KS}
    return {f"{prefix}@{k}": v for k, v in sorted(hits.items())}


def systems_to_dict(results: Sequence[RunResult]) -> dict[str, object]:
    """Each system's summary and per-question records, by system name (the `--json` report)."""
    return {
        r.name: {
            "summary": summary_to_dict(r.summary),
            "questions": [question_record(o.question, o.answer, o.score) for o in r.outcomes],
        }
        for r in results
    }


def format_metric(value: object) -> str:
    """A metric as the tables print it: three decimals, "-" when it does not apply."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(results: Sequence[RunResult]) -> str:
    """Overall metrics, one column per system, then the per-type breakdown."""
    columns = [metric_set_to_dict(r.summary.overall) for r in results]
    width = max(len(label) for label, _ in ROWS) + 2
    lines = [f"{'metric':<{width}}" + "".join(f"{r.name:>12}" for r in results)]
    lines.append("-" * len(lines[0]))
    n = results[0].summary.overall
    lines.append(f"{'questions':<{width}}" + "".join(f"{n.questions:>12}" for _ in results))
    for label, key in ROWS:
        lines.append(
            f"{label:<{width}}" + "".join(f"{format_metric(c.get(key)):>12}" for c in columns)
        )
    lines.append("")
    header = ["type", "n"] + [f"{r.name}:{label}" for r in results for label, _ in BY_TYPE]
    lines.append("  ".join(f"{h:>12}" for h in header))
    for kind in sorted(results[0].summary.by_type):
        row = [kind, str(results[0].summary.by_type[kind].questions)]
        for r in results:
            metrics: MetricSet | None = r.summary.by_type.get(kind)
            data = metric_set_to_dict(metrics) if metrics else {}
            row += [format_metric(data.get(key)) for _, key in BY_TYPE]
        lines.append("  ".join(f"{c:>12}" for c in row))
    return "\n".join(lines)


def missed_thresholds(
    summary: Summary,
    minimums: Mapping[str, float | None],
    maximums: Mapping[str, float | None],
) -> list[str]:
    """The thresholds the overall metrics miss, one line each; a None threshold is not set.

    Both mappings are keyed like metric_set_to_dict; a metric that does not apply (None)
    misses any threshold set on it.
    """
    overall = metric_set_to_dict(summary.overall)
    missed = []
    for limits, higher in ((minimums, True), (maximums, False)):
        for key, value in limits.items():
            if value is None:
                continue
            got = overall.get(key)
            if not isinstance(got, int | float) or (got < value if higher else got > value):
                sign = ">=" if higher else "<="
                missed.append(f"{key} = {format_metric(got)}, required {sign} {value}")
    return missed
