"""Pitch, key, meter, scale and chord vocabulary shared by every stage.

Pitches are MIDI numbers (C4 = 60); pitch classes are 0-11 with C = 0. Roman numerals are read
against the major scale of the tonic, with explicit accidentals, so ``bVI`` is the flat sixth in
any mode (F in A minor, A-flat in C major).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gekiban.errors import InvalidOptionError

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL = {"#": 1, "♯": 1, "b": -1, "♭": -1, "": 0}

MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic-minor": (0, 2, 3, 5, 7, 8, 11),
}
_MODE_ALIASES = {
    "maj": "major", "ionian": "major", "min": "minor", "m": "minor", "aeolian": "minor",
    "harmonic minor": "harmonic-minor", "harmonicminor": "harmonic-minor",
}
# Melodic scales a style may prefer over the full mode (Japanese pentatonics among them).
SCALES: dict[str, tuple[int, ...]] = {
    **MODES,
    "major-pentatonic": (0, 2, 4, 7, 9),
    "minor-pentatonic": (0, 3, 5, 7, 10),
    "yo": (0, 2, 5, 7, 9),
    "minyo": (0, 3, 5, 7, 10),
    "in": (0, 1, 5, 7, 8),
    "in-hexatonic": (0, 1, 5, 7, 8, 10),  # the in scale with both the flat sixth and flat seventh its rising and falling forms use
    "hirajoshi": (0, 2, 3, 7, 8),
    "whole-tone": (0, 2, 4, 6, 8, 10),
    "blues": (0, 3, 5, 6, 7, 10),
}

CHORD_INTERVALS: dict[str, tuple[int, ...]] = {
    "": (0, 4, 7), "m": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "m7b5": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9), "mmaj7": (0, 3, 7, 11), "sus2": (0, 2, 7), "sus4": (0, 5, 7),
    "7sus4": (0, 5, 7, 10), "add9": (0, 4, 7, 14), "madd9": (0, 3, 7, 14), "6": (0, 4, 7, 9),
    "m6": (0, 3, 7, 9), "9": (0, 4, 7, 10, 14), "maj9": (0, 4, 7, 11, 14),
    "m9": (0, 3, 7, 10, 14), "5": (0, 7),
}


def pitch_class(name: str) -> int:
    """Return the pitch class of a note name such as ``"F#"``, ``"Bb"`` or ``"B♭"``.

    Raises
    ------
    InvalidOptionError
        If the name is not a letter A-G with an optional sharp or flat.
    """
    m = re.fullmatch(r"\s*([A-Ga-g])([#♯b♭]?)\s*", name) if isinstance(name, str) else None
    if not m:
        raise InvalidOptionError(f"unknown note name {name!r}: use a letter A-G with # or b, e.g. 'F#'")
    return (_LETTER_PC[m.group(1).upper()] + _ACCIDENTAL[m.group(2)]) % 12


def note_name(pitch: int) -> str:
    """Return a name like ``"C#4"`` for a MIDI pitch."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


@dataclass(frozen=True)
class Key:
    """A tonic and a mode, e.g. D major or A dorian."""

    tonic: int
    mode: str = "major"

    @property
    def scale(self) -> tuple[int, ...]:
        """Pitch classes of the mode, starting on the tonic."""
        return tuple((self.tonic + i) % 12 for i in MODES[self.mode])

    @property
    def is_minor(self) -> bool:
        """True for modes with a minor third above the tonic."""
        return MODES[self.mode][2] == 3

    @property
    def name(self) -> str:
        """Readable name such as ``"D major"``."""
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def transpose(self, semitones: int) -> Key:
        """Return the same mode on a tonic moved by ``semitones``."""
        return Key((self.tonic + semitones) % 12, self.mode)


