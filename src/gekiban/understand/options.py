"""Option checks: each takes what a user typed (or a number) and returns the value, or raises
:class:`~gekiban.errors.InvalidOptionError` with a message that names the bad value and what is
allowed. Standard library only, so the command line answers a typo at once."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument

MAX_PROMPT_CHARS = 2000
MAX_DURATION_S = 1200.0
TEMPO_RANGE = (30.0, 300.0)
MAX_SEED = 2**32 - 1
DEFAULT_DURATION_S = 60.0
MAX_MOTIF_NOTES = 64  # a seed is the first bars of a melody
SHORT_DURATION_S = 5.0  # default length for styles of family "short" (stingers, eye-catches)

FORMATS = ("wav", "flac", "ogg", "mp3")
SAMPLE_RATES = (44100, 48000)

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_SEC = r"(?:s|sec|secs|second|seconds|秒)"
_MIN = r"(?:m|min|mins|minute|minutes|分)"
_DURATION_FORMS = (
    (re.compile(rf"({_NUM})\s*{_SEC}?"), lambda m: float(m[1])),
    (re.compile(rf"({_NUM})\s*{_MIN}"), lambda m: float(m[1]) * 60),
    (re.compile(rf"(\d+)\s*{_MIN}\s*(\d+(?:\.\d*)?)\s*{_SEC}?"), lambda m: int(m[1]) * 60 + float(m[2])),
    (re.compile(r"(\d+):([0-5]?\d(?:\.\d*)?)"), lambda m: int(m[1]) * 60 + float(m[2])),
    (re.compile(r"(\d+):([0-5]\d):([0-5]\d(?:\.\d*)?)"), lambda m: int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])),
)
_DURATION_HELP = "use seconds (90, 90s), minutes (2m, 2 min), m:ss (1:30) or 1m30s"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _as_float(x: int | float) -> float:
    """``float(x)``, with an int too large for a float read as infinity (then refused as out of range)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def check_duration(seconds: float, shown: Any) -> float:
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_DURATION_S:
        raise InvalidOptionError(
            f"duration {shown!r} is {seconds:g} s: it must be more than 0 and at most "
            f"{MAX_DURATION_S:g} s (20 minutes)")
    return float(seconds)


def parse_duration(x: float | str) -> float:
    """Read a cue length in seconds.

    Accepts a number of seconds or text such as ``"90"``, ``"90s"``, ``"1:30"``, ``"2m"``,
    ``"2 min"``, ``"1m30s"``, ``"2分"``, ``"1分30秒"``.

    Returns
    -------
    float
        Seconds, more than 0 and at most 1200 (20 minutes).

    Raises
    ------
    InvalidOptionError
        If the text cannot be read or the length is out of range.
    """
    if _is_number(x):
        return check_duration(_as_float(x), x)
    if not isinstance(x, str):
        raise InvalidOptionError(f"bad duration {x!r}: {_DURATION_HELP}")
    text = x.strip().lower()
    for pattern, value in _DURATION_FORMS:
        m = pattern.fullmatch(text)
        if m:
            return check_duration(value(m), x)
    raise InvalidOptionError(f"bad duration {x!r}: {_DURATION_HELP}")


def parse_tempo(x: float | str) -> float:
    """Read a tempo in quarter-note beats per minute: ``140``, ``"140"``, ``"140bpm"``.

    Raises
    ------
    InvalidOptionError
        If it is not a number from 30 to 300.
    """
    lo, hi = TEMPO_RANGE
    value: float | None = None
    if _is_number(x):
        value = _as_float(x)
    elif isinstance(x, str):
        m = re.fullmatch(rf"\s*({_NUM})\s*(?:bpm)?\s*", x, re.IGNORECASE)
        value = float(m[1]) if m else None
    if value is None or not math.isfinite(value):
        raise InvalidOptionError(f"bad tempo {x!r}: use a number of beats per minute from {lo:g} to {hi:g}, e.g. 140")
    if not lo <= value <= hi:
        raise InvalidOptionError(f"tempo {x!r} is out of range: use {lo:g} to {hi:g} beats per minute")
    return value


def parse_seed(x: int | str) -> int:
    """Read a random seed: a whole number from 0 to 4294967295.

    Raises
    ------
    InvalidOptionError
        If it is not such a number.
    """
    value: int | None = None
    if isinstance(x, int) and not isinstance(x, bool):
        value = x
    elif isinstance(x, float) and x.is_integer() or isinstance(x, str) and re.fullmatch(r"\s*\d+\s*", x):
        value = int(x)
    if value is None or not 0 <= value <= MAX_SEED:
        raise InvalidOptionError(f"bad seed {x!r}: use a whole number from 0 to {MAX_SEED}")
    return value


