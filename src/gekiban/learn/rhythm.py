"""The rhythm of a piece: the lead's rhythm cells and scale-step moves, drum grooves on a step
grid, the onset grid of an accompanying line (to find the catalogue figure it plays), swing,
and phrase and section lengths.

Written by hand: these are counts over a bar grid that no MIDI library offers (pretty_midi and
music21 give notes and beats, not a style's cells or a drum pattern as step strings).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from gekiban.styles.schema import MAX_MOVE, Figure
from gekiban.theory import Key, Meter

NoteT = tuple[float, float, int, int]
#: Steps per beat of the onset grids (sixteenths).
STEPS_PER_BEAT = 4
#: A gap before the next note up to which a note counts as held to it (beats).
_LEGATO_GAP = 0.25
#: Drum keys a learned groove may use (the General MIDI drum map).
DRUM_KEYS = range(27, 88)


def pulse_span(meter: Meter) -> float:
    """Beats per pulse: a quarter in simple meters, a dotted quarter in compound ones."""
    return 1.5 if meter.compound else 1.0


def cell_text(cell: tuple[tuple[float, float], ...]) -> str:
    """A cell as a style file writes it: ``"0:0.5 0.5:0.5"`` ("" is a rest)."""
    return " ".join(f"{o:g}:{d:g}" for o, d in cell)


def lead_cells(notes: tuple[NoteT, ...], meter: Meter) -> Counter[str]:
    """How often each one-pulse rhythm cell occurs in a line: the notes starting in a pulse,
    each held until its end, or until the next onset when it ends at most a sixteenth before
    it (at most 4 beats); a pulse a held note covers is
    skipped, an empty one counts as a rest ("")."""
    span = pulse_span(meter)
    onsets = [n[0] for n in notes]
    out: Counter[str] = Counter()
    if not notes:
        return out
    end = notes[-1][0] + notes[-1][1]
    covered = 0.0
    i = 0
    pulse = 0.0
    while pulse < end - 1e-9:
        if pulse < covered - 1e-9:
            pulse += span
            continue
        cell = []
        while i < len(notes) and notes[i][0] < pulse + span - 1e-9:
            on, d = notes[i][0], notes[i][1]
            nxt = onsets[i + 1] if i + 1 < len(onsets) else on + d
            if on >= pulse - 1e-9:
                # a note released shortly before the next one is heard as lasting up to it
                held = nxt - on if 0 < nxt - (on + d) <= _LEGATO_GAP else min(d, max(nxt - on, 1 / 12))
                length = round(min(held, 4.0 - (on - pulse)), 4)
                cell.append((round(on - pulse, 4), max(length, 1 / 12)))
            i += 1
        text = cell_text(tuple(cell))
        out[text] += 1
        reach = max((o + d for o, d in cell), default=span)
        covered = pulse + span * max(1, int(np.ceil(reach / span - 1e-6)))
        pulse += span
    return out


def scale_moves(notes: tuple[NoteT, ...], key: Key) -> np.ndarray:
    """Counts of the line's moves in scale steps of ``key``, from -MAX_MOVE to +MAX_MOVE
    (wider moves counted at the ends)."""
    ladder = np.array([p for p in range(128) if p % 12 in key.scale])
    degrees = [int(np.argmin(np.abs(ladder - n[2]))) for n in notes]
    counts = np.zeros(2 * MAX_MOVE + 1)
    for a, b in zip(degrees, degrees[1:]):
        counts[int(np.clip(b - a, -MAX_MOVE, MAX_MOVE)) + MAX_MOVE] += 1
    return counts


def onset_grid(notes: tuple[NoteT, ...], meter: Meter) -> np.ndarray:
    """For each sixteenth of the bar, the share of the line's bars (those it plays in) with an
    onset there."""
    steps = int(round(meter.bar_beats * STEPS_PER_BEAT))
    bars: dict[int, set[int]] = {}
    for on, _, _, _ in notes:
        bar = int(on // meter.bar_beats)
        bars.setdefault(bar, set()).add(int(round((on - bar * meter.bar_beats) * STEPS_PER_BEAT)) % steps)
    grid = np.zeros(steps)
    for hits in bars.values():
        grid[list(hits)] += 1
    return grid / max(1, len(bars))


def figure_grid(fig: Figure, meter: Meter, chord_beats: float) -> np.ndarray:
    """The onsets a catalogue figure plays in one bar, on the sixteenth grid (a ``chord`` step
    strikes at each chord change, every ``chord_beats``)."""
    steps = int(round(meter.bar_beats * STEPS_PER_BEAT))
    bar = meter.bar_beats
    step = {"beat": pulse_span(meter), "half": bar / 2 if bar >= 4 else bar, "bar": bar,
            "chord": max(chord_beats, 1.0)}.get(fig.step, fig.step) if isinstance(fig.step, str) else float(fig.step)
    grid = np.zeros(steps)
    k = 0
    while k * step < bar - 1e-9:
        token = fig.tones[0] if fig.step == "chord" else fig.tones[k % len(fig.tones)]
        if token not in (".", "-"):
            grid[int(round(k * step * STEPS_PER_BEAT)) % steps] = 1.0
        k += 1
    return grid


def nearest_figure(grid: np.ndarray, figures: dict[str, Figure], meter: Meter, chord_beats: float) -> str:
    """The catalogue figure whose onsets lie closest to a line's onset grid (mean absolute
    difference; ties to the first in the catalogue). Pedal figures are left out: a pedal is a
    device of tense sections, which the onsets alone cannot tell from a line on the roots."""
    plain = [name for name, fig in figures.items() if "P" not in fig.tones]
    return min(plain, key=lambda name: float(np.abs(grid - figure_grid(figures[name], meter, chord_beats)).mean()))


def drum_lanes(notes: tuple[NoteT, ...], meter: Meter, *, max_lanes: int = 8) -> dict[int, str]:
    """A one-bar groove from drum notes: per drum key, a step string over the sixteenth grid,
    ``X`` where the key strikes in at least half the bars loudly (velocity ≥ 100), ``x`` where
    it strikes in at least half, ``g`` (ghost) where in a quarter to a half; the keys struck
    most, at most ``max_lanes``."""
    steps = int(round(meter.bar_beats * STEPS_PER_BEAT))
    bars = {int(on // meter.bar_beats) for on, _, _, _ in notes}
    if not bars:
        return {}
    hits: dict[int, np.ndarray] = {}
    loud: dict[int, np.ndarray] = {}
    for on, _, key, vel in notes:
        if key not in DRUM_KEYS:
            continue
        bar = int(on // meter.bar_beats)
        step = int(round((on - bar * meter.bar_beats) * STEPS_PER_BEAT)) % steps
        hits.setdefault(key, np.zeros(steps))[step] += 1
        loud.setdefault(key, np.zeros(steps))[step] += vel >= 100
    lanes: dict[int, str] = {}
    for key in sorted(hits, key=lambda k: -hits[k].sum())[:max_lanes]:
        share = hits[key] / len(bars)
        text = "".join("X" if s >= 0.5 and loud[key][i] >= 0.5 * hits[key][i] else "x" if s >= 0.5 else
                       "g" if s >= 0.25 else "." for i, s in enumerate(share))
        if text.strip("."):
            lanes[key] = text
    return lanes


def bass_tokens(notes: tuple[NoteT, ...], roots: list[int | None], unit_beats: float, meter: Meter) -> list[Counter[str]]:
    """How a bass line plays each step of the bar (sixteenths; eighths in compound meters), in
    the words of a figure's ``tones`` (``data/figures.toml``): per step, how often the line
    strikes the chord's root (``b``), its octave (``8``), fifth (``5``, ``12`` an octave up,
    ``-5`` below), third (``3``, ``10``) or seventh (``7``), holds (``-``) or rests (``.``).
    ``roots`` are the chord roots per ``unit_beats`` (None where no chord sounds)."""
    step = 0.5 if meter.compound else 0.25
    steps = int(round(meter.bar_beats / step))
    bars: dict[int, list[NoteT]] = {}
    for n in notes:
        bars.setdefault(int(n[0] // meter.bar_beats), []).append(n)
    counts = [Counter() for _ in range(steps)]
    for b, in_bar in bars.items():
        tokens = ["."] * steps
        low = min(n[2] for n in in_bar)
        for on, d, pitch, _ in in_bar:
            k = int(round((on - b * meter.bar_beats) / step))
            if not 0 <= k < steps:
                continue
            unit = int(on // unit_beats)
            root = roots[unit] if unit < len(roots) and roots[unit] is not None else low % 12
            root_low = min((n[2] for n in in_bar if n[2] % 12 == root), default=low)
            tokens[k] = _bass_token((pitch - root) % 12, pitch - low, pitch < root_low)
            for j in range(k + 1, min(steps, k + int(round(d / step)))):
                if tokens[j] == ".":
                    tokens[j] = "-"
        for j, token in enumerate(tokens):
            counts[j][token] += 1
    return counts


def _bass_token(interval: int, above_lowest: int, below_root: bool) -> str:
    """A figure word for a bass note ``interval`` semitones above the chord root (a passing
    note counts as the chord tone below it), ``above_lowest`` above the bar's lowest note and
    ``below_root`` when it lies under the bar's lowest root."""
    up = above_lowest >= 12
    if interval >= 9:
        return "7"
    if interval >= 6:
        return "-5" if below_root else "12" if up else "5"
    if interval >= 3:
        return "10" if up else "3"
    return "8" if up else "b"


