"""`newsbot ingest` killed with SIGKILL at random points, and two ingests on one data dir.

Each kill trial copies a store that already holds 40 articles, runs `newsbot ingest` as a child
process on a JSON Lines file of 60 articles (20 changed versions of stored ones, 20 unchanged,
20 new) and kills it after a seeded random delay spread over the run's working phase (measured
once, from the moment the child holds the ingest lock to its exit). The killed store must show
no half-stored article and must have lost nothing; a re-run must then bring it to exactly the
state a clean, uninterrupted run reaches: the same catalog rows and the same chunk ids in
Chroma and in the catalog, with no stale or duplicate chunks.

`pytest -m slow tests/test_crash_safety.py` runs the full 24 trials; the unmarked test runs 4.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from config.settings import ChromaSettings, EmbeddingSettings, IngestSettings, Settings
from ingest.articles import Article
from ingest.intake import gather
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.embedding import HashingEmbedding
from retrieval.search import SearchOptions, search
from tests.support.httpserver import GatedPage
from tests.support.settings import make_settings

BASE = 40  # articles stored before the trials
CHANGED = range(20)  # of those, given again in a new version
NEW = range(BASE, BASE + 20)  # given for the first time
FULL_TRIALS = 24
CI_TRIALS = 4
# Small Chroma write batches: a kill can land between them, not only before or after one.
CHILD_SETTINGS = {"NEWSBOT_CHROMA__ADD_BATCH_SIZE": "25"}


def _body(n: int, version: int) -> str:
    topic = f"harbour district {n}"
    sentences = [
        f"Version {version} of the report on the {topic} says the council met on day {i} "
        f"and agreed item {i * 3 + n} of the plan for the {topic}."
        for i in range(1, 16)
    ]
    return " ".join(sentences)


def _record(n: int, version: int) -> dict[str, object]:
    return {
        "title": f"Harbour district {n} plan, version {version}",
        "text": _body(n, version),
        "url": f"https://crash.example/harbour/{n}",
        "source": "Crash Courier",
        "published": f"2021-03-{n % 28 + 1:02d}",
    }


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _settings(data_dir: Path) -> Settings:
    """What the child processes run with, for reading their store in this process."""
    return make_settings(
        data_dir,
        embedding=EmbeddingSettings(model="deterministic:64"),
        chroma=ChromaSettings(add_batch_size=25),
    )


def _open(data_dir: Path) -> Archive:
    return Archive.open(_settings(data_dir), embedder=HashingEmbedding(dimensions=64))


def _child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "NEWSBOT_EMBEDDING__MODEL": "deterministic:64",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **CHILD_SETTINGS,
        **extra,
    }


def _newsbot(data_dir: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """`newsbot --data-dir DIR ARGS` as a child process (cwd: a folder without .env)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "--data-dir",
            str(data_dir),
            *args,
        ],
        cwd=data_dir.parent,
        env=_child_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _holds_lock(data_dir: Path, child: subprocess.Popen[str]) -> bool:
    """The ingest lock file names the child: it is past start-up and writing."""
    try:
        return (data_dir / "ingest.lock").read_text().strip() == str(child.pid)
    except OSError:
        return False


