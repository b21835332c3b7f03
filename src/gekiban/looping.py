"""Seamless loops and fades on rendered audio."""

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


def seam_measures(audio: np.ndarray, sample_rate: int, *, tiles: int = 3, frame: float = 0.010,
                  hop: float = 0.0025) -> dict[str, float]:
    """How a loop's seam compares with the music inside it.

    The loop is tiled ``tiles`` times; at each seam (where one copy ends and the next starts)
    two measures are taken and compared with the same measures inside the middle copy:

    * sample step: the largest |x[n] − x[n−1]| over both channels across the seam, against the
      99th percentile of that step over the samples inside the loop;
    * short-window spectral flux: Hann windows of ``frame`` seconds every ``hop`` seconds on
      the mono sum; the flux from one window to the next is the Euclidean norm of the rise of
      the magnitude spectrum (positive changes only: the usual onset-detection flux). The
      seam's value is the largest over the window pairs whose later window overlaps the seam,
      against the 99th percentile over the pairs wholly inside the middle copy.

    * level (for gaps, which the flux misses: an onset after silence is not brighter than one
      after music): the mean power of the ``frame`` just before and just after the seam, the
      lower of the two, against the 1st percentile of the power of such frames inside.

    (A log-magnitude flux is not used: near-silent bins dominate it, and any note entering
    after a rest reads as an outlier.)

    Returns
    -------
    dict
        ``step_seam``, ``step_p99``, ``flux_seam``, ``flux_p99``, ``level_seam``,
        ``level_p1`` and the ratios ``step_ratio`` = step_seam / step_p99, ``flux_ratio`` and
        ``gap_ratio`` = level_p1 / level_seam; a seam that is not an outlier has all three
        ratios below 1.
    """
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    tiled = np.concatenate([x] * tiles)
    seams = [k * n for k in range(1, tiles)]
    step = np.abs(np.diff(tiled, axis=0)).max(axis=1)  # step[i] = |x[i+1] - x[i]|
    inside = step[n : 2 * n - 1]  # steps within the middle copy (none across a seam)
    step_seam = float(max(step[s - 1] for s in seams))
    w = max(16, int(round(frame * sample_rate)))
    h = max(1, int(round(hop * sample_rate)))
    mono = tiled.mean(axis=1)
    starts = np.arange(0, mono.size - w, h)
    frames = np.lib.stride_tricks.sliding_window_view(mono, w)[starts] * np.hanning(w)
    mag = np.abs(np.fft.rfft(frames, axis=1))
    flux = np.sqrt((np.maximum(mag[1:] - mag[:-1], 0.0) ** 2).sum(axis=1))  # pair j: window j → j + 1
    later_start, later_end = starts[1:], starts[1:] + w
    seam_flux = max(float(flux[(later_start < s) & (later_end > s)].max()) for s in seams)
    inner = (starts[:-1] >= n) & (later_end <= 2 * n)
    step_p99 = float(np.percentile(inside, 99))
    flux_p99 = float(np.percentile(flux[inner], 99))
    power = np.concatenate([[0.0], np.cumsum((tiled ** 2).sum(axis=1))])
    mean_power = lambda a: (power[a + w] - power[a]) / w  # noqa: E731
    level_seam = float(min(min(mean_power(s - w), mean_power(s)) for s in seams))
    level_p1 = float(np.percentile(mean_power(np.arange(n, 2 * n - w, h)), 1))
    return {"step_seam": step_seam, "step_p99": step_p99,
            "step_ratio": step_seam / step_p99 if step_p99 > 0 else float("inf"),
            "flux_seam": seam_flux, "flux_p99": flux_p99,
            "flux_ratio": seam_flux / flux_p99 if flux_p99 > 0 else float("inf"),
            "level_seam": level_seam, "level_p1": level_p1,
            "gap_ratio": level_p1 / level_seam if level_seam > 0 else float("inf")}