def swing_of(notes: list[NoteT], meter: Meter) -> float:
    """The swing ratio of off-beat eighths (0.5 straight, 2/3 triplet swing); compound meters
    are not swung."""
    if meter.compound:
        return 0.5
    late = [on % 1.0 for on, _, _, _ in notes if 0.45 <= on % 1.0 <= 0.7]
    if len(late) < 8:
        return 0.5
    swung = [x for x in late if x >= 0.55]
    return round(float(np.clip(np.mean(swung), 0.5, 0.75)), 3) if len(swung) >= 0.6 * len(late) else 0.5


def phrase_bars(notes: tuple[NoteT, ...], meter: Meter) -> int:
    """The typical phrase of a line in bars (1, 2, 4 or 8): the span between breaths, a
    breath being a rest of at least a beat or a note of at least two beats and three times
    the line's median length."""
    if len(notes) < 4:
        return 4
    median = float(np.median([n[1] for n in notes]))
    starts = [notes[0][0]]
    for a, b in zip(notes, notes[1:]):
        rest = b[0] - (a[0] + a[1])
        if rest >= 1.0 or (a[1] >= max(2.0, 3 * median)):
            starts.append(b[0])
    spans = np.diff(starts) / meter.bar_beats
    if not len(spans):
        return 4
    typical = float(np.median(spans))
    return int(min((1, 2, 4, 8), key=lambda b: abs(np.log2(b) - np.log2(max(typical, 0.5)))))


def section_bars(notes: tuple[NoteT, ...], meter: Meter, bars: int) -> int:
    """The bars after which the line repeats itself most (4, 8 or 16: an AABB tune's 8), or 0
    when nothing repeats (a bar's notes match their own a lag later in under 30 % of bars)."""
    content: dict[int, set[tuple[float, int]]] = {}
    for on, _, p, _ in notes:
        bar = int(on // meter.bar_beats)
        content.setdefault(bar, set()).add((round(on - bar * meter.bar_beats, 2), p))
    best, best_score = 0, 0.3
    for lag in (4, 8, 16):
        if bars < 2 * lag:
            continue
        scores = []
        for b in range(bars - lag):
            x, y = content.get(b, set()), content.get(b + lag, set())
            if x or y:
                scores.append(len(x & y) / len(x | y))
        score = float(np.mean(scores)) if scores else 0.0
        if score > best_score + 0.05:
            best, best_score = lag, score
    return best