def parse_key(text: str) -> Key:
    """Parse ``"D major"``, ``"F# minor"``, ``"Bbm"``, ``"A dorian"`` into a :class:`Key`.

    Raises
    ------
    InvalidOptionError
        If the tonic or the mode is unknown.
    """
    m = re.fullmatch(r"\s*([A-Ga-g][#♯b♭]?)\s*(.*?)\s*", text) if isinstance(text, str) else None
    allowed = ", ".join(MODES)
    if not m:
        raise InvalidOptionError(f"unknown key {text!r}: use a tonic A-G (with # or b) and a mode ({allowed}), e.g. 'D minor'")
    mode_text = m.group(2).lower().replace("_", " ").strip() or "major"
    mode = _MODE_ALIASES.get(mode_text, mode_text.replace(" ", "-"))
    if mode not in MODES:
        raise InvalidOptionError(f"unknown key {text!r}: mode {m.group(2)!r} is not one of {allowed}")
    return Key(pitch_class(m.group(1)), mode)


@dataclass(frozen=True)
class Meter:
    """A time signature. Lengths are in quarter-note beats."""

    numerator: int = 4
    denominator: int = 4

    @property
    def bar_beats(self) -> float:
        """Length of one bar in quarter notes (6/8 → 3.0)."""
        return self.numerator * 4 / self.denominator

    @property
    def compound(self) -> bool:
        """True for 6/8, 9/8, 12/8: the felt beat is a dotted quarter."""
        return self.denominator == 8 and self.numerator % 3 == 0 and self.numerator > 3

    @property
    def pulses(self) -> tuple[float, ...]:
        """Onsets (in quarter notes from the bar start) of the felt beats; the first is strongest."""
        unit = 4 / self.denominator
        if self.compound:
            groups = [3] * (self.numerator // 3)
        elif self.denominator == 8:
            groups = [3] * (self.numerator // 3) if self.numerator % 3 == 0 else _twos_and_threes(self.numerator)
        else:
            groups = [1] * self.numerator
        out, t = [], 0.0
        for g in groups:
            out.append(t * unit)
            t += g
        return tuple(out)

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


def _twos_and_threes(n: int) -> list[int]:
    """Group an odd count of eighths as 2+2+...+3 (7/8 → 2+2+3)."""
    groups = [2] * (n // 2)
    if n % 2:
        groups[-1] = 3
    return groups


def parse_meter(text: str) -> Meter:
    """Parse ``"3/4"`` or ``"6/8"`` into a :class:`Meter`.

    Raises
    ------
    InvalidOptionError
        If the text is not N/D with N in 2-12 and D in 2, 4 or 8.
    """
    m = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{1,2})\s*", text) if isinstance(text, str) else None
    if not m or not (2 <= int(m.group(1)) <= 12) or int(m.group(2)) not in (2, 4, 8):
        raise InvalidOptionError(f"unknown meter {text!r}: use N/D with N from 2 to 12 and D 2, 4 or 8, e.g. '3/4' or '6/8'")
    return Meter(int(m.group(1)), int(m.group(2)))


@dataclass(frozen=True)
class Chord:
    """A chord: root pitch class, quality (a key of ``CHORD_INTERVALS``) and optional bass."""

    root: int
    quality: str = ""
    bass: int | None = None

    @property
    def intervals(self) -> tuple[int, ...]:
        """Intervals above the root in semitones."""
        return CHORD_INTERVALS[self.quality]

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Chord tones as pitch classes, root first."""
        return tuple((self.root + i) % 12 for i in self.intervals)

    @property
    def bass_pc(self) -> int:
        """The pitch class the bass plays."""
        return self.root if self.bass is None else self.bass

    @property
    def symbol(self) -> str:
        """Lead-sheet symbol such as ``"Fmaj7"`` or ``"C/E"``."""
        s = NOTE_NAMES[self.root] + self.quality
        return s if self.bass is None or self.bass == self.root else f"{s}/{NOTE_NAMES[self.bass]}"


_ROMAN = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}
_MAJOR = MODES["major"]
_ROMAN_RE = re.compile(r"([b♭#♯]?)(vii|vi|v|iv|iii|ii|i|VII|VI|V|IV|III|II|I)(.*)")
_SUFFIX = {
    "": None, "7": "7", "maj7": "maj7", "△7": "maj7", "M7": "maj7", "△": "maj7", "9": "9",
    "maj9": "maj9", "6": "6", "sus2": "sus2", "sus4": "sus4", "7sus4": "7sus4", "add9": "add9",
    "°": "dim", "o": "dim", "°7": "dim7", "o7": "dim7", "ø7": "m7b5", "ø": "m7b5", "+": "aug", "5": "5",
}


def parse_roman(numeral: str, key: Key) -> Chord:
    """Realise a Roman numeral such as ``"IV△7"``, ``"bVI"``, ``"iii7"`` or ``"V/vi"`` in ``key``.

    Degrees count on the major scale of the tonic; case gives the third (upper major, lower
    minor); a suffix adds sevenths, suspensions and colours. ``X/Y`` is a secondary chord.

    Raises
    ------
    InvalidOptionError
        If the numeral cannot be read.
    """
    text = numeral.strip() if isinstance(numeral, str) else ""
    if "/" in text:
        head, tail = text.split("/", 1)
        return parse_roman(head, Key(parse_roman(tail, key).root, "major"))
    m = _ROMAN_RE.fullmatch(text)
    if not m or m.group(3) not in _SUFFIX:
        raise InvalidOptionError(f"cannot read Roman numeral {numeral!r}: use e.g. I, vi, bVII, IV△7, V7, ii°, Vsus4")
    acc, deg, suffix = m.groups()
    root = (key.tonic + _MAJOR[_ROMAN[deg.lower()]] + _ACCIDENTAL[acc.replace("♯", "#").replace("♭", "b")]) % 12
    minor = deg.islower()
    quality = _SUFFIX[suffix]
    if quality is None:
        quality = "m" if minor else ""
    elif quality == "7" and minor:
        quality = "m7"
    elif quality == "9" and minor:
        quality = "m9"
    elif quality == "6" and minor:
        quality = "m6"
    elif quality == "add9" and minor:
        quality = "madd9"
    elif quality == "maj7" and minor:
        quality = "mmaj7"
    return Chord(root, quality)


_SYMBOL_RE = re.compile(r"([A-G][#♯b♭]?)(maj9|maj7|M7|mmaj7|m7b5|m9|m7|m6|madd9|m|dim7|dim|aug|\+|7sus4|sus2|sus4|add9|9|7|6|5|)(?:/([A-G][#♯b♭]?))?")


def parse_chord_symbol(symbol: str) -> Chord:
    """Parse a lead-sheet symbol such as ``"Am"``, ``"Fmaj7"``, ``"G7"``, ``"C/E"``.

    Raises
    ------
    InvalidOptionError
        If the symbol cannot be read.
    """
    m = _SYMBOL_RE.fullmatch(symbol.strip()) if isinstance(symbol, str) else None
    if not m:
        raise InvalidOptionError(f"cannot read chord symbol {symbol!r}: use e.g. C, Am, F#m7, Bbmaj7, G7, Dsus4, C/E")
    quality = {"M7": "maj7", "+": "aug"}.get(m.group(2), m.group(2))
    bass = pitch_class(m.group(3)) if m.group(3) else None
    return Chord(pitch_class(m.group(1)), quality, bass)


def chord_scale(chord: Chord, key: Key, scale: tuple[int, ...] | None = None) -> tuple[int, ...]:
    """Pitch classes a melody may use over ``chord``: chord tones plus the scale tones that do
    not clash (a semitone away) with a chord tone foreign to the scale."""
    base = set(scale if scale is not None else key.scale)
    tones = set(chord.pitch_classes)
    foreign = tones - base
    ok = {pc for pc in base if not any((pc - f) % 12 in (1, 11) for f in foreign)}
    return tuple(sorted(ok | tones))
