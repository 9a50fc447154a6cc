"""`newsbot eval`: run a question set against the archive, score it, print and save the report.

Progress goes to stderr, the table to stdout, the full report (summary and one record per
question) to `--json`. Thresholds make the command exit non-zero when a score falls short,
so CI can hold the line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from retrieval.archive import Archive
from retrieval.citations import SupportChecker
from retrieval.evaluation.metrics import (
    MetricSet,
    QuestionScore,
    Summary,
    metric_set_to_dict,
    question_record,
    score_question,
    summarize,
    summary_to_dict,
)
from retrieval.evaluation.questions import EvalQuestion, load_questions
from retrieval.results import Answer

# Each row: its label, its key in metric_set_to_dict, and whether higher is better.
ROWS: tuple[tuple[str, str, bool], ...] = (
    ("hit@1", "hit@1", True),
    ("hit@3", "hit@3", True),
    ("hit@5", "hit@5", True),
    ("hit@10", "hit@10", True),
    ("MRR@10", "mrr@10", True),
    ("strict hit@5", "strict_hit@5", True),
    ("strict MRR@10", "strict_mrr@10", True),
    ("answer accuracy", "accuracy", True),
    ("token F1", "f1", True),
    ("choice accuracy", "choice_accuracy", True),
    ("citation precision", "citation_precision", True),
    ("citation support", "citation_support", True),
    ("abstention (unanswerable)", "abstention_rate", True),
    ("false refusals (answerable)", "false_refusal_rate", False),
    ("latency p50 (s)", "latency_p50_s", False),
    ("latency p95 (s)", "latency_p95_s", False),
)

THRESHOLDS = {
    "min_hit5": ("hit@5", True),
    "min_mrr": ("mrr@10", True),
    "min_accuracy": ("accuracy", True),
    "min_f1": ("f1", True),
    "min_citation_support": ("citation_support", True),
    "min_abstention": ("abstention_rate", True),
    "max_false_refusal": ("false_refusal_rate", False),
}

Ask = Callable[[EvalQuestion], Answer]


@dataclass(frozen=True)
class RunResult:
    """Scores and per-question records of one system over the question set."""

    name: str
    summary: Summary
    records: list[dict[str, Any]]


def run_system(
    name: str, questions: list[EvalQuestion], ask: Ask, checker: SupportChecker
) -> RunResult:
    """Ask every question, timing each, and score the answers."""
    scores: list[QuestionScore] = []
    records: list[dict[str, Any]] = []
    for index, question in enumerate(questions, start=1):
        started = time.perf_counter()
        answer = ask(question)
        latency = time.perf_counter() - started
        score = score_question(question, answer, checker, latency_s=latency)
        scores.append(score)
        records.append(question_record(question, answer, score))
        mark = "ok" if score.correct else ("abstained" if answer.abstained else "-")
        click.echo(
            f"[{name} {index}/{len(questions)}] {question.id} {mark} {latency:.2f}s", err=True
        )
    return RunResult(name, summarize(scores), records)


def format_metric(value: object) -> str:
    """A metric as the tables print it: three decimals, "-" when it does not apply."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(results: list[RunResult]) -> str:
    """Overall metrics, one column per system, then the per-type breakdown."""
    columns = [metric_set_to_dict(r.summary.overall) for r in results]
    width = max(len(label) for label, _, _ in ROWS) + 2
    lines = [f"{'metric':<{width}}" + "".join(f"{r.name:>12}" for r in results)]
    lines.append("-" * len(lines[0]))
    n = results[0].summary.overall
    lines.append(f"{'questions':<{width}}" + "".join(f"{n.questions:>12}" for _ in results))
    for label, key, _ in ROWS:
        lines.append(
            f"{label:<{width}}" + "".join(f"{format_metric(c.get(key)):>12}" for c in columns)
        )
    lines.append("")
    keys = ("hit@5", "mrr@10", "accuracy", "f1", "abstention_rate", "false_refusal_rate")
    header = ["type", "n"] + [
        f"{r.name}:{k}" for r in results for k in ("hit@5", "acc", "F1", "abst", "FR")
    ]
    lines.append("  ".join(f"{h:>12}" for h in header))
    types = sorted(results[0].summary.by_type)
    for kind in types:
        row = [kind, str(results[0].summary.by_type[kind].questions)]
        for r in results:
            metrics: MetricSet | None = r.summary.by_type.get(kind)
            data = metric_set_to_dict(metrics) if metrics else {}
            row += [format_metric(data.get(k)) for k in keys if k != "mrr@10"]
        lines.append("  ".join(f"{c:>12}" for c in row))
    return "\n".join(lines)


