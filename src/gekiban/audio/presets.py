"""Which presets of the SoundFont play a part: its seats (one MIDI channel each), chosen at render
time from the part (instrument, program, role, note lengths, controls), never written into the
Score or its MIDI file.

A font gekiban knows (``data/soundfonts.toml``, recognised by its own name) gets its richer
presets: MuseScore General's string sections (an ensemble part is divided between violins I
and II, violas, celli and basses by pitch), their articulations (tremolo, pizzicato, fast and
slow bows), and the "Expr." presets whose loudness follows CC2 for parts that sustain. Any
other font (FluidR3) plays each part on its General MIDI program, as a MIDI player would.
Every preset is checked against the font's own list; a missing one falls back to the GM
program.
"""

from __future__ import annotations

import statistics
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gekiban.audio.synth import Font
from gekiban.errors import SoundFontError
from gekiban.roles import base_role
from gekiban.score import Part, Score

DRUM_BANK = 128
#: The controller an Expr. preset's loudness follows (breath).
EXPRESSION_CC = 2


@dataclass(frozen=True)
class Seat:
    """One MIDI channel of a part: the preset it plays and the lowest pitch it takes.

    ``expression``: an Expr. preset, whose loudness follows CC2 (the renderer turns the part's
    velocities and CC11 into a CC2 curve); ``label`` says what it is (``"violas slow"``).
    """

    bank: int
    program: int
    low: int = 0
    expression: bool = False
    label: str = ""


@dataclass(frozen=True)
class Section:
    name: str
    bank: int
    expression_bank: int
    split: int


@dataclass(frozen=True)
class Articulation:
    name: str
    program: int
    expression: bool


@dataclass(frozen=True)
class Sectioned:
    """An instrument played by sections: which, with which articulation (or ``"auto"``), and
    the roles in which it stays a soloist."""

    sections: tuple[str, ...]
    articulation: str
    solo_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """What gekiban knows about one SoundFont beyond General MIDI (``data/soundfonts.toml``)."""

    key: str
    title: str
    inam: str
    expression_bank: int | None
    sustain_seconds: float
    slow_seconds: float
    sections: tuple[Section, ...] = ()
    articulations: tuple[Articulation, ...] = ()
    instruments: tuple[tuple[str, Sectioned], ...] = ()

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)

    def articulation(self, name: str) -> Articulation:
        return next(a for a in self.articulations if a.name == name)

    def sectioned(self, instrument: str) -> Sectioned | None:
        return next((s for i, s in self.instruments if i == instrument), None)


@cache
def profiles() -> tuple[Profile, ...]:
    """Every font profile of ``data/soundfonts.toml``, checked.

    Raises
    ------
    SoundFontError
        If the file names an unknown section or articulation, or a number out of range.
    """
    text = resources.files("gekiban").joinpath("data/soundfonts.toml").read_text(encoding="utf-8")
    return tuple(_profile(key, d) for key, d in tomllib.loads(text).items())


def _profile(key: str, d: dict) -> Profile:
    where = f"data/soundfonts.toml [{key}]"
    try:
        sections = tuple(Section(n, int(s["bank"]), int(s["expression_bank"]), int(s["split"]))
                         for n, s in d.get("sections", {}).items())
        articulations = tuple(Articulation(n, int(a["program"]), bool(a["expression"]))
                              for n, a in d.get("articulations", {}).items())
        instruments = tuple((i, Sectioned(tuple(s["sections"]), s["articulation"], tuple(s.get("solo_roles", ()))))
                            for i, s in d.get("instruments", {}).items())
        profile = Profile(key=key, title=d["title"], inam=d["inam"], expression_bank=d.get("expression_bank"),
                          sustain_seconds=float(d["sustain_seconds"]), slow_seconds=float(d["slow_seconds"]),
                          sections=sections, articulations=articulations, instruments=instruments)
    except (KeyError, TypeError, ValueError) as exc:
        raise SoundFontError(f"{where} is malformed: {exc!r}") from None
    names = {s.name for s in sections}
    arts = {a.name for a in articulations} | {"auto"}
    for inst, how in instruments:
        if not how.sections or not set(how.sections) <= names or how.articulation not in arts:
            raise SoundFontError(f"{where} instrument {inst!r}: sections {list(how.sections)} must be among "
                                 f"{sorted(names)} and the articulation among {sorted(arts)}")
    numbers = [s.bank for s in sections] + [s.expression_bank for s in sections] + [a.program for a in articulations]
    if profile.expression_bank is not None:
        numbers.append(profile.expression_bank)
    if any(not 0 <= n <= 127 for n in numbers):
        raise SoundFontError(f"{where}: banks and programs must be 0-127")
    return profile


