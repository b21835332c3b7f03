"""The small note syntax of ``--notes``: ``"E4 G4 A4 B4-"``.

A note is a pitch (a letter A-G, an optional ``#`` or ``b``, an octave -1 to 9; ``r`` for a
rest) followed by its length: none is one beat (a quarter), each ``-`` adds a beat, each ``/``
halves (``E4/`` an eighth, ``E4//`` a sixteenth), a ``.`` dots (``E4.`` 1.5 beats, ``E4-.`` 3
beats). ``|`` bar lines are allowed and ignored. Written by hand: no library reads this
shorthand (ABC and LilyPond spell lengths and octaves otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gekiban.errors import InvalidOptionError
from gekiban.theory import NOTE_NAMES

#: (onset in beats, length in beats, MIDI pitch)
NoteTuple = tuple[float, float, int]
MAX_NOTES = 64
_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_TOKEN = re.compile(r"(?:(?P<letter>[A-Ga-g])(?P<acc>[#b]?)(?P<octave>-?\d)|(?P<rest>[rR]))(?P<len>[-/]*)(?P<dot>\.?)")
_ALLOWED = ("a pitch (letter A-G, optional # or b, octave -1 to 9, e.g. 'F#4') or 'r' for a rest, then a length: "
            "nothing = one beat, '-' adds a beat, '/' halves, '.' dots (e.g. 'E4-', 'E4/', 'E4.')")


def _length(token: str, text: str, dot: str) -> float:
    if "-" in text and "/" in text:
        raise InvalidOptionError(f"bad note {token!r}: a length uses '-' (longer) or '/' (shorter), not both")
    beats = 1.0 + text.count("-") if "-" in text else 0.5 ** text.count("/")
    if beats < 1 / 16:
        raise InvalidOptionError(f"bad note {token!r}: the shortest length is a 64th ('////')")
    return beats * 1.5 if dot else beats


def parse_notes(text: str) -> tuple[NoteTuple, ...]:
    """Read the note syntax into (onset beats, length beats, MIDI pitch) notes.

    Raises
    ------
    InvalidOptionError
        For text that is not a string, an unknown token (named, with what is allowed), a pitch
        outside MIDI 0-127, no notes at all or more than :data:`MAX_NOTES`.
    """
    if not isinstance(text, str):
        raise InvalidOptionError(f"bad notes {text!r}: give text such as 'E4 G4 A4 B4-'")
    out: list[NoteTuple] = []
    at = 0.0
    for token in text.replace("|", " ").split():
        m = _TOKEN.fullmatch(token)
        if m is None:
            raise InvalidOptionError(f"bad note {token!r}: a note is {_ALLOWED}")
        beats = _length(token, m.group("len"), m.group("dot"))
        if m.group("rest") is None:
            pc = _LETTER[m.group("letter").upper()] + {"#": 1, "b": -1, "": 0}[m.group("acc")]
            pitch = 12 * (int(m.group("octave")) + 1) + pc
            if not 0 <= pitch <= 127:
                raise InvalidOptionError(f"bad note {token!r}: the pitch is outside MIDI 0-127 (C-1 to G9)")
            out.append((round(at, 6), round(beats, 6), pitch))
        at += beats
        if len(out) > MAX_NOTES:
            raise InvalidOptionError(f"too many notes ({len(out)}): a motif has at most {MAX_NOTES}")
    if not out:
        raise InvalidOptionError(f"no notes in {text!r}: give at least one, e.g. 'E4 G4 A4 B4-'")
    return tuple(out)


def _length_text(beats: float) -> str | None:
    for base, mark in ((1.0, ""), (2.0, "-"), (3.0, "--"), (4.0, "---"), (5.0, "----"), (6.0, "-----"),
                       (7.0, "------"), (8.0, "-------"), (0.5, "/"), (0.25, "//"), (0.125, "///"), (0.0625, "////")):
        if abs(beats - base) < 1e-6:
            return mark
        if abs(beats - base * 1.5) < 1e-6 and base <= 4:
            return mark + "."
    return None


def _split(beats: float) -> list[float]:
    """A length the syntax cannot write in one token, as tied pieces (the printer writes a
    rest for a gap and cannot tie: a long odd length becomes the nearest it can write)."""
    out = []
    left = beats
    for piece in (8.0, 4.0, 2.0, 1.0, 0.5, 0.25, 0.125, 0.0625):
        while left >= piece - 1e-6 and len(out) < 16:
            out.append(piece)
            left -= piece
    return out or [0.0625]


def format_notes(notes: Sequence[NoteTuple]) -> str:
    """The note syntax of (onset, length, pitch) notes, with rests for gaps; overlapping notes
    are cut where the next begins (the syntax is one line). ``parse_notes(format_notes(x))``
    gives ``x`` back for any notes the syntax can write."""
    tokens: list[str] = []
    at = min((n[0] for n in notes), default=0.0)
    ordered = sorted(notes)
    for i, (on, length, pitch) in enumerate(ordered):
        if on > at + 1e-6:
            gap = on - at
            tokens += [f"r{_length_text(g)}" for g in ([gap] if _length_text(gap) is not None else _split(gap))]
        nxt = ordered[i + 1][0] if i + 1 < len(ordered) else None
        length = min(length, nxt - on) if nxt is not None and nxt > on else length
        name = f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"
        mark = _length_text(length)
        if mark is None:  # no tie in the syntax: the nearest writable length
            mark = _length_text(_split(length)[0]) or ""
            length = _split(length)[0]
        tokens.append(name + mark)
        at = on + length
    return " ".join(tokens)
