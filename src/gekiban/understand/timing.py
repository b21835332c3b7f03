"""Timing requests along a cue: emotion arcs, hit points, endings and short cue types.

Checks every value against the cue's length before any work, with messages that name the bad
value and what is allowed, and folds them into the Brief.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gekiban.errors import InvalidOptionError
from gekiban.understand.brief import Brief

ENDINGS = ("ring", "fade", "button", "loop")


@dataclass(frozen=True)
class CueType:
    """A short cue's usual style (empty: the prompt chooses), length (seconds) and ending."""

    style: str
    duration: float
    ending: str


@cache
def cue_types() -> dict[str, CueType]:
    """The short cue types by name, from ``data/cues.toml``."""
    text = resources.files("gekiban").joinpath("data/cues.toml").read_text(encoding="utf-8")
    return {name: CueType(str(d["style"]), float(d["duration"]), str(d["ending"])) for name, d in tomllib.loads(text).items()}


def cue_defaults(cue: str | None, *, style: str | None, duration: float | str | None) -> tuple[str | None, float | str | None]:
    """Style and duration for a cue type, where the caller gave none.

    Raises
    ------
    InvalidOptionError
        If ``cue`` is not a known cue type.
    """
    if not cue:
        return style, duration
    cues = cue_types()
    if not isinstance(cue, str):
        raise InvalidOptionError(f"bad cue type {cue!r}: use one of {', '.join(cues)}")
    if cue not in cues:
        raise InvalidOptionError(f"unknown cue type {cue!r}: use one of {', '.join(cues)}")
    preset = cues[cue]
    return style or preset.style or None, duration if duration is not None else preset.duration


