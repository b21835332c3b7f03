"""Does a menu sound like one score? Palette features of a cue, and the in-menu vs across-menu
measure.

A cue's palette features (:func:`palette_features`, from its bundle folder):

- **instruments**: the share of notes each General MIDI program plays (drums as a 129th);
- **register**: the mean and spread of the pitched notes (semitones, duration-weighted);
- **timbre of the mix**: the mean spectral centroid and bandwidth of the mix (energy-weighted
  frames of 4096 samples, in octaves: log2 Hz), and its spectral flatness.

Two cues' distance (:func:`distance`) adds the three: the total-variation distance of the
instrument shares (0-1), the register difference in octaves, and the timbre difference in
octaves (plus flatness). The measure (:func:`menu_consistency`): for each pair of cues of one
menu, the pair passes when its distance is below the mean distance from each of its two cues to
the cues of every other menu; the figure is the fraction of pairs that pass.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Consistency", "PaletteFeatures", "distance", "menu_consistency", "palette_features"]

FRAME = 4096


@dataclass(frozen=True)
class PaletteFeatures:
    """What a cue's palette sounds like (see the module text); ``name`` says which cue."""

    name: str
    programs: tuple[float, ...]  # 129 shares, summing to 1
    register_mean: float
    register_spread: float
    centroid_oct: float
    bandwidth_oct: float
    flatness: float


@dataclass(frozen=True)
class Consistency:
    """The in-menu vs across-menu measure: pairs that passed of all in-menu pairs, their
    fraction, and the mean in-menu and across-menu distances."""

    passed: int
    pairs: int
    fraction: float
    mean_within: float
    mean_across: float


def _timbre(path: Path) -> tuple[float, float, float]:
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    n = len(mono) // FRAME
    if n == 0:
        mono = np.pad(mono, (0, FRAME - len(mono)))
        n = 1
    frames = mono[: n * FRAME].reshape(n, FRAME) * np.hanning(FRAME)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(FRAME, 1.0 / rate)
    energy = power.sum(axis=1)
    keep = energy > energy.max() * 1e-4 if energy.max() > 0 else np.ones(n, bool)
    power, energy = power[keep], energy[keep]
    centroid = (power * freqs).sum(axis=1) / energy
    bandwidth = np.sqrt((power * (freqs[None, :] - centroid[:, None]) ** 2).sum(axis=1) / energy)
    flat = np.exp(np.log(power + 1e-12).mean(axis=1)) / (power.mean(axis=1) + 1e-12)
    w = energy / energy.sum()
    return (float(np.log2(max((w * centroid).sum(), 1.0))), float(np.log2(max((w * bandwidth).sum(), 1.0))),
            float((w * flat).sum()))


def palette_features(folder: str | os.PathLike[str]) -> PaletteFeatures:
    """The palette features of the bundle in ``folder`` (its track.json, score.mid and mix)."""
    from gekiban.midi import read_midi

    folder = Path(folder)
    meta = json.loads((folder / "track.json").read_text(encoding="utf-8"))
    score = read_midi(folder / meta["files"]["midi"])
    shares = np.zeros(129)
    pitches: list[float] = []
    weights: list[float] = []
    for part in score.parts:
        shares[128 if part.is_drum else part.program] += len(part.notes)
        if not part.is_drum:
            pitches += [n.pitch for n in part.notes]
            weights += [n.duration for n in part.notes]
    shares = shares / shares.sum() if shares.sum() else shares
    p, w = np.asarray(pitches, float), np.asarray(weights, float)
    mean = float(np.average(p, weights=w)) if len(p) else 60.0
    spread = float(np.sqrt(np.average((p - mean) ** 2, weights=w))) if len(p) else 0.0
    centroid, bandwidth, flatness = _timbre(folder / meta["files"]["mix"])
    return PaletteFeatures(name=str(folder), programs=tuple(float(x) for x in shares), register_mean=mean,
                           register_spread=spread, centroid_oct=centroid, bandwidth_oct=bandwidth, flatness=flatness)


def distance(a: PaletteFeatures, b: PaletteFeatures) -> float:
    """How far apart two cues' palettes are (see the module text)."""
    instruments = 0.5 * float(np.abs(np.subtract(a.programs, b.programs)).sum())
    register = (abs(a.register_mean - b.register_mean) + abs(a.register_spread - b.register_spread)) / 12.0
    timbre = abs(a.centroid_oct - b.centroid_oct) + abs(a.bandwidth_oct - b.bandwidth_oct) + abs(a.flatness - b.flatness)
    return instruments + register + timbre


def menu_consistency(menus: Mapping[str, Sequence[PaletteFeatures]]) -> Consistency:
    """The in-menu vs across-menu measure over two menus or more (see the module text).

    Raises
    ------
    ValueError
        With fewer than two menus, or no menu of two cues.
    """
    if len(menus) < 2:
        raise ValueError("the measure compares menus: give two or more")
    passed = pairs = 0
    within: list[float] = []
    across: list[float] = []
    for name, cues in menus.items():
        others = {o: c for o, c in menus.items() if o != name}
        for x in cues:
            across += [distance(x, y) for o in others.values() for y in o]
        for a, b in itertools.combinations(cues, 2):
            d = distance(a, b)
            within.append(d)
            pairs += 1
            if all(d < np.mean([distance(a, y) for y in o] + [distance(b, y) for y in o]) for o in others.values()):
                passed += 1
    if pairs == 0:
        raise ValueError("no menu has two cues: nothing to compare")
    return Consistency(passed=passed, pairs=pairs, fraction=passed / pairs, mean_within=float(np.mean(within)),
                       mean_across=float(np.mean(across)))
