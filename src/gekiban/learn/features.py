"""How close two sets of music are on what a style learns: tempo, meter, mode, chord
vocabulary, harmonic rhythm, melodic intervals and rhythm, drum and bass onsets, instrumentation
and roles. Used to measure a learned style (``benchmarks/bench_learn.py``): cues in it should
lie closer to held-out files of its music than cues of any shipped style.

Each group is a histogram compared by total-variation distance (0 same, 1 disjoint) or a
scalar compared on a log scale capped at 1; the distance of two sets is the mean over the
groups of the distance between the sets' mean features.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gekiban.learn.analyse import Analysis

ROLES = ("lead", "counter", "pad", "ostinato", "bass", "drums")
_IOI_EDGES = (0.26, 0.34, 0.51, 0.76, 1.01, 1.51, 2.01)
_PHASES = 48
#: Feature groups and how each is compared.
GROUPS = {"tempo": "log", "meter": "hist", "mode": "scalar", "chords": "hist", "harmonic_rhythm": "log",
          "intervals": "hist", "rhythm": "hist", "density": "log", "drums": "hist", "bass": "hist",
          "instruments": "hist", "roles": "scalar"}


def _hist(values: Sequence[float] | np.ndarray, bins: int) -> np.ndarray:
    h = np.asarray(values, dtype=float)
    return h / h.sum() if h.sum() > 0 else np.zeros(bins)


def _phases(notes: Sequence[tuple[float, float, int, int]], bar: float) -> np.ndarray:
    h = np.zeros(_PHASES)
    for on, _, _, _ in notes:
        h[int((on % bar) / bar * _PHASES) % _PHASES] += 1
    return _hist(h, _PHASES)


def features(a: Analysis) -> dict[str, np.ndarray]:
    """The feature groups of one analysed piece."""
    lead = a.roles.notes.get("lead", ())
    chords = np.zeros(36)
    for c in a.harmony.chords:
        if c is not None:
            kind = 1 if c.quality.startswith("m") and not c.quality.startswith("maj") else 0 if c.quality in ("", "7", "maj7", "6", "9", "maj9", "add9", "sus4", "sus2", "7sus4", "5") else 2
            chords[((c.root - a.key.tonic) % 12) * 3 + kind] += 1
    iois = np.diff([n[0] for n in lead])
    rhythm = np.bincount(np.searchsorted(_IOI_EDGES, iois[iois > 0]), minlength=len(_IOI_EDGES) + 1)
    meter = np.zeros(4)
    meter[0 if not a.meter.compound and a.meter.numerator in (2, 4) else 1 if a.meter.numerator == 3 else
          2 if a.meter.compound else 3] = 1
    families = np.zeros(17)
    for role, notes in a.roles.notes.items():
        families[16 if role == "drums" else a.roles.programs.get(role, 0) // 8] += len(notes)
    bar = a.meter.bar_beats
    return {
        "tempo": np.array([np.log2(a.bpm)]),
        "meter": meter,
        "mode": np.array([1.0 if a.key.is_minor else 0.0]),
        "chords": _hist(chords, 36),
        "harmonic_rhythm": np.array([np.log2(max(a.harmony.unit_beats, 0.25))]),
        "intervals": _hist(a.moves, len(a.moves)),
        "rhythm": _hist(rhythm, len(_IOI_EDGES) + 1),
        "density": np.array([np.log2(max(a.lead_notes_per_beat, 0.05))]),
        "drums": _phases(a.roles.notes.get("drums", ()), bar),
        "bass": _phases(a.roles.notes.get("bass", ()), bar),
        "instruments": _hist(families, 17),
        "roles": np.array([1.0 if r in a.roles.notes else 0.0 for r in ROLES]),
    }


def mean_features(analyses: Sequence[Analysis]) -> dict[str, np.ndarray]:
    """The mean of each feature group over a set of pieces."""
    every = [features(a) for a in analyses]
    return {g: np.mean([f[g] for f in every], axis=0) for g in GROUPS}


def group_distances(x: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> dict[str, float]:
    """The distance of two (mean) feature sets per group, each from 0 (same) to 1."""
    out = {}
    for g, how in GROUPS.items():
        a, b = x[g], y[g]
        if how == "hist":
            out[g] = 0.5 * float(np.abs(a - b).sum()) if a.sum() > 0 and b.sum() > 0 else float(a.sum() != b.sum())
        elif how == "log":
            out[g] = min(1.0, float(np.abs(a - b).mean()))
        else:
            out[g] = float(np.abs(a - b).mean())
    return out


def distance(x: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> float:
    """The mean of the group distances of two (mean) feature sets: 0 same, 1 unlike in everything."""
    d = group_distances(x, y)
    return float(np.mean(list(d.values())))
