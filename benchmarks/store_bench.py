"""Chroma's add rate as the index grows, for a few batch sizes and HNSW settings.

Adds random unit vectors (384 dims, like all-MiniLM-L6-v2) with chunk-sized documents and
our metadata to a fresh embedded collection through `ChunkStore.upsert`, and reports
vectors/s for each slice of `--slice` vectors, then the median query time (k=40, the dense
candidates a question asks for) at the final size. Each configuration gets its own store.

    .venv/bin/python benchmarks/store_bench.py --size 50000 --slice 10000
    .venv/bin/python benchmarks/store_bench.py --size 5000 --slice 1000 --configs default  # quick
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import report
import synthetic

CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},  # add_batch_size 1000, M 16, construction ef 100
    "batch-250": {"add_batch_size": 250},
    "batch-5000": {"add_batch_size": 5000},
    "ef-c-50": {"hnsw_construction_ef": 50},
    "ef-c-200": {"hnsw_construction_ef": 200},
    "m-32": {"hnsw_m": 32},
}


def _records(start: int, count: int, texts: list[str]) -> list[Any]:
    from retrieval.archive.store import ChunkRecord

    day = date(2005, 1, 1)
    return [
        ChunkRecord(
            chunk_id=f"a{n // 5}:deadbeef:{n % 5}",
            article_id=f"a{n // 5}",
            position=n % 5,
            text=texts[n % len(texts)],
            embed_text=texts[n % len(texts)],
            title=f"Synthetic story {n // 5}",
            source="Harbor Wire",
            published=day + timedelta(days=(n // 5) % 7000),
            url=f"https://harborwire.example/{n // 5}",
            content_hash="deadbeef" * 3,
        )
        for n in range(start, start + count)
    ]


def run_config(name: str, size: int, slice_size: int, texts: list[str]) -> dict[str, Any]:
    from config.settings import ChromaSettings
    from retrieval.archive.store import ChunkStore

    work = Path(tempfile.mkdtemp(prefix=f"newsbot-store-{name}-"))
    store = ChunkStore(ChromaSettings(**CONFIGS[name]), work)
    rng = np.random.default_rng(5)
    rates = []
    for start in range(0, size, slice_size):
        vectors = rng.standard_normal((slice_size, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        records = _records(start, slice_size, texts)
        started = time.perf_counter()
        store.upsert(records, vectors.tolist())
        seconds = time.perf_counter() - started
        rates.append(
            {"index_size": start + slice_size, "vectors_per_s": round(slice_size / seconds, 1)}
        )
        print(
            f"  {name}: {start + slice_size:>7} vectors, {slice_size / seconds:8.1f}/s", flush=True
        )
    query_ms = []
    for _ in range(50):
        probe = rng.standard_normal(384)
        probe /= np.linalg.norm(probe)
        started = time.perf_counter()
        store.query(probe.tolist(), 40)
        query_ms.append((time.perf_counter() - started) * 1000)
    disk = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
    shutil.rmtree(work, ignore_errors=True)
    return {
        "config": name,
        "settings": CONFIGS[name],
        "slices": rates,
        "first_slice_per_s": rates[0]["vectors_per_s"],
        "last_slice_per_s": rates[-1]["vectors_per_s"],
        "overall_per_s": round(size / sum(slice_size / r["vectors_per_s"] for r in rates), 1),
        "query_p50_ms": round(report.percentile(query_ms, 50), 2),
        "query_p95_ms": round(report.percentile(query_ms, 95), 2),
        "disk_mb": round(disk / 1e6, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Chroma add rate vs index size and settings.")
    parser.add_argument("--size", type=int, default=50000)
    parser.add_argument("--slice", type=int, default=10000)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--name", default="store")
    args = parser.parse_args()
    info = report.machine()
    texts = [a["body"][:700] for a in synthetic.articles(200)]
    random.Random(3).shuffle(texts)
    rows = [run_config(name, args.size, args.slice, texts) for name in args.configs.split(",")]
    print()
    print(
        report.table(
            rows,
            ["config", "first_slice_per_s", "last_slice_per_s", "overall_per_s", "query_p50_ms",
             "query_p95_ms", "disk_mb", "load_avg_1m"],
        )
    )  # fmt: skip
    print(f"wrote {report.write(args.name, {'machine': info, 'args': vars(args), 'rows': rows})}")


if __name__ == "__main__":
    main()
