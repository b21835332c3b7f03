"""Finding a motif in a piece: transposition- and tempo-invariant matching of intervals and
rhythm ratios, with tolerance.

Every melodic part is read as its top line (the highest note at each onset). A window of as
many notes as the motif matches when

* every interval has the motif's direction and is within :data:`INTERVAL_TOLERANCE` semitones
  of the motif's, and the intervals differ by at most :data:`TOTAL_TOLERANCE` of the interval
  count in all; the motif's intervals are compared as written and as re-stated in each mode
  of its key (a major theme turned minor moves its thirds and sixths by a semitone), so a
  change of mode is the same theme;
* its inter-onset intervals are those of the motif times one factor (augmentation,
  diminution or another tempo) within :data:`RHYTHM_TOLERANCE` octaves each, the factor
  within 1/6 to 6.

The last note's length is not compared (a phrase's last note is held as the music needs).
Written by hand: symbolic-melody libraries (music21's search, MusPy) match exact intervals or
exact rhythms only.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gekiban.composer.leitmotif import realise, theme_of
from gekiban.errors import InvalidOptionError
from gekiban.evaluate.load import load_target
from gekiban.score import Score
from gekiban.theory import MODES

INTERVAL_TOLERANCE = 1
TOTAL_TOLERANCE = 0.5
RHYTHM_TOLERANCE = 0.35
_FACTORS = (1 / 6, 6.0)

NoteTuple = tuple[float, float, int]


@dataclass(frozen=True)
class MotifMatch:
    """Where a motif was found: the part, the beat and bar of its first note, the tempo factor
    of the statement (2 = augmented to twice as long) and the semitones off in all."""

    part: str
    beat: float
    bar: int
    factor: float
    semitones_off: int


@dataclass(frozen=True)
class MotifReport:
    """The search of one piece: its label and every match (empty: not found)."""

    label: str
    matches: tuple[MotifMatch, ...]

    @property
    def found(self) -> bool:
        return bool(self.matches)

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "found": self.found,
                "matches": [{"part": m.part, "beat": round(m.beat, 3), "bar": m.bar, "factor": round(m.factor, 3),
                             "semitones_off": m.semitones_off} for m in self.matches]}


def _top_line(notes: Sequence[tuple[float, int]]) -> list[tuple[float, int]]:
    by_onset: dict[float, int] = {}
    for on, p in notes:
        k = round(on, 2)
        by_onset[k] = max(p, by_onset.get(k, -1))
    return sorted(by_onset.items())


def unswing(line: list[tuple[float, int]], unit: float) -> list[tuple[float, int]]:
    """The line with swung off-beats of the ``unit`` grid put back on it (0.5: eighths): an
    onset late in a ``2 × unit`` cell, with nothing earlier in the cell but its first pulse, is
    moved to the cell's middle (a triplet, whose second third is taken, stays)."""
    cell = 2 * unit
    starts = [t for t, _ in line]
    out = []
    for t, p in line:
        c = math.floor(t / cell + 1e-6) * cell
        r = t - c
        if unit * 1.08 < r < cell * 0.72 and not any(c + 0.05 * unit < u < c + unit * 0.95 for u in starts):
            t = c + unit
        out.append((t, p))
    return out


def motif_shapes(notes: Sequence[NoteTuple]) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """The interval sequences the motif is recognised by (as written, then in each mode of its
    key) and its inter-onset intervals.

    Raises
    ------
    InvalidOptionError
        For fewer than 3 notes (two notes are one interval: anything matches).
    """
    line = _top_line([(on, p) for on, _, p in notes])
    if len(line) < 3:
        raise InvalidOptionError(f"a motif to find needs at least 3 notes at different onsets, not {len(line)}")
    pitches = [p for _, p in line]
    shapes = [tuple(int(b - a) for a, b in zip(pitches, pitches[1:]))]
    theme = theme_of(tuple((on, 1.0, p) for on, p in line))
    for scale in MODES.values():
        ps = realise(theme, scale=scale, tonic=60)
        shape = tuple(int(b - a) for a, b in zip(ps, ps[1:]))
        if shape not in shapes:
            shapes.append(shape)
    onsets = np.array([on for on, _ in line])
    return shapes, np.diff(onsets)


