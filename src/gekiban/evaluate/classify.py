"""Are the styles distinct? A nearest-centroid classifier on simple, audible features.

Features of a Score: tempo; meter; instrumentation (notes per GM program family, drums,
percussion); density (onsets per beat of the lead, the pitched texture and the drums); register
(mean pitch of the lead, of the lowest part and of the texture) and the lead's pitch spread;
harmony rhythm (chord changes per bar, from the score's chords when it has them). Each feature is
standardised on the training set; a track is named after the style whose mean feature vector is
nearest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gekiban.evaluate.metrics import lead_part, q
from gekiban.score import Score

FAMILIES = 16  # GM program families of eight programs each


def features(score: Score) -> np.ndarray:
    """The feature vector of ``score`` (see the module docstring)."""
    bar = score.meter.bar_beats
    beats = max(score.total_beats, 1.0)
    pitched = [p for p in score.parts if not p.is_drum and p.notes]
    drums = [p for p in score.parts if p.is_drum and p.notes]
    fam = np.zeros(FAMILIES)
    for p in pitched:
        fam[p.program // 8] += np.log1p(len(p.notes))
    lead = lead_part(score)
    lead_notes = lead.notes if lead is not None else ()
    onsets = lambda notes: len({q(n.start) for n in notes}) / beats  # noqa: E731
    all_pitched = [n for p in pitched for n in p.notes]
    lowest = min(pitched, key=lambda p: np.mean([n.pitch for n in p.notes])) if pitched else None
    changes = len(score.chords) / max(score.bars, 1) if score.chords else 0.0
    return np.concatenate([
        [score.tempo[0].bpm / 10.0, bar, float(score.meter.compound)],
        fam,
        [float(bool(drums)), np.log1p(sum(len(p.notes) for p in drums))],
        [onsets(lead_notes), onsets(all_pitched) / max(len(pitched), 1), onsets([n for p in drums for n in p.notes])],
        [np.mean([n.pitch for n in lead_notes]) if lead_notes else 0.0,
         np.std([n.pitch for n in lead_notes]) if lead_notes else 0.0,
         np.mean([n.pitch for n in lowest.notes]) if lowest is not None else 0.0,
         np.mean([n.pitch for n in all_pitched]) if all_pitched else 0.0,
         float(len(pitched))],
        [changes, float(np.mean([n.duration for n in lead_notes])) if lead_notes else 0.0],
    ]).astype(float)


@dataclass(frozen=True)
class NearestCentroid:
    """Style centroids in standardised feature space."""

    labels: tuple[str, ...]
    centroids: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, vectors: Sequence[np.ndarray], labels: Sequence[str]) -> NearestCentroid:
        """Centroids of ``vectors`` grouped by ``labels``."""
        x = np.asarray(vectors, dtype=float)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = (x - mean) / scale
        names = tuple(sorted(set(labels)))
        lab = np.asarray(labels)
        cents = np.stack([z[lab == n].mean(axis=0) for n in names])
        return cls(names, cents, mean, scale)

    def predict(self, vectors: Sequence[np.ndarray]) -> list[str]:
        """The nearest style of each vector."""
        z = (np.asarray(vectors, dtype=float) - self.mean) / self.scale
        d = ((z[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2)
        return [self.labels[i] for i in d.argmin(axis=1)]


def held_out_accuracy(by_style: Mapping[str, Sequence[Score]], *, train: int) -> tuple[float, dict[str, float]]:
    """Fit on the first ``train`` scores of each style, test on the rest: overall accuracy and
    accuracy per style."""
    xs, ys, tx, ty = [], [], [], []
    for style, scores in by_style.items():
        for i, s in enumerate(scores):
            (xs if i < train else tx).append(features(s))
            (ys if i < train else ty).append(style)
    model = NearestCentroid.fit(xs, ys)
    pred = model.predict(tx) if tx else []
    per: dict[str, list[bool]] = {}
    for y, p in zip(ty, pred):
        per.setdefault(y, []).append(y == p)
    overall = float(np.mean([y == p for y, p in zip(ty, pred)])) if ty else float("nan")
    return overall, {k: float(np.mean(v)) for k, v in per.items()}
