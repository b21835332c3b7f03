"""Seamless loops and fades on rendered audio: whole-bar lengths to the sample, the release
folded onto the start, equal-power fades."""

from __future__ import annotations

import numpy as np


def loop_length(seconds: float, sample_rate: int) -> int:
    """Samples in a loop of ``seconds`` (whole bars at the tempo), rounded to the nearest sample."""
    return int(round(seconds * sample_rate))


def fold_tail(audio: np.ndarray, length: int) -> np.ndarray:
    """Fold everything after ``length`` samples (release and reverb tail) back onto the start,
    so the loop repeats without a gap, click or level jump; returns ``length`` samples."""
    out = np.array(audio[:length], dtype=np.float32, copy=True)
    tail = audio[length:]
    while len(tail):
        k = min(len(tail), length)
        out[:k] += tail[:k]
        tail = tail[k:]
    return out


def fade_out(audio: np.ndarray, *, start: int, end: int) -> np.ndarray:
    """Fade ``audio`` in place from unity at sample ``start`` to silence at ``end`` (an
    equal-power curve), and silence after it."""
    end = min(end, len(audio))
    if end > start:
        ramp = np.cos(np.linspace(0.0, np.pi / 2, end - start, dtype=np.float32))
        audio[start:end] *= ramp[:, None]
    audio[end:] = 0.0
    return audio