def profile_for(font: Font) -> Profile | None:
    """The profile of the font (its own name contains the profile's ``inam``), or None."""
    return next((p for p in profiles() if p.inam and p.inam in font.name), None)


def seats(part: Part, score: Score, font: Font) -> tuple[Seat, ...]:
    """The seats that play ``part`` on ``font``, highest first (each note goes to the first seat
    whose ``low`` it reaches, see :func:`seat_of`).

    Drums play their kit (bank 128, the part's program). With a known font: an instrument the
    profile plays by sections gets one seat per section (unless its role keeps it a soloist),
    with the articulation the profile names or, for ``"auto"``, slow bows when the notes are
    long; a part that sustains gets Expr. presets where the font has them. Otherwise, and for
    any preset the font lacks, the part's GM program (bank 0).
    """
    if part.is_drum:
        return (Seat(DRUM_BANK, part.program, label="drum kit"),)
    gm = Seat(0, part.program, label="GM program")
    profile = profile_for(font)
    if profile is None:
        return (gm,)
    sustained = _sustains(part, score, profile)
    how = profile.sectioned(part.instrument)
    if how is not None and base_role(part.role) not in how.solo_roles:
        chosen = _section_seats(how, profile, font, sustained=sustained, slow=_median_seconds(part, score) >= profile.slow_seconds)
        if chosen:
            return chosen
    bank = profile.expression_bank
    if sustained and bank is not None and font.has(bank, part.program):
        return (Seat(bank, part.program, expression=True, label="Expr. program"),)
    return (gm,)


def _section_seats(how: Sectioned, profile: Profile, font: Font, *, sustained: bool, slow: bool) -> tuple[Seat, ...]:
    art = profile.articulation(how.articulation if how.articulation != "auto" else ("slow" if slow else "fast"))
    out = []
    for i, name in enumerate(how.sections):
        section = profile.section(name)
        low = section.split if i < len(how.sections) - 1 else 0  # the last section takes the rest
        if sustained and art.expression and font.has(section.expression_bank, art.program):
            out.append(Seat(section.expression_bank, art.program, low, True, f"{name} {art.name}"))
        elif font.has(section.bank, art.program):
            out.append(Seat(section.bank, art.program, low, False, f"{name} {art.name}"))
        else:
            return ()  # the font lacks a section: the whole part plays its GM program
    return tuple(sorted(out, key=lambda s: -s.low))


def seat_of(seats: tuple[Seat, ...], pitch: int) -> int:
    """Index of the seat that plays ``pitch``: the first whose ``low`` it reaches (the last
    otherwise)."""
    for i, seat in enumerate(seats):
        if pitch >= seat.low:
            return i
    return len(seats) - 1


def _median_seconds(part: Part, score: Score) -> float:
    if not part.notes:
        return 0.0
    return statistics.median(score.seconds_at(n.start + n.duration) - score.seconds_at(n.start) for n in part.notes)


def _sustains(part: Part, score: Score, profile: Profile) -> bool:
    """A part sustains when its median note lasts ``sustain_seconds`` or it has CC11 swells."""
    return any(c.number == 11 for c in part.controls) or _median_seconds(part, score) >= profile.sustain_seconds
