"""Styles and moods by meaning: sentence embeddings of the prompt against each style's
description, tags and scene sentences (``scenes`` in its style file), combined with keyword
evidence (style names, tags and keywords, Japanese tags and keywords).

The style vectors are computed once per process (one batch) and kept; a prompt then costs one
forward pass of the model and a matrix product.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gekiban.errors import GekibanError
from gekiban.understand.text import stems_text

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from gekiban.styles.schema import Style

# How a style's score is made: similarity of the prompt to the style's sentences (the mean of
# the best two, which rewards a style that several sentences support) plus KEYWORD_WEIGHT per
# keyword point (a tag is 2 points, the style's name 3), capped at KEYWORD_CAP.
KEYWORD_WEIGHT = 0.05
KEYWORD_CAP = 0.3
# Below this best score (no keyword and a weak neighbour) the prompt names no style: default.
MIN_STYLE_SCORE = 0.3
ENERGY_ANCHORS = {
    "low": ("quiet, slow, soft and gentle music", "a calm, still and sad moment", "sparse and restrained, almost silent"),
    "high": ("loud, fast, intense and energetic music", "a driving action climax", "an explosive, exciting, powerful scene"),
}


@dataclass(frozen=True)
class StyleScore:
    """One style's match: total score, embedding similarity, keyword points and words, and
    the style sentence closest to the prompt."""

    name: str
    score: float
    similarity: float
    keyword: float
    hits: tuple[str, ...]
    neighbour: str


def style_sentences(style: Style) -> tuple[str, ...]:
    """What the model compares a prompt with for ``style``: its description, its tags and its
    scene sentences."""
    joined = ", ".join(style.tags)
    out = [style.description, f"music for {joined}" if joined else style.name.replace("-", " "), *style.scenes]
    return tuple(s for s in out if s)


@cache
def _terms(name: str, family: str, words: tuple[str, ...], words_ja: tuple[str, ...]
           ) -> tuple[tuple[tuple[tuple[str, str, float], ...], ...], tuple[str, ...]]:
    """A style's keyword groups as (stemmed key, shown term, points), and its Japanese words."""
    parts = [p for p in name.split("-") if len(p) > 2]
    groups = [
        [(name.replace("-", " "), 3.0)],
        [(t, 2.0) for t in words],
        [(p, 1.0) for p in parts if len(parts) > 1] + ([(family.replace("-", " "), 1.0)] if family and family != name else []),
    ]
    out = []
    for group in groups:
        seen: set[str] = set()
        keyed = []
        for term, weight in group:
            key = stems_text(term).strip()
            if key and key not in seen:
                seen.add(key)
                keyed.append((key, term, weight))
        out.append(tuple(keyed))
    ja = tuple(dict.fromkeys(t for t in words_ja if t and not t.isascii()))
    return tuple(out), ja


