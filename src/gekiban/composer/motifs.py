"""Motifs: one-bar ideas (a rhythm and scale-step moves) and how they are developed: inverted,
varied, fragmented, answered, and planned per section letter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gekiban.styles.schema import MAX_MOVE, MelodySpec
from gekiban.theory import Key, Meter

# Rhythm cells per beat (simple meters) as (onset, length) in quarter notes, by feel.
_CELLS: dict[str, list[list[tuple[float, float]]]] = {
    "long": [[(0, 2)], [(0, 1)], [(0, 1.5), (1.5, 0.5)]],
    "straight": [[(0, 1)], [(0, 0.5), (0.5, 0.5)], [(0, 2)]],
    "dotted": [[(0, 0.75), (0.75, 0.25)], [(0, 1.5), (1.5, 0.5)], [(0, 1)]],
    "syncopated": [[(0, 0.5), (0.5, 1.0), (1.5, 0.5)], [(0, 1)], [(0, 0.5), (0.5, 0.5)]],
    "driving": [[(0, 0.5), (0.5, 0.25), (0.75, 0.25)], [(0, 0.5), (0.5, 0.5)], [(0, 0.25), (0.25, 0.25), (0.5, 0.5)]],
    "triplet": [[(0, 1 / 3), (1 / 3, 1 / 3), (2 / 3, 1 / 3)], [(0, 2 / 3), (2 / 3, 1 / 3)], [(0, 1)]],
    "swing": [[(0, 0.5), (0.5, 0.5)], [(0, 1)], [(0, 1.5), (1.5, 0.5)]],
}


_COMPOUND_CELLS = [[(0, 1.5)], [(0, 1.0), (1.0, 0.5)], [(0, 0.5), (0.5, 0.5), (1.0, 0.5)], [(0, 0.75), (0.75, 0.25), (1.0, 0.5)]]


@dataclass(frozen=True)
class Motif:
    """A one-bar idea: onsets and lengths in beats from the bar start, and scale-step moves
    between successive notes (the first move is from the phrase's anchor)."""

    rhythm: tuple[tuple[float, float], ...]
    steps: tuple[int, ...]


def _rhythm(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *, busier: float = 0.0) -> tuple[tuple[float, float], ...]:
    """One bar of rhythm; higher density picks busier cells."""
    if spec.cells:
        return learned_rhythm(meter, spec, rng, busier=busier)
    out: list[tuple[float, float]] = []
    density = float(np.clip(spec.density + busier, 0.05, 1.0))
    if meter.compound:
        span, cells = 1.5, _COMPOUND_CELLS
        pulses = [i * span for i in range(int(meter.bar_beats / span))]
    else:
        cells = _CELLS.get(spec.rhythm, _CELLS["straight"])
        span = 1.0
        pulses = [float(i) for i in range(int(meter.bar_beats))] or [0.0]
    t_end = meter.bar_beats
    i = 0
    while i < len(pulses):
        at = pulses[i]
        # busier cells are later in each list for simple meters' first entries; weight by density
        weights = np.array([1.0 + density * 2 * (len(c) - 1) if density > 0.5 else 2.0 / len(c) for c in cells])
        cell = cells[int(rng.choice(len(cells), p=weights / weights.sum()))]
        cell_len = max(o + d for o, d in cell)
        if at + cell_len > t_end + 1e-9:
            cell = [(0, span)]
            cell_len = span
        rest = i > 0 and rng.random() < 0.12 * (1 - density)
        if not rest:
            out.extend((at + o, d) for o, d in cell)
        i += max(1, int(round(cell_len / span)))
    return tuple(out) or ((0.0, meter.bar_beats),)


def learned_rhythm(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *,
                   busier: float = 0.0) -> tuple[tuple[float, float], ...]:
    """One bar of a learned style's rhythm: a cell drawn per pulse by the learned weights (a
    busier section leans to cells with more notes); an empty cell rests, but never on the
    bar's first pulse; a cell longer than its pulse covers the pulses it spans."""
    span = 1.5 if meter.compound else 1.0
    bar = meter.bar_beats
    sizes = np.array([len(c) for c in spec.cells], dtype=float)
    weights = np.array(spec.cell_weights, dtype=float) * np.exp(2.0 * busier * (sizes - sizes.mean()))
    sounding = weights * (sizes > 0)
    out: list[tuple[float, float]] = []
    at = 0.0
    while at < bar - 1e-9:
        w = sounding if not out and sounding.sum() > 0 else weights
        cell = spec.cells[int(rng.choice(len(spec.cells), p=w / w.sum()))]
        out.extend((at + o, min(d, bar - at - o)) for o, d in cell if at + o < bar - 1e-9)
        reach = max((o + d for o, d in cell), default=span)
        at += span * max(1, int(np.ceil(reach / span - 1e-6)))
    return tuple(out) or ((0.0, bar),)


def _learned_contour(n: int, spec: MelodySpec, rng: np.random.Generator) -> tuple[int, ...]:
    """Scale-step moves for ``n`` notes drawn from a learned style's move weights; a move that
    would take the line more than an octave of steps from where it began turns back."""
    weights = np.array(spec.moves, dtype=float)
    moves = np.arange(-MAX_MOVE, MAX_MOVE + 1)
    steps, height = [0], 0
    for _ in range(n - 1):
        s = int(moves[int(rng.choice(len(moves), p=weights / weights.sum()))])
        if abs(height + s) > MAX_MOVE:
            s = -s
        steps.append(s)
        height += s
    return tuple(steps[:n])


def _contour(n: int, spec: MelodySpec, rng: np.random.Generator) -> tuple[int, ...]:
    """Scale-step moves for ``n`` notes: mostly steps, some leaps that are filled back by step,
    shaped as an arch (or, for a learned style, drawn from its own moves)."""
    if spec.moves:
        return _learned_contour(n, spec, rng)
    steps: list[int] = []
    for i in range(n):
        if i == 0:
            steps.append(0)
            continue
        rising = i < n / 2
        if steps and abs(steps[-1]) >= 2:  # gap fill: step back against a leap
            s = -int(np.sign(steps[-1]))
        elif rng.random() < spec.leap * 0.6:
            s = int(rng.integers(2, 5)) * (1 if rising else -1)
        else:
            s = int(rng.choice([1, 1, 2, 0, -1])) * (1 if rising or rng.random() < 0.3 else -1)
        steps.append(s)
    return tuple(steps)


def make_motif(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *, busier: float = 0.0) -> Motif:
    """A fresh motif for a section letter."""
    rhythm = _rhythm(meter, spec, rng, busier=busier)
    return Motif(rhythm, _contour(len(rhythm), spec, rng))


def develop(m: Motif, how: str, rng: np.random.Generator) -> Motif:
    if how == "invert":
        return Motif(m.rhythm, tuple(-s for s in m.steps))
    if how == "vary":  # same rhythm, a couple of moves changed
        steps = list(m.steps)
        for j in rng.choice(len(steps), size=min(2, len(steps)), replace=False):
            if j:
                steps[j] = int(np.clip(steps[j] + rng.choice([-1, 1]), -4, 4))
        return Motif(m.rhythm, tuple(steps))
    return m


def motif_from_notes(notes: tuple[tuple[float, float, int], ...], *, key: Key, meter: Meter, scale: tuple[int, ...]) -> Motif:
    """The main motif from a user's melody seed: the rhythm of its first bar and its moves
    counted in scale steps (so it can be placed over any chord).

    Parameters
    ----------
    notes
        (onset in beats, length in beats, MIDI pitch), in any order; onsets are taken from the
        first note's bar.
    """
    ordered = sorted(notes)
    bar0 = (ordered[0][0] // meter.bar_beats) * meter.bar_beats
    first = [(on - bar0, min(d, meter.bar_beats - (on - bar0)), p) for on, d, p in ordered if on - bar0 < meter.bar_beats]
    ladder = [p for p in range(0, 128) if p % 12 in scale]

    def degree(p: int) -> int:
        return int(np.argmin([abs(x - p) for x in ladder]))

    steps = [0] + [degree(b[2]) - degree(a[2]) for a, b in zip(first, first[1:])]
    return Motif(tuple((float(on), float(d)) for on, d, _ in first), tuple(int(np.clip(s, -7, 7)) for s in steps))


def plan_motifs(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *, seed: Motif | None = None,
                variation_rng: np.random.Generator | None = None) -> dict[str, Motif]:
    """The motif of every section letter, drawn in a fixed order so the same generator always
    gives the same motifs, whichever sections a cue (or its extension) has.

    A is the main motif (or ``seed``); B inverts A's contour on a fresh rhythm; the climax lifts
    A's rhythm with new moves; the bridge is fresh. With ``variation_rng`` only A comes from
    ``rng`` and the others from ``variation_rng``.
    """
    a = make_motif(meter, spec, rng)
    if seed is not None and seed.rhythm:
        a = seed
    other = variation_rng or rng
    climax_moves = develop(make_motif(meter, spec, other, busier=0.1), "vary", other).steps
    fresh = make_motif(meter, spec, other, busier=-0.1)
    inverted = develop(a, "invert", other).steps
    bridge = make_motif(meter, spec, other, busier=-0.2)
    return {
        "A": a,
        "B": Motif(fresh.rhythm, inverted[: len(fresh.rhythm)] + fresh.steps[len(inverted):]),
        "climax": Motif(a.rhythm, (climax_moves + (0,) * len(a.rhythm))[: len(a.rhythm)]),
        "bridge": bridge,
    }


def fragment(m: Motif, meter: Meter, rng: np.random.Generator) -> Motif:
    """Fragmentation: the motif's head (what falls before the bar's second strong pulse),
    restated on each later pulse group a step further on, so the line presses forward."""
    bar = meter.bar_beats
    pulses = meter.pulses
    span = pulses[len(pulses) // 2] if len(pulses) > 1 and pulses[len(pulses) // 2] > 0 else bar / 2
    head = [(on, d) for on, d in m.rhythm if on < span - 1e-9]
    if not head or len(head) == len(m.rhythm):
        return develop(m, "vary", rng)
    head_steps = list(m.steps[: len(head)])
    shift = int(rng.choice([1, -1, 1, 2]))
    rhythm, steps = [], []
    k = 0
    while k * span < bar - 1e-9:
        for i, (on, d) in enumerate(head):
            t = k * span + on
            if t >= bar - 1e-9:
                break
            rhythm.append((t, min(d, bar - t)))
            if k == 0 or i > 0:
                steps.append(head_steps[i])
            else:  # from the previous group's last note to a start one step beyond its first
                steps.append(shift - sum(head_steps[1:]))
        k += 1
    return Motif(tuple(rhythm), tuple(steps))


def answer(m: Motif, bar: float) -> Motif:
    """The reply bar of a basic idea: the motif's opening up to the middle of the bar, then a
    held note to the bar's end (reached by a step against the opening's direction), so the
    reply rests where the idea ran on."""
    half = bar / 2 if bar >= 2 else bar
    head = [(on, d) for on, d in m.rhythm if on < half - 1e-9][:3] or [m.rhythm[0]]
    rhythm = [(on, min(d, half - on)) for on, d in head[:-1]]
    rhythm.append((head[-1][0], max(half, head[-1][0] + 0.25) - head[-1][0]))
    held = rhythm[-1][0] + rhythm[-1][1]
    if held < bar - 0.25:
        rhythm.append((held, bar - held))
    steps = list(m.steps[: len(rhythm)])
    while len(steps) < len(rhythm):
        steps.append(-1 if sum(steps) > 0 else 1)
    if tuple(rhythm) == m.rhythm and tuple(steps) == m.steps:  # the idea already rests: answer it in contrary motion
        steps[-1] = -steps[-1] if steps[-1] else (-1 if sum(steps) > 0 else 1)
    return Motif(tuple(rhythm), tuple(steps))
