"""Key changes of a Score: every pitched note and chord moved by the interval between the tonics
(the shortest way), and, when the mode changes too, each scale degree mapped to the same degree of
the new mode."""

from __future__ import annotations

from dataclasses import replace

from gekiban.errors import InvalidOptionError
from gekiban.instruments import Instrument, get_instrument
from gekiban.score import Part, Score
from gekiban.theory import CHORD_INTERVALS, MODES, Chord, Key


def transpose_interval(old_tonic: int, new_tonic: int) -> int:
    """Semitones from one tonic to another, the shortest way: −6 to +5."""
    d = (new_tonic - old_tonic) % 12
    return d - 12 if d >= 6 else d


def degree_map(old_mode: str, new_mode: str) -> tuple[int, ...]:
    """For each of the 12 semitones above the tonic in ``old_mode``, its counterpart above the
    tonic in ``new_mode``: scale degrees map to the same degree, other notes keep their
    alteration from the degree below (values may reach 12)."""
    old, new = MODES[old_mode], MODES[new_mode]
    out = []
    for r in range(12):
        d = max(k for k in range(7) if old[k] <= r)
        out.append(new[d] + (r - old[d]))
    return tuple(out)


def _move(pitch: int, old: Key, shift: int, table: tuple[int, ...]) -> int:
    r = (pitch - old.tonic) % 12
    return pitch + shift + (table[r] - r)


def _move_pc(pc: int, old: Key, shift: int, table: tuple[int, ...]) -> int:
    return _move(pc, old, shift, table) % 12


def _move_chord(chord: Chord, old: Key, shift: int, table: tuple[int, ...]) -> Chord:
    root = _move_pc(chord.root, old, shift, table)
    bass = None if chord.bass is None else _move_pc(chord.bass, old, shift, table)
    quality = chord.quality
    if any(v != r for r, v in enumerate(table)):  # the mode changes: find the quality of the moved tones
        moved = {(_move_pc(pc, old, shift, table) - root) % 12 for pc in chord.pitch_classes}
        for q, intervals in CHORD_INTERVALS.items():
            if {i % 12 for i in intervals} == moved and len(intervals) == len(chord.intervals):
                quality = q
                break
    return Chord(root, quality, bass)


#: The range of a part whose instrument is not in the registry (a track of a foreign MIDI file).
_ANY = Instrument(id="any", name="any instrument", program=0, family="", low=0, high=127, comfort_low=0,
                  comfort_high=127, polyphony=128)


def _instrument(part: Part) -> Instrument:
    try:
        return get_instrument(part.instrument)
    except InvalidOptionError:  # a part read from a foreign MIDI file ("program-5")
        return _ANY


def change_key(score: Score, key: Key) -> Score:
    """``score`` in ``key``: pitched notes and chords moved (drums stay), every note kept within
    its instrument's playable range by octaves."""
    old = score.key
    shift = transpose_interval(old.tonic, key.tonic)
    table = degree_map(old.mode, key.mode)
    parts = []
    for p in score.parts:
        if p.is_drum:
            parts.append(p)
            continue
        inst = _instrument(p)
        notes = tuple(replace(n, pitch=inst.fit(_move(n.pitch, old, shift, table), comfortable=False)) for n in p.notes)
        parts.append(replace(p, notes=notes))
    chords = tuple(replace(c, chord=_move_chord(c.chord, old, shift, table)) for c in score.chords)
    return replace(score, key=key, parts=tuple(parts), chords=chords)
