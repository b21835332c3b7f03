"""Chord progressions: the catalogue in ``data/progressions.toml``, in Roman numerals."""

from __future__ import annotations

import re
from functools import cache

from gekiban.errors import GekibanError
from gekiban.styles.checks import Reader, data_text, read_toml
from gekiban.styles.schema import PROGRESSION_MODES, Progression
from gekiban.theory import MODES, Key, parse_roman

_PROG_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_PROGRESSION_FIELDS = ("romans", "mode", "description")


def _is_minor(mode: str) -> bool:
    return MODES[mode][2] == 3


def progression_fits(progression: Progression, mode: str) -> bool:
    """True when ``progression`` is idiomatic in a key of ``mode`` (a key of ``theory.MODES``).

    ``"major"`` progressions fit modes with a major third (major, lydian, mixolydian),
    ``"minor"`` ones modes with a minor third, ``"any"`` every mode.
    """
    if progression.mode == "any":
        return True
    return _is_minor(mode) == (progression.mode == "minor")


def parse_progressions(text: str, file: str) -> dict[str, Progression]:
    ctx = Reader(file)
    return read_progressions(read_toml(text, ctx), ctx)


def read_progressions(data: dict, ctx: Reader, where_prefix: str = "") -> dict[str, Progression]:
    """Progressions from a parsed TOML table of ``NAME = {romans, mode, description}`` (the
    catalogue file, or a style file's own ``[progressions.NAME]`` tables under ``where_prefix``)."""
    out: dict[str, Progression] = {}
    keys = (Key(0, "major"), Key(9, "minor"))
    for name, body in data.items():
        where = f"[{where_prefix}{name}]"
        if not _PROG_NAME_RE.fullmatch(name):
            raise ctx.error(where, "progression names use letters, digits and '-'")
        body = ctx.table(body, where)
        ctx.unknown_keys(body, _PROGRESSION_FIELDS, where)
        if "romans" not in body:
            raise ctx.error(f"{where}.romans", "missing: list 2 to 8 Roman numerals")
        romans = ctx.strings(body["romans"], f"{where}.romans")
        if not 2 <= len(romans) <= 8:
            raise ctx.error(f"{where}.romans", f"has {len(romans)} chords: use 2 to 8")
        for i, numeral in enumerate(romans):
            for key in keys:
                try:
                    parse_roman(numeral, key)
                except GekibanError as exc:
                    raise ctx.error(f"{where}.romans[{i}]", str(exc)) from None
        mode = ctx.choice(body.get("mode", "any"), f"{where}.mode", PROGRESSION_MODES)
        desc = ctx.string(body.get("description", ""), f"{where}.description", empty=True)
        out[name] = Progression(name=name, romans=romans, mode=mode, description=desc)
    return out


@cache
def _table() -> dict[str, Progression]:
    return parse_progressions(data_text("data/progressions.toml"), "data/progressions.toml")


def load_progressions() -> dict[str, Progression]:
    """All shipped chord progressions by name (from ``data/progressions.toml``).

    Returns
    -------
    dict of str to Progression
        A fresh dict on each call; the Progression values are shared and frozen.
    """
    return dict(_table())