def find_motif(score: Score, notes: Sequence[NoteTuple], *, parts: Sequence[str] | None = None) -> tuple[MotifMatch, ...]:
    """Every statement of the motif ``notes`` in ``score``'s melodic parts (one match per
    part and onset).

    Parameters
    ----------
    score
        The piece.
    notes
        The motif as (onset beats, length beats, MIDI pitch).
    parts
        Part names (``role-instrument``) or roles to search; default every melodic part.
    """
    shapes, iois = motif_shapes(notes)
    n = len(iois) + 1
    budget = max(1, int(TOTAL_TOLERANCE * (n - 1)))
    arrays = [np.array(s) for s in shapes]
    signs = [np.sign(a) for a in arrays]
    out: list[MotifMatch] = []
    for part in score.parts:
        if part.is_drum or (parts is not None and part.name not in parts and part.role not in parts):
            continue
        line = _top_line([(x.start, x.pitch) for x in part.notes])
        if len(line) < n:
            continue
        seen: set[float] = set()
        for candidate in (line, unswing(line, 0.5), unswing(line, 0.25)):  # as played, and swing taken out
            for match in _matches(part.name, candidate, arrays, signs, iois, budget, score.meter.bar_beats):
                if round(match.beat, 2) not in seen:
                    seen.add(round(match.beat, 2))
                    out.append(match)
    return tuple(sorted(out, key=lambda m: (m.part, m.beat)))


def _matches(name: str, line: list[tuple[float, int]], arrays: list[np.ndarray], signs: list[np.ndarray],
             iois: np.ndarray, budget: int, bar: float) -> list[MotifMatch]:
    """The windows of ``line`` that match (see the module's rules)."""
    n = len(iois) + 1
    out: list[MotifMatch] = []
    on = np.array([t for t, _ in line])
    pitch = np.array([p for _, p in line])
    ivs = np.diff(pitch)
    gaps = np.diff(on)
    for i in range(len(line) - n + 1):
        window = ivs[i:i + n - 1]
        best = None
        for shape, sign in zip(arrays, signs):
            if np.array_equal(np.sign(window), sign):
                diff = np.abs(window - shape)
                if diff.max() <= INTERVAL_TOLERANCE and diff.sum() <= budget:
                    best = int(diff.sum()) if best is None else min(best, int(diff.sum()))
        if best is None:
            continue
        ratio = gaps[i:i + n - 1] / iois
        if np.any(ratio <= 0):
            continue
        factor = float(np.exp(np.median(np.log(ratio))))
        if not _FACTORS[0] <= factor <= _FACTORS[1]:
            continue
        if np.max(np.abs(np.log2(ratio / factor))) > RHYTHM_TOLERANCE:
            continue
        out.append(MotifMatch(name, float(on[i]), int(on[i] // bar) + 1, factor, best))
    return out


def find_in_paths(paths: Sequence[str | os.PathLike[str]], notes: Sequence[NoteTuple]) -> tuple[MotifReport, ...]:
    """Load every bundle or MIDI file first (a bad path fails before any work), then search.

    Raises
    ------
    InvalidOptionError, MidiError
        For no paths, a missing path, a folder that is not a bundle, a malformed file, or a
        motif of fewer than 3 notes.
    """
    if not paths:
        raise InvalidOptionError("nothing to search: give bundle folders (holding score.mid) or MIDI files")
    motif_shapes(notes)
    targets = [load_target(p) for p in paths]
    return tuple(MotifReport(t.label, find_motif(t.score, notes)) for t in targets)


def format_reports(reports: Sequence[MotifReport], name: str) -> list[str]:
    """One line per piece (found where, or not found) and the share found."""
    lines = []
    for r in reports:
        if r.found:
            first = r.matches[0]
            where = f"bar {first.bar} in {first.part} (×{first.factor:.2g} time" + \
                    (f", {first.semitones_off} semitone{'s' if first.semitones_off != 1 else ''} off)" if first.semitones_off else ")")
            lines.append(f"{r.label}: found {len(r.matches)}× — first at {where}")
        else:
            lines.append(f"{r.label}: not found")
    found = sum(r.found for r in reports)
    share = f"{100 * found / len(reports):.0f} %" if reports else "—"
    lines.append(f"motif {name}: found in {found} of {len(reports)} ({share})")
    return lines


def found_rate(reports: Sequence[MotifReport]) -> float:
    """Share of pieces the motif was found in (NaN for none)."""
    return sum(r.found for r in reports) / len(reports) if reports else math.nan
