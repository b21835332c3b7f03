"""Which line of a piece plays which role: lead, counter, pad, ostinato, bass, drums.

Written by hand: the MIDI libraries read notes but none assigns band roles. The rules are the
ones an arranger reads a score by: drums play on channel 10; the lead is the highest line that
mostly plays one note at a time; the bass the lowest line; a line that stacks notes is the
pad; a busy line of short repeated notes an ostinato; another single line the counter-melody.
One polyphonic line (a piano file) is split into its top line (lead), its bottom line (bass)
and what lies between (pad).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from gekiban.instruments import Instrument, registry
from gekiban.learn.read import Line, Piece
from gekiban.understand.midi_seed import monophony

NoteT = tuple[float, float, int, int]


@dataclass(frozen=True)
class Roles:
    """A piece's lines by role: notes and GM program per role (drums: notes only)."""

    notes: dict[str, tuple[NoteT, ...]]
    programs: dict[str, int]


def _monophony(notes: tuple[NoteT, ...]) -> float:
    return monophony((on, on + d) for on, d, _, _ in notes)


def _outline(notes: tuple[NoteT, ...], top: bool) -> tuple[NoteT, ...]:
    """The top (or bottom) note of each onset."""
    by_onset: dict[float, NoteT] = {}
    for n in notes:
        k = n[0]
        if k not in by_onset or (n[2] > by_onset[k][2]) == top:
            by_onset[k] = n
    return tuple(by_onset[k] for k in sorted(by_onset))


def _mean_pitch(line: Line) -> float:
    return sum(n[2] for n in line.notes) / len(line.notes)


def assign_roles(piece: Piece) -> Roles:
    """The piece's lines by role (see the module's rules); roles no line plays are absent."""
    notes: dict[str, tuple[NoteT, ...]] = {}
    programs: dict[str, int] = {}
    drums = [n for line in piece.lines if line.drum for n in line.notes]
    if drums:
        notes["drums"] = tuple(sorted(drums))
    pitched = [line for line in piece.lines if not line.drum and len(line.notes) >= 4]
    if not pitched:
        return Roles(notes, programs)
    if len(pitched) == 1 and _monophony(pitched[0].notes) < 0.6:
        line = pitched[0]
        top, bottom = _outline(line.notes, True), _outline(line.notes, False)
        middle = tuple(n for n in line.notes if n not in set(top) | set(bottom))
        for role, part in (("lead", top), ("bass", bottom), ("pad", middle)):
            if len(part) >= 4:
                notes[role], programs[role] = part, line.program
        return Roles(notes, programs)
    singles = [line for line in pitched if _monophony(line.notes) >= 0.7]
    lead = max(singles or pitched, key=_mean_pitch)
    notes["lead"], programs["lead"] = _outline(lead.notes, True), lead.program
    rest = [line for line in pitched if line is not lead]
    if rest:
        bass = min(rest, key=_mean_pitch)
        if _mean_pitch(bass) < _mean_pitch(lead) - 7:
            notes["bass"], programs["bass"] = _outline(bass.notes, False), bass.program
            rest.remove(bass)
    inner_singles = []
    for line in sorted(rest, key=lambda x: -len(x.notes)):
        if _monophony(line.notes) < 0.7 and "pad" not in notes:
            notes["pad"], programs["pad"] = line.notes, line.program
        elif _ostinato_like(line) and "ostinato" not in notes:
            notes["ostinato"], programs["ostinato"] = line.notes, line.program
        else:
            inner_singles.append(line)
    if inner_singles and "pad" not in notes and len(inner_singles) >= 2:
        # inner voices that together sound chords (a chorale's alto and tenor) are the pad
        together = tuple(sorted(n for line in inner_singles for n in line.notes))
        notes["pad"], programs["pad"] = together, inner_singles[0].program
    elif inner_singles:
        notes["counter"], programs["counter"] = inner_singles[0].notes, inner_singles[0].program
    return Roles(notes, programs)


def _ostinato_like(line: Line) -> bool:
    """Short notes, mostly on a few repeated pitches."""
    lengths = [n[1] for n in line.notes]
    pitches = [n[2] for n in line.notes]
    repeated = sum(1 for a, b in zip(pitches, pitches[1:]) if a == b) / max(1, len(pitches) - 1)
    return median(lengths) <= 0.5 and (repeated >= 0.3 or len(set(pitches)) <= 4) and len(line.notes) >= 32


def instrument_for(program: int, role: str) -> Instrument:
    """The registry instrument that plays GM ``program`` (the first with that program; else
    the nearest program of the same GM family; else the piano)."""
    candidates = [i for i in registry().values() if not i.drum]
    exact = [i for i in candidates if i.program == program]
    if exact:
        return exact[0]
    family = [i for i in candidates if i.program // 8 == program // 8]
    if family:
        return min(family, key=lambda i: abs(i.program - program))
    return registry()["piano"]
