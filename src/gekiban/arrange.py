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

from gekiban.drums import drum_part
from gekiban.harmony import voice_lead
from gekiban.instruments import Instrument, get_instrument
from gekiban.score import ChordEvent, Control, Note, Part, Section
from gekiban.style import Groove, RoleSpec, Style
from gekiban.theory import Meter

# Which roles an instrument family can take, best first.
_FAMILY_ROLES = {
    "keys": ("ostinato", "pad", "lead", "bass", "counter"), "mallets": ("ostinato", "lead", "counter"),
    "organ": ("pad", "lead", "ostinato"), "guitar": ("ostinato", "lead", "counter"),
    "bass": ("bass",), "strings": ("lead", "counter", "bass"), "ensemble": ("pad", "ostinato", "counter", "lead"),
    "brass": ("lead", "counter", "pad"), "reed": ("lead", "counter"), "pipe": ("lead", "counter"),
    "lead": ("lead", "ostinato", "counter"), "pad": ("pad",), "fx": ("pad",),
    "ethnic": ("lead", "ostinato", "counter"), "percussive": ("percussion",), "drums": ("drums", "percussion"),
    "sound-effects": ("pad",),
}
_DEFAULT_PAN = {"lead": 0.0, "counter": -0.3, "pad": 0.25, "ostinato": 0.35, "bass": 0.0, "drums": 0.0, "percussion": -0.4}
_DEFAULT_REVERB = {"lead": 0.9, "counter": 0.9, "pad": 1.2, "ostinato": 0.8, "bass": 0.2, "drums": 0.5, "percussion": 0.7}
_ROLE_ORDER = ("lead", "counter", "pad", "ostinato", "bass", "drums", "percussion")


def base_role(role: str) -> str:
    """The role a doubled seat plays: ``"pad2"`` and ``"pad3"`` are pads."""
    return role.rstrip("0123456789")


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
    excluded = {get_instrument(x).id if x not in _ROLE_ORDER else x for x in exclude}
    if not instruments:
        seats = []
        for spec in style.roles:
            options = [get_instrument(i) for i in spec.instruments if get_instrument(i).id not in excluded]
            shift = alternate if spec.role != "lead" and options else 0
            inst = options[shift % len(options)] if options else None
            if inst is None or spec.role in excluded:
                continue
            seats.append(Seat(spec.role, inst, spec))
        return sorted(seats, key=lambda s: _ROLE_ORDER.index(s.role)) or [Seat("lead", get_instrument("piano"), RoleSpec("lead", ("piano",)))]
    insts = [get_instrument(i) for i in instruments]
    taken: dict[str, Instrument] = {}

    def roles_of(inst: Instrument) -> tuple[str, ...]:
        return _FAMILY_ROLES.get(inst.family, ("lead",))

    lead = next((i for i in insts if "lead" in roles_of(i)[:3] and not i.drum), None) or next((i for i in insts if not i.drum), None)
    if lead is not None:
        taken["lead"] = lead
    for inst in insts:
        if inst in taken.values():
            continue
        role = next((r for r in roles_of(inst) if r not in taken), None)
        if role is None:  # every suitable role is taken: double the most fitting one
            base, n = roles_of(inst)[0], 2
            while f"{base}{n}" in taken:
                n += 1
            role = f"{base}{n}"
        taken[role] = inst
    for spec in style.roles:
        if spec.role in taken or spec.role in ("drums", "percussion"):
            continue
        inst = next((i for i in insts if spec.role in roles_of(i) and not i.drum), None)
        if inst is not None:
            taken[spec.role] = inst
    seats = []
    for role, inst in taken.items():
        base = base_role(role)
        spec = style.role(base) or RoleSpec(base, (inst.id,))
        seats.append(Seat(role, inst, spec))
    return sorted(seats, key=lambda s: (_ROLE_ORDER.index(base_role(s.role)), s.role))


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
    for seat in seats:
        role, inst, spec = base_role(seat.role), seat.instrument, seat.spec
        live = [s for s in sections if s.energy >= spec.min_energy - 1e-9] or [max(sections, key=lambda s: s.energy)]
        if role == "lead":
            notes = list(melody)
            if seat.role != "lead":  # a second lead instrument doubles the line an octave away
                notes = [Note(inst.fit(n.pitch), n.start, n.duration, n.velocity) for n in melody]
        elif role in ("drums", "percussion"):
            notes = drum_part(spec.pattern, inst, live, sections, meter=meter, grooves=grooves,
                              ending=ending in ("ring", "button"), rng=rng)
        else:
            writer = {"counter": _counter, "pad": _pad, "ostinato": _ostinato, "bass": _bass}[role]
            notes = writer(spec, inst, live, chords, meter, melody, rng)
            if ending in ("ring", "button") and role != "counter":
                notes = _final_chord(notes, role, inst, sections, chords, meter)
            notes = _restrike(notes, meter.bar_beats * (2 if meter.bar_beats < 3 else 1))
        if ending == "button":
            notes = _button(notes, sections, meter)
        elif ending == "fade":
            notes = _die_away(notes, sections, meter)
        controls = _swells(spec, live, chords) if role == "pad" and spec.pattern == "swell" else ()
        parts.append(Part(role=seat.role, instrument=inst.id, program=inst.program, notes=tuple(notes), is_drum=inst.drum,
                          volume=spec.volume, pan=spec.pan or _DEFAULT_PAN.get(role, 0.0),
                          reverb=float(np.clip(style.reverb * _DEFAULT_REVERB.get(role, 1.0), 0, 1)), controls=controls))
    return tuple(parts)


