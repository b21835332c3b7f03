"""Tempo maps that put section downbeats on hit points.

A hit at t seconds becomes the downbeat of the bar nearest to t at the base tempo. Between one
anchor (bar, time) and the next, the tempo glides beat by beat in a straight line from where it
was to the value that makes the bar land exactly on time, so the change is gradual rather than a
jump; after the last hit it glides back to the base tempo.
"""

from __future__ import annotations

import numpy as np

from gekiban.errors import InvalidOptionError
from gekiban.score import TempoChange

_STEP = 1.0  # beats per tempo step inside a glide


def hit_bars(hits: tuple[float, ...], *, tempo: float, bar_beats: float, bars: int) -> list[int]:
    """The bar whose downbeat each hit becomes (nearest at the base tempo).

    Raises
    ------
    InvalidOptionError
        If two hits fall on the same bar or a hit is not inside the music.
    """
    out: list[int] = []
    for t in hits:
        b = int(round(t * tempo / (60.0 * bar_beats)))
        if not 0 < b < bars:
            raise InvalidOptionError(f"hit at {t:g} s is not inside the music (bars 1 to {bars - 1} at {tempo:g} bpm)")
        if out and b <= out[-1]:
            raise InvalidOptionError(f"hits at {t:g} s and the one before fall on the same bar at {tempo:g} bpm: space them at least one bar apart")
        out.append(b)
    return out


def _glide(start_bpm: float, beats: float, seconds: float) -> tuple[list[float], float]:
    """Per-step tempi gliding linearly from ``start_bpm`` so that ``beats`` take ``seconds``."""
    n = max(1, int(round(beats / _STEP)))
    step = beats / n
    frac = (np.arange(n) + 0.5) / n

    def elapsed(end_bpm: float) -> float:
        return float(np.sum(step * 60.0 / (start_bpm + (end_bpm - start_bpm) * frac)))

    lo, hi = start_bpm * 0.25, start_bpm * 4.0
    if not elapsed(hi) <= seconds <= elapsed(lo):  # a glide cannot do it: hold one tempo instead
        bpm = beats * 60.0 / seconds
        return [bpm] * n, bpm
    for _ in range(80):  # bisection: elapsed time falls as the end tempo rises
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if elapsed(mid) > seconds else (lo, mid)
    end = (lo + hi) / 2
    return [float(start_bpm + (end - start_bpm) * f) for f in frac], end


def bend_tempo(anchors: list[tuple[float, float]], *, base: float, total_beats: float) -> tuple[TempoChange, ...]:
    """A tempo map through ``anchors`` (beat, seconds), gliding between them.

    Parameters
    ----------
    anchors
        (beat, time in seconds) pairs in increasing order, excluding the start.
    base
        The cue's tempo: the map starts there and returns to it after the last anchor.
    total_beats
        Length of the music in beats.
    """
    changes: list[TempoChange] = []
    beat, now, bpm = 0.0, 0.0, base
    for a_beat, a_time in anchors:
        beats, seconds = a_beat - beat, a_time - now
        tempi, bpm = _glide(bpm, beats, seconds)
        step = beats / len(tempi)
        changes += [TempoChange(round(beat + i * step, 6), round(t, 4)) for i, t in enumerate(tempi)]
        beat, now = a_beat, a_time
    rest = total_beats - beat
    if rest > 0:
        n = max(1, min(int(round(rest / _STEP)), 8))
        step = rest / max(1, int(round(rest / _STEP)))
        changes += [TempoChange(round(beat + i * step, 6), round(bpm + (base - bpm) * (i + 1) / n, 4)) for i in range(n)]
    out: list[TempoChange] = []
    for c in changes:  # drop repeats so a steady tempo stays one event
        if not out or abs(out[-1].bpm - c.bpm) > 1e-4:
            out.append(c)
    return tuple(out)
