"""Query latency and memory at 10k and 100k chunks: retrieval only and extractive `ask`.

For each size, a data dir is filled with synthetic articles (benchmarks/synthetic.py) through
the real ingest pipeline (catalog, FTS5 keyword index, embedded Chroma), but with vectors
from the deterministic hashing embedder (`deterministic:384`, bag of stems, same dimension as
all-MiniLM-L6-v2): embedding 100k chunks with the real model would take hours on 2 cores, and
the cost of a query does not depend on where the stored vectors came from.

Queries then run in a fresh process per size, with the real packaged model (torch, CPU)
embedding the questions and the answer sentences, exactly as `newsbot ask` does:

- retrieval: `search()` (query embedding + dense + keyword + fusion), k=10
- ask:       `Responder.ask()` (retrieval + extractive answer), default settings

Each question set is run `--reps` times after one warm-up question; p50/p95 are over all
timed questions. Peak RSS is the query process's ru_maxrss. A third process opens only the
catalog and runs the keyword search, to show the FTS5 index's own memory use.

    .venv/bin/python benchmarks/query_bench.py --sizes 10000,100000 --reps 3
    .venv/bin/python benchmarks/query_bench.py --sizes 2000 --reps 1        # quick check
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import report
import synthetic

CHUNKS_PER_ARTICLE = 5.2  # measured on the generator's output at the default chunk size


def questions(count: int, seed: int = 11) -> list[str]:
    """News-style questions over the synthetic vocabulary (answerable or not: latency only)."""
    rng = random.Random(seed)
    templates = [
        "How many jobs is {company} cutting in {place}?",
        "Who scored the winner when {team} won the cup final?",
        "When did the tram line in {place} open?",
        "What did the {body} of {place} approve after the debate?",
        "How many homes in {place} were told to leave because of the flood warning?",
        "How much did the new {company} plant in {place} cost?",
        "Who was jailed for fraud in {place}?",
        "What did researchers at the University of {place} find?",
        "How far did hospital waiting times fall in {place}?",
        "Why did transport workers in {place} go on strike?",
    ]
    out = []
    for n in range(count):
        slots = {
            "company": rng.choice(synthetic.COMPANIES),
            "place": rng.choice(synthetic.PLACES),
            "team": rng.choice(synthetic.TEAMS),
            "body": rng.choice(synthetic.BODIES),
        }
        out.append(templates[n % len(templates)].format(**slots))
    return out


def fill(data_dir: Path, chunks: int, seed: int) -> dict[str, Any]:
    """Ingest enough synthetic articles for `chunks` chunks, hashing vectors of 384 dims."""
    from config.settings import EmbeddingSettings, Settings
    from ingest.articles import Article
    from ingest.pipeline import Ingestor
    from retrieval.archive import Archive
    from retrieval.archive.embedding import HashingEmbedding

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=data_dir, embedding=EmbeddingSettings(model="deterministic:384")
    )
    archive = Archive.open(settings, embedder=HashingEmbedding(dimensions=384))
    count = math.ceil(chunks / CHUNKS_PER_ARTICLE)
    items = (
        Article(
            title=a["title"],
            body=a["body"],
            origin=a["id"],
            url=a["url"],
            source=a["source"],
            published=date.fromisoformat(a["published"]),
            date_source="metadata",
        )
        for a in synthetic.articles(count, seed)
    )
    started = time.perf_counter()
    summary = Ingestor(archive, batch_articles=256).ingest(items)
    seconds = time.perf_counter() - started
    stats = archive.catalog.stats()
    vectors = archive.store.count()
    archive.close()
    return {
        "articles": stats.articles,
        "chunks": stats.chunks,
        "vectors": vectors,
        "fill_seconds": round(seconds, 1),
        "fill_chunks_per_s": round(summary.chunks / seconds, 1),
        "catalog_mb": round((data_dir / "catalog.sqlite3").stat().st_size / 1e6, 1),
        "chroma_mb": round(
            sum(p.stat().st_size for p in (data_dir / "chroma").rglob("*") if p.is_file()) / 1e6, 1
        ),
    }


def query_process(data_dir: Path, count: int, reps: int, threads: int = 0) -> dict[str, Any]:
    """Run in a fresh process: open, warm up, time retrieval and ask over the question set."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    from config.settings import Settings
    from retrieval.archive import Archive
    from retrieval.responder import Responder
    from retrieval.search import SearchOptions, search

    rss = {"start": report.current_rss_mb()}
    archive = Archive.open(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    rss["archive_open"] = report.current_rss_mb()
    archive.embed_query("warm up the model")
    rss["model_loaded"] = report.current_rss_mb()
    responder = Responder(archive)
    qs = questions(count)
    started = time.perf_counter()
    responder.ask(qs[0])  # first query: the HNSW index is loaded from disk
    cold_ms = (time.perf_counter() - started) * 1000
    retrieval_ms: list[float] = []
    ask_ms: list[float] = []
    abstained = 0
    for _ in range(reps):
        for question in qs:
            started = time.perf_counter()
            search(archive, question, SearchOptions(k=10))
            retrieval_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            answer = responder.ask(question)
            ask_ms.append((time.perf_counter() - started) * 1000)
            abstained += answer.abstained
    rss["after_queries"] = report.current_rss_mb()
    return {
        "questions": len(qs),
        "reps": reps,
        "torch_threads": torch.get_num_threads(),
        "cold_first_ask_ms": round(cold_ms, 1),
        "retrieval_p50_ms": round(report.percentile(retrieval_ms, 50), 1),
        "retrieval_p95_ms": round(report.percentile(retrieval_ms, 95), 1),
        "ask_p50_ms": round(report.percentile(ask_ms, 50), 1),
        "ask_p95_ms": round(report.percentile(ask_ms, 95), 1),
        "abstained_share": round(abstained / len(ask_ms), 2),
        "rss_mb": rss,
        "peak_rss_mb": report.peak_rss_mb(),
    }


def profile_process(data_dir: Path, count: int) -> dict[str, Any]:
    """cProfile of `ask` over the question set once (after a warm-up): where the time goes."""
    import cProfile
    import io
    import pstats

    from config.settings import Settings
    from retrieval.archive import Archive
    from retrieval.responder import Responder

    archive = Archive.open(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    responder = Responder(archive)
    qs = questions(count)
    responder.ask(qs[0])
    profiler = cProfile.Profile()
    profiler.enable()
    for question in qs:
        responder.ask(question)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(40)
    path = report.RESULTS / f"query-profile-{data_dir.name}.txt"
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(text.getvalue(), encoding="utf-8")
    return {"profile": str(path)}


def keyword_process(data_dir: Path, count: int, reps: int) -> dict[str, Any]:
    """Only the catalog: what the FTS5 keyword index costs in memory and time."""
    from retrieval.archive.catalog import Catalog

    before = report.current_rss_mb()
    peak_before = report.peak_rss_mb()
    catalog = Catalog(data_dir / "catalog.sqlite3")
    opened = report.current_rss_mb()
    timings = []
    for _ in range(reps):
        for question in questions(count):
            started = time.perf_counter()
            catalog.keyword_search(question, 40)
            timings.append((time.perf_counter() - started) * 1000)
    catalog.close()
    return {
        "rss_before_open_mb": before,
        "peak_rss_before_open_mb": peak_before,
        "rss_after_open_mb": opened,
        "rss_after_queries_mb": report.current_rss_mb(),
        "peak_rss_mb": report.peak_rss_mb(),
        "keyword_p50_ms": round(report.percentile(timings, 50), 1),
        "keyword_p95_ms": round(report.percentile(timings, 95), 1),
    }


def _child(mode: str, data_dir: Path, count: int, reps: int, threads: int = 0) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            f"--{mode}",
            str(data_dir),
            "--questions",
            str(count),
            "--reps",
            str(reps),
            "--torch-threads",
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description="Query latency and memory at 10k/100k chunks.")
    parser.add_argument("--sizes", default="10000,100000", help="chunk counts, comma-separated")
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/newsbot-query-bench"),
        help="data dirs are kept here and reused when already filled",
    )
    parser.add_argument("--name", default="query")
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch intra-op threads (0: torch's default)"
    )
    parser.add_argument("--query", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keyword", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the cProfile pass at the largest size"
    )
    args = parser.parse_args()
    if args.query:
        print(json.dumps(query_process(args.query, args.questions, args.reps, args.torch_threads)))
        return
    if args.keyword:
        print(json.dumps(keyword_process(args.keyword, args.questions, args.reps)))
        return
    if args.profile:
        print(json.dumps(profile_process(args.profile, args.questions)))
        return

    info = report.machine()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        data_dir = args.work / f"chunks-{size}"
        marker = data_dir / "filled.json"
        if marker.is_file():
            filled = json.loads(marker.read_text())
        else:
            print(f"filling {data_dir} with ~{size} chunks ...", flush=True)
            filled = fill(data_dir, size, args.seed)
            marker.write_text(json.dumps(filled))
        print(f"querying {filled['chunks']} chunks ...", flush=True)
        load = round(os.getloadavg()[0], 2)
        queried = _child("query", data_dir, args.questions, args.reps, args.torch_threads)
        keyword = _child("keyword", data_dir, args.questions, args.reps)
        rows.append({"size": size, "load_avg_1m": load, **filled, **queried, "keyword": keyword})
    if not args.no_profile:
        largest = args.work / f"chunks-{max(int(s) for s in args.sizes.split(','))}"
        rows[-1]["profile"] = _child("profile", largest, args.questions, 1)["profile"]
    results = {"machine": info, "args": {k: str(v) for k, v in vars(args).items()}, "rows": rows}
    print()
    print(
        report.table(
            rows,
            [
                "chunks",
                "retrieval_p50_ms",
                "retrieval_p95_ms",
                "ask_p50_ms",
                "ask_p95_ms",
                "cold_first_ask_ms",
                "peak_rss_mb",
                "load_avg_1m",
            ],
        )
    )
    print()
    print(
        report.table(
            [
                {
                    "chunks": r["chunks"],
                    "catalog_mb": r["catalog_mb"],
                    "chroma_mb": r["chroma_mb"],
                    **r["keyword"],
                }
                for r in rows
            ],
            [
                "chunks",
                "catalog_mb",
                "chroma_mb",
                "rss_before_open_mb",
                "rss_after_queries_mb",
                "peak_rss_mb",
                "keyword_p50_ms",
                "keyword_p95_ms",
            ],
        )
    )
    print(f"wrote {report.write(args.name, results)}")


if __name__ == "__main__":
    main()
