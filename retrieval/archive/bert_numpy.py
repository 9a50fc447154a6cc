"""A BERT sentence encoder in numpy, for question time: no torch, no transformers.

`newsbot ask` from the shell spent ~8 s importing sentence-transformers (torch, transformers)
and loading the model before its first answer; a question needs one short forward pass.
This reads the same sentence-transformers folder (safetensors weights, `tokenizer.json`, mean
pooling, normalisation) with `safetensors` and `tokenizers` and runs the forward pass in
numpy: the vectors equal sentence-transformers' to ~1e-7 (tests/test_bert_numpy.py), so
they are compared with the stored ones as they are, and it loads in ~0.2 s.

`int8=True` reproduces torch's dynamic int8 quantisation of the linear layers (what the
answer's reader uses, `embedding.make_reader`): weights symmetric per tensor, activations
affine per tensor on 7 bits (fbgemm's reduce_range), integer products summed exactly in
float32, so its cosines are those of the torch int8 reader to ~1e-3.

Only BERT-family folders with absolute positions, GELU, mean pooling and normalisation are
read (`load` says why it cannot read any other; the caller then uses torch).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from retrieval.errors import ArchiveError
from retrieval.text.vectors import length_groups


class NumpyEncoderError(ArchiveError):
    """The model folder is not one this encoder reads (the caller falls back to torch)."""


@dataclass(frozen=True)
class _Linear:
    weight: npt.NDArray[np.float32]  # (in, out), contiguous; int8 levels when `scale` is set
    bias: npt.NDArray[np.float32]
    scale: float | None = None


class NumpyBert:
    """Sentence vectors from a sentence-transformers BERT folder (see module docstring)."""

    def __init__(self, folder: Path, *, int8: bool = False) -> None:
        config = _config(folder)
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.int8 = int8
        weights = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self._w = {k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)}
        self._linears: dict[str, _Linear] = {}
        self.max_length = int(
            json.loads((folder / "sentence_bert_config.json").read_text()).get(
                "max_seq_length", 256
            )
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Normalised mean-pooled vectors, one row per text.

        Texts of like length are run together: one padded batch would run every text at the
        longest one's length (a 256-token sentence among eight of 40 made a question's reading
        3x slower). Padding is masked, so grouping does not change a float32 vector; the int8
        reading quantises each group's activations on the group's own scale, as torch does per
        batch."""
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        if not texts:
            return out
        encoded = self.tokenizer.encode_batch(list(texts))
        for group in length_groups([len(e.ids) for e in encoded]):
            out[group] = self._padded([encoded[i] for i in group])
        return out

    def _padded(self, encoded: Sequence[Any]) -> npt.NDArray[np.float32]:
        length = max(len(e.ids) for e in encoded)
        ids = np.full((len(encoded), length), self.pad_id, dtype=np.int64)
        types = np.zeros((len(encoded), length), dtype=np.int64)
        mask = np.zeros((len(encoded), length), dtype=np.float32)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = e.ids
            types[row, : len(e.ids)] = e.type_ids
            mask[row, : len(e.ids)] = 1.0
        w = self._w
        positions = np.arange(length)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for n in range(self.layers):
            x = self._layer(x, bias, f"encoder.layer.{n}")
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        vectors: npt.NDArray[np.float32] = (pooled / norms).astype(np.float32)
        return vectors

    def _layer(
        self, x: npt.NDArray[np.float32], bias: npt.NDArray[np.float32], name: str
    ) -> npt.NDArray[np.float32]:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def heads(t: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
            split: npt.NDArray[np.float32] = t.reshape(batch, length, self.heads, size)
            return split.transpose(0, 2, 1, 3)

        q = heads(self._dense(x, f"{name}.attention.self.query"))
        k = heads(self._dense(x, f"{name}.attention.self.key"))
        v = heads(self._dense(x, f"{name}.attention.self.value"))
        scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / math.sqrt(size) + bias
        scores = scores - scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        attended = self._dense(context, f"{name}.attention.output.dense")
        x = self._norm(attended + x, f"{name}.attention.output.LayerNorm")
        inner = _gelu(self._dense(x, f"{name}.intermediate.dense"))
        return self._norm(
            self._dense(inner, f"{name}.output.dense") + x, f"{name}.output.LayerNorm"
        )

    def _dense(self, x: npt.NDArray[np.float32], name: str) -> npt.NDArray[np.float32]:
        linear = self._linears.get(name)
        if linear is None:
            linear = _prepare(self._w[f"{name}.weight"], self._w[f"{name}.bias"], self.int8)
            self._linears[name] = linear
        # One 2-D product with the weight stored transposed and contiguous: numpy's batched
        # matmul over a transposed view is ~50x slower than the BLAS call this makes.
        rows = x.reshape(-1, x.shape[-1])
        if linear.scale is None:
            dense: npt.NDArray[np.float32] = rows @ linear.weight + linear.bias
            return dense.reshape(*x.shape[:-1], -1)
        levels, x_scale = _quantize_activations(rows)
        quantized: npt.NDArray[np.float32] = (levels @ linear.weight) * np.float32(
            x_scale * linear.scale
        ) + linear.bias
        return quantized.reshape(*x.shape[:-1], -1)

    def _norm(self, x: npt.NDArray[np.float32], name: str) -> npt.NDArray[np.float32]:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed: npt.NDArray[np.float32] = (x - mean) / np.sqrt(var + self.eps) * self._w[
            f"{name}.weight"
        ] + self._w[f"{name}.bias"]
        return normed


def load(folder: Path, *, int8: bool = False) -> NumpyBert:
    """The encoder for `folder`, or NumpyEncoderError saying why this folder is not one."""
    try:
        modules = [m["type"] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NumpyEncoderError(
            f"{folder}: not a sentence-transformers folder ({error})"
        ) from error
    wanted = [
        "sentence_transformers.models.Transformer",
        "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize",
    ]
    if modules != wanted or not pooling.get("pooling_mode_mean_tokens"):
        raise NumpyEncoderError(
            f"{folder}: modules {modules} are not BERT + mean pooling + normalise"
        )
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        raise NumpyEncoderError(f"{folder}: no model.safetensors or tokenizer.json")
    config = _config(folder)
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        raise NumpyEncoderError(
            f"{folder}: {config.get('model_type')} with {config.get('hidden_act')}"
        )
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise NumpyEncoderError(f"{folder}: {config['position_embedding_type']} positions")
    return NumpyBert(folder, int8=int8)


def _config(folder: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((folder / "config.json").read_text())
    return config


def _prepare(weight: npt.NDArray[np.float32], bias: npt.NDArray[np.float32], int8: bool) -> _Linear:
    if not int8:
        return _Linear(np.ascontiguousarray(weight.T), bias)
    # torch's default dynamic qconfig: qint8 weights, symmetric per tensor.
    scale = max(float(np.abs(weight).max()) / 127.5, float(np.finfo(np.float32).eps))
    levels = np.clip(np.rint(weight / np.float32(scale)), -128, 127).astype(np.float32)
    return _Linear(np.ascontiguousarray(levels.T), bias, scale)


def _quantize_activations(x: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], float]:
    """fbgemm's dynamic quantisation of an input: affine per tensor on [0, 127], as levels
    minus the zero point (so a float matmul of levels gives the exact integer sums)."""
    low = min(float(x.min()), 0.0)
    high = max(float(x.max()), 0.0)
    qmin, qmax = 0, 127
    scale = (high - low) / (qmax - qmin)
    if float(np.float32(scale)) == 0.0 or math.isinf(1.0 / float(np.float32(scale))):
        scale = 0.1
    from_min = qmin - low / scale
    from_max = qmax - high / scale
    error_min = abs(qmin) - abs(low / scale)
    error_max = abs(qmax) - abs(high / scale)
    zero = from_min if error_min < error_max else from_max
    zero_point = int(min(max(round(zero), qmin), qmax))
    inverse = np.float32(1.0 / np.float32(scale))
    levels = np.clip(np.rint(x * inverse) + zero_point, qmin, qmax) - zero_point
    return levels.astype(np.float32), float(np.float32(scale))


def _gelu(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """GELU with erf (BERT's "gelu"), erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    out: npt.NDArray[np.float32] = (0.5 * x * (1.0 + erf)).astype(np.float32)
    return out
