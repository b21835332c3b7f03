"""A melody and chord seed from a MIDI file (``--from-midi FILE``).

For a file gekiban wrote, the lead part is the melody and the recorded chord timeline the
chords. For any other file the melody is the highest-sounding track that plays mostly one
note at a time, and a track that plays three or more notes together gives the chords, read
bar by bar (half bars when the harmony moves faster). The motif is the melody's first one or
two bars: (onset in beats from the bar start, length in beats, MIDI pitch).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING

from gekiban.errors import MidiError
from gekiban.theory import CHORD_INTERVALS, NOTE_NAMES, Chord, Key, Meter

if TYPE_CHECKING:  # pragma: no cover
    from gekiban.score import Note, Part, Score

MOTIF_BARS = 2
MAX_SEED_CHORDS = 8
# Chord shapes tried when naming the notes of a bar (simplest first: ties go to triads).
_SHAPES = ("", "m", "7", "m7", "maj7", "dim", "sus4", "m7b5", "aug", "sus2", "6", "m6")
# Krumhansl–Kessler key profiles (major, minor), for files without a key signature.
_MAJOR_PROFILE = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
_MINOR_PROFILE = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


@dataclass(frozen=True)
class Seed:
    """What a MIDI file gives the brief."""

    motif: tuple[tuple[float, float, int], ...]
    chords: tuple[str, ...]
    key: Key
    key_stated: bool  # the file has a key signature (else the key was estimated from its notes)
    meter: Meter
    melody_track: str
    chord_track: str
    path: str


def monophony(spans: Iterable[tuple[float, float]]) -> float:
    """Share of notes, given as ``(start, end)``, that start after the previous one has
    (nearly) ended."""
    ordered = sorted(spans, key=lambda s: s[0])
    if len(ordered) < 2:
        return 1.0
    ok = sum(1 for a, b in pairwise(ordered) if b[0] >= a[1] - 0.1 and b[0] > a[0] + 1e-6)
    return ok / (len(ordered) - 1)


def _max_stack(notes: tuple[Note, ...]) -> int:
    starts: dict[float, int] = {}
    for n in notes:
        starts[round(n.start, 2)] = starts.get(round(n.start, 2), 0) + 1
    return max(starts.values(), default=0)


def pick_melody(score: Score) -> Part | None:
    """The melody part: gekiban's lead, else the highest track that is mostly monophonic."""
    melodic = [p for p in score.parts if not p.is_drum and p.notes]
    lead = next((p for p in melodic if p.role.startswith("lead")), None)
    if lead is not None:
        return lead
    candidates = [p for p in melodic if monophony((n.start, n.end) for n in p.notes) >= 0.7] or melodic
    if not candidates:
        return None
    return max(candidates, key=lambda p: (sum(n.pitch for n in p.notes) / len(p.notes), len(p.notes)))


def pick_chord_part(score: Score, melody: Part | None) -> Part | None:
    """A part that plays chords (three or more notes at once), the one that does it most."""
    best, best_stack = None, 2
    for p in score.parts:
        if p.is_drum or p is melody or not p.notes:
            continue
        stack = _max_stack(p.notes)
        if stack > best_stack or (stack == best_stack and best is not None and len(p.notes) > len(best.notes)):
            best, best_stack = p, stack
    return best