def _items(value: Any, what: str, example: str) -> Sequence[Any]:
    """``value`` as a list of items: a list or tuple as it is, one text as one item."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)):
        raise InvalidOptionError(f"bad {what} {value!r}: give a list, e.g. {example}")
    return value


def check_ending(ending: str | None) -> None:
    """Raise :class:`InvalidOptionError` unless ``ending`` is None or one of :data:`ENDINGS`."""
    if ending is not None and ending not in ENDINGS:
        raise InvalidOptionError(f"unknown ending {ending!r}: use one of {', '.join(ENDINGS)}")


def apply_timing(brief: Brief, *, arc: Sequence[tuple[float, float, float]] = (), hits: Sequence[float] = (),
                 ending: str | None = None, loop: bool | None = None, cue: str | None = None) -> Brief:
    """Check the timing requests against the brief's length and return the brief carrying them.

    Raises
    ------
    InvalidOptionError
        For an unknown ending, arc points out of order or outside 0-1 or after the end, and hits
        outside the music.
    """
    check_ending(ending)
    cues = cue_types()
    if cue and cue not in cues:
        raise InvalidOptionError(f"unknown cue type {cue!r}: use one of {', '.join(cues)}")
    looped = bool(loop) or ending == "loop" or (brief.loop and ending is None and loop is None)
    end = "loop" if looped else ending or (cues[cue].ending if cue else "ring")
    points = check_arc(arc, brief.duration)
    times = check_hits(hits, brief.duration)
    return replace(brief, arc=points, hits=times, ending=end, loop=end == "loop", cue=cue or "")


# --------------------------------------------------------------------------------------------
# Parsers for the command line and the API: times, arcs, arc files and timed section moods.
# Each returns (seconds, intensity, tension) points that :func:`apply_timing` accepts.
# --------------------------------------------------------------------------------------------

ArcPoint = tuple[float, float, float]

#: Words for moods and arc stages → (intensity, tension), both 0-1. Intensity is how much is
#: played (layers, density, register, dynamics, drums); tension is how unresolved it sounds
#: (dominants, diminished and suspended colours, pedal points, dissonance).
MOODS: dict[str, tuple[float, float]] = {
    # arc stages
    "silence": (0.05, 0.1), "intro": (0.25, 0.25), "calm": (0.2, 0.15), "build": (0.55, 0.55),
    "rise": (0.6, 0.5), "climax": (0.95, 0.7), "peak": (1.0, 0.75), "release": (0.4, 0.2),
    "resolve": (0.3, 0.1), "outro": (0.2, 0.1), "breakdown": (0.35, 0.45), "drop": (0.9, 0.6),
    # moods (Beatoven-style section moods)
    "peaceful": (0.15, 0.1), "gentle": (0.25, 0.15), "happy": (0.6, 0.15), "joyful": (0.7, 0.15),
    "hopeful": (0.5, 0.2), "playful": (0.55, 0.2), "romantic": (0.35, 0.25), "nostalgic": (0.3, 0.3),
    "sad": (0.25, 0.4), "melancholic": (0.3, 0.45), "lonely": (0.15, 0.4), "dreamy": (0.25, 0.3),
    "mysterious": (0.3, 0.65), "tense": (0.55, 0.85), "suspense": (0.45, 0.9), "dark": (0.5, 0.75),
    "scary": (0.45, 0.95), "angry": (0.85, 0.8), "determined": (0.7, 0.45), "energetic": (0.8, 0.35),
    "action": (0.9, 0.65), "dramatic": (0.8, 0.7), "epic": (0.95, 0.55), "heroic": (0.85, 0.35),
    "triumphant": (0.95, 0.2), "chaotic": (1.0, 0.95),
}

#: Other words (Japanese included) for the same moods.
MOOD_ALIASES: dict[str, str] = {
    "quiet": "calm", "relaxed": "calm", "start": "intro", "crescendo": "build", "rising": "rise",
    "building": "build", "ending": "outro", "end": "outro", "resolution": "resolve", "fall": "release",
    "suspenseful": "suspense", "tension": "tense", "sorrow": "sad", "melancholy": "melancholic",
    "battle": "action", "fight": "action", "victory": "triumphant", "mystery": "mysterious",
    "fear": "scary", "horror": "scary", "funny": "playful", "comedic": "playful", "love": "romantic",
    "穏やか": "calm", "静か": "calm", "平穏": "peaceful", "優しい": "gentle", "楽しい": "happy",
    "嬉しい": "joyful", "希望": "hopeful", "コミカル": "playful", "恋": "romantic", "ロマンチック": "romantic",
    "懐かしい": "nostalgic", "悲しい": "sad", "切ない": "melancholic", "孤独": "lonely",
    "幻想的": "dreamy", "神秘的": "mysterious", "緊張": "tense", "緊迫": "tense", "不穏": "suspense",
    "ダーク": "dark", "恐怖": "scary", "怒り": "angry", "決意": "determined", "元気": "energetic",
    "戦闘": "action", "バトル": "action", "劇的": "dramatic", "壮大": "epic", "英雄": "heroic",
    "勝利": "triumphant", "混沌": "chaotic", "盛り上がり": "build", "クライマックス": "climax",
    "解決": "resolve", "導入": "intro",
}

_TIME = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?|\.\d+)\s*(s|sec|秒)?\s*$")
_TIME_HELP = "use seconds (42.5), m:ss (0:42.5) or h:mm:ss"


def parse_time(text: str | float | int) -> float:
    """A time on the cue in seconds: ``42.5``, ``"42.5"``, ``"42.5s"``, ``"0:42.5"``, ``"1:02:03"``.

    Raises
    ------
    InvalidOptionError
        If the text is not a time or is negative; the message names the value and the forms allowed.
    """
    if isinstance(text, bool):
        raise InvalidOptionError(f"time {text!r} is not a time: {_TIME_HELP}")
    if isinstance(text, (int, float)):
        value = float(text) if abs(text) < 1e300 else math.inf
    else:
        m = _TIME.match(str(text))
        if not m or (m[2] is not None and m[1] is None):
            raise InvalidOptionError(f"time {text!r} is not a time: {_TIME_HELP}")
        hours, minutes = (int(m[1]), int(m[2])) if m[2] is not None else (0, int(m[1] or 0))
        seconds = float(m[3])
        if (m[1] is not None and seconds >= 60) or (m[2] is not None and minutes >= 60):
            raise InvalidOptionError(f"time {text!r} is not a time: seconds and minutes after ':' must be below 60; {_TIME_HELP}")
        value = hours * 3600 + minutes * 60 + seconds
    if not math.isfinite(value) or value < 0:
        raise InvalidOptionError(f"time {text!r} must be a finite number of seconds ≥ 0: {_TIME_HELP}")
    return value


def mood_values(word: str) -> tuple[float, float]:
    """(intensity, tension) of a mood or arc-stage word (English or Japanese).

    Raises
    ------
    InvalidOptionError
        If the word is unknown; the message lists the words allowed.
    """
    w = str(word).strip().lower()
    w = MOOD_ALIASES.get(w, w)
    if w not in MOODS:
        close = difflib.get_close_matches(w, list(MOODS) + list(MOOD_ALIASES), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise InvalidOptionError(f"unknown mood {word!r}{hint}: use one of {', '.join(MOODS)} "
                                 f"(or a Japanese word such as 穏やか, 緊張, 悲しい, 勝利)")
    return MOODS[w]


def _check_duration(duration: float) -> float:
    try:
        d = float(duration)
    except (TypeError, ValueError, OverflowError):
        d = math.nan
    if not (math.isfinite(d) and d > 0):
        raise InvalidOptionError(f"cue duration {duration!r} must be a positive number of seconds")
    return d


def check_arc(points: Sequence[ArcPoint], duration: float) -> tuple[ArcPoint, ...]:
    """Check arc points: times within 0..duration and strictly increasing, intensity and
    tension within 0-1. Returns them as a tuple of float triples.

    Raises
    ------
    InvalidOptionError
        Naming the first bad point and what is allowed.
    """
    duration = _check_duration(duration)
    out: list[ArcPoint] = []
    if not isinstance(points, (list, tuple)):
        raise InvalidOptionError(f"bad arc {points!r}: give a list of (time, intensity, tension) points")
    for k, p in enumerate(points):
        try:
            t, i, x = (float(v) for v in p)
        except (TypeError, ValueError, OverflowError):
            raise InvalidOptionError(f"arc point {k + 1} {p!r} is not (time, intensity, tension)") from None
        if not (math.isfinite(t) and 0 <= t <= duration):
            raise InvalidOptionError(f"arc point at {t:g} s is outside the cue (0 to {duration:g} s)")
        for name, v in (("intensity", i), ("tension", x)):
            if not (math.isfinite(v) and 0 <= v <= 1):
                raise InvalidOptionError(f"arc point at {t:g} s has {name} {v:g}: it must be within 0-1")
        if out and t <= out[-1][0]:
            raise InvalidOptionError(f"arc points must be in time order: {t:g} s comes after {out[-1][0]:g} s")
        out.append((t, i, x))
    return tuple(out)


def parse_arc(text: str, duration: float) -> tuple[ArcPoint, ...]:
    """Named stages spread evenly over the cue: ``"calm>build>climax>resolve"``.

    The cue is cut into as many equal spans as there are stages; each stage gives one point at
    the middle of its span with the stage's (intensity, tension) from :data:`MOODS`, plus the
    first stage's values at 0 s and the last one's at the end, so the arc covers the whole cue
    and the engine interpolates between stages (a ``build`` between ``calm`` and ``climax``
    rises through them). Stage words may be any mood (English or Japanese), separated by
    ``>``, ``→`` or ``,``.

    Raises
    ------
    InvalidOptionError
        For an empty arc or an unknown stage, naming it and the words allowed.
    """
    duration = _check_duration(duration)
    words = [w.strip() for w in re.split(r"\s*(?:>|→|,|->)\s*", str(text).strip()) if w.strip()]
    if not words:
        raise InvalidOptionError(f"arc {text!r} names no stage: use stages such as 'calm>build>climax>resolve' "
                                 f"({', '.join(MOODS)})")
    values = [mood_values(w) for w in words]
    span = duration / len(values)
    points = [(0.0, *values[0])]
    points += [(round((k + 0.5) * span, 6), i, x) for k, (i, x) in enumerate(values)]
    points.append((duration, *values[-1]))
    return check_arc(points, duration)


def load_arc_file(path: str | os.PathLike[str], duration: float) -> tuple[ArcPoint, ...]:
    """Arc points from a JSON file: a list (or ``{"points": [...]}``) of objects
    ``{"time": "0:45" or 45, "intensity": 0-1, "tension": 0-1}``; ``tension`` may be left out
    (it then stays at the previous point's value, 0.3 at first).

    Raises
    ------
    InvalidOptionError
        If the file is missing or not JSON, a point lacks a time or intensity, or the points are
        out of order or out of range; the message names the file and the point.
    """
    duration = _check_duration(duration)
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidOptionError(f"arc file {str(source)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidOptionError(f"cannot read arc file {str(source)!r}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise InvalidOptionError(f"arc file {str(source)!r} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and "points" in data:
        data = data["points"]
    if not isinstance(data, list) or not data:
        raise InvalidOptionError(f"arc file {str(source)!r} must hold a non-empty list of points "
                                 '{"time": "0:45", "intensity": 0-1, "tension": 0-1}')
    points: list[ArcPoint] = []
    tension = 0.3
    for k, item in enumerate(data):
        where = f"arc file {str(source)!r}, point {k + 1}"
        if not isinstance(item, dict) or "time" not in item or "intensity" not in item:
            raise InvalidOptionError(f"{where}: {item!r} must be an object with \"time\" and \"intensity\" "
                                     "(and optionally \"tension\")")
        try:
            t = parse_time(item["time"])
        except InvalidOptionError as exc:
            raise InvalidOptionError(f"{where}: {exc}") from None
        vals = []
        for name in ("intensity", "tension"):
            v = item.get(name, tension)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InvalidOptionError(f"{where}: {name} {v!r} must be a number within 0-1")
            vals.append(float(v))
        tension = vals[1]
        points.append((t, vals[0], vals[1]))
    try:
        return check_arc(points, duration)
    except InvalidOptionError as exc:
        raise InvalidOptionError(f"arc file {str(source)!r}: {exc}") from None


def parse_section_moods(items: Sequence[str], duration: float) -> tuple[ArcPoint, ...]:
    """Timed moods (Beatoven-style): ``["0:00=calm", "0:45=tense", "1:20=triumphant"]``.

    Each mood holds from its time to the next one (the first also covers the time before it),
    so the arc is step-shaped: two points per mood, at its start and 10 ms before the next
    mood starts (and at the end of the cue for the last).

    Raises
    ------
    InvalidOptionError
        For a malformed item, an unknown mood, a time at or after the end of the cue, or times
        that are not strictly increasing.
    """
    duration = _check_duration(duration)
    moods: list[tuple[float, float, float]] = []
    for item in _items(items, "section moods", "['0:00=calm', '0:45=tense']"):
        text = str(item)
        head, sep, word = text.partition("=")
        if not sep or not head.strip() or not word.strip():
            raise InvalidOptionError(f"section {text!r} is not TIME=MOOD, e.g. '0:45=tense'")
        t = parse_time(head)
        if t >= duration:
            raise InvalidOptionError(f"section {text!r} starts at {t:g} s, at or after the end of the cue "
                                     f"({duration:g} s)")
        if moods and t <= moods[-1][0]:
            raise InvalidOptionError(f"sections must be in time order: {text!r} at {t:g} s comes after "
                                     f"{moods[-1][0]:g} s")
        moods.append((t, *mood_values(word)))
    if not moods:
        raise InvalidOptionError("no section moods given: use TIME=MOOD, e.g. '0:00=calm'")
    points: list[ArcPoint] = []
    for k, (t, i, x) in enumerate(moods):
        start = 0.0 if k == 0 else t
        end = moods[k + 1][0] if k + 1 < len(moods) else duration
        points.append((start, i, x))
        last = end - 0.01 if k + 1 < len(moods) else end
        if last > start:
            points.append((round(last, 6), i, x))
    return check_arc(points, duration)


def check_hits(hits: Sequence[float | str], duration: float) -> tuple[float, ...]:
    """Hit times in seconds (numbers or :func:`parse_time` text), sorted; each must fall after
    0 and before the end of the cue, and no two may coincide.

    Raises
    ------
    InvalidOptionError
        Naming the hit and the allowed range.
    """
    duration = _check_duration(duration)
    times = sorted(parse_time(h) for h in _items(hits, "hits", "[20, '0:42.5']"))
    for h in times:
        if not 0 < h < duration:
            raise InvalidOptionError(f"hit at {h:g} s is outside the music (after 0 and before its end at {duration:g} s)")
    for a, b in zip(times, times[1:]):
        if b - a < 1e-3:
            raise InvalidOptionError(f"two hits at {a:g} s: give each hit once")
    return tuple(times)