def keyword_scores(text: str, styles: Mapping[str, Style]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Score each style against the prompt's words.

    English names, tags, family and scene words are matched as stemmed, lower-cased words or
    phrases (the name 3 points, a tag or scene word 2, a part of the name or the family 1);
    Japanese tags and words as substrings (2 points).

    Returns
    -------
    list
        ``(name, points, matched words)`` for styles with points, best first (ties keep order).
    """
    padded = stems_text(text)
    lowered = text.lower()
    out = []
    for order, (name, style) in enumerate(styles.items()):
        groups, ja = _terms(name, style.family, (*style.tags, *style.keywords), (*style.tags_ja, *style.keywords_ja))
        score, hits = 0.0, []
        for group in groups:
            for key, term, weight in group:
                if f" {key} " in padded:
                    score += weight
                    hits.append(term)
        seen_ja: list[str] = []
        for tag in ja:
            # a tag inside a longer tag already counted ('祭り' in '夏祭り') adds nothing
            if tag in lowered and not any(tag in s for s in seen_ja):
                seen_ja.append(tag)
                score += 2.0
                hits.append(tag)
        if score > 0:
            out.append((name, score, tuple(dict.fromkeys(hits)), order))
    out.sort(key=lambda r: (-r[1], r[3]))
    return [(n, s, h) for n, s, h, _ in out]


# ─── embeddings ──────────────────────────────────────────────────────────────────────────

_VECTORS: dict[str, Any] = {}
_LOCK = threading.Lock()


def _vectors(texts: tuple[str, ...] | list[str]) -> np.ndarray:
    """Unit vectors for ``texts``, computing the missing ones in one batch and keeping them."""
    import numpy as np

    from gekiban.understand.embed import embed

    missing = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if missing:
        with _LOCK:
            missing = [t for t in missing if t not in _VECTORS]
            if missing:
                for t, v in zip(missing, embed(missing)):
                    _VECTORS[t] = v
    return np.stack([_VECTORS[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


def warm_up(styles: Mapping[str, Style]) -> None:
    """Load the model and embed every style's sentences, the moods and the energy anchors now
    (a server calls this at start so the first request is fast)."""
    from gekiban.understand.moods import MOODS

    texts = [s for st in styles.values() for s in style_sentences(st)]
    texts += [m[5] for m in MOODS.values()] + [a for v in ENERGY_ANCHORS.values() for a in v]
    _vectors(texts)


def embed_prompt(text: str) -> np.ndarray:
    """The prompt's unit vector (not kept: prompts rarely repeat)."""
    from gekiban.understand.embed import embed

    return embed([text])[0]


def rank_styles(vec: np.ndarray | None, english: str, original: str, styles: Mapping[str, Style]) -> list[StyleScore]:
    """Every style scored for a prompt, best first.

    Parameters
    ----------
    vec
        The prompt's embedding (None: keywords only).
    english
        The prompt in English (the gloss for a Japanese prompt) for English keywords.
    original
        The prompt as written, for Japanese keywords.
    styles
        The styles to rank.
    """
    import numpy as np

    kw = {n: (s, h) for n, s, h in keyword_scores(f"{english} \n {original}", styles)}
    sims_all = None
    if vec is not None:
        sents, bounds, matrix = _index(styles)
        sims_all = matrix @ vec
    out = []
    for name in styles:
        points, hits = kw.get(name, (0.0, ()))
        sim, neighbour = 0.0, ""
        if sims_all is not None:
            a, b = bounds[name]
            sims = sims_all[a:b]
            order = np.argsort(-sims)
            sim = float(sims[order[:2]].mean())
            neighbour = sents[a + int(order[0])]
        bonus = min(KEYWORD_CAP, KEYWORD_WEIGHT * points)
        out.append(StyleScore(name, round(sim + bonus, 4), round(sim, 4), points, hits, neighbour))
    out.sort(key=lambda s: -s.score)
    return out


def _index(styles: Mapping[str, Style]) -> tuple[tuple[str, ...], dict[str, tuple[int, int]], np.ndarray]:
    """All style sentences, each style's slice of them and their vectors as one matrix (kept
    per set of styles)."""
    key = tuple((n, style_sentences(st)) for n, st in styles.items())
    hit = _INDEXES.get(key)
    if hit is None:
        sents: list[str] = []
        bounds: dict[str, tuple[int, int]] = {}
        for n, ss in key:
            bounds[n] = (len(sents), len(sents) + len(ss))
            sents.extend(ss)
        hit = _INDEXES[key] = (tuple(sents), bounds, _cached_vectors(tuple(sents)))
    return hit


def _cache_dir() -> Path | None:
    """Where style vectors are kept between runs: ``$GEKIBAN_CACHE``, else
    ``$XDG_CACHE_HOME/gekiban`` or ``~/.cache/gekiban``; ``GEKIBAN_CACHE=off`` keeps none."""
    where = os.environ.get("GEKIBAN_CACHE")
    if where == "off":
        return None
    if where:
        return Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gekiban"


def _cached_vectors(sents: tuple[str, ...]) -> np.ndarray:
    """The vectors of the style sentences, read from the cache folder when the same sentences
    were embedded by the same model file before (a fresh process then skips ~250 sentences);
    written there otherwise. Any cache problem just means computing them again."""
    import hashlib

    import numpy as np

    from gekiban.understand.embed import model_dir

    path = None
    folder = _cache_dir()
    if folder is not None:
        try:
            weights = model_dir() / "model.safetensors"
            st = weights.stat()
            h = hashlib.sha256(f"{weights}|{st.st_size}|{st.st_mtime_ns}|v1\n".encode() + "\n".join(sents).encode())
            path = folder / f"style-vectors-{h.hexdigest()[:20]}.npy"
            if path.is_file():
                vecs = np.load(path, allow_pickle=False)
                if vecs.shape[0] == len(sents):
                    for t, v in zip(sents, vecs):
                        _VECTORS.setdefault(t, v)
                    return vecs
        except (OSError, ValueError):
            path = None
    vecs = _vectors(sents)
    if path is not None:
        try:
            from gekiban.atomic import atomic_write

            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda f: np.save(f, vecs, allow_pickle=False))
        except (OSError, GekibanError):
            pass
    return vecs


_INDEXES: dict[Any, tuple[tuple[str, ...], dict[str, tuple[int, int]], Any]] = {}


def nearest_mood(vec: np.ndarray) -> tuple[str, float]:
    """The mood whose description is closest to the prompt, and the similarity."""
    from gekiban.understand.moods import MOODS

    names = list(MOODS)
    sims = _vectors([MOODS[m][5] for m in names]) @ vec
    i = int(sims.argmax())
    return names[i], float(sims[i])


def energy_probe(vec: np.ndarray) -> float:
    """How much closer the prompt is to high-energy than to low-energy descriptions (about
    -0.2 to 0.2)."""
    hi = float((_vectors(ENERGY_ANCHORS["high"]) @ vec).max())
    lo = float((_vectors(ENERGY_ANCHORS["low"]) @ vec).max())
    return hi - lo


_WORD_RE = re.compile(r"[A-Za-z]{3,}")


def has_words(text: str) -> bool:
    """True when the text holds at least one word of three letters (else it is noise)."""
    return _WORD_RE.search(text) is not None