def _chords_in(sec: Section, chords: tuple[ChordEvent, ...], meter: Meter) -> list[ChordEvent]:
    a, b = sec.start_bar * meter.bar_beats, sec.end_bar * meter.bar_beats
    return [c for c in chords if c.start < b - 1e-9 and c.end > a + 1e-9]


def _vel(sec: Section, accent: int = 0) -> int:
    return int(np.clip(40 + 62 * sec.energy + accent, 20, 124))


def _span(c: ChordEvent, sec: Section, meter: Meter) -> tuple[float, float]:
    a, b = sec.start_bar * meter.bar_beats, sec.end_bar * meter.bar_beats
    return max(c.start, a), min(c.end, b)


def _pad(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    low, high = max(inst.comfort_low, 48), min(inst.comfort_high, 79)
    if high - low < 12:
        low, high = inst.comfort_low, inst.comfort_high
    out = []
    for sec in live:
        cs = _chords_in(sec, chords, meter)
        for c, v in zip(cs, voice_lead([c.chord for c in cs], low=low, high=high, voices=min(4, inst.polyphony))):
            a, b = _span(c, sec, meter)
            if spec.pattern in ("stabs", "offbeat"):
                step = 1.0 if spec.pattern == "stabs" else 0.5
                t = a + (0.5 if spec.pattern == "offbeat" else 0.0)
                while t < b - 1e-9:
                    if spec.pattern == "offbeat" or (t - a) % meter.bar_beats in (0.0, meter.bar_beats / 2) or sec.energy > 0.75:
                        out += [Note(p + 12 * spec.octave, t, 0.35, _vel(sec, 4)) for p in v]
                    t += step * (2 if spec.pattern == "offbeat" else 1)
            else:
                out += [Note(p + 12 * spec.octave, a, b - a, _vel(sec, -12)) for p in v]
    return out


def _swells(spec: RoleSpec, live: list[Section], chords) -> tuple[Control, ...]:
    """Expression (CC11) rising through each chord and easing off at its end."""
    out = []
    for c in chords:
        out += [Control(c.start, 11, 50), Control(c.start + c.duration * 0.6, 11, 110), Control(c.start + c.duration * 0.95, 11, 70)]
    return tuple(out)


def _tones_in(chord, low: int, high: int) -> list[int]:
    pcs = set(chord.pitch_classes)
    return [p for p in range(low, high + 1) if p % 12 in pcs]


def _ostinato(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    pat = spec.pattern or "arp-up"
    lo = inst.comfort_low + 12 * spec.octave
    base_low = max(inst.comfort_low, min(55, inst.comfort_high - 19)) + 12 * spec.octave
    home = _home_scale(chords)
    out: list[Note] = []
    for sec in live:
        busy = sec.energy >= 0.45 or sec.tension >= 0.7
        for c in _chords_in(sec, chords, meter):
            a, b = _span(c, sec, meter)
            ch = c.chord
            root = inst.fit(ch.root + 12 * (base_low // 12), comfortable=True)
            if root < base_low:
                root += 12
            tones = _tones_in(ch, root, root + 19) or [root]
            fifth = root + 7
            shared = [p for p in tones if p % 12 in home]
            if pat not in ("chug", "pulse", "strum", "timpani") and ch.root % 12 not in home and len({p % 12 for p in shared}) >= 2:
                # over a borrowed chord the figure keeps to the tones the key shares with it;
                # bass and pad state the new root, the ostinato shimmers on
                tones = shared
                root, fifth = shared[0], shared[1]
            if pat == "timpani":
                r = inst.fit(ch.bass_pc + 36)
                out.append(Note(r, a, min(1.0, b - a), _vel(sec, 6)))
                continue
            if pat in ("sixteenths", "chug", "pulse", "eighths"):
                step = 0.25 if pat == "sixteenths" and busy else 0.5
                if not busy and pat != "sixteenths":
                    step = 1.0
                t, k = a, 0
                while t < b - 1e-9:
                    if pat == "chug":
                        r = inst.fit(ch.root + 36, comfortable=False)
                        out += [Note(r, t, step * 0.8, _vel(sec, 6 if k % 4 == 0 else -4)), Note(r + 7, t, step * 0.8, _vel(sec, -6))]
                    elif pat == "pulse":
                        out += [Note(p, t, step * 0.7, _vel(sec, -8)) for p in tones[:3]]
                    else:
                        cyc = [root, root, fifth, root + 12] if pat == "sixteenths" else [root, fifth, root + 12, fifth]
                        out.append(Note(cyc[k % 4], t, step * 0.85, _vel(sec, 6 if k % 4 == 0 else -6)))
                    t += step
                    k += 1
            elif pat == "strum":
                for t in np.arange(a, b - 1e-9, 1.0 if busy else 2.0):
                    out += [Note(p, float(t) + 0.012 * j, 0.9 if busy else 1.9, _vel(sec, -4 - 2 * j)) for j, p in enumerate(tones[:4])]
            elif pat == "waltz":
                for bar0 in np.arange(a, b - 1e-9, meter.bar_beats):
                    for t in meter.pulses[1:] if len(meter.pulses) > 1 else (meter.bar_beats / 2,):
                        out += [Note(p, float(bar0 + t), 0.8, _vel(sec, -10)) for p in tones[1:4]]
            else:  # arpeggios: arp-up, arp-updown, broken, alberti
                seq = {
                    "arp-up": tones[:4],
                    "arp-updown": tones[:4] + tones[1:3][::-1],
                    "broken": [root, fifth, root + 12, tones[min(3, len(tones) - 1)] if len(tones) > 3 else root + 16],
                    "alberti": [tones[0], tones[-1] if len(tones) > 2 else fifth, tones[1] if len(tones) > 1 else fifth, tones[-1] if len(tones) > 2 else fifth],
                }.get(pat, tones[:4])
                step = 0.25 if (busy and sec.energy > 0.7) else 0.5
                if meter.compound:
                    step = 0.5
                t, k = a, 0
                while t < b - 1e-9:
                    out.append(Note(seq[k % len(seq)], t, step * (1.6 if inst.family in ("keys", "guitar", "ethnic") else 0.9), _vel(sec, 2 if k == 0 else -8)))
                    t += step
                    k += 1
    del lo
    return out


def _bass(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    low = inst.comfort_low
    out: list[Note] = []
    bar = meter.bar_beats
    home = _home_scale(chords)
    for sec in live:
        cs = _chords_in(sec, chords, meter)
        pat = "pedal" if sec.tension >= 0.8 and sec.kind != "outro" else spec.pattern or "roots"  # tension: pedal point
        for i, c in enumerate(cs):
            a, b = _span(c, sec, meter)
            r = low + (c.chord.bass_pc - low) % 12
            if r + 12 <= min(inst.comfort_high, 52) and rng.random() < 0.0:
                r += 12
            fifth = r + 7 if r + 7 <= inst.high else r - 5
            busy = sec.energy >= 0.5
            if pat == "eighths" and busy:
                out += [Note(r + (12 if (k % 8 == 7 and sec.energy > 0.8) else 0), float(t), 0.45, _vel(sec, 4 if k % 2 == 0 else -6))
                        for k, t in enumerate(np.arange(a, b - 1e-9, 0.5))]
            elif pat == "octaves" and busy:
                out += [Note(r + (12 if k % 2 else 0), float(t), 0.45, _vel(sec, 0)) for k, t in enumerate(np.arange(a, b - 1e-9, 0.5))]
            elif pat == "walking":
                nxt = cs[i + 1].chord.bass_pc if i + 1 < len(cs) else c.chord.root
                beats = list(np.arange(a, b - 1e-9, 1.0))
                target = low + (nxt - low) % 12
                for k, t in enumerate(beats):
                    if k == 0:
                        p = r
                    elif k == len(beats) - 1:  # step into the next root from the scale tone beside it
                        p = next((target + d for d in ((1, -1) if target > r else (-1, 1)) + (2, -2)
                                  if (target + d) % 12 in home), target + 1)
                    else:
                        p = _tones_in(c.chord, r, r + 12)[k % 3] if len(_tones_in(c.chord, r, r + 12)) >= 3 else r
                    out.append(Note(p, float(t), 0.9, _vel(sec, 2 if k == 0 else -4)))
            elif pat == "oom-pah":
                for bar0 in np.arange(a, b - 1e-9, bar / 2 if bar >= 4 else bar):
                    k = int(round((bar0 - a) / (bar / 2 if bar >= 4 else bar)))
                    out.append(Note(r if k % 2 == 0 else fifth, float(bar0), 0.5, _vel(sec, 4)))
            elif pat == "syncopated" and busy:
                for bar0 in np.arange(a, b - 1e-9, bar):
                    for off in (0.0, 1.5, 3.0) if bar >= 4 else (0.0, 1.5):
                        if bar0 + off < b - 1e-9:
                            out.append(Note(r, float(bar0 + off), 1.0 if off < 3 else 0.9, _vel(sec, 4 if off == 0 else -2)))
            elif pat == "pedal":  # held, or pulsing in eighths when the section drives
                tonic = low + (cs[0].chord.root - low) % 12  # pedal on the section's opening root
                if busy:
                    out += [Note(tonic, float(t), 0.45, _vel(sec, 4 if k % 2 == 0 else -6)) for k, t in enumerate(np.arange(a, b - 1e-9, 0.5))]
                else:
                    out.append(Note(tonic, a, b - a, _vel(sec, -6)))
            else:  # roots / sustain / quiet versions of busy patterns
                step = b - a if pat == "sustain" or not busy else bar / 2 if bar >= 4 else bar
                out += [Note(r, float(t), min(step, b - t) * 0.95, _vel(sec, 0 if k == 0 else -8)) for k, t in enumerate(np.arange(a, b - 1e-9, step))]
    return out


def _home_scale(chords) -> set[int]:
    """The diatonic collection that holds most of the harmony (weighted by duration)."""
    weight = np.zeros(12)
    for c in chords:
        for pc in c.chord.pitch_classes:
            weight[pc] += c.duration
    major = (0, 2, 4, 5, 7, 9, 11)
    tonic = max(range(12), key=lambda t: sum(weight[(t + i) % 12] for i in major))
    return {(tonic + i) % 12 for i in major}


def _counter(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    """A slower line under the lead: chord tones a third or sixth below it, moving smoothly."""
    starts = np.array([n.start for n in melody]) if melody else np.array([0.0])
    out: list[Note] = []
    prev = (inst.comfort_low + inst.comfort_high) // 2
    half = meter.bar_beats / 2 if not meter.compound else 1.5
    home = _home_scale(chords)
    for sec in live:
        if sec.kind == "intro":
            continue
        for c in _chords_in(sec, chords, meter):
            a, b = _span(c, sec, meter)
            t = a
            while t < b - 1e-9:
                dur = min(half if sec.energy < 0.8 else half / 2, b - t)
                i = int(np.searchsorted(starts, t + 1e-9, side="right")) - 1
                mel = melody[i].pitch if melody and i >= 0 and melody[i].end > t else None
                tones = _tones_in(c.chord, inst.comfort_low, inst.comfort_high)
                if not tones:
                    break
                # over a borrowed chord, sing its tones that the key shares (common tones)
                tones = [p for p in tones if p % 12 in home] or tones
                if mel is not None:
                    under = [p for p in tones if 3 <= mel - p <= 9]
                    cands = under or tones
                else:
                    cands = tones
                # smooth, but keep moving: a tone held through two slots gives way to its neighbour
                still = len(out) >= 2 and out[-1].pitch == out[-2].pitch == prev
                p = min(cands, key=lambda x: abs(x - prev) + (6 if still and x == prev else 0))
                out.append(Note(p, t, dur * 0.95, _vel(sec, -10)))
                prev = p
                t += dur
    return out


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
    vel = _vel(sections[-1], 0)
    if role == "bass":
        r = inst.comfort_low + (final.root - inst.comfort_low) % 12
        return kept + [Note(r, t0, meter.bar_beats, vel)]
    low, high = max(inst.comfort_low, 48), min(inst.comfort_high, 79)
    v = voice_lead([final], low=low, high=high, voices=min(4, inst.polyphony))[0]
    return kept + [Note(p, t0, meter.bar_beats, vel) for p in v]
