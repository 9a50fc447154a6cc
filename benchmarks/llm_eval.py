"""LLM mode vs extractive on a question set: accuracy, citation support, abstention, latency.

Each question is answered the newsbot way: `Responder.ask` (time window, hybrid search,
extractive answer), then `generate_answer` with a local GGUF model over the same passages, the
extractive answer as fallback. Both answers are scored with
`retrieval.evaluation.metrics.score_question` (the LLM column by the shared `run_system`) and the
same support checker `newsbot eval` uses.

    python benchmarks/fetch_qwen.py --install /tmp/qwen.gguf
    python benchmarks/llm_eval.py --data-dir /tmp/wn --model /tmp/qwen.gguf --limit 60 \\
        --json /tmp/llm-eval.json --doc docs/evaluation.md

Latency of the LLM column is the whole question: retrieval, extractive answer, generation and
verification. Time to first token is counted from the question, too (the user's wait), and
separately from the start of generation (the model's prompt processing).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from config.settings import LLMSettings, Settings
from retrieval.archive import Archive
from retrieval.citations import SupportChecker
from retrieval.evaluation.metrics import percentile, score_question, summarize
from retrieval.evaluation.questions import EvalQuestion, load_questions
from retrieval.evaluation.report import format_metric, metric_set_to_dict
from retrieval.evaluation.runner import Outcome, run_system
from retrieval.generation.generate import generate_answer
from retrieval.generation.llamacpp import default_threads
from retrieval.generation.llm import make_llm
from retrieval.responder import AskOptions, Responder
from retrieval.results import Answer

TITLE = "## LLM mode (Qwen2.5-Coder-0.5B) vs extractive"
ROWS = (
    ("answer accuracy", "accuracy"),
    ("token F1", "f1"),
    ("citation precision", "citation_precision"),
    ("citation support", "citation_support"),
    ("abstention (unanswerable)", "abstention_rate"),
    ("false refusals (answerable)", "false_refusal_rate"),
    ("latency p50 (s)", "latency_p50_s"),
    ("latency p95 (s)", "latency_p95_s"),
)


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(
        data_dir=args.data_dir,
        llm=LLMSettings(
            backend="local",
            model=str(args.model),
            timeout_s=args.timeout,
            max_tokens=args.max_tokens,
            ask_when_extractive_abstains=not args.skip_when_abstained,
        ),
    )
    questions, errors = load_questions(args.questions)
    for error in errors:
        print(f"skipped: {error}", file=sys.stderr)
    # Every N-th question keeps the mix of types (the file is grouped by type).
    questions = questions[:: args.stride]
    questions = questions[: args.limit] if args.limit else questions
    archive = Archive.open(settings)
    responder = Responder.from_settings(archive, settings)
    checker = SupportChecker(embed=archive.embed_sentences)
    started = time.perf_counter()
    llm = make_llm(settings.llm)
    load_s = time.perf_counter() - started
    considered = settings.answer.passages_considered

    # Each question is asked the newsbot way and then generated from; the extractive answer
    # and its time are kept here, so the LLM column's latency is the whole question.
    extractive: dict[str, tuple[Answer, float]] = {}

    def ask_llm(question: EvalQuestion) -> Answer:
        t0 = time.perf_counter()
        first = responder.ask(question.question, AskOptions(as_of=question.as_of))
        extractive[question.id] = (first, time.perf_counter() - t0)
        return generate_answer(
            llm,
            first.search_query or question.question,
            first.passages[:considered],
            fallback=first,
            checker=checker,
            as_of=question.as_of or date.today(),
            settings=settings.llm,
        )

    def progress(index: int, outcome: Outcome) -> None:
        info = outcome.answer.verification or {}
        print(
            f"[{index}/{len(questions)}] {outcome.question.id} {outcome.mark} "
            f"{outcome.score.latency_s or 0.0:.1f}s fallback={info.get('fallback')}",
            file=sys.stderr,
        )

    run_llm = run_system("llm", questions, ask_llm, checker, progress)
    extractive_scores, records = [], []
    ttft_user, ttft_model, fallbacks, kept, dropped, recited = [], [], 0, 0, 0, 0
    for outcome in run_llm.outcomes:
        question, answer, score = outcome.question, outcome.answer, outcome.score
        first, t_extractive = extractive[question.id]
        extractive_scores.append(score_question(question, first, checker, t_extractive))
        info = answer.verification or {}
        asked = "ttft_ms" in info
        if isinstance(info.get("ttft_ms"), float):
            ttft_model.append(info["ttft_ms"] / 1000)
            ttft_user.append(t_extractive + info["ttft_ms"] / 1000)
        fallbacks += bool(info.get("fallback")) and asked
        kept += int(info.get("kept", 0) or 0)
        dropped += len(info.get("dropped", []) or [])
        recited += len(info.get("recited", []) or [])
        records.append(
            {
                "id": question.id,
                "type": question.type,
                "question": question.question,
                "answers": list(question.answers),
                "extractive": first.text,
                "llm": answer.text,
                "correct_extractive": extractive_scores[-1].correct,
                "correct_llm": score.correct,
                "latency_s": round(score.latency_s or 0.0, 2),
                "verification": info,
            }
        )
    return {
        "date": date.today().isoformat(),
        "questions_file": str(args.questions),
        "questions": len(questions),
        "model": Path(args.model).name,
        "threads": default_threads(),
        "model_load_s": round(load_s, 2),
        "ask_when_abstained": not args.skip_when_abstained,
        "wall_s": round(time.perf_counter() - started, 1),
        "extractive": metric_set_to_dict(summarize(extractive_scores).overall),
        "llm": metric_set_to_dict(run_llm.summary.overall),
        "llm_extra": {
            "asked": len(ttft_model),
            "fallbacks_after_asking": fallbacks,
            "sentences_kept": kept,
            "sentences_dropped": dropped,
            "sentences_recited": recited,
            "ttft_p50_s": percentile(ttft_user, 50),
            "ttft_p95_s": percentile(ttft_user, 95),
            "model_ttft_p50_s": percentile(ttft_model, 50),
            "model_ttft_p95_s": percentile(ttft_model, 95),
        },
        "records": records,
    }


def table(report: dict[str, Any]) -> str:
    ext, llm, extra = report["extractive"], report["llm"], report["llm_extra"]
    lines = ["| metric | extractive | LLM (verified) |", "|---|---:|---:|"]
    lines += [
        f"| {label} | {format_metric(ext[key])} | {format_metric(llm[key])} |"
        for label, key in ROWS
    ]
    lines.append(
        f"| time to first token p50 / p95 (s) | - | "
        f"{format_metric(extra['ttft_p50_s'])} / {format_metric(extra['ttft_p95_s'])} |"
    )
    return "\n".join(lines)


def section(report: dict[str, Any], command: str) -> str:
    extra = report["llm_extra"]
    return f"""{TITLE}