def parse_instruments(x: str | Iterable[str], *, players: bool = False) -> tuple[str, ...]:
    """Read instruments (``"piano, strings"`` or a list) into registry ids, in order, without
    duplicates; with ``players`` a repeated instrument stays (each entry is one player, as a
    string quartet's two violins in a recorded brief).

    Raises
    ------
    InvalidOptionError
        If a name is unknown (the message suggests close names) or the list is empty.
    """
    if isinstance(x, str):
        names = [n.strip() for n in re.split(r"[,;]", x)]
    elif isinstance(x, (list, tuple)):
        names = [str(n).strip() for n in x]
    else:
        raise InvalidOptionError(f"bad instruments {x!r}: give a list or text such as 'piano,strings' (see `gekiban instruments`)")
    names = [n for n in names if n]
    if not names:
        raise InvalidOptionError(f"no instruments in {x!r}: list one or more, e.g. 'piano,strings' (see `gekiban instruments`)")
    out: list[str] = []
    for name in names:
        ident = get_instrument(name).id
        if players or ident not in out:
            out.append(ident)
    return tuple(out)


def check_prompt(text: str) -> str:
    """Check a prompt: a string of at most 2000 characters without control characters other
    than newline and tab. Windows line ends (CR LF) are read as newlines.

    Returns
    -------
    str
        The prompt with CR LF turned into LF.

    Raises
    ------
    InvalidOptionError
        If the prompt is too long, holds a control character or bytes that are not UTF-8.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidOptionError(f"bad prompt {text!r}: it must be text")
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidOptionError(f"prompt is {len(text)} characters long: at most {MAX_PROMPT_CHARS} are allowed")
    for i, ch in enumerate(text):
        kind = unicodedata.category(ch)
        if kind == "Cs":  # how Python hands over bytes that are not UTF-8 (a command line in Latin-1, say)
            shown = f"byte 0x{ord(ch) - 0xDC00:02X}" if 0xDC80 <= ord(ch) <= 0xDCFF else f"U+{ord(ch):04X}"
            raise InvalidOptionError(f"prompt holds {shown} at position {i}, which is not UTF-8 text: "
                                     "write the prompt in UTF-8")
        if ch not in "\n\t" and kind == "Cc":
            raise InvalidOptionError(
                f"prompt holds control character U+{ord(ch):04X} at position {i}: "
                "only newline and tab are allowed")
    return text


def parse_format(x: str) -> str:
    """Read an audio file format: ``wav``, ``flac``, ``ogg`` (Vorbis) or ``mp3``.

    Raises
    ------
    InvalidOptionError
        If it is another format.
    """
    fmt = str(x).strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidOptionError(f"unknown format {x!r}: use one of {', '.join(FORMATS)}")
    return fmt


def parse_sample_rate(x: int | str) -> int:
    """Read a sample rate: 44100 or 48000 (``"48k"`` and ``"44.1k"`` are read too).

    Raises
    ------
    InvalidOptionError
        If it is another rate.
    """
    value: float | None = None
    if _is_number(x):
        value = _as_float(x)
    elif isinstance(x, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(k?)(?:hz)?\s*", x.lower())
        if m:
            value = float(m[1]) * (1000 if m[2] else 1)
    if value is None or value not in SAMPLE_RATES:
        raise InvalidOptionError(f"unsupported sample rate {x!r}: use {' or '.join(map(str, SAMPLE_RATES))}")
    return int(value)


def check_motif(notes: Sequence[tuple[float, float, int]]) -> tuple[tuple[float, float, int], ...]:
    """Check a melody seed: (onset in beats, length in beats, MIDI pitch) notes.

    Raises
    ------
    InvalidOptionError
        Naming the first bad note and what is allowed.
    """
    if not isinstance(notes, (list, tuple)):
        raise InvalidOptionError(f"bad motif {notes!r}: give a list of (onset beats, length beats, MIDI pitch) notes")
    if len(notes) > MAX_MOTIF_NOTES:
        raise InvalidOptionError(f"the motif has {len(notes)} notes: a melody seed has at most {MAX_MOTIF_NOTES}")
    out = []
    for i, n in enumerate(notes):
        try:
            on, length, pitch = n
            on, length, pitch = float(on), float(length), int(pitch)
        except (TypeError, ValueError, OverflowError):
            raise InvalidOptionError(f"bad motif note {n!r} at {i}: give (onset beats, length beats, MIDI pitch)") from None
        if not (math.isfinite(on) and on >= 0 and math.isfinite(length) and length > 0 and 0 <= pitch <= 127):
            raise InvalidOptionError(f"bad motif note {n!r} at {i}: onset ≥ 0, length > 0 and pitch 0-127 are allowed")
        out.append((on, length, pitch))
    if not out:
        raise InvalidOptionError("the motif has no notes: give at least one (onset beats, length beats, MIDI pitch)")
    return tuple(out)
