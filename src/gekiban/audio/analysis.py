"""Measurements of rendered audio for checks and benchmarks: silences inside the music, where an
accent starts, how a loop's seam compares with the music inside it."""

from __future__ import annotations

from typing import Any

import numpy as np

from gekiban.audio.signal import as_stereo, check_sample_rate, check_unit
from gekiban.errors import InvalidOptionError


def longest_silence(
    audio: np.ndarray,
    *,
    sample_rate: int,
    threshold_db: float = -60.0,
    window: float = 0.05,
    ignore_edges: bool = False,
) -> float:
    """Length in seconds of the longest run of quiet windows.

    Parameters
    ----------
    audio : numpy.ndarray
        float (n, 2) (or mono (n,)).
    sample_rate : int
        Sample rate in Hz.
    threshold_db : float, optional
        A window whose RMS (over both channels) is below this many dBFS is silent.
    window : float, optional
        Window length in seconds (non-overlapping; a shorter last window counts too).
    ignore_edges : bool, optional
        If true, silence touching the start or the end is not counted, so only gaps inside
        the music are measured.

    Returns
    -------
    float
        Seconds (a whole number of windows, the last one possibly shorter).
    """
    sample_rate = check_sample_rate(sample_rate)
    window = check_unit("window", window, 1e-4, 10.0)
    threshold_db = check_unit("threshold_db", threshold_db, -200.0, 0.0)
    x = as_stereo(audio)
    n = x.shape[0]
    if n == 0:
        return 0.0
    w = max(1, int(round(window * sample_rate)))
    power = np.einsum("ij,ij->i", x, x) * np.float32(0.5)
    edges = np.arange(0, n, w)
    sums = np.add.reduceat(power, edges, dtype=np.float64)
    lengths = np.diff(np.append(edges, n))
    quiet = sums / lengths < 10.0 ** (threshold_db / 10.0)
    # Runs of quiet windows: boundaries where the flag changes.
    flags = np.concatenate([[False], quiet, [False]])
    changes = np.flatnonzero(flags[1:] != flags[:-1])
    starts, stops = changes[0::2], changes[1::2]
    best = 0
    for s, e in zip(starts, stops):
        if ignore_edges and (s == 0 or e == quiet.size):
            continue
        best = max(best, int(lengths[s:e].sum()))
    return best / sample_rate


def measure_onset(audio: Any, sample_rate: int, near: float, *, search: float = 0.05, before: float = 0.02,
                  after: float = 0.03) -> float:
    """Where an accent starts in rendered audio, near ``near`` seconds (for checking hits).

    On the first difference of the mono sum (which weights the bright attack of a crash or a
    tutti), the level is taken in 1 ms frames; the onset is the frame within ``search`` seconds
    of ``near`` where the mean level over the next ``after`` seconds rises most above the mean
    level over the ``before`` seconds before it — a sustained rise, so a lone snare stroke just
    before the accent does not win.

    Returns
    -------
    float
        Seconds from the start of ``audio``.
    """
    x = np.asarray(audio, dtype=np.float64)
    x = x.mean(axis=1) if x.ndim == 2 else x
    d = np.diff(x, prepend=x[:1])
    hop = max(1, sample_rate // 1000)
    b, a = max(1, int(round(before * 1000))), max(1, int(round(after * 1000)))
    lo = max(0, int((near - search) * sample_rate) - b * hop)
    hi = min(d.size, int((near + search) * sample_rate) + a * hop)
    seg = d[lo:hi] ** 2
    n = seg.size // hop
    if n <= a + b:
        raise InvalidOptionError(f"no audio around {near:g} s to look for an onset in")
    level = 10 * np.log10(seg[: n * hop].reshape(n, hop).sum(axis=1) + 1e-12)
    c = np.concatenate([[0.0], np.cumsum(level)])
    idx = np.arange(b, n - a)
    rise = (c[idx + a] - c[idx]) / a - (c[idx] - c[idx - b]) / b
    return (lo + int(idx[int(np.argmax(rise))]) * hop) / sample_rate


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
