"""`newsbot eval`: run a question set against the archive, score it, print and save the report.

Progress goes to stderr, the table to stdout, the full report (summary and one record per
question) to `--json`. Thresholds make the command exit non-zero when a score falls short,
so CI can hold the line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from bot.context import CliContext


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
@click.option("--min-truth", type=float, help="Truthfulness (+1 right, 0 abstained, -1 wrong).")
@click.pass_obj
def eval_command(
    obj: CliContext,
    questions_file: Path,
    json_path: Path | None,
    top_k: int,
    limit: int | None,
    baseline: bool,
    min_hit5: float | None,
    min_mrr: float | None,
    min_accuracy: float | None,
    min_f1: float | None,
    min_citation_support: float | None,
    min_abstention: float | None,
    max_false_refusal: float | None,
    min_truth: float | None,
) -> None:
    """Score the archive's answers on a question set (see docs/evaluation.md)."""
    # Deferred: the archive loads Chroma and the embedding model; `newsbot --help` stays instant.
    from retrieval.archive import Archive
    from retrieval.citations import SupportChecker
    from retrieval.evaluation.questions import EvalQuestion, load_questions
    from retrieval.evaluation.report import missed_thresholds, systems_to_dict, table
    from retrieval.evaluation.runner import Outcome, run_system
    from retrieval.responder import AskOptions, Responder
    from retrieval.results import Answer

    questions, errors = load_questions(questions_file)
    for error in errors:
        click.echo(f"skipped: {error}", err=True)
    if not questions:
        raise click.ClickException(f"{questions_file}: no usable questions")
    questions = questions[:limit] if limit else questions
    archive = Archive.open(obj.settings)
    if archive.catalog.stats().articles == 0:
        raise click.ClickException(
            f"the archive in {archive.data_dir} is empty: run `newsbot ingest` first"
        )
    checker = SupportChecker(embed=archive.embed_sentences)
    responder = Responder.from_settings(archive, obj.settings)

    def ours(question: EvalQuestion) -> Answer:
        return responder.ask(question.question, AskOptions(as_of=question.as_of, top_k=top_k))

    def progress(name: str) -> Callable[[int, Outcome], None]:
        def show(index: int, outcome: Outcome) -> None:
            latency = outcome.score.latency_s or 0.0
            click.echo(
                f"[{name} {index}/{len(questions)}] {outcome.question.id} {outcome.mark} "
                f"{latency:.2f}s",
                err=True,
            )

        return show

    results = [run_system("newsbot", questions, ours, checker, progress("newsbot"))]
    if baseline:
        # Deferred: only --baseline needs llama-index's VectorStoreIndex.
        from retrieval.evaluation.baseline import BaselinePipeline

        click.echo("building the baseline index (plain llama-index VectorStoreIndex) ...", err=True)
        plain = BaselinePipeline(archive, top_k=top_k)
        results.append(
            run_system(
                "baseline",
                questions,
                lambda q: plain.ask(q.question),
                checker,
                progress("baseline"),
            )
        )
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
            "systems": systems_to_dict(results),
        }
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        click.echo(f"report written to {json_path}", err=True)
    missed = missed_thresholds(
        results[0].summary,
        minimums={
            "hit@5": min_hit5,
            "mrr@10": min_mrr,
            "accuracy": min_accuracy,
            "f1": min_f1,
            "citation_support": min_citation_support,
            "abstention_rate": min_abstention,
            "truthfulness": min_truth,
        },
        maximums={"false_refusal_rate": max_false_refusal},
    )
    if missed:
        raise click.ClickException("below threshold: " + "; ".join(missed))
