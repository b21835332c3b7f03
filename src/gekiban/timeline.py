"""Timing requests along a cue: emotion arcs, hit points, endings and short cue types.

Checks every value against the cue's length before any work, with messages that name the bad
value and what is allowed, and folds them into the Brief.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gekiban.brief import Brief
from gekiban.errors import InvalidOptionError

ENDINGS = ("ring", "fade", "button", "loop")


@dataclass(frozen=True)
class CueType:
    """A short cue's usual style, length (seconds) and ending."""

    style: str
    duration: float
    ending: str


CUES: dict[str, CueType] = {
    "stinger": CueType("stinger", 4.0, "button"),
    "eyecatch": CueType("eyecatch", 5.0, "ring"),
    "preview": CueType("", 30.0, "button"),
    "bumper": CueType("eyecatch", 8.0, "ring"),
}


def cue_defaults(cue: str | None, *, style: str | None, duration: float | str | None) -> tuple[str | None, float | str | None]:
    """Style and duration for a cue type, where the caller gave none.

    Raises
    ------
    InvalidOptionError
        If ``cue`` is not a known cue type.
    """
    if not cue:
        return style, duration
    if cue not in CUES:
        raise InvalidOptionError(f"unknown cue type {cue!r}: use one of {', '.join(CUES)}")
    preset = CUES[cue]
    return style or preset.style or None, duration if duration is not None else preset.duration


def apply_timing(brief: Brief, *, arc: Sequence[tuple[float, float, float]] = (), hits: Sequence[float] = (),
                 ending: str | None = None, loop: bool | None = None, cue: str | None = None) -> Brief:
    """Check the timing requests against the brief's length and return the brief carrying them.

    Raises
    ------
    InvalidOptionError
        For an unknown ending, arc points out of order or outside 0-1 or after the end, and hits
        outside the music.
    """
    if ending is not None and ending not in ENDINGS:
        raise InvalidOptionError(f"unknown ending {ending!r}: use one of {', '.join(ENDINGS)}")
    if cue and cue not in CUES:
        raise InvalidOptionError(f"unknown cue type {cue!r}: use one of {', '.join(CUES)}")
    looped = bool(loop) or ending == "loop" or (brief.loop and ending is None and loop is None)
    end = "loop" if looped else ending or (CUES[cue].ending if cue else "ring")
    points = tuple((float(t), float(i), float(x)) for t, i, x in arc)
    for k, (t, i, x) in enumerate(points):
        if not 0 <= t <= brief.duration:
            raise InvalidOptionError(f"arc point at {t:g} s is outside the cue (0 to {brief.duration:g} s)")
        if not (0 <= i <= 1 and 0 <= x <= 1):
            raise InvalidOptionError(f"arc point at {t:g} s has intensity {i:g} and tension {x:g}: both must be within 0-1")
        if k and t <= points[k - 1][0]:
            raise InvalidOptionError(f"arc points must be in time order: {t:g} s comes after {points[k - 1][0]:g} s")
    times = tuple(sorted(float(h) for h in hits))
    for h in times:
        if not 0 < h < brief.duration:
            raise InvalidOptionError(f"hit at {h:g} s is outside the music (after 0 and before its end at {brief.duration:g} s)")
    return replace(brief, arc=points, hits=times, ending=end, loop=end == "loop", cue=cue or "")
