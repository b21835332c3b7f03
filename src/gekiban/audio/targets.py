"""Delivery loudness targets: the presets and the range a mix may be mastered to (standard
library only, so options are checked before anything heavy is loaded)."""

from __future__ import annotations

import re

from gekiban.errors import InvalidOptionError

#: Delivery loudness presets in LUFS (LKFS): streaming services, EBU R128, ARIB TR-B32.
LOUDNESS_PRESETS: dict[str, float] = {"stream": -14.0, "ebu": -23.0, "arib": -24.0}
_LOUDNESS_ALIASES = {"streaming": "stream", "r128": "ebu", "ebu-r128": "ebu", "ebur128": "ebu"}
#: Range of loudness targets accepted, in LUFS.
LOUDNESS_RANGE: tuple[float, float] = (-40.0, -6.0)
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:lufs|lkfs)?\s*$", re.IGNORECASE)


def parse_loudness(text: str) -> float:
    """Parse a loudness target: a preset word or a number of LUFS.

    Parameters
    ----------
    text : str
        ``"stream"`` (-14), ``"ebu"`` (-23, EBU R128), ``"arib"`` (-24, ARIB TR-B32), or a
        number such as ``"-16"`` or ``"-16 LUFS"`` (``LKFS`` also accepted) within
        [-40, -6].

    Returns
    -------
    float
        The target integrated loudness in LUFS.

    Raises
    ------
    InvalidOptionError
        If the text is neither a preset nor a number in range.
    """
    allowed = ", ".join(f"{name} ({value:g})" for name, value in LOUDNESS_PRESETS.items())
    lo, hi = LOUDNESS_RANGE
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise InvalidOptionError(
            f"loudness {text!r} is not text; use one of {allowed} or a number of LUFS "
            f"from {lo:g} to {hi:g}"
        )
    word = text.strip().lower()
    word = _LOUDNESS_ALIASES.get(word, word)
    if word in LOUDNESS_PRESETS:
        return LOUDNESS_PRESETS[word]
    match = _NUMBER.match(text)
    if match is None:
        raise InvalidOptionError(
            f"loudness {text!r} is not understood; use one of {allowed} or a number of LUFS "
            f"from {lo:g} to {hi:g} (e.g. '-16' or '-16 LUFS')"
        )
    value = float(match.group(1))
    if not lo <= value <= hi:
        raise InvalidOptionError(
            f"loudness {text!r} is {value:g} LUFS, outside the allowed range {lo:g} to {hi:g} "
            f"LUFS; presets: {allowed}"
        )
    return value