def check_thresholds(summary: Summary, limits: dict[str, float | None]) -> list[str]:
    """The thresholds missed, as one line each."""
    overall = metric_set_to_dict(summary.overall)
    missed = []
    for option, value in limits.items():
        if value is None:
            continue
        key, higher = THRESHOLDS[option]
        got = overall.get(key)
        if not isinstance(got, int | float) or (got < value if higher else got > value):
            sign = ">=" if higher else "<="
            missed.append(f"{key} = {format_metric(got)}, required {sign} {value}")
    return missed


@click.command("eval")
@click.argument("questions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the full report here.",
)
@click.option("--top-k", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--limit", type=click.IntRange(1), help="Only the first N questions.")
@click.option(
    "--baseline", is_flag=True, help="Also run the plain llama-index pipeline, side by side."
)
@click.option("--min-hit5", type=float)
@click.option("--min-mrr", type=float)
@click.option("--min-accuracy", type=float)
@click.option("--min-f1", type=float)
@click.option("--min-citation-support", type=float)
@click.option("--min-abstention", type=float)
@click.option("--max-false-refusal", type=float)
@click.pass_obj
def eval_command(
    obj: Any,
    /,
    questions_file: Path,
    json_path: Path | None,
    top_k: int,
    limit: int | None,
    baseline: bool,
    **limits: float | None,
) -> None:
    """Score the archive's answers on a question set (see docs/evaluation.md)."""
    from retrieval.responder import AskOptions, Responder

    questions, errors = load_questions(questions_file)
    for error in errors:
        click.echo(f"skipped: {error}", err=True)
    if not questions:
        raise click.ClickException(f"{questions_file}: no usable questions")
    questions = questions[:limit] if limit else questions
    archive = Archive(obj.settings)
    if archive.catalog.stats().articles == 0:
        raise click.ClickException(
            f"the archive in {archive.data_dir} is empty: run `newsbot ingest` first"
        )
    checker = SupportChecker(embed=archive.embed_sentences)  # type: ignore[arg-type]  # lists are sequences
    responder = Responder(archive)

    def ours(question: EvalQuestion) -> Answer:
        return responder.ask(question.question, AskOptions(as_of=question.as_of, top_k=top_k))

    results = [run_system("newsbot", questions, ours, checker)]
    if baseline:
        from retrieval.evaluation.baseline import BaselinePipeline

        click.echo("building the baseline index (plain llama-index VectorStoreIndex) ...", err=True)
        plain = BaselinePipeline(archive, top_k=top_k)
        results.append(run_system("baseline", questions, lambda q: plain.ask(q.question), checker))
    click.echo(table(results))
    if json_path:
        report = {
            "command": "newsbot " + " ".join(sys.argv[1:]),
            "date": date.today().isoformat(),
            "questions_file": str(questions_file),
            "top_k": top_k,
            "archive": {
                "articles": archive.catalog.stats().articles,
                "data_dir": str(archive.data_dir),
            },
            "systems": {
                r.name: {"summary": summary_to_dict(r.summary), "questions": r.records}
                for r in results
            },
        }
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        click.echo(f"report written to {json_path}", err=True)
    missed = check_thresholds(results[0].summary, limits)
    if missed:
        raise click.ClickException("below threshold: " + "; ".join(missed))
