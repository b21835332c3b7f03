"""Drums and percussion: grooves laid bar by bar, fills into new sections, crashes on
arrivals, thinner patterns at low energy and a single hit on the final chord."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gekiban.instruments import Instrument
from gekiban.score import Note, Section
from gekiban.styles.schema import Groove
from gekiban.theory import Meter

_VEL = {"x": 88, "X": 112, "g": 38}
_CRASH, _KICK, _CORE = 49, 36, {35, 36, 38, 40, 42, 44}


def fallback_groove(meter: Meter, *, drum: bool, low: int = 41, high: int = 45) -> Groove:
    """A plain groove for a meter no catalogue groove fits: kick (low hit) on the first pulse,
    snare (high hit) on the others, hi-hat on every eighth."""
    steps = int(round(meter.bar_beats * 4))
    pulses = {int(round(p * 4)) for p in meter.pulses}
    first = 0
    kick = "".join("x" if i == first else "." for i in range(steps))
    snare = "".join("x" if i in pulses and i != first else "." for i in range(steps))
    if not drum:
        return Groove("fallback", steps, (str(meter),), {low: kick, high: snare})
    hats = "".join("x" if i % 2 == 0 else "." for i in range(steps))
    return Groove("fallback", steps, (str(meter),), {_KICK: kick, 38: snare, 42: hats})


def _groove(name: str, meter: Meter, grooves: Mapping[str, Groove], inst: Instrument) -> Groove:
    g = grooves.get(name)
    if g is not None and str(meter) in g.meters:
        return g
    same = [x for x in grooves.values() if str(meter) in x.meters and x.drum == (not _melodic(inst))]
    if g is not None and same:
        return same[0]
    if _melodic(inst):
        return fallback_groove(meter, drum=False, low=inst.comfort_low + 5, high=inst.comfort_low + 9)
    return fallback_groove(meter, drum=True)


def _melodic(inst: Instrument) -> bool:
    return not inst.drum


def drum_part(pattern: str, inst: Instrument, live: list[Section], sections: tuple[Section, ...], *, meter: Meter,
              grooves: Mapping[str, Groove], ending: bool, rng: np.random.Generator) -> list[Note]:
    """Notes for a drum-kit or percussion part.

    Parameters
    ----------
    pattern
        Groove name from the catalogue.
    inst
        The kit (``drum``) or a melodic percussion instrument such as taiko.
    live
        The sections this part plays in.
    sections
        The whole form (for fills before the next section and the final hit).
    meter, grooves
        Meter and groove catalogue; a groove for another meter falls back to one that fits.
    ending
        Put a single accented hit on the final bar instead of the groove.
    rng
        Random generator for the ghost-note thinning.
    """
    g = _groove(pattern, meter, grooves, inst)
    step = meter.bar_beats / g.steps
    bar = meter.bar_beats
    out: list[Note] = []
    last_bar = sections[-1].end_bar - 1
    for sec in live:
        thin = sec.energy < 0.45
        for b in range(sec.start_bar, sec.end_bar):
            if ending and b == last_bar:
                continue
            lanes = g.fill if (g.fill and b == sec.end_bar - 1 and sec.bars >= 4 and sec is not sections[-1]) else g.lanes
            for key, steps in lanes.items():
                if thin and inst.drum and key not in _CORE:
                    continue
                for i, ch in enumerate(steps):
                    if ch == "." or (thin and ch == "g"):
                        continue
                    vel = int(np.clip(_VEL.get(ch, 88) * (0.72 + 0.35 * sec.energy) + rng.normal(0, 3), 1, 127))
                    out.append(Note(int(key), b * bar + i * step, max(step, 0.25), vel))
            if inst.drum and b == sec.start_bar and sec.energy >= 0.6 and sec.kind in ("chorus", "verse") and b > 0:
                out.append(Note(_CRASH, b * bar, 1.0, int(np.clip(70 + 50 * sec.energy, 1, 127))))
    if ending and any(s.end_bar - 1 == last_bar for s in live):
        t = last_bar * bar
        if inst.drum:
            out += [Note(_CRASH, t, bar, 110), Note(_KICK, t, 1.0, 105)]
        else:
            low = min((int(k) for k in g.lanes), default=inst.comfort_low)
            out.append(Note(low, t, bar, 112))
    return out