def _wait_for_lock(data_dir: Path, child: subprocess.Popen[str], timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while not _holds_lock(data_dir, child):
        if child.poll() is not None:
            _, stderr = child.communicate()
            raise AssertionError(f"child exited before taking the lock:\n{stderr[-2000:]}")
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError("child never took the ingest lock")
        time.sleep(0.005)
    return time.monotonic()


# --- what a store holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreState:
    """Catalog rows and chunk ids, in Chroma and in the catalog, of one data dir."""

    rows: dict[str, tuple[object, ...]]
    vectors: dict[str, set[str]]  # article id -> chunk ids in Chroma
    catalog_chunks: dict[str, set[str]]  # article id -> chunk ids in the catalog
    total_vectors: int
    pending_cleanup: int
    awaiting: set[str]  # chunk ids whose vector ingest's second pass has still to make


def _state(archive: Archive, article_ids: list[str]) -> StoreState:
    rows = {
        row.article_id: (
            row.content_hash,
            row.body_hash,
            row.title,
            row.url,
            row.source,
            row.published,
            row.n_chunks,
            row.story_id,
        )
        for row, _ in archive.catalog.bodies()
    }
    vectors = {aid: set(archive.store.chunk_ids_of(aid)) for aid in article_ids}
    catalog_chunks = {
        aid: {cid for cid, _ in archive.catalog.article_chunks(aid)} for aid in article_ids
    }
    return StoreState(
        rows=rows,
        vectors={k: v for k, v in vectors.items() if v},
        catalog_chunks={k: v for k, v in catalog_chunks.items() if v},
        total_vectors=archive.store.count(),
        pending_cleanup=len(archive.catalog.pending_cleanup()),
        awaiting={a.record.chunk_id for a in archive.catalog.awaiting_chunks(0, 10**9)},
    )


def _expected_ids(article_id: str, content_hash: str, n_chunks: int) -> set[str]:
    return {f"{article_id}:{content_hash[:8]}:{i}" for i in range(n_chunks)}


# --- the corpus, the stored starting point and a clean run -----------------------------------


@dataclass(frozen=True)
class Scenario:
    """A stored starting point, the input to ingest on top of it, and a clean run's result."""

    template: Path
    trial_input: Path
    ids: list[str]
    v1_hash: dict[str, str]
    v2_hash: dict[str, str]
    expected: StoreState
    startup_s: float
    work_s: float  # from taking the lock to the summary line
    commits_s: tuple[float, float]  # when, after the lock, the catalog's commits began and ended


def _article_id(n: int) -> str:
    return Article(title="", body="", origin="", url=f"https://crash.example/harbour/{n}").id


def _hash(record: dict[str, object]) -> str:
    return Article(
        title=str(record["title"]),
        body=str(record["text"]),
        origin="",
        url=str(record["url"]),
        source=str(record["source"]),
        published=date.fromisoformat(str(record["published"])),
    ).content_hash


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    work = tmp_path_factory.mktemp("crash")
    base = [_record(n, 1) for n in range(BASE)]
    trial = [_record(n, 2) for n in CHANGED]
    trial += [_record(n, 1) for n in range(BASE) if n not in CHANGED]
    trial += [_record(n, 1) for n in NEW]
    base_input = _write_jsonl(work / "base.jsonl", base)
    trial_input = _write_jsonl(work / "trial.jsonl", trial)

    template = work / "template" / "data"
    template.parent.mkdir()
    archive = _open(template)
    summary = Ingestor(archive).ingest(
        gather([str(base_input)], settings=IngestSettings(), today=date(2026, 1, 1))
    )
    assert summary.added == BASE, summary.errors
    archive.close()

    # One clean run as a child: its result is the target, and its working phase (from taking
    # the lock to printing the summary; interpreter shutdown after that writes nothing) is the
    # window the kills are spread over. Watching the catalog meanwhile shows when the commits,
    # the shortest and most delicate phase, happen.
    clean = work / "clean" / "data"
    shutil.copytree(template.parent, clean.parent)
    started = time.monotonic()
    child = _newsbot(clean, "ingest", str(trial_input))
    locked = _wait_for_lock(clean, child)
    watch = _CommitWatch(clean / "catalog.sqlite3", first=BASE, last=BASE + len(CHANGED) + len(NEW))
    assert child.stdout is not None
    summary_line = child.stdout.readline()  # unbuffered: arrives as the ingest ends
    ended = time.monotonic()
    watch.stop()
    _, stderr = child.communicate(timeout=300)
    assert child.returncode == 0, stderr[-3000:]
    assert summary_line.startswith(f"added {len(NEW)}, updated {len(CHANGED)}, unchanged 20")
    ids = [_article_id(n) for n in range(BASE + len(NEW))]
    archive = _open(clean)
    expected = _state(archive, ids)
    archive.close()
    assert len(expected.rows) == BASE + len(NEW)
    return Scenario(
        template=template,
        trial_input=trial_input,
        ids=ids,
        v1_hash={_article_id(n): _hash(_record(n, 1)) for n in range(BASE + len(NEW))},
        v2_hash={_article_id(n): _hash(_record(n, 2)) for n in CHANGED},
        expected=expected,
        startup_s=locked - started,
        work_s=ended - locked,
        commits_s=(watch.began - locked, watch.ended - locked),
    )


class _CommitWatch:
    """Polls a catalog read-only: when did its rowids pass `first`, and when reach `last`?
    (Each commit inserts or replaces one row, so the highest rowid counts commits.)"""

    def __init__(self, path: Path, *, first: int, last: int) -> None:
        self.began = self.ended = math.nan
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, args=(path, first, last), daemon=True)
        self._thread.start()

    def _poll(self, path: Path, first: int, last: int) -> None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            while not self._stop.is_set():
                (top,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()
                now = time.monotonic()
                if top > first and math.isnan(self.began):
                    self.began = now
                if top >= last:
                    self.ended = now
                    return
                time.sleep(0.002)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        assert not math.isnan(self.began + self.ended), "the commits were not seen"


def test_a_clean_run_reaches_the_expected_state(scenario: Scenario) -> None:
    expected = scenario.expected
    assert expected.total_vectors == sum(len(v) for v in expected.vectors.values())
    assert expected.pending_cleanup == 0
    for article_id, row in expected.rows.items():
        content_hash, n_chunks = str(row[0]), int(str(row[6]))
        wanted = _expected_ids(article_id, content_hash, n_chunks)
        assert expected.vectors[article_id] == wanted == expected.catalog_chunks[article_id]
        assert content_hash == scenario.v2_hash.get(article_id, scenario.v1_hash[article_id])


# --- kill trials -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    delay_s: float
    killed: bool
    committed: int  # articles of the trial input committed when the child died
    cleanup_left: int  # updated articles whose old vectors were still to be deleted

    @property
    def phase(self) -> str:
        """Where the kill landed, as far as the store can tell."""
        if not self.killed:
            return "finished"
        if self.committed == 0:
            return "before commits"
        if self.committed < len(CHANGED) + len(NEW):
            return "mid-commit"
        return "mid-cleanup" if self.cleanup_left else "after cleanup"


def _kill_delay(scenario: Scenario, trial: int, rnd: random.Random) -> float:
    """Every other trial anywhere in the working phase, the rest around the commits (their
    timing varies with load, so the window is widened)."""
    if trial % 2 == 0:
        return rnd.uniform(0.0, scenario.work_s * 1.1)
    began, ended = scenario.commits_s
    return rnd.uniform(max(0.0, began - 0.3), ended + 0.2)


def _kill_trial(scenario: Scenario, folder: Path, trial: int, seed: int) -> Trial:
    data = folder / "data"
    shutil.copytree(scenario.template.parent, folder)
    delay = _kill_delay(scenario, trial, random.Random(seed))
    child = _newsbot(data, "ingest", str(scenario.trial_input))
    _wait_for_lock(data, child)
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        child.send_signal(signal.SIGKILL)
    _, stderr = child.communicate(timeout=60)
    assert killed or child.returncode == 0, stderr[-3000:]

    archive = _open(data)
    try:
        after_kill = _state(archive, scenario.ids)
        committed = _check_after_kill(scenario, archive, after_kill)
        summary = Ingestor(archive).ingest(
            gather(
                [str(scenario.trial_input)],
                settings=IngestSettings(),
                today=date(2026, 1, 1),
            )
        )
        assert summary.failed == 0, summary.errors
        final = _state(archive, scenario.ids)
    finally:
        archive.close()
    _check_final(scenario, final)
    return Trial(delay, killed, committed, after_kill.pending_cleanup)


def _check_after_kill(scenario: Scenario, archive: Archive, state: StoreState) -> int:
    """What a killed run leaves: earlier articles intact, every visible article whole."""
    base_ids = set(scenario.ids[:BASE])
    assert base_ids <= state.rows.keys(), "an article stored before the run was lost"
    assert state.rows.keys() <= set(scenario.ids)
    committed = 0
    for article_id, row in state.rows.items():
        content_hash, n_chunks = str(row[0]), int(str(row[6]))
        allowed = {scenario.v1_hash[article_id], scenario.v2_hash.get(article_id)}
        assert content_hash in allowed, f"{article_id} holds a version nobody ingested"
        wanted = _expected_ids(article_id, content_hash, n_chunks)
        # Visible means whole: all of the committed version's catalog chunks, its opening
        # chunk's vector (the first pass's lede at least), and every other chunk's vector
        # unless the catalog says the second pass has still to make it.
        stored = state.vectors.get(article_id, set())
        assert f"{article_id}:{content_hash[:8]}:0" in stored, f"{article_id} has no vector"
        assert wanted - state.awaiting <= stored, f"{article_id} half stored"
        assert state.catalog_chunks[article_id] == wanted
        is_new = article_id not in base_ids
        committed += is_new or content_hash != scenario.v1_hash[article_id]
    # Retrieval shows only committed versions, whatever leftovers Chroma holds.
    for query in ("harbour district plan council", "version 2 report agreed item", "item 50"):
        for passage in search(archive, query, SearchOptions(k=20)).passages:
            row = state.rows[passage.article_id]
            assert passage.chunk_id in state.catalog_chunks[passage.article_id]
            assert passage.chunk_id.split(":")[1] == str(row[0])[:8]
    return committed


def _check_final(scenario: Scenario, final: StoreState) -> None:
    """After the re-run: exactly what a clean run gives, with no duplicate or stale chunk."""
    expected = scenario.expected
    assert final.rows == expected.rows
    assert final.vectors == expected.vectors
    assert final.catalog_chunks == expected.catalog_chunks
    assert final.total_vectors == expected.total_vectors
    assert final.pending_cleanup == 0
    assert not final.awaiting


def _run_trials(scenario: Scenario, tmp_path: Path, count: int, first_seed: int) -> list[Trial]:
    trials = [
        _kill_trial(scenario, tmp_path / f"trial-{n}", n, first_seed + n) for n in range(count)
    ]
    began, ended = scenario.commits_s
    phases = Counter(t.phase for t in trials)
    print(  # the figures docs/reliability.md quotes (shown with -s)
        f"\n{count} kill trials: start-up {scenario.startup_s:.1f}s, work {scenario.work_s:.2f}s "
        f"(commits {began:.2f}-{ended:.2f}s); phases {dict(phases)}; "
        f"committed when killed: {[t.committed for t in trials]}; "
        f"delays: {[round(t.delay_s, 2) for t in trials]}"
    )
    return trials


def test_killed_ingests_recover_ci(scenario: Scenario, tmp_path: Path) -> None:
    trials = _run_trials(scenario, tmp_path, CI_TRIALS, first_seed=8000)
    assert any(t.killed for t in trials)


@pytest.mark.slow
def test_killed_ingests_recover_full(scenario: Scenario, tmp_path: Path) -> None:
    trials = _run_trials(scenario, tmp_path, FULL_TRIALS, first_seed=1000)
    assert sum(t.killed for t in trials) >= FULL_TRIALS // 2


# --- the lock: one writer per data dir --------------------------------------------------------


@pytest.fixture
def gate() -> Iterator[GatedPage]:
    with GatedPage() as page:
        yield page


def _has_open(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (it is waiting for, or holding, its lock)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if fd.readlink() == path:
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see who waits")
def test_second_ingest_exits_clearly_or_waits(gate: GatedPage, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    one = _write_jsonl(tmp_path / "one.jsonl", [_record(90, 1)])
    two = _write_jsonl(tmp_path / "two.jsonl", [_record(91, 1)])
    slow_fetch = {"NEWSBOT_INGEST__FETCH_TIMEOUT_S": "120"}
    first = _newsbot(data, "ingest", gate.url, **slow_fetch)
    try:
        _wait_for_lock(data, first)
        assert gate.asked.wait(60)  # the first ingest holds the lock, fetching
        refused = _newsbot(data, "ingest", str(one))
        waiting = _newsbot(data, "ingest", "--wait", "120", str(two))
        _, refused_err = refused.communicate(timeout=120)
        lock = (data / "ingest.lock").resolve()
        deadline = time.monotonic() + 120
        while not _has_open(waiting.pid, lock):
            assert waiting.poll() is None, waiting.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the waiting ingest never reached the lock"
            time.sleep(0.05)
        time.sleep(0.5)  # it is now polling the lock
        assert waiting.poll() is None
        gate.opened.set()
        _, first_err = first.communicate(timeout=120)
        _, waiting_err = waiting.communicate(timeout=120)
    finally:
        for child in (first,):
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert refused.returncode == 1
    assert refused_err.strip().splitlines() == [
        f"Error: another ingest is writing to {data} (lock {data / 'ingest.lock'}); "
        "wait for it to finish and run this again"
    ]
    assert first.returncode == 0, first_err[-2000:]
    assert waiting.returncode == 0, waiting_err[-2000:]
    archive = _open(data)
    try:
        titles = {row.title for row, _ in archive.catalog.bodies()}
        assert titles == {"Gated report", "Harbour district 91 plan, version 1"}
        assert archive.store.count() == archive.catalog.stats().chunks
    finally:
        archive.close()