def motif_of(notes: tuple[Note, ...], meter: Meter, bars: int = MOTIF_BARS) -> tuple[tuple[float, float, int], ...]:
    """The first ``bars`` bars of a line from the bar of its first note; chords keep their top note."""
    if not notes:
        return ()
    bar = meter.bar_beats
    first = min(n.start for n in notes)
    bar0 = (first // bar) * bar
    by_onset: dict[float, Note] = {}
    for n in notes:
        if n.start - bar0 < bars * bar - 1e-9:
            k = round(n.start, 4)
            if k not in by_onset or n.pitch > by_onset[k].pitch:
                by_onset[k] = n
    out = []
    for k in sorted(by_onset):
        n = by_onset[k]
        on = round(n.start - bar0, 4)
        out.append((on, round(min(n.duration, bars * bar - on), 4), int(n.pitch)))
    return tuple(out)


def name_chord(weights: list[float], bass: int | None) -> Chord | None:
    """The chord that best explains pitch-class weights (bass note preferred as root)."""
    return name_chords([weights], [bass])[0]


@cache
def _templates() -> tuple:  # noqa: ANN202 - (templates, roots, shape index): numpy arrays
    import numpy as np

    rows = [(root, k) for root in range(12) for k in range(len(_SHAPES))]
    templates = np.zeros((len(rows), 12))
    for i, (root, k) in enumerate(rows):
        templates[i, [(root + iv) % 12 for iv in CHORD_INTERVALS[_SHAPES[k]]]] = 1.0
    return templates, np.array([r for r, _ in rows]), np.array([k for _, k in rows], dtype=float)


def name_chords(weights, basses: list[int | None]) -> list[Chord | None]:  # noqa: ANN001 - rows × 12 weights
    """:func:`name_chord` for many windows at once (numpy, one matrix product): every root and
    shape scored by the weight inside the chord, minus 1.5 × the weight outside, minus a penalty
    per chord tone that does not sound, plus a bonus when the root is the bass; ties go to the
    lower root and the simpler shape. A window with no weight has no chord."""
    import numpy as np

    w = np.asarray(weights, dtype=float).reshape(-1, 12)
    templates, roots, shapes = _templates()
    total = w.sum(axis=1, keepdims=True)
    inside = w @ templates.T
    missing = (w <= 0).astype(float) @ templates.T
    bass = np.array([-1 if b is None else b for b in basses])[:, None]
    score = inside - 1.5 * (total - inside) - 0.6 * missing * total / 4 - 0.02 * shapes + 0.15 * total * (roots == bass)
    best = np.argmax(score, axis=1)
    return [Chord(int(roots[i]), _SHAPES[int(shapes[i])]) if t > 0 else None for i, t in zip(best, total[:, 0])]


def chords_of(notes: tuple[Note, ...], meter: Meter, max_chords: int = MAX_SEED_CHORDS) -> tuple[str, ...]:
    """Chord symbols of a chord part, one per bar (or half bar when that is where they
    change), repeats merged, at most ``max_chords``; a repeated 4-chord cycle is given once."""
    if not notes:
        return ()
    bar = meter.bar_beats
    first = min(n.start for n in notes)
    start = (first // bar) * bar
    end = max(n.end for n in notes)

    def read(unit: float) -> list[str]:
        out: list[str] = []
        t = start
        while t < end - 1e-9 and len(out) < max_chords * 2:
            w = [0.0] * 12
            lowest = None
            for n in notes:
                overlap = min(n.end, t + unit) - max(n.start, t)
                if overlap > 0:
                    w[n.pitch % 12] += overlap
                    lowest = n.pitch if lowest is None or n.pitch < lowest else lowest
            c = name_chord(w, None if lowest is None else lowest % 12)
            if c is not None:
                out.append(c.symbol)
            t += unit
        return out

    per_bar = read(bar)
    per_half = read(bar / 2) if meter.numerator % 2 == 0 else per_bar
    seq = per_half if len(set(per_half[::2])) < len(set(per_half)) else per_bar
    merged: list[str] = []
    for s in seq:
        if not merged or merged[-1] != s:
            merged.append(s)
    for period in (2, 4):  # a cycle heard twice is given once: C G Am F C G Am F → C G Am F
        if len(merged) >= 2 * period and merged[:period] == merged[period:2 * period]:
            merged = merged[:period]
            break
    return tuple(merged[:max_chords])


def estimate_key(notes: list[Note]) -> Key:
    """Krumhansl–Schmuckler key estimate (duration-weighted pitch classes vs key profiles)."""
    import numpy as np

    hist = np.zeros(12)
    for n in notes:
        hist[n.pitch % 12] += n.duration
    if not hist.any():
        return Key(0, "major")
    best, best_r = Key(0, "major"), -2.0
    for tonic in range(12):
        for mode, prof in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            r = float(np.corrcoef(hist, np.roll(prof, tonic))[0, 1])
            if r > best_r:
                best, best_r = Key(tonic, mode), r
    return best


def _has_key_signature(path: str) -> bool:
    import mido

    try:
        mid = mido.MidiFile(path)
    except (OSError, EOFError, ValueError, KeyError, TypeError):  # read_midi reports unreadable files
        return False
    return any(msg.type == "key_signature" for track in mid.tracks for msg in track)


def read_seed(path: str | os.PathLike[str]) -> Seed:
    """Read the melody and chord seed of a MIDI file.

    Raises
    ------
    MidiError
        If the file cannot be read or holds no melodic notes; the message names the file.
    """
    from gekiban.midi import read_midi

    where = os.fspath(path)
    score = read_midi(where)
    melody = pick_melody(score)
    if melody is None:
        raise MidiError(f"MIDI seed {where!r} has no melodic notes (only drums or nothing): give a file with a melody or chords")
    meter = score.meter
    chord_part = pick_chord_part(score, melody)
    if score.chords:
        symbols: list[str] = []
        for c in score.chords:
            if not symbols or symbols[-1] != c.chord.symbol:
                symbols.append(c.chord.symbol)
        for period in (2, 4, 8):
            if len(symbols) >= 2 * period and symbols[:period] == symbols[period:2 * period]:
                symbols = symbols[:period]
                break
        chords = tuple(symbols[:MAX_SEED_CHORDS])
        chord_name = "gekiban chord timeline"
    elif chord_part is not None:
        chords = chords_of(chord_part.notes, meter)
        chord_name = chord_part.name
    else:
        chords, chord_name = (), ""
    stated = bool(score.chords) or _has_key_signature(where)
    key = score.key if stated else estimate_key([n for p in score.parts if not p.is_drum for n in p.notes])
    only_melody = melody if len(melody.notes) else None
    motif = motif_of(only_melody.notes if only_melody else (), meter)
    return Seed(motif=motif, chords=chords, key=key, key_stated=stated, meter=meter,
                melody_track=melody.name, chord_track=chord_name, path=where)


def describe(seed: Seed) -> str:
    """One line for the evidence."""
    notes = " ".join(f"{NOTE_NAMES[p % 12]}{p // 12 - 1}" for _, _, p in seed.motif[:8])
    return (f"MIDI seed {seed.path!r}: melody from track {seed.melody_track!r} ({len(seed.motif)} notes: {notes}"
            f"{' …' if len(seed.motif) > 8 else ''})"
            + (f", chords {' '.join(seed.chords)} from {seed.chord_track!r}" if seed.chords else ", no chord track"))
