"""One piece analysed: everything a style is learned from, and what a learned style is
measured by (:mod:`gekiban.learn.features`), computed once per file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from gekiban.learn.harmony import Harmony, harmony_of, key_of
from gekiban.learn.read import Piece
from gekiban.learn.rhythm import bass_tokens, lead_cells, onset_grid, phrase_bars, scale_moves, section_bars, swing_of
from gekiban.learn.roles import Roles, assign_roles
from gekiban.theory import Key, Meter


@dataclass(frozen=True)
class Analysis:
    """A piece as the learner sees it.

    ``cells`` counts the lead's one-pulse rhythm cells, ``moves`` its scale-step moves
    (-7..+7), ``grids`` the onset grid (sixteenths of a bar) of each accompanying role,
    ``bass`` the figure words the bass plays on each step of the bar (empty without a bass);
    ``onsets_per_second`` counts every pitched onset, ``velocity`` is the mean of all notes.
    """

    path: str
    meter: Meter
    bpm: float
    key: Key
    bars: int
    roles: Roles
    harmony: Harmony
    cells: Counter[str]
    moves: np.ndarray
    grids: dict[str, np.ndarray]
    bass: tuple[Counter[str], ...]
    swing: float
    phrase_bars: int
    section_bars: int
    onsets_per_second: float
    velocity: float

    @property
    def lead_notes_per_beat(self) -> float:
        """The lead's notes per beat over the bars it plays in."""
        lead = self.roles.notes.get("lead", ())
        bars = {int(n[0] // self.meter.bar_beats) for n in lead}
        return len(lead) / max(1.0, len(bars) * self.meter.bar_beats)


def analyse(piece: Piece) -> Analysis:
    """Analyse one piece read by :func:`gekiban.learn.read.read_piece`."""
    roles = assign_roles(piece)
    key = key_of(piece, roles.notes.get("bass") or roles.notes.get("lead", ()))
    harmony = harmony_of(piece, key, roles.notes.get("lead", ()))
    lead = roles.notes.get("lead", ())
    pitched = [n for line in piece.lines if not line.drum for n in line.notes]
    seconds = piece.bars * piece.meter.bar_beats * 60.0 / piece.bpm
    every = [n for line in piece.lines for n in line.notes]
    return Analysis(
        path=piece.path, meter=piece.meter, bpm=piece.bpm, key=key, bars=piece.bars, roles=roles, harmony=harmony,
        cells=lead_cells(lead, piece.meter), moves=scale_moves(lead, key),
        grids={role: onset_grid(notes, piece.meter) for role, notes in roles.notes.items() if role != "lead"},
        bass=tuple(bass_tokens(roles.notes["bass"], [c.root if c else None for c in harmony.chords], harmony.unit_beats,
                               piece.meter)) if "bass" in roles.notes else (),
        swing=swing_of([*lead, *roles.notes.get("drums", ()), *roles.notes.get("ostinato", ())], piece.meter),
        phrase_bars=phrase_bars(lead, piece.meter), section_bars=section_bars(lead, piece.meter, piece.bars),
        onsets_per_second=len({round(n[0], 3) for n in pitched}) / max(seconds, 1e-6),
        velocity=float(np.mean([n[3] for n in every])) if every else 64.0,
    )
