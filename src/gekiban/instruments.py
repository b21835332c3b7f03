"""The instrument registry: GM programs, playable ranges and polyphony, read from
``data/instruments.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gekiban.errors import InvalidOptionError


@dataclass(frozen=True)
class Instrument:
    """One playable instrument: GM program, sounding ranges (MIDI) and polyphony."""

    id: str
    name: str
    program: int
    family: str
    low: int
    high: int
    comfort_low: int
    comfort_high: int
    polyphony: int
    drum: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def monophonic(self) -> bool:
        """True when one player sounds one note at a time."""
        return self.polyphony == 1

    def fit(self, pitch: int, *, comfortable: bool = True) -> int:
        """Move ``pitch`` by octaves into the (comfortable) range; clamp if the range is narrower."""
        lo, hi = (self.comfort_low, self.comfort_high) if comfortable else (self.low, self.high)
        while pitch < lo:
            pitch += 12
        while pitch > hi:
            pitch -= 12
        return pitch if pitch >= lo else lo


@cache
def registry() -> dict[str, Instrument]:
    """All instruments by id (cached)."""
    text = resources.files("gekiban").joinpath("data/instruments.toml").read_text(encoding="utf-8")
    out = {}
    for ident, d in tomllib.loads(text).items():
        out[ident] = Instrument(
            id=ident, name=d["name"], program=d["program"], family=d["family"],
            low=d["range"][0], high=d["range"][1], comfort_low=d["comfortable"][0],
            comfort_high=d["comfortable"][1], polyphony=d["polyphony"], drum=d.get("drum", False),
            aliases=tuple(d.get("aliases", ())),
        )
    return out


@cache
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for inst in registry().values():
        for alias in inst.aliases:
            table.setdefault(_norm(alias), inst.id)
        table.setdefault(_norm(inst.name), inst.id)
    for ident in registry():
        table[_norm(ident)] = ident
    return table


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def get_instrument(name: str) -> Instrument:
    """Find an instrument by id, common name or alias (``"piano"``, ``"french horn"``, ``"taiko"``).

    Raises
    ------
    InvalidOptionError
        If nothing matches; the message lists a few close names.
    """
    ident = _lookup().get(_norm(name))
    if ident is None:
        import difflib

        close = difflib.get_close_matches(_norm(name), list(_lookup()), n=4, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InvalidOptionError(f"unknown instrument {name!r}: use a General MIDI instrument name (see `gekiban instruments`){hint}")
    return registry()[ident]
