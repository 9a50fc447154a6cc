"""Query latency on a real-shaped archive: real news text recombined, dated questions.

The archive: articles made of real paragraphs (the Wikinews articles in ../shared/data, English
mostly, with the Russian and French ones), each headed by a real headline, dated uniformly over
2005-2025 (3 % undated), from 24 outlets, ingested through the real pipeline (catalog, FTS5
keyword index, Chroma, the local vector file). So vocabulary, sentence and paragraph lengths
and keyword statistics are those of news, not of a generator.

The vectors: every distinct sentence and headline of the source text is embedded once with the
real model (all-MiniLM-L6-v2, cached under --work); a chunk's vector is the normalised mean of
its sentences' vectors. Embedding 100k chunks with the model would take ~45 min on 2 cores; the
mean of real sentence vectors lies in the model's space with a realistic spread, which the
hashing vectors of query_bench.py do not (their neighbourhoods are not those of text).

The questions: built from real headlines, most with a date window, the way people ask:
as of a date (35 %), "in May 2019" (25 %), "last week"/"last month"/"this year" (20 %),
"since"/"between" (10 %), and no date at all (10 %). Each asked in a fresh process with the
real model, the default settings, warm after one question; the first question is timed cold.

    .venv/bin/python benchmarks/realshaped.py --chunks 100000 --runs 3
    .venv/bin/python benchmarks/realshaped.py --chunks 100000 --runs 3 --code /path/to/old/tree
    .venv/bin/python benchmarks/realshaped.py --chunks 2000 --runs 1 --questions 10   # CI size

`--code` runs the query processes against another checkout of the code (the same archive),
for a baseline side by side. `--plain` adds the plain llama-index pipeline over the same
vectors (VectorStoreIndex on Chroma, date filter as MetadataFilters): retrieval only.
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
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if os.environ.get("NEWSBOT_BENCH_CODE"):
    sys.path.insert(0, os.environ["NEWSBOT_BENCH_CODE"])
else:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import report  # noqa: E402 - after the path set-up above

CHUNKS_PER_ARTICLE = 2.33  # measured: 50,718 chunks from 21,739 articles at the default chunk size
OUTLETS = [
    f"{town} {kind}"
    for town, kind in zip(
        "Northfield Eastport Westbury Southam Kingsbridge Millbrook Ashford Riverton "
        "Lakeside Brookhaven Fairview Oakdale".split()
        * 2,
        ["Herald", "Gazette", "Courier", "Post", "Times", "Observer"] * 4,
        strict=True,
    )
]
FIRST_DAY = date(2005, 1, 1)
LAST_DAY = date(2025, 12, 31)
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _shared() -> Path:
    return Path(os.environ.get("NEWSBOT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def source_text(shared: Path) -> tuple[list[str], list[str]]:
    """(paragraphs, headlines) of the articles under `shared` (the first
    NEWSBOT_BENCH_SOURCE_ARTICLES of each file when set, for a quick run), English first."""
    limit = int(os.environ.get("NEWSBOT_BENCH_SOURCE_ARTICLES", "0")) or None
    paragraphs: list[str] = []
    titles: list[str] = []
    for name in ("wikinews", "wikinews-ru", "wikinews-fr"):
        path = shared / name / "articles.jsonl"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
            row = json.loads(line)
            titles.append(" ".join(str(row["title"]).split()))
            paragraphs.extend(
                " ".join(p.split()) for p in str(row["body"]).split("\n") if len(p.split()) >= 8
            )
    if not paragraphs:
        raise SystemExit(f"no articles under {shared}: set NEWSBOT_SHARED_DATA")
    return paragraphs, titles


def articles(count: int, shared: Path, seed: int) -> Iterator[dict[str, Any]]:
    """Recombined articles: a real headline, 2-7 real paragraphs, a date, an outlet."""
    paragraphs, titles = source_text(shared)
    english = [t for t in titles if t.isascii()]
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    for n in range(count):
        body = "\n\n".join(rng.choice(paragraphs) for _ in range(rng.randint(2, 7)))
        published = FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        yield {
            "id": f"real-{n}",
            "title": rng.choice(english if rng.random() < 0.8 else titles),
            "body": body,
            "url": f"https://news.example/{n}",
            "source": rng.choice(OUTLETS),
            "published": None if rng.random() < 0.03 else published.isoformat(),
        }


def questions(count: int, shared: Path, seed: int = 11) -> list[dict[str, Any]]:
    """Dated questions over real headlines: {"q", "as_of" or None, "kind"}."""
    _, titles = source_text(shared)
    english = [t.rstrip(".") for t in titles if t.isascii()]
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    leads = [
        "What happened when {t}",
        "Who was involved when {t}",
        "How many people were affected when {t}",
        "What did officials say after {t}",
        "Where did it happen when {t}",
        "Why {t}",
    ]
    out: list[dict[str, Any]] = []
    for n in range(count):
        topic = rng.choice(english)
        text = rng.choice(leads).format(t=topic[0].lower() + topic[1:])
        as_of = FIRST_DAY + timedelta(days=rng.randrange(365, span + 1))
        roll = n % 20
        if roll < 7:
            out.append({"q": text + "?", "as_of": as_of.isoformat(), "kind": "as-of"})
        elif roll < 12:
            year = rng.randint(2005, 2025)
            month = rng.choice(MONTHS)
            out.append({"q": f"{text} in {month} {year}?", "as_of": "2026-01-01", "kind": "month"})
        elif roll < 16:
            when = rng.choice(["last week", "last month", "this year", "last year"])
            out.append({"q": f"{text} {when}?", "as_of": as_of.isoformat(), "kind": "relative"})
        elif roll < 18:
            year = rng.randint(2005, 2023)
            when = rng.choice(
                [f"since {rng.choice(MONTHS)} {year}", f"between {year} and {year + 2}"]
            )
            out.append({"q": f"{text} {when}?", "as_of": "2026-01-01", "kind": "range"})
        else:
            out.append({"q": text + "?", "as_of": None, "kind": "undated"})
    return out


def _sentence_cache(work: Path, shared: Path) -> Path:
    """Embed every distinct sentence and headline of the source once; cached under `work`."""
    limit = os.environ.get("NEWSBOT_BENCH_SOURCE_ARTICLES", "all")
    path = work / f"sentence-vectors-{limit}.npz"
    if path.is_file():
        return path
    import numpy as np

    from config.settings import EmbeddingSettings
    from retrieval.archive.embedding import make_embedder
    from retrieval.text.sentences import split_sentences

    paragraphs, titles = source_text(shared)
    texts = sorted({s for p in paragraphs for s in split_sentences(p)} | set(titles))
    model = make_embedder(EmbeddingSettings())
    started = time.perf_counter()
    vectors = np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)
    print(f"embedded {len(texts)} sentences in {time.perf_counter() - started:.0f}s", flush=True)
    work.mkdir(parents=True, exist_ok=True)
    np.savez(path, texts=np.asarray(texts, dtype=object), vectors=vectors)
    return path


def _sentence_embedder(cache: Path) -> Any:
    """A BaseEmbedding whose text vectors are means of the cached real sentence vectors."""
    import numpy as np
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    from retrieval.text.sentences import split_sentences

    loaded = np.load(cache, allow_pickle=True)
    table = {str(t): i for i, t in enumerate(loaded["texts"])}
    matrix = loaded["vectors"]

    class SentenceMeans(BaseEmbedding):  # type: ignore[misc]
        _missed: list[int] = PrivateAttr(default_factory=lambda: [0])

        @classmethod
        def class_name(cls) -> str:
            return "SentenceMeans"

        def _vector(self, text: str) -> list[float]:
            rows = [table[s] for s in split_sentences(text) if s in table]
            if not rows:
                self._missed[0] += 1
                rows = [hash(text) % len(matrix)]
            mean = matrix[rows].mean(axis=0)
            return [float(x) for x in mean / (np.linalg.norm(mean) or 1.0)]

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._vector(query)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._vector(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._vector(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [self._vector(t) for t in texts]

    return SentenceMeans(embed_batch_size=256)


def fill(data_dir: Path, chunks: int, shared: Path, cache: Path, seed: int) -> dict[str, Any]:
    """Ingest enough recombined articles for `chunks` chunks through the real pipeline."""
    from config.settings import Settings
    from ingest.articles import Article
    from ingest.pipeline import Ingestor
    from retrieval.archive import Archive

    embedder = _sentence_embedder(cache)
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    archive = Archive.open(settings, embedder=embedder)
    count = math.ceil(chunks / CHUNKS_PER_ARTICLE)
    items = (
        Article(
            title=a["title"],
            body=a["body"],
            origin=a["id"],
            url=a["url"],
            source=a["source"],
            published=date.fromisoformat(a["published"]) if a["published"] else None,
            date_source="metadata" if a["published"] else "none",
        )
        for a in articles(count, shared, seed)
    )
    started = time.perf_counter()
    summary = Ingestor(archive, batch_articles=256).ingest(items)
    seconds = time.perf_counter() - started
    stats = archive.catalog.stats()
    archive.close()
    return {
        "articles": stats.articles,
        "chunks": stats.chunks,
        "syndicated": summary.syndicated,
        "fill_seconds": round(seconds, 1),
        "chunks_without_a_sentence_vector": embedder._missed[0],
    }


def store_sentences(data_dir: Path, cache: Path) -> dict[str, Any]:
    """Ingest's third pass (sentence vectors for answering) on an archive filled without it;
    {} when there is nothing to do."""
    from config.settings import Settings
    from ingest.pipeline import Ingestor
    from retrieval.archive import Archive

    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    archive = Archive.open(settings, embedder=_sentence_embedder(cache))
    try:
        unread = archive.catalog.unread_count()
        if not unread:
            return {}
        print(f"storing the sentence vectors of {unread} chunks ...", flush=True)
        started = time.perf_counter()
        Ingestor(archive, batch_articles=256).ingest([])
        return {
            "sentence_pass_seconds": round(time.perf_counter() - started, 1),
            "sentence_vectors": archive.sentence_vectors.count(),
        }
    finally:
        archive.close()


def pad_sentences(data_dir: Path, rows: int) -> int:
    """Add random-key rows to the stored sentence vectors until they hold `rows`."""
    import sqlite3

    import numpy as np

    conn = sqlite3.connect(data_dir / "sentences.sqlite3")
    have = int(conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0])
    rng = np.random.default_rng(1)
    while have < rows:
        step = min(50_000, rows - have)
        vectors = rng.standard_normal((step, 384)).astype(np.float16)
        conn.executemany(
            "INSERT OR IGNORE INTO sentence_vectors VALUES (?, ?)",
            [(rng.bytes(16), vectors[i].tobytes()) for i in range(step)],
        )
        conn.commit()
        have = int(conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0])
    conn.close()
    return have


def query_process(data_dir: Path, count: int, reps: int, shared: Path) -> dict[str, Any]:
    """In a fresh process: open, first question cold, then the set `reps` times warm."""
    started = time.perf_counter()
    from config.settings import Settings
    from retrieval.archive import Archive
    from retrieval.responder import AskOptions, Responder

    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    archive = Archive.open(settings)
    responder = Responder.from_settings(archive, settings)
    asked = questions(count, shared)

    def ask(item: dict[str, Any]) -> Any:
        as_of = date.fromisoformat(item["as_of"]) if item["as_of"] else None
        return responder.ask(item["q"], AskOptions(as_of=as_of))

    first = ask(asked[0])
    cold_ms = (time.perf_counter() - started) * 1000
    by_kind: dict[str, dict[str, list[float]]] = {}
    abstained = 0
    for _ in range(reps):
        for item in asked:
            mark = time.perf_counter()
            answer = ask(item)
            total = (time.perf_counter() - mark) * 1000
            kind = by_kind.setdefault(item["kind"], {"retrieve": [], "ask": []})
            kind["retrieve"].append(float(answer.timings_ms.get("retrieve", 0.0)))
            kind["ask"].append(total)
            abstained += answer.abstained
    dated = {
        part: [v for k, d in by_kind.items() if k != "undated" for v in d[part]]
        for part in ("retrieve", "ask")
    }
    result: dict[str, Any] = {
        "questions": len(asked),
        "reps": reps,
        "cold_first_answer_ms": round(cold_ms, 1),
        "first_abstained": first.abstained,
        "abstained_share": round(abstained / (len(asked) * reps), 2),
        "peak_rss_mb": report.peak_rss_mb(),
    }
    for name, values in [("dated", dated), *by_kind.items()]:
        for part in ("retrieve", "ask"):
            result[f"{name}_{part}_p50_ms"] = round(report.percentile(values[part], 50), 1)
            result[f"{name}_{part}_p95_ms"] = round(report.percentile(values[part], 95), 1)
    archive.close()
    return result


def plain_process(data_dir: Path, count: int, reps: int, shared: Path) -> dict[str, Any]:
    """The plain llama-index pipeline over the same vectors: a VectorStoreIndex on a Chroma
    collection of its own, dated questions as MetadataFilters on the date. Retrieval only."""
    import chromadb
    from chromadb.config import Settings as ClientSettings
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from config.settings import PACKAGED_MODEL
    from retrieval.archive.embedding import resolve_model

    client = chromadb.PersistentClient(
        path=str(data_dir / "plain-chroma"), settings=ClientSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("plain", metadata={"hnsw:space": "cosine"})
    store = ChromaVectorStore(chroma_collection=collection)
    embed = HuggingFaceEmbedding(model_name=resolve_model(PACKAGED_MODEL))
    if collection.count() == 0:
        import numpy as np

        from retrieval.archive.catalog import Catalog

        catalog = Catalog(data_dir / "catalog.sqlite3")
        matrix = np.memmap(data_dir / "vectors.f32", dtype=np.float32, mode="r").reshape(-1, 384)
        conn = catalog.keywords._connect()  # the benchmark reads the catalog's rows directly
        nodes = [
            TextNode(
                id_=str(cid),
                text=str(text),
                embedding=[float(x) for x in matrix[int(row)]],
                metadata={"published_int": int(pub)},
            )
            for cid, text, row, pub in conn.execute(
                "SELECT chunk_id, text, vector_row, published_int FROM chunks"
            )
        ]
        storage = StorageContext.from_defaults(vector_store=store)
        for start in range(0, len(nodes), 5000):
            VectorStoreIndex(
                nodes[start : start + 5000], storage_context=storage, embed_model=embed
            )
        catalog.close()
    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    from config.settings import RetrievalSettings
    from retrieval.question.plan import plan_question

    timings: list[float] = []
    for _ in range(reps):
        for item in questions(count, shared):
            as_of = date.fromisoformat(item["as_of"]) if item["as_of"] else None
            plan = plan_question(item["q"], RetrievalSettings(), as_of=as_of)
            filters = []
            if plan.start:
                filters.append(
                    MetadataFilter(
                        key="published_int", value=_int(plan.start), operator=FilterOperator.GTE
                    )
                )
            if plan.end:
                filters.append(
                    MetadataFilter(
                        key="published_int", value=_int(plan.end), operator=FilterOperator.LTE
                    )
                )
            retriever = index.as_retriever(
                similarity_top_k=10, filters=MetadataFilters(filters=filters) if filters else None
            )
            mark = time.perf_counter()
            retriever.retrieve(item["q"])
            if item["kind"] != "undated":
                timings.append((time.perf_counter() - mark) * 1000)
    return {
        "plain_dated_retrieve_p50_ms": round(report.percentile(timings, 50), 1),
        "plain_dated_retrieve_p95_ms": round(report.percentile(timings, 95), 1),
        "plain_peak_rss_mb": report.peak_rss_mb(),
    }


def _int(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _child(
    mode: str, data_dir: Path, args: argparse.Namespace, code: Path | None
) -> dict[str, Any]:
    env = dict(os.environ)
    if code:
        env["NEWSBOT_BENCH_CODE"] = str(code)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            f"--{mode}",
            str(data_dir),
            "--questions",
            str(args.questions),
            "--reps",
            str(args.reps),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if out.returncode:
        raise SystemExit(f"{mode} process failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description="Dated-question latency on a real-shaped archive.")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--reps", type=int, default=2, help="times the set is asked per run")
    parser.add_argument("--runs", type=int, default=3, help="fresh query processes; medians")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsbot-realshaped"))
    parser.add_argument("--code", type=Path, help="run the queries against this checkout")
    parser.add_argument("--plain", action="store_true", help="add the plain llama-index pipeline")
    parser.add_argument(
        "--source-articles", type=int, default=0, help="use only the first N articles of each file"
    )
    parser.add_argument("--name", default="realshaped")
    parser.add_argument(
        "--sentence-rows",
        type=int,
        default=0,
        help="pad the stored sentence vectors to this many rows (random keys no question "
        "finds): the recombined archive repeats its source's sentences, a real one does not",
    )
    parser.add_argument("--query", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plain-query", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.source_articles:
        os.environ["NEWSBOT_BENCH_SOURCE_ARTICLES"] = str(args.source_articles)
    shared = _shared()
    if args.query:
        print(json.dumps(query_process(args.query, args.questions, args.reps, shared)))
        return
    if args.plain_query:
        print(json.dumps(plain_process(args.plain_query, args.questions, args.reps, shared)))
        return

    info = report.machine()
    data_dir = args.work / f"chunks-{args.chunks}-src{args.source_articles or 'all'}"
    marker = data_dir / "filled.json"
    if marker.is_file():
        filled = json.loads(marker.read_text())
        stored = store_sentences(data_dir, _sentence_cache(args.work, shared))
        if stored:  # an archive filled before ingest stored sentence vectors
            filled.update(stored)
            marker.write_text(json.dumps(filled))
    else:
        cache = _sentence_cache(args.work, shared)
        print(f"filling {data_dir} with ~{args.chunks} chunks ...", flush=True)
        filled = fill(data_dir, args.chunks, shared, cache, args.seed)
        marker.write_text(json.dumps(filled))
    if args.sentence_rows:
        filled["sentence_rows"] = pad_sentences(data_dir, args.sentence_rows)
        marker.write_text(json.dumps(filled))
    runs = []
    for run in range(args.runs):
        load = round(os.getloadavg()[0], 2)
        row = {"run": run + 1, "load_avg_1m": load, **_child("query", data_dir, args, args.code)}
        if args.plain:
            row.update(_child("plain-query", data_dir, args, None))
        runs.append(row)
        print(f"run {run + 1}: {json.dumps(row)}", flush=True)
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and k != "run"]
    median = {k: report.median([r[k] for r in runs]) for k in keys}
    results = {
        "machine": info,
        "args": {k: str(v) for k, v in vars(args).items()},
        "archive": filled,
        "runs": runs,
        "median": median,
    }
    columns = [
        "dated_retrieve_p50_ms",
        "dated_retrieve_p95_ms",
        "dated_ask_p50_ms",
        "dated_ask_p95_ms",
        "undated_ask_p95_ms",
        "cold_first_answer_ms",
        "peak_rss_mb",
    ]
    if args.plain:
        columns += ["plain_dated_retrieve_p50_ms", "plain_dated_retrieve_p95_ms"]
    print(report.table([*runs, {"run": "median", **median}], ["run", *columns]))
    print(f"wrote {report.write(args.name, results)}")


if __name__ == "__main__":
    main()
