"""Ingest speed: newsbot's pipeline vs the plain llama-index pipeline vs raw model throughput.

On the same synthetic articles (benchmarks/synthetic.py), each run measures, with the same
packaged all-MiniLM-L6-v2 (torch, CPU) loaded once beforehand:

- raw:   sentence-transformers `encode` of exactly the chunk texts our pipeline embeds,
         at our batch size: the ceiling for "ours".
- ours:  `Ingestor.ingest` from the JSONL file into a fresh embedded Chroma + catalog
         (load, clean, dedupe, syndication, chunk, embed, store, commit); its time is
         passes one and two (every chunk embedded), the third (every sentence embedded
         for answering, `answer.reader=stored`) is reported apart.
- again: the same file into the same data dir: nothing changed, nothing is embedded.
- plain: `VectorStoreIndex.from_documents` + `HuggingFaceEmbedding` + `ChromaVectorStore`,
         all llama-index defaults (SentenceSplitter 1024 tokens, embed batch 10).
- plain-tuned (--tuned): the same with chunks and batches like ours (224-token chunks incl. metadata,
         40 overlap, batch 128): the same embedding work, so it isolates pipeline overhead.

Ratios are computed within each run and their median reported.

    .venv/bin/python benchmarks/ingest_bench.py --articles 1000 --runs 3 --tuned
    .venv/bin/python benchmarks/ingest_bench.py --articles 100 --runs 1      # quick check
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
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


def _our_settings(data_dir: Path) -> Any:
    from config.settings import Settings

    return Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]


def _chunk_texts(corpus: Path) -> tuple[int, list[str]]:
    from config.settings import IngestSettings
    from ingest.articles import Article
    from ingest.chunking import chunk_article
    from ingest.intake import gather

    settings = IngestSettings()
    texts: list[str] = []
    count = 0
    for item in gather([str(corpus)], settings=settings, today=date.today()):
        if isinstance(item, Article):
            count += 1
            texts.extend(
                c.embed_text
                for c in chunk_article(item, settings.chunk_size, settings.chunk_overlap)
            )
    return count, texts


def _ours(corpus: Path, data_dir: Path, embedder: Any) -> dict[str, Any]:
    from ingest.intake import gather
    from ingest.pipeline import Ingestor
    from retrieval.archive import Archive

    started = time.perf_counter()
    settings = _our_settings(data_dir)
    archive = Archive.open(settings, embedder=embedder)
    items = gather([str(corpus)], settings=settings.ingest, today=date.today())
    opened = time.perf_counter() - started
    summary = Ingestor(archive, settings.ingest).ingest(items)
    seconds = time.perf_counter() - started
    archive.close()
    return {
        # both chunk passes; the third (sentence vectors for answering) apart
        "seconds": seconds - summary.sentence_seconds,
        "sentence_seconds": summary.sentence_seconds,
        "answer_ready": seconds,
        # every article searchable (headline, lede, keywords): the first pass done
        "searchable": opened + summary.searchable_seconds,
        "articles": summary.articles_seen,
        "chunks": summary.chunks,
        "added": summary.added,
        "unchanged": summary.unchanged,
    }


def _plain(corpus: Path, data_dir: Path, embedder: Any, splitter: Any | None) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings as ClientSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    started = time.perf_counter()
    documents = []
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            documents.append(
                Document(
                    text=record["body"],
                    metadata={k: record[k] for k in ("title", "source", "published", "url")},
                )
            )
    client = chromadb.PersistentClient(
        path=str(data_dir), settings=ClientSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("plain", embedding_function=None)
    store = ChromaVectorStore(chroma_collection=collection)
    kwargs: dict[str, Any] = {"transformations": [splitter]} if splitter is not None else {}
    VectorStoreIndex.from_documents(
        documents,
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=embedder,
        **kwargs,
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "articles": len(documents), "chunks": collection.count()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from sentence_transformers import SentenceTransformer

    from config.settings import EmbeddingSettings
    from retrieval.archive.embedding import make_embedder, quantize_int8, resolve_model

    info = report.machine()
    work = Path(tempfile.mkdtemp(prefix="newsbot-ingest-bench-"))
    if args.corpus:  # real articles (JSONL with title, body, source, published, url)
        corpus = work / "corpus.jsonl"
        shutil.copyfile(args.corpus, corpus)
    else:
        corpus = synthetic.write_jsonl(work / "corpus.jsonl", args.articles, seed=args.seed)
    n_articles, texts = _chunk_texts(corpus)
    model_path = resolve_model(EmbeddingSettings().model)
    batch = EmbeddingSettings().batch_size

    ours_embedder = make_embedder(EmbeddingSettings(backend=args.backend))
    plain_embedder = HuggingFaceEmbedding(model_name=model_path)  # llama-index defaults
    tuned_embedder = HuggingFaceEmbedding(model_name=model_path, embed_batch_size=batch)
    raw_model = SentenceTransformer(model_path, device="cpu")
    if args.backend == "torch-int8":  # the ceiling of the same model and backend
        quantize_int8(raw_model, inplace=True)
    raw_model.encode(texts[:batch], batch_size=batch)  # warm-up: first call pays allocation
    ours_embedder.get_text_embedding_batch(texts[:batch])
    plain_embedder.get_text_embedding_batch(texts[:10])
    tuned_embedder.get_text_embedding_batch(texts[:batch])
    tuned_splitter = SentenceSplitter(chunk_size=224, chunk_overlap=40)

    runs: list[dict[str, Any]] = []
    for number in range(1, args.runs + 1):
        row: dict[str, Any] = {"run": number, "load_avg_1m": round(os.getloadavg()[0], 2)}
        gc.collect()
        started = time.perf_counter()
        raw_model.encode(texts, batch_size=batch, normalize_embeddings=True)
        row["raw_s"] = time.perf_counter() - started

        ours_dir = work / f"ours-{number}"
        first = _ours(corpus, ours_dir, ours_embedder)
        again = _ours(corpus, ours_dir, ours_embedder)
        assert again["unchanged"] == first["added"], (first, again)
        row.update(
            ours_s=first["seconds"],
            sentences_s=first["sentence_seconds"],
            answer_ready_s=first["answer_ready"],
            searchable_s=first["searchable"],
            again_s=again["seconds"],
            ours_chunks=first["chunks"],
        )

        plain = _plain(corpus, work / f"plain-{number}", plain_embedder, None)
        row.update(plain_s=plain["seconds"], plain_chunks=plain["chunks"])
        if args.tuned:
            tuned = _plain(corpus, work / f"tuned-{number}", tuned_embedder, tuned_splitter)
            row.update(tuned_s=tuned["seconds"], tuned_chunks=tuned["chunks"])
        for name in ("ours", "plain", "tuned"):
            if f"{name}_s" in row:
                row[f"{name}_articles_per_s"] = n_articles / row[f"{name}_s"]
                row[f"{name}_chunks_per_s"] = row[f"{name}_chunks"] / row[f"{name}_s"]
        row["raw_chunks_per_s"] = len(texts) / row["raw_s"]
        row["ours_vs_plain_articles"] = row["ours_articles_per_s"] / row["plain_articles_per_s"]
        row["ours_vs_plain_chunks"] = row["ours_chunks_per_s"] / row["plain_chunks_per_s"]
        row["ours_vs_raw"] = row["ours_chunks_per_s"] / row["raw_chunks_per_s"]
        row["first_vs_again"] = row["ours_s"] / row["again_s"]
        row["plain_vs_searchable"] = row["plain_s"] / row["searchable_s"]
        if args.tuned:
            row["ours_vs_tuned_chunks"] = row["ours_chunks_per_s"] / row["tuned_chunks_per_s"]
        runs.append(row)
        print(
            f"run {number}: "
            + ", ".join(
                f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
            ),
            flush=True,
        )
        for path in (ours_dir, work / f"plain-{number}", work / f"tuned-{number}"):
            shutil.rmtree(path, ignore_errors=True)

    keys = [k for k in runs[0] if k != "run"]
    medians = {k: report.median([r[k] for r in runs]) for k in keys}
    shutil.rmtree(work, ignore_errors=True)
    return {
        "machine": info,
        "args": vars(args),
        "articles": n_articles,
        "chunks_ours": len(texts),
        "batch_size": batch,
        "backend": args.backend,
        "torch_threads": _torch_threads(),
        "runs": runs,
        "median": medians,
        "peak_rss_mb": report.peak_rss_mb(),
    }


def profile(args: argparse.Namespace) -> None:
    """cProfile of one `ours` ingest (main thread: load, prepare, embed; the writer overlaps)."""
    import cProfile
    import io
    import pstats

    from config.settings import EmbeddingSettings
    from retrieval.archive.embedding import make_embedder

    work = Path(tempfile.mkdtemp(prefix="newsbot-ingest-profile-"))
    corpus = synthetic.write_jsonl(work / "corpus.jsonl", args.articles, seed=args.seed)
    embedder = make_embedder(EmbeddingSettings())
    embedder.get_text_embedding_batch(["warm up"] * 8)
    profiler = cProfile.Profile()
    profiler.enable()
    result = _ours(corpus, work / "ours", embedder)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(45)
    path = report.RESULTS / "ingest-profile.txt"
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{result}\n{text.getvalue()}", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    print(f"{result}\nwrote {path}")


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def main() -> None:
    parser = argparse.ArgumentParser(description="Ingest speed: ours vs plain llama-index vs raw.")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tuned", action="store_true", help="also run plain-tuned")
    parser.add_argument("--corpus", type=Path, help="a JSONL of real articles instead")
    parser.add_argument("--name", default="ingest", help="results/NAME.json")
    parser.add_argument(
        "--backend", default="torch", choices=["torch", "torch-int8"], help="ours and raw"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one ingest of ours")
    args = parser.parse_args()
    if args.profile:
        profile(args)
        return
    results = run(args)
    med = results["median"]
    rows = [
        {
            "pipeline": "raw encode",
            "s": med["raw_s"],
            "chunks": results["chunks_ours"],
            "chunks/s": med["raw_chunks_per_s"],
        },
        {
            "pipeline": "ours, passes one and two",
            "s": med["ours_s"],
            "chunks": med["ours_chunks"],
            "articles/s": med["ours_articles_per_s"],
            "chunks/s": med["ours_chunks_per_s"],
        },
        {
            "pipeline": "ours, searchable (pass one done)",
            "s": med["searchable_s"],
            "articles/s": results["articles"] / med["searchable_s"],
        },
        {
            "pipeline": "ours, pass three (sentence vectors for answering)",
            "s": med["sentences_s"],
        },
        {
            "pipeline": "ours, all three passes",
            "s": med["answer_ready_s"],
            "articles/s": results["articles"] / med["answer_ready_s"],
        },
        {
            "pipeline": "ours, unchanged re-ingest",
            "s": med["again_s"],
            "articles/s": results["articles"] / med["again_s"],
        },
        {
            "pipeline": "plain llama-index (defaults)",
            "s": med["plain_s"],
            "chunks": med["plain_chunks"],
            "articles/s": med["plain_articles_per_s"],
            "chunks/s": med["plain_chunks_per_s"],
        },
    ]
    if "tuned_s" in med:
        rows.append(
            {
                "pipeline": "plain llama-index (our chunking+batch)",
                "s": med["tuned_s"],
                "chunks": med["tuned_chunks"],
                "articles/s": med["tuned_articles_per_s"],
                "chunks/s": med["tuned_chunks_per_s"],
            }
        )
    print()
    print(f"{results['articles']} articles, median of {args.runs} runs")
    print(report.table(rows, ["pipeline", "s", "chunks", "articles/s", "chunks/s"]))
    print()
    ratios = [
        "ours_vs_plain_articles",
        "ours_vs_plain_chunks",
        "ours_vs_raw",
        "first_vs_again",
        "plain_vs_searchable",
    ]
    if "ours_vs_tuned_chunks" in med:
        ratios.append("ours_vs_tuned_chunks")
    for key in ratios:
        print(
            f"{key:<24} {med[key]:.2f}  (per run: {', '.join(f'{r[key]:.2f}' for r in results['runs'])})"
        )
    print(f"wrote {report.write(args.name, results)}")


if __name__ == "__main__":
    main()
