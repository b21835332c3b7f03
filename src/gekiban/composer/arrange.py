"""Arrangement: choose the ensemble and write each role's part over the form and harmony.

Roles (lead, counter, pad, ostinato, bass, drums, percussion) follow the style's RoleSpecs; a
role plays in the sections whose energy reaches its ``min_energy``, and its density and dynamics
follow that energy. A user's instrument list replaces the style's palette: each instrument takes
the roles its family suits, so the output uses exactly the instruments asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from gekiban.composer.articulate import articulate_line, double, patch_for
from gekiban.composer.drums import drum_part
from gekiban.composer.figures import counter, home_scale, play_figure, velocity
from gekiban.composer.harmony import voice_lead
from gekiban.instruments import Instrument, get_instrument
from gekiban.roles import ROLE_NAMES, base_role, role_of
from gekiban.score import ChordEvent, Note, Part, Section
from gekiban.styles.figures import figure
from gekiban.styles.schema import Groove, RoleSpec, Style
from gekiban.theory import Meter

# Which roles an instrument family can take, best first.
_FAMILY_ROLES = {
    "keys": ("ostinato", "pad", "lead", "bass", "counter"), "mallets": ("ostinato", "lead", "counter"),
    "organ": ("pad", "lead", "ostinato"), "guitar": ("ostinato", "lead", "counter"),
    "bass": ("bass",), "strings": ("lead", "counter", "ostinato", "bass"), "ensemble": ("pad", "ostinato", "counter", "lead"),
    "brass": ("lead", "counter", "pad", "ostinato"), "reed": ("lead", "counter", "ostinato"), "pipe": ("lead", "counter"),
    "lead": ("lead", "ostinato", "counter"), "pad": ("pad",), "fx": ("pad",),
    "ethnic": ("lead", "ostinato", "counter"), "percussive": ("percussion",), "drums": ("drums", "percussion"),
    "sound-effects": ("pad",),
}
#: The lowest comfortable note at or below which a melodic instrument can carry the bass line
#: in a group without a bass instrument (cello 36, bassoon 36, trombone 40, tuba 29).
_BASS_REACH = 40


@dataclass(frozen=True)
class Seat:
    """One chair of the ensemble: a role played by an instrument, with its style spec."""

    role: str
    instrument: Instrument
    spec: RoleSpec


def choose_ensemble(style: Style, *, instruments: Sequence[str] = (), exclude: Sequence[str] = (), alternate: int = 0) -> list[Seat]:
    """The seats of the cue.

    Without ``instruments`` the style's roles and their first instruments are used, minus any
    instrument (or role name, e.g. ``"drums"``) in ``exclude``. With ``instruments`` the output
    uses exactly those: each takes its best free role, a lead is always seated, and the style's
    remaining roles are covered by instruments that suit them. ``alternate`` = k picks the k-th
    listed alternative for every role but the lead (variations change colour, keep the theme).
    """
    excluded = {get_instrument(x).id if x not in ROLE_NAMES else x for x in exclude}
    if not instruments:
        seats = []
        for spec in style.roles:
            options = [get_instrument(i) for i in spec.instruments if get_instrument(i).id not in excluded]
            shift = alternate if spec.role != "lead" and options else 0
            inst = options[shift % len(options)] if options else None
            if inst is None or spec.role in excluded:
                continue
            seats.append(Seat(spec.role, inst, spec))
        return sorted(seats, key=lambda s: ROLE_NAMES.index(s.role)) or [Seat("lead", get_instrument("piano"), RoleSpec("lead", ("piano",)))]
    insts = [get_instrument(i) for i in instruments]
    taken: dict[str, Instrument] = {}
    seated: set[int] = set()  # indices into insts: a repeated instrument is another player

    def roles_of(inst: Instrument) -> tuple[str, ...]:
        return _FAMILY_ROLES.get(inst.family, ("lead",))

    def seat(role: str, k: int) -> None:
        taken[role] = insts[k]
        seated.add(k)

    lead = next((k for k, i in enumerate(insts) if "lead" in roles_of(i)[:3] and not i.drum),
                next((k for k, i in enumerate(insts) if not i.drum), None))
    if lead is not None:
        seat("lead", lead)
    # the bass line goes to a bass instrument, else (in a group of three or more) to the lowest
    # melodic one that can carry it: a string quartet's cello, a wind quintet's bassoon
    low = [k for k, i in enumerate(insts) if k not in seated and not i.drum
           and ("bass" in roles_of(i)[:1] or (len(insts) >= 3 and i.comfort_low <= _BASS_REACH))]
    if low:
        seat("bass", min(low, key=lambda k: (roles_of(insts[k])[0] != "bass", insts[k].comfort_low)))
    for k, inst in enumerate(insts):
        if k in seated:
            continue
        role = next((r for r in roles_of(inst) if r not in taken and r != "bass"), None)
        if role is None and "bass" in roles_of(inst) and "bass" not in taken:
            role = "bass"
        if role is None:  # every suitable role is taken: double the most fitting one
            base, n = roles_of(inst)[0], 2
            while f"{base}{n}" in taken:
                n += 1
            role = f"{base}{n}"
        seat(role, k)
    for spec in style.roles:  # the style's other roles, by the instruments that suit them best
        if spec.role in taken or spec.role in ("drums", "percussion"):
            continue
        free = [k for k, i in enumerate(insts) if spec.role in roles_of(i) and not i.drum
                and (k not in seated or i.polyphony > 1)]  # one player of a melody instrument plays one part
        if free:
            k = min(free, key=lambda k: (roles_of(insts[k]).index(spec.role),
                                         insts[k].comfort_low if spec.role == "bass" else 0, k))
            taken[spec.role] = insts[k]
    seats = []
    for role, inst in taken.items():
        base = base_role(role)
        spec = style.role(base) or RoleSpec(base, (inst.id,))
        seats.append(Seat(role, inst, spec))
    return sorted(seats, key=lambda s: (ROLE_NAMES.index(base_role(s.role)), s.role))


def arrange(seats: list[Seat], *, sections: tuple[Section, ...], chords: tuple[ChordEvent, ...], melody: tuple[Note, ...],
            meter: Meter, style: Style, grooves: Mapping[str, Groove], rng: np.random.Generator,
            ending: str = "ring") -> tuple[Part, ...]:
    """Write one Part per seat (before humanizing and playability rules).

    Parameters
    ----------
    seats
        The ensemble from :func:`choose_ensemble`.
    sections, chords, melody
        Form, chord timeline and lead line.
    meter, style, grooves
        Meter; the style (patterns, swing); the groove catalogue for drums and percussion.
    rng
        Random generator for the small choices.
    ending
        ``"ring"``: a held final chord rings out; ``"button"``: one short accented final chord;
        ``"fade"``: the parts play on, dying away over the last bars; ``"loop"``: no ending, the
        last bar leads back to the first.
    """
    parts = []
    home = home_scale(chords)
    for seat in seats:
        role, inst, spec = base_role(seat.role), seat.instrument, seat.spec
        live = [s for s in sections if s.energy >= spec.min_energy - 1e-9] or [max(sections, key=lambda s: s.energy)]
        controls: tuple = ()
        if role in ("drums", "percussion"):
            notes = drum_part(spec, inst, live, sections, meter=meter, grooves=grooves,
                              ending=ending in ("ring", "button"), rng=rng, base=style.energy)
        elif role in ("lead", "counter"):
            notes = list(melody) if role == "lead" else counter(inst, live, chords, meter, melody, home)
            if seat.role != "lead" and role == "lead":  # a second lead instrument doubles the line an octave away
                notes = [Note(inst.fit(n.pitch), n.start, n.duration, n.velocity) for n in melody]
            notes = articulate_line(notes, spec.articulation)
            inst = patch_for(inst, spec.articulation)
        else:
            own = {f.name: f for f in style.figures if f.role == role}
            notes, controls = play_figure(role, spec, inst, live, chords, meter, home, base=style.energy, figures=own)
            notes = double(notes, spec.double, live, meter, inst, base=style.energy)
            pattern = figure(role, spec.pattern or role_of(role).default_pattern, own)
            inst = patch_for(inst, spec.articulation or pattern.articulation)
        if role in ("pad", "ostinato", "bass"):
            if ending in ("ring", "button"):
                notes = _final_chord(notes, role, inst, sections, chords, meter)
            notes = _restrike(notes, meter.bar_beats * (2 if meter.bar_beats < 3 else 1))
        if ending == "button":
            notes = _button(notes, sections, meter)
        elif ending == "fade":
            notes = _die_away(notes, sections, meter)
        parts.append(Part(role=seat.role, instrument=inst.id, program=inst.program, notes=tuple(notes), is_drum=inst.drum,
                          volume=spec.volume, pan=spec.pan or role_of(role).pan,
                          reverb=float(np.clip(style.reverb * role_of(role).reverb, 0, 1)), controls=controls))
    return tuple(parts)


def _restrike(notes: list[Note], longest: float) -> list[Note]:
    """Split notes held longer than ``longest`` beats into re-struck ones on the bar grid, as a
    player re-bows or re-strikes: many SoundFont samples die away within a few seconds."""
    out = []
    for n in notes:
        t, end = n.start, n.end
        while end - t > longest * 1.5:
            nxt = (int(t // longest) + 1) * longest
            out.append(Note(n.pitch, t, nxt - t, n.velocity if t == n.start else max(1, n.velocity - 6)))
            t = nxt
        out.append(Note(n.pitch, t, end - t, n.velocity if t == n.start else max(1, n.velocity - 6)))
    return out


def _button(notes: list[Note], sections: tuple[Section, ...], meter: Meter) -> list[Note]:
    """A button ending: whatever sounds on the last downbeat is cut to one short accented stab."""
    t0 = (sections[-1].end_bar - 1) * meter.bar_beats
    return [Note(n.pitch, n.start, min(n.duration, 0.5), min(127, n.velocity + 12)) if n.start >= t0 - 1e-9 else n
            for n in notes if n.start < t0 + 1e-9]


def _die_away(notes: list[Note], sections: tuple[Section, ...], meter: Meter) -> list[Note]:
    """A fade ending: velocities fall over the last four bars (the mix fades the audio too)."""
    end = sections[-1].end_bar * meter.bar_beats
    start = max(0.0, end - 4 * meter.bar_beats)
    out = []
    for n in notes:
        k = 1.0 if n.start < start else max(0.25, 1.0 - 0.75 * (n.start - start) / (end - start))
        out.append(Note(n.pitch, n.start, n.duration, max(1, int(round(n.velocity * k)))))
    return out


def accent_hits(parts: tuple[Part, ...], beats: list[float]) -> tuple[Part, ...]:
    """Tutti accents on hit downbeats: every note struck there is louder, and the drum kit adds
    a crash and a kick."""
    if not beats:
        return parts
    out = []
    for p in parts:
        notes = [Note(n.pitch, n.start, n.duration, min(127, n.velocity + 18)) if any(abs(n.start - b) < 1e-6 for b in beats) else n
                 for n in p.notes]
        if p.is_drum:
            struck = {(n.pitch, round(n.start, 6)) for n in notes}
            notes += [Note(key, b, 1.0, 120) for b in beats for key in (49, 36) if (key, round(b, 6)) not in struck]
        out.append(replace(p, notes=tuple(sorted(notes, key=lambda n: (n.start, n.pitch)))))
    return tuple(out)


def _final_chord(notes: list[Note], role: str, inst: Instrument, sections, chords, meter: Meter) -> list[Note]:
    """Replace what a role plays in the last bar by one held final chord: the ring-out."""
    last_bar = sections[-1].end_bar - 1
    t0 = last_bar * meter.bar_beats
    kept = [n for n in notes if n.start < t0 - 1e-9]
    kept = [Note(n.pitch, n.start, min(n.duration, t0 - n.start), n.velocity) for n in kept]
    final = chords[-1].chord
    vel = velocity(sections[-1], 0)
    if role == "bass":
        r = inst.comfort_low + (final.root - inst.comfort_low) % 12
        return kept + [Note(r, t0, meter.bar_beats, vel)]
    low, high = max(inst.comfort_low, 48), min(inst.comfort_high, 79)
    v = voice_lead([final], low=low, high=high, voices=min(4, inst.polyphony))[0]
    return kept + [Note(p, t0, meter.bar_beats, vel) for p in v]
