"""The harmony of a piece: key and mode, a chord per beat, the harmonic rhythm, and the chords
as Roman numerals of the key.

The key comes from the key signature, else from the Krumhansl–Schmuckler estimate gekiban's
MIDI-seed reader already makes; the chords from its pitch-class template matcher
(:func:`gekiban.understand.midi_seed.name_chords`). Written here by hand, because music21's
chordify + roman analysis is two orders of magnitude slower and labels every passing sonority:
turning chords into Roman numerals in gekiban's own numeral syntax (:func:`gekiban.theory.parse_roman`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from gekiban.learn.read import Piece
from gekiban.score import Note
from gekiban.theory import MODES, Chord, Key
from gekiban.understand.midi_seed import estimate_key, name_chords

#: Modes a learned style may be in, by their third.
_MAJOR_MODES = ("major", "mixolydian", "lydian")
_MINOR_MODES = ("minor", "dorian", "phrygian")
#: How much more of the music (share of sounding time) another mode of the same third must
#: hold to be chosen over plain major or minor.
_MODE_MARGIN = 0.02
#: The time slot chord weights are gathered in (beats).
SLOT = 0.5
#: How much less of the sounding time a coarser chord unit may explain than a chord per pulse,
#: read from an accompaniment, and read from a melody alone (whose passing notes no chord holds).
_UNIT_TOLERANCE = 0.04
_MELODY_TOLERANCE = 0.08
#: Degree above the tonic → numeral on the major scale (as :func:`gekiban.theory.parse_roman` reads it).
_DEGREES = ("I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII")
#: Chord quality → (lower case?, numeral suffix).
_SUFFIXES = {
    "": (False, ""), "m": (True, ""), "7": (False, "7"), "m7": (True, "7"), "maj7": (False, "maj7"),
    "dim": (True, "°"), "dim7": (True, "°7"), "m7b5": (True, "ø7"), "aug": (False, "+"), "sus4": (False, "sus4"),
    "sus2": (False, "sus2"), "6": (False, "6"), "m6": (True, "6"), "mmaj7": (True, "maj7"), "7sus4": (False, "7sus4"),
    "9": (False, "9"), "m9": (True, "9"), "maj9": (False, "maj9"), "add9": (False, "add9"), "madd9": (True, "add9"),
    "5": (False, "5"),
}
#: Chord qualities that count as tension (dominant and diminished colours).
TENSE_QUALITIES = frozenset({"7", "dim", "dim7", "m7b5", "aug", "7sus4", "9"})


@dataclass(frozen=True, eq=False)
class Harmony:
    """A piece's key, the pitch-class weights of its accompaniment in every :data:`SLOT`
    (sounding time per pitch class, slots × 12) with the lowest pitch sounding, the unit its
    chords change by (beats) and its chord on every unit (None where nothing sounds)."""

    key: Key
    weights: np.ndarray
    lowest: tuple[int | None, ...]
    unit_beats: float
    chords: tuple[Chord | None, ...]


def key_of(piece: Piece, last_line: tuple[tuple[float, float, int, int], ...] = ()) -> Key:
    """The key signature's key, else the Krumhansl–Schmuckler estimate, but with the tonic moved to the
    bass note most phrases start on when the estimate's own tonic starts few of them (a vamp on
    Am7–D7 is in A dorian, though its notes fit D major's profile best), and then the third
    that sounds more above it; last, the mode of that third that fits the notes best.
    ``last_line`` is the line whose final note ends the piece (the bass, else the melody)."""
    notes = [Note(p, on, d, v) for line in piece.lines if not line.drum for on, d, p, v in line.notes]
    key = piece.key or estimate_key(notes)
    weights = [0.0] * 12
    for n in notes:
        weights[n.pitch % 12] += n.duration
    tonic = _phrase_start_tonic(piece, key.tonic, last_line)  # a key signature states accidentals, not the tonic
    if tonic != key.tonic:
        minor = weights[(tonic + 3) % 12] > weights[(tonic + 4) % 12]
        key = Key(tonic, "minor" if minor else "major")
    total = sum(weights) or 1.0

    def share(mode: str) -> float:
        return sum(weights[(key.tonic + i) % 12] for i in MODES[mode]) / total

    family = _MINOR_MODES if key.is_minor else _MAJOR_MODES
    plain = family[0]
    best = max(family, key=share)
    return Key(key.tonic, best if share(best) >= share(plain) + _MODE_MARGIN else plain)


def _phrase_start_tonic(piece: Piece, tonic: int, last_line: tuple[tuple[float, float, int, int], ...]) -> int:
    """The lowest pitch class sounding at most four-bar phrase starts and in the last bar (the
    first and the last bar twice), when it starts at least half of them, ``tonic`` under a
    quarter, and it is also the last note of ``last_line`` (a tune whose phrases open on the
    relative minor still ends on its tonic); else ``tonic``."""
    bar = piece.meter.bar_beats
    pitched = [n for line in piece.lines if not line.drum for n in line.notes]
    lows: Counter[int] = Counter()
    for b in sorted({*range(0, piece.bars, 4), piece.bars - 1}):
        t = b * bar
        sounding = [p for on, d, p, _ in pitched if on <= t + 1e-6 < on + d]
        if sounding:
            lows[min(sounding) % 12] += 2 if b in (0, piece.bars - 1) else 1  # the first and last bars count twice
    starts = sum(lows.values())
    if starts < 3 or not pitched:
        return tonic
    line = last_line or tuple(sorted(pitched))
    final = min(n[2] for n in line if n[0] == line[-1][0]) % 12
    pc, count = lows.most_common(1)[0]
    return pc if count >= 0.5 * starts and lows[tonic] < 0.25 * starts and pc == final else tonic


def harmony_of(piece: Piece, key: Key, lead: tuple[tuple[float, float, int, int], ...] = ()) -> Harmony:
    """The chords of a piece, read from its accompaniment (every pitched line but the lead,
    whose passing notes would blur them, when the others hold a quarter of the notes; else
    from all), at the coarsest unit that explains the notes nearly as well as a chord per beat
    does (so a vamp of a chord a bar is read a bar at a time, a chorale a beat at a time)."""
    lines = [line for line in piece.lines if not line.drum]
    every = sorted((on, d, p) for line in lines for on, d, p, _ in line.notes)
    lead_set = set(lead)
    backing = [(on, d, p) for line in lines for on, d, p, v in line.notes if (on, d, p, v) not in lead_set]
    alone = len(backing) < 0.25 * len(every)  # a melody alone (a fiddle tune): its chords are implied
    notes = every if alone else sorted(backing)
    slots = max(1, int(round(piece.bars * piece.meter.bar_beats / SLOT)))
    weights = np.zeros((slots, 12))
    lowest: list[int | None] = [None] * slots
    for on, d, p in notes:
        for k in range(int(on / SLOT + 1e-6), min(slots, int((on + d) / SLOT - 1e-6) + 1)):
            overlap = min(on + d, (k + 1) * SLOT) - max(on, k * SLOT)
            if overlap > 0:
                weights[k, p % 12] += overlap
                lowest[k] = p if lowest[k] is None or p < lowest[k] else lowest[k]
    bar = piece.meter.bar_beats
    pulse = 1.5 if piece.meter.compound else 1.0
    longest = bar if alone else 2 * bar  # a melody alone cannot tell a two-bar harmony from one a bar
    units = sorted({u for u in (pulse, 2 * pulse, bar / 2, bar, 2 * bar) if pulse <= u <= longest and (u / SLOT).is_integer()})
    fits = {u: _fit(weights, lowest, int(u / SLOT)) for u in units}
    tolerance = _MELODY_TOLERANCE if alone else _UNIT_TOLERANCE
    unit = max(u for u in units if fits[u] >= fits[units[0]] - tolerance)
    return Harmony(key=key, weights=weights, lowest=tuple(lowest), unit_beats=unit,
                   chords=tuple(_chords(weights, lowest, int(unit / SLOT))))


def _chords(weights: np.ndarray, lowest: list[int | None] | tuple[int | None, ...], step: int) -> list[Chord | None]:
    starts = range(0, len(weights), step)
    sums = np.array([weights[k:k + step].sum(axis=0) for k in starts]).reshape(-1, 12)
    basses = [min(lows) % 12 if (lows := [x for x in lowest[k:k + step] if x is not None]) else None for k in starts]
    return name_chords(sums, basses)


def _fit(weights: np.ndarray, lowest: list[int | None], step: int) -> float:
    """The share of sounding time that lies in the chord named per ``step`` slots."""
    inside = total = 0.0
    for start, chord in zip(range(0, len(weights), step), _chords(weights, lowest, step)):
        w = weights[start:start + step].sum(axis=0)
        total += w.sum()
        if chord is not None:
            inside += sum(w[p] for p in chord.pitch_classes)
    return inside / total if total else 0.0


def roman(chord: Chord, key: Key) -> str:
    """The chord as a Roman numeral of ``key`` (degrees on the tonic's major scale)."""
    lower, suffix = _SUFFIXES.get(chord.quality, (False, ""))
    degree = _DEGREES[(chord.root - key.tonic) % 12]
    accidental = degree[0] if degree[0] in "b#" else ""
    numeral = degree[len(accidental):]
    return accidental + (numeral.lower() if lower else numeral) + suffix


def chords_per_unit(harmony: Harmony, unit_beats: float) -> list[Chord | None]:
    """One chord per ``unit_beats`` (rounded to whole half beats, at least one)."""
    if abs(unit_beats - harmony.unit_beats) < 1e-9:
        return list(harmony.chords)
    return _chords(harmony.weights, harmony.lowest, max(1, int(round(unit_beats / SLOT))))


def ending_of(harmony: Harmony) -> str:
    """How the piece ends: the final chord and the one before it, as a style ending word."""
    chords = [c for c in harmony.chords if c is not None]
    merged = [c for i, c in enumerate(chords) if i == 0 or c != chords[i - 1]]
    if not merged:
        return "tonic"
    key = harmony.key
    last = merged[-1]
    if last.root != key.tonic:
        return "open"
    if key.is_minor and last.quality in ("", "maj7", "6"):
        return "picardy"
    before = merged[-2].root if len(merged) >= 2 else None
    if before is not None and (before - key.tonic) % 12 == 7:
        return "authentic"
    if before is not None and (before - key.tonic) % 12 == 5:
        return "plagal"
    return "tonic"
