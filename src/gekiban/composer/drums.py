"""Drums and percussion: grooves laid bar by bar (a calmer or busier groove of the same idiom as
the energy falls or rises), a fill leading into every section change, crashes on arrivals,
thinner patterns at low energy and a single hit on the final chord."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gekiban.instruments import Instrument
from gekiban.score import Note, Section
from gekiban.styles.schema import Groove, RoleSpec, energy_band
from gekiban.theory import Meter

_VEL = {"x": 88, "X": 112, "g": 38}
#: Below this energy a groove keeps only its core (kick, snare, hi-hat) and drops ghost notes.
QUIET = 0.45
_CRASH, _KICK, _SNARE, _CORE = 49, 36, 38, {35, 36, 38, 40, 42, 44}
#: Toms high to low (GM); the orchestral kit has timpani on these keys, so its fills use the snare.
_TOMS = (50, 48, 47, 45, 43, 41)
#: Bars a section needs for a whole-bar fill; shorter ones get a fill in their last half bar,
#: quiet ones (and an entry) a pickup in the last quarter.
_WHOLE_BAR_FILL = 4


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
    same = [x for x in grooves.values() if str(meter) in x.meters and x.drum == inst.drum]
    if g is not None and same:
        return same[0]
    if not inst.drum:
        return fallback_groove(meter, drum=False, low=inst.comfort_low + 5, high=inst.comfort_low + 9)
    return fallback_groove(meter, drum=True)


def groove_for_section(spec: RoleSpec, sec: Section, meter: Meter, grooves: Mapping[str, Groove],
                       inst: Instrument, *, base: float) -> tuple[Groove, bool]:
    """The groove a section plays and whether to thin it: the calm or busy groove the style (or
    the groove itself) names when the section's energy lies well below or above ``base``, the
    style's own; else the groove, thinned in a quiet section."""
    own = grooves.get(spec.pattern)
    calm = spec.calm or (own.calm if own else "")
    busy = spec.busy or (own.busy if own else "")
    band = energy_band(sec.energy, base)
    if band == "calm" and calm:
        return _groove(calm, meter, grooves, inst), False
    if band == "busy" and busy:
        return _groove(busy, meter, grooves, inst), False
    return _groove(spec.pattern, meter, grooves, inst), sec.energy < QUIET


def generic_fill(g: Groove, inst: Instrument) -> dict[int, str]:
    """A fill for a groove that has none: a tom run down the kit (a snare roll rising for the
    orchestral kit), or the melodic percussion's high and low drums in alternation."""
    n = g.steps
    if not inst.drum:
        keys = sorted(set(g.lanes))
        low, high = keys[0], keys[-1]
        return {high: "".join("x" if i % 2 == 0 else "." for i in range(n - 1)) + ".",
                low: "".join("x" if i % 2 else "." for i in range(n - 1)) + "X"}
    if inst.id == "orchestral-percussion":
        return {_SNARE: "".join("x" if i >= n // 2 or i % 2 == 0 else "g" for i in range(n - 1)) + "X", _KICK: "x" + "." * (n - 1)}
    lanes = {_KICK: "x" + "." * (n - 2) + "X", _SNARE: "".join("x" if i % 2 == 0 and i < n // 2 else "." for i in range(n))}
    rest = list(range(n // 2, n - 1))
    for j, key in enumerate(_TOMS[:4]):
        steps = {i for k, i in enumerate(rest) if k * 4 // max(len(rest), 1) == j}
        lanes[key] = "".join("x" if i in steps else "." for i in range(n))
    return lanes


def _bar_lanes(g: Groove, inst: Instrument, *, fill: float, thin: bool) -> dict[int, str]:
    """The lanes of one bar: the groove (only its core keys when ``thin``), with its last
    ``fill`` share (0, 0.25, 0.5 or 1) played by the groove's fill (or a generic one)."""
    lanes = {k: v for k, v in g.lanes.items() if k in _CORE} if thin and inst.drum else g.lanes
    if not fill:
        return lanes
    f = g.fill or generic_fill(g, inst)
    if fill == 1.0 and g.fill:
        return f
    cut = g.steps - int(round(g.steps * min(fill, 0.5)))
    rest = "." * g.steps
    return {k: lanes.get(k, rest)[:cut] + f.get(k, rest)[cut:] for k in set(lanes) | set(f)}


def drum_part(spec: RoleSpec, inst: Instrument, live: list[Section], sections: tuple[Section, ...], *, meter: Meter,
              grooves: Mapping[str, Groove], ending: bool, rng: np.random.Generator, base: float = 0.5) -> list[Note]:
    """Notes for a drum-kit or percussion part.

    Parameters
    ----------
    spec
        The style's drums or percussion spec: its groove (``pattern``) and the calm and busy
        grooves for quiet and loud sections.
    inst
        The kit (``drum``) or a melodic percussion instrument such as taiko.
    live
        The sections this part plays in.
    sections
        The whole form: a fill leads into every change of section the part plays across (a
        pickup fill when it enters), and the final bar gets one hit.
    meter, grooves
        Meter and groove catalogue; a groove for another meter falls back to one that fits.
    ending
        Put a single accented hit on the final bar instead of the groove.
    rng
        Random generator for the velocity jitter.
    base
        The style's own energy: sections well below or above it play the calm or busy groove.
    """
    bar = meter.bar_beats
    out: list[Note] = []
    last_bar = sections[-1].end_bar - 1
    playing = {id(s) for s in live}
    for i, sec in enumerate(sections):
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        here = id(sec) in playing
        into = nxt is not None and id(nxt) in playing
        if not here and not into:
            continue
        g, thin = groove_for_section(spec, sec, meter, grooves, inst, base=base)
        step = bar / g.steps
        for b in range(sec.start_bar, sec.end_bar):
            if ending and b == last_bar:
                continue
            fill = 0.0
            if b == sec.end_bar - 1 and nxt is not None:  # quiet sections lead on with a short pickup
                fill = 0.25 if thin or not here else 1.0 if sec.bars >= _WHOLE_BAR_FILL else 0.5
            if not here and not fill:
                continue
            for key, steps in _bar_lanes(g, inst, fill=fill, thin=thin).items():
                for k, ch in enumerate(steps):
                    if ch == "." or (thin and ch == "g") or (not here and k < g.steps * (1 - fill) - 1e-9):
                        continue
                    vel = int(np.clip(_VEL.get(ch, 88) * (0.72 + 0.35 * sec.energy) + rng.normal(0, 3), 1, 127))
                    out.append(Note(int(key), b * bar + k * step, max(step, 0.25), vel))
        if into and inst.drum and nxt is not None and nxt.energy >= QUIET and not (ending and nxt.start_bar == last_bar):
            out.append(Note(_CRASH, nxt.start_bar * bar, 1.0, int(np.clip(70 + 50 * nxt.energy, 1, 127))))
    if ending and any(s.end_bar - 1 == last_bar for s in live):
        t = last_bar * bar
        if inst.drum:
            out += [Note(_CRASH, t, bar, 110), Note(_KICK, t, 1.0, 105)]
        else:
            low = min((int(k) for k in _groove(spec.pattern, meter, grooves, inst).lanes), default=inst.comfort_low)
            out.append(Note(low, t, bar, 112))
    return out
