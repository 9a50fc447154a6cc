"""An archive keeps the embedding its vectors were made with."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from llama_index.core.base.embeddings.base import BaseEmbedding

from bot.cli import cli
from config.settings import EmbeddingSettings
from retrieval.archive import Archive
from retrieval.archive.embedding import EmbeddingError, embedding_identity, make_embedder
from tests.support.settings import make_settings


def test_identity_names_the_model_and_int8() -> None:
    packaged = embedding_identity(EmbeddingSettings())
    assert packaged == embedding_identity(EmbeddingSettings(model="all-MiniLM-L6-v2"))
    assert packaged == embedding_identity(EmbeddingSettings(backend="onnx"))
    assert embedding_identity(EmbeddingSettings(backend="torch-int8")) != packaged


def test_another_model_is_refused_with_what_to_do(tmp_path: Path) -> None:
    first = Archive.open(make_settings(tmp_path))
    first.embed_query("a question")  # loads the embedder: the archive records it
    first.close()
    changed = make_settings(tmp_path)
    changed = changed.model_copy(update={"embedding": EmbeddingSettings(model="deterministic:128")})
    with pytest.raises(EmbeddingError) as caught:
        Archive.open(changed).embed_query("a question")
    message = str(caught.value)
    assert "deterministic:256" in message and "deterministic:128" in message
    assert "NEWSBOT_EMBEDDING__MODEL" in message and "newsbot reembed" in message


def test_cli_says_it_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", "deterministic:256")
    runner = CliRunner()
    data = str(tmp_path / "data")
    assert runner.invoke(cli, ["--data-dir", data, "ask", "anything?"]).exit_code == 0
    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", "deterministic:64")
    result = runner.invoke(cli, ["--data-dir", data, "ask", "anything?"])
    assert result.exit_code != 0
    assert "was embedded with deterministic:256" in result.output
    assert "Traceback" not in result.output


def test_int8_backend_quantises_the_model(packaged_embedder: BaseEmbedding) -> None:
    int8 = make_embedder(EmbeddingSettings(backend="torch-int8"))
    text = "The Ostrava bus strike ended on Friday after the city agreed a pay rise."
    a, b = packaged_embedder.get_text_embedding(text), int8.get_text_embedding(text)
    cosine = sum(x * y for x, y in zip(a, b, strict=True))
    assert 0.85 < cosine < 0.9999