Measured {report["date"]} with `{command}` on {report["questions"]} questions of
`{report["questions_file"]}` (the store ingested from `shared/data/wikinews/articles.jsonl`),
model `{report["model"]}` run in-process by llama.cpp (xllamacpp, CPU, {report["threads"]}
thread(s); model load {report["model_load_s"]} s), wall time {report["wall_s"]} s.
Both columns share retrieval and the extractive step; the LLM column adds generation and
verification (`retrieval/generation.py`), falling back to the extractive answer when nothing
of the reply is supported. Latency is per question, end to end. Time to first token counts
from the question (the user's wait); from the start of generation it was
{format_metric(extra["model_ttft_p50_s"])} s p50 / {format_metric(extra["model_ttft_p95_s"])} s p95.

{table(report)}

The model was asked {extra["asked"]} times (the extractive step abstained on the rest, and
{"the model was asked anyway" if report["ask_when_abstained"] else "then the model is not asked"});
{extra["fallbacks_after_asking"]} replies fell back to the extractive answer. Verification kept
{extra["sentences_kept"]} sentences, re-cited {extra["sentences_recited"]} and dropped
{extra["sentences_dropped"]}. Citation support is scored by the same checker that verifies
the reply, so it shows how much of what is sent the checker accepts, not an independent
judgement of faithfulness.
"""


def write_section(doc: Path, text: str) -> None:
    """Replace our section if present, else append it; other sections are left alone."""
    current = doc.read_text(encoding="utf-8") if doc.is_file() else "# Evaluation\n"
    if TITLE in current:
        head, _, rest = current.partition(TITLE)
        following = rest.find("\n## ")
        tail = rest[following + 1 :] if following >= 0 else ""
        current = head.rstrip() + "\n\n" + text.rstrip() + "\n" + ("\n" + tail if tail else "")
    else:
        current = current.rstrip() + "\n\n" + text.rstrip() + "\n"
    doc.write_text(current, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True, help="a .gguf file")
    parser.add_argument("--questions", type=Path, default=Path("eval/wikinews-dev.jsonl"))
    parser.add_argument("--stride", type=int, default=1, help="every N-th question only")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--max-tokens", type=int, default=120)
    parser.add_argument(
        "--skip-when-abstained", action="store_true", help="do not ask when extractive abstained"
    )
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--doc", type=Path, help="write the section into this markdown file")
    args = parser.parse_args()
    report = run(args)
    print(table(report))
    print(json.dumps(report["llm_extra"], indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if args.doc:
        command = "python benchmarks/llm_eval.py " + " ".join(sys.argv[1:])
        write_section(args.doc, section(report, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
