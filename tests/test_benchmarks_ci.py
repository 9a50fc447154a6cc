"""Each benchmark script still runs, at a tiny size (the numbers are not checked: speed is
measured by the scripts themselves, on an idle machine, and reported in docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, tmp_path: Path, *args: str, shared: Path | None = None) -> dict[str, object]:
    env = {
        **os.environ,
        **({"NEWSBOT_SHARED_DATA": str(shared)} if shared else {}),
        "NEWSBOT_BENCH_RESULTS": str(tmp_path / "results"),
        "HF_HUB_OFFLINE": "1",
    }
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    written = sorted((tmp_path / "results").glob("*.json"))
    assert len(written) == 1, out.stdout[-2000:]
    data: dict[str, object] = json.loads(written[0].read_text())
    return data


def test_realshaped_runs_on_a_tiny_archive(tmp_path: Path, wikinews_path: Path) -> None:
    data = _run(
        "realshaped.py",
        tmp_path,
        *("--chunks", "150", "--source-articles", "8", "--questions", "6", "--reps", "1"),
        *("--runs", "1", "--work", str(tmp_path / "work"), "--name", "tiny"),
        shared=wikinews_path.parent.parent,
    )
    archive = data["archive"]
    assert isinstance(archive, dict) and int(archive["chunks"]) >= 100
    median = data["median"]
    assert isinstance(median, dict) and median["dated_ask_p50_ms"] > 0


def test_query_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    data = _run(
        "query_bench.py",
        tmp_path,
        *("--sizes", "200", "--questions", "3", "--reps", "1", "--no-profile"),
        *("--work", str(tmp_path / "work"), "--name", "tiny"),
    )
    rows = data["rows"]
    assert isinstance(rows, list) and rows[0]["chunks"] > 0


def test_ingest_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    data = _run("ingest_bench.py", tmp_path, *("--articles", "4", "--runs", "1", "--name", "tiny"))
    run = data["runs"][0]
    assert 0 < run["searchable_s"] <= run["ours_s"]
    assert run["ours_chunks"] == data["chunks_ours"]  # both passes together embed every chunk


def test_store_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    args = ("--size", "600", "--slice", "200", "--configs", "default", "--name", "tiny")
    assert _run("store_bench.py", tmp_path, *args)


def test_syndication_bench_runs_at_a_tiny_size(tmp_path: Path, wikinews_path: Path) -> None:
    args = ("--stories", "20", "--name", "tiny")
    data = _run("syndication_bench.py", tmp_path, *args, shared=wikinews_path.parent.parent)
    today = data["schemes"]["word 5-shingles (ingest today)"]
    assert data["positive_pairs"] == 120 and 0 <= today["recall_at_0.7"] <= 1
