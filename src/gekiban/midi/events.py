"""What the MIDI writer and the audio renderer share: note spans on an integer time grid,
controller checks, key signatures and the 7-bit controller scales."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from gekiban.errors import ScoreError
from gekiban.score import Control, Note
from gekiban.theory import Key

#: Ticks per quarter note of written files.
PPQ = 480
#: The General MIDI percussion channel (channel 10 counted from 1).
DRUM_CHANNEL = 9
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)

# Relative-major offset of each mode: D dorian has the signature of C major (2 semitones down).
_MODE_OFFSET = {"major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7,
                "minor": 9, "locrian": 11, "harmonic-minor": 9}
_MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_NAMES = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")

#: ``(on, off, pitch, velocity, tag)`` in integer time units (ticks or samples).
Span = tuple[int, int, int, int, int]


def note_spans(notes: Iterable[tuple[Note, int]], to_time: Callable[[float], int]) -> list[Span]:
    """Turn notes into non-overlapping on/off spans on an integer time grid.

    Parameters
    ----------
    notes
        ``(note, tag)`` pairs that sound on one channel; ``tag`` is carried through (the index
        of the part a note belongs to when parts share a channel).
    to_time
        Maps a beat to the integer grid (MIDI ticks, audio samples).

    Returns
    -------
    list of Span
        Sorted by onset. Every span lasts at least one unit. Two notes of one pitch starting on
        the same unit become one (the longest, first given on ties); a note still sounding when
        the same pitch starts again ends there, so no note-off is ever lost or doubled.
    """
    by_pitch: dict[int, list[list[int]]] = defaultdict(list)
    order = 0
    for note, tag in notes:
        on = to_time(note.start)
        off = max(to_time(note.end), on + 1)
        by_pitch[note.pitch].append([on, -off, order, note.velocity, tag])
        order += 1
    spans: list[Span] = []
    for pitch, items in by_pitch.items():
        items.sort()
        kept: list[list[int]] = []
        for on, neg_off, _, vel, tag in items:
            if kept and kept[-1][0] == on:
                continue  # same pitch struck twice at once: keep the longest
            if kept and kept[-1][1] > on:
                kept[-1][1] = on  # restruck while sounding: cut the earlier note
            kept.append([on, -neg_off, vel, tag])
        spans.extend((on, off, pitch, vel, tag) for on, off, vel, tag in kept)
    spans.sort(key=lambda s: (s[0], s[2], s[4]))
    return spans


def check_control(control: Control, *, where: str) -> None:
    """Raise :class:`ScoreError` unless ``control`` is a usable controller change."""
    if not (0 <= control.number <= 119):
        raise ScoreError(f"{where}: controller {control.number} is outside 0-119 (120-127 are channel-mode messages)")
    if not (0 <= control.value <= 127):
        raise ScoreError(f"{where}: controller {control.number} value {control.value} is outside 0-127")
    if control.beat < 0:
        raise ScoreError(f"{where}: controller {control.number} at beat {control.beat} is before beat 0")


def key_signature_name(key: Key) -> str:
    """The MIDI key-signature name of ``key`` (``"D"``, ``"F#m"``).

    Modes other than major and minor get the signature of their relative major (lydian,
    mixolydian) or relative minor (dorian, phrygian, locrian); harmonic minor that of the
    natural minor.
    """
    major_tonic = (key.tonic - _MODE_OFFSET.get(key.mode, 0)) % 12
    if key.is_minor:
        return _MINOR_NAMES[(major_tonic + 9) % 12]
    return _MAJOR_NAMES[major_tonic]


def volume_to_cc(volume: float) -> int:
    """Part volume 0-1 to CC7 0-127."""
    return min(127, max(0, round(volume * 127)))


def pan_to_cc(pan: float) -> int:
    """Part pan -1 (left) .. 1 (right) to CC10 0..127, 64 the centre."""
    pan = min(1.0, max(-1.0, pan))
    return round(64 + pan * (64 if pan < 0 else 63))


def _from_cc(value: int, exact: float, forward: Callable[[float], int]) -> float:
    """The shortest decimal that ``forward`` maps back to ``value`` (0.8, not 0.8031)."""
    for digits in range(4):
        if forward(candidate := round(exact, digits)) == value:
            return candidate
    return exact


def cc_to_volume(value: int) -> float:
    return _from_cc(value, value / 127, volume_to_cc)


def cc_to_pan(value: int) -> float:
    return _from_cc(value, (value - 64) / (64 if value < 64 else 63), pan_to_cc)


def tick(beat: float) -> int:
    return round(beat * PPQ)
