"""Articulation and doubling: how a role's notes are played (legato, staccato, marcato,
pizzicato, tremolo) and the octave doubling of a part in its loudest sections.

A figure is articulated through its gate (the share of each step a note sounds); a line (lead,
counter) through its note lengths. Pizzicato and tremolo also change a string section to its
pizzicato or tremolo patch, so the renderer plays the real articulation.
"""

from __future__ import annotations

from gekiban.instruments import Instrument, get_instrument
from gekiban.score import Note, Section
from gekiban.styles.schema import Figure, energy_band
from gekiban.theory import Meter

#: The longest share of a step each articulation lets a note sound (1 for legato: to the next).
#: The shares keep common note values off the half-sixteenth (0.5 x 0.75 = 0.375 beats would be),
#: so a restated bar reads as the same bar on the sixteenth grid whatever the humanizing did.
_GATE = {"staccato": 0.45, "pizzicato": 0.45, "marcato": 0.7}
#: The string sections that have a pizzicato and a tremolo patch of their own.
_SECTIONS = ("strings", "slow-strings")
_PATCH = {"pizzicato": "pizzicato-strings", "tremolo": "tremolo-strings"}


def articulation_of(fig_articulation: str, role_articulation: str) -> str:
    """The role's articulation when it names one, else the figure's."""
    return role_articulation or fig_articulation


def gate_for(fig: Figure, role_articulation: str) -> float:
    """The gate a figure is played with under the role's articulation."""
    how = articulation_of(fig.articulation, role_articulation)
    if how == "legato" or how == "tremolo":
        return 1.0
    return min(fig.gate, _GATE.get(how, 1.0))


def accent_for(how: str) -> int:
    """Extra velocity of an articulation (marcato leans on every note)."""
    return 10 if how == "marcato" else 0


def patch_for(inst: Instrument, how: str) -> Instrument:
    """The instrument that plays ``inst``'s part with articulation ``how``: a string section's
    pizzicato or tremolo patch, else ``inst`` itself."""
    if inst.id in _SECTIONS and how in _PATCH:
        return get_instrument(_PATCH[how])
    return inst


def articulate_line(notes: list[Note], how: str) -> list[Note]:
    """A melodic line played ``how``: staccato and pizzicato shorten notes up to a beat and a
    half to under half, marcato to seven tenths and leans on them, legato joins each note to
    the next onset (a gap of up to a beat)."""
    if how in ("", "normal", "tremolo") or not notes:
        return notes
    if how == "legato":
        ordered = sorted(notes, key=lambda n: n.start)
        out = []
        for n, nxt in zip(ordered, ordered[1:] + [None]):
            gap = nxt.start - n.end if nxt is not None else 0.0
            out.append(Note(n.pitch, n.start, n.duration + gap, n.velocity) if 0 < gap <= 1.0 else n)
        return out
    share = _GATE[how]
    return [Note(n.pitch, n.start, n.duration * share if n.duration <= 1.5 else n.duration, min(127, n.velocity + accent_for(how)))
            for n in notes]


def double(notes: list[Note], semitones: int, sections: list[Section], meter: Meter, inst: Instrument, *,
           base: float) -> list[Note]:
    """``notes`` with a copy ``semitones`` away in the busy sections (the tutti: energy well
    above ``base``, the style's own), where the copy lies in the instrument's range; a
    monophonic instrument cannot double itself."""
    if not semitones or inst.polyphony < 2:
        return notes
    loud = [(s.start_bar * meter.bar_beats, s.end_bar * meter.bar_beats) for s in sections
            if energy_band(s.energy, base) == "busy"]
    extra = [Note(n.pitch + semitones, n.start, n.duration, max(1, n.velocity - 8)) for n in notes
             if inst.low <= n.pitch + semitones <= inst.high and any(a - 1e-9 <= n.start < b - 1e-9 for a, b in loud)]
    return notes + extra
