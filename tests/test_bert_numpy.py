"""The numpy question encoder reads the packaged model as sentence-transformers does, and
`newsbot ask` from the shell then answers without loading torch, Chroma or llama-index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from llama_index.core.base.embeddings.base import BaseEmbedding

from config.settings import EmbeddingSettings
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.bert_numpy import NumpyEncoderError, load
from retrieval.archive.embedding import make_reader
from retrieval.archive.models import resolve_model
from retrieval.text.vectors import length_groups
from tests.support.settings import make_settings

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(resolve_model(""))
TEXTS = [
    "How many workers walked out when the Meridian City port strike began?",
    "About 2,300 dock workers at the Port of Meridian walked off the job on Monday.",
    "Short.",
    "Der Bürgermeister von Zürich eröffnete die neue Straßenbahnlinie am Dienstag.",
    " ".join(["The council debated the budget line by line for hours."] * 40),  # > 256 pieces
]
HEAVY = ("torch", "chromadb", "llama_index", "sentence_transformers", "transformers")


def test_numpy_vectors_are_the_models(packaged_embedder: BaseEmbedding) -> None:
    ours = load(FOLDER).encode(TEXTS)
    theirs = np.asarray(packaged_embedder.get_text_embedding_batch(TEXTS))
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    query = np.asarray(packaged_embedder.get_query_embedding(TEXTS[0]))
    assert np.abs(load(FOLDER).encode(TEXTS[:1])[0] - query).max() < 1e-5


def test_the_int8_reader_scores_like_torchs(packaged_embedder: BaseEmbedding) -> None:
    ours = load(FOLDER, int8=True).encode(TEXTS)
    theirs = np.asarray(make_reader(packaged_embedder, "int8").sentences(TEXTS))
    fp32 = load(FOLDER).encode(TEXTS)
    # the cosines the reader ranks sentences by: question against each candidate
    # (kernels differ in how they round and block the int8 sums: measured up to 0.027 here,
    # where int8 and fp32 differ by up to 0.076)
    ours_cos, theirs_cos = (m[1:] @ m[0] for m in (ours, theirs))
    assert np.abs(ours_cos - theirs_cos).max() < 0.04
    assert np.abs(ours - theirs).max() < np.abs(fp32 - theirs).max()  # it is int8, not fp32


def test_a_text_reads_the_same_alone_and_among_longer_ones() -> None:
    encoder = load(FOLDER)
    together = encoder.encode(TEXTS)
    alone = np.vstack([encoder.encode([text]) for text in TEXTS])
    assert np.abs(together - alone).max() < 1e-5


@given(st.lists(st.integers(min_value=1, max_value=256), max_size=40))
def test_length_groups_cover_every_text_once_and_pad_little(lengths: list[int]) -> None:
    groups = length_groups(lengths)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for group in groups:
        shortest, longest = min(lengths[i] for i in group), max(lengths[i] for i in group)
        assert longest <= shortest * 1.25 + 8


def test_a_folder_it_cannot_read_is_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "cls-model"
    shutil.copytree(FOLDER, folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False}))
    with pytest.raises(NumpyEncoderError, match="cls-model"):
        load(folder)


def _ingested(tmp_path: Path, embedder: BaseEmbedding, articles: list[Article]) -> Path:
    data = tmp_path / "data"
    archive = Archive.open(make_settings(data, embedding=EmbeddingSettings()), embedder=embedder)
    Ingestor(archive).ingest(articles)
    archive.close()
    return data


def _ask(data: Path, question: str, encoder: str) -> tuple[dict[str, object], list[str]]:
    code = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    main(['--data-dir', {str(data)!r}, 'ask', '--json', {question!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n"
    )
    env = {**os.environ, "NEWSBOT_EMBEDDING__QUESTION_ENCODER": encoder, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    answer_line, modules_line = out.stdout.strip().splitlines()[-2:]
    return json.loads(answer_line), json.loads(modules_line)


def test_ask_from_the_shell_loads_nothing_heavy_and_answers_as_torch_does(
    tmp_path: Path, packaged_embedder: BaseEmbedding, example_articles: list[Article]
) -> None:
    few = [a for a in example_articles if "strike" in a.title.lower()] + example_articles[:3]
    data = _ingested(tmp_path, packaged_embedder, few)
    question = "How many workers walked out when the Meridian City port strike began?"
    quick, loaded = _ask(data, question, "numpy")
    assert loaded == []
    slow, loaded_by_torch = _ask(data, question, "torch")
    assert "torch" in loaded_by_torch
    assert quick["short_answer"] == slow["short_answer"] and quick["short_answer"]
    assert [c["url"] for c in quick["citations"]] == [c["url"] for c in slow["citations"]]
