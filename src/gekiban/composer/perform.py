"""Performance: swing, humanized timing and velocity, phrase arcs for bowed and blown lines, and
the hard playability rules (range, polyphony) applied to every part after it is written."""

from __future__ import annotations

import numpy as np

from gekiban.instruments import Instrument
from gekiban.score import Control, Note


def swing(notes: list[Note], *, amount: float, unit: float = 0.5) -> list[Note]:
    """Delay off-beat notes of the ``unit`` grid (0.5 = eighths) so that pairs split
    ``amount : 1 - amount`` (0.5 straight, 0.667 triplet swing)."""
    if abs(amount - 0.5) < 1e-3:
        return notes
    shift = (amount - 0.5) * 2 * unit
    out = []
    for n in notes:
        pos = n.start / unit
        if abs(pos - round(pos)) < 1e-6 and int(round(pos)) % 2 == 1:
            out.append(Note(n.pitch, n.start + shift, max(n.duration - shift, 1 / 32), n.velocity))
        else:
            out.append(n)
    return out


def humanize(notes: list[Note], *, amount: float, bpm: float, rng: np.random.Generator, tight: bool = False,
             keep: tuple[float, ...] = ()) -> list[Note]:
    """Nudge onsets (about ``amount`` × 10 ms standard deviation, half for ``tight`` parts) and
    velocities (about ``amount`` × 6), never moving a note before the start; notes struck on a
    ``keep`` beat (hit points) stay exactly on it."""
    if amount <= 0 or not notes:
        return notes
    sd_beats = amount * (0.005 if tight else 0.010) * bpm / 60.0
    dt = rng.normal(0.0, sd_beats, len(notes))
    dv = rng.normal(0.0, amount * 6, len(notes))
    out = []
    for n, t, v in zip(notes, dt, dv):
        pinned = any(abs(n.start - k) < 1e-6 for k in keep)
        start = n.start if pinned else max(0.0, n.start + float(np.clip(t, -2 * sd_beats, 2 * sd_beats)))
        out.append(Note(n.pitch, round(start, 4), max(round(n.duration, 4), 1 / 32), int(np.clip(n.velocity + round(v), 1, 127))))
    return out


def playable(notes: list[Note], inst: Instrument, *, keep: str = "top") -> list[Note]:
    """Enforce what one player can play: every pitch inside the instrument's full range (moved
    by octaves), at most ``inst.polyphony`` notes at once (``keep`` the top or bottom ones), and
    no overlapping notes on a monophonic instrument."""
    fitted = [Note(inst.fit(n.pitch, comfortable=False), n.start, n.duration, n.velocity) for n in notes]
    fitted.sort(key=lambda n: (n.start, -n.pitch if keep == "top" else n.pitch))
    out: list[Note] = []
    active: list[Note] = []
    for n in fitted:
        active = [a for a in active if a.end > n.start + 1e-6]
        same = next((a for a in active if a.pitch == n.pitch), None)
        if same is not None:  # a repeated key: the earlier stroke ends where the new one begins
            if same.start >= n.start - 1e-6:
                continue
            out[out.index(same)] = Note(same.pitch, same.start, n.start - same.start, same.velocity)
            active.remove(same)
        if len(active) >= inst.polyphony:
            if inst.monophonic and active and active[-1].start < n.start - 1e-6:
                # cut the sounding note so the new one can speak (legato line)
                cut = active[-1]
                idx = out.index(cut)
                out[idx] = Note(cut.pitch, cut.start, n.start - cut.start, cut.velocity)
                active = [a for a in active if a is not cut]
            else:
                continue
        out.append(n)
        active.append(n)
    return sorted(out, key=lambda n: (n.start, n.pitch))


#: Families whose players shape a held note (bow, breath): their melodic lines get phrase arcs.
SHAPED_FAMILIES = frozenset({"strings", "ensemble", "brass", "reed", "pipe"})
#: Plucked or struck members of those families, which cannot swell a note once it sounds, and
#: bowed, blown or bellows-driven instruments filed under other General MIDI families.
_UNSHAPED = frozenset({"pizzicato-strings", "harp", "timpani", "orchestra-hit"})
_SHAPED = frozenset({"fiddle", "bagpipe", "shanai", "accordion", "tango-accordion", "harmonica"})
#: A rest of at least this many beats ends a phrase.
PHRASE_BREAK = 1.0
#: CC11 at a phrase's start, at its highest note, and as its last note ends.
_ARC = (96, 127, 84)


def shapes_phrases(inst: Instrument) -> bool:
    """True when ``inst`` is bowed, blown or sung: its player can swell and taper a note."""
    return inst.id in _SHAPED or (inst.family in SHAPED_FAMILIES and inst.id not in _UNSHAPED and not inst.drum)


def phrase_arcs(notes: list[Note]) -> tuple[Control, ...]:
    """Expression (CC11) arcs over the phrases of a melodic line: each phrase (notes joined by
    rests shorter than :data:`PHRASE_BREAK` beats) swells from its start to its highest note
    and tapers to its end, as a player breathes or bows it (the renderer joins the points by
    straight lines on an Expr. preset, and a General MIDI player steps between them)."""
    if not notes:
        return ()
    ordered = sorted(notes, key=lambda n: n.start)
    phrases: list[list[Note]] = [[ordered[0]]]
    for n in ordered[1:]:
        if n.start - max(p.end for p in phrases[-1]) >= PHRASE_BREAK:
            phrases.append([n])
        else:
            phrases[-1].append(n)
    start_v, peak_v, end_v = _ARC
    out: list[Control] = []
    for phrase in phrases:
        begin, end = phrase[0].start, max(n.end for n in phrase)
        peak = max(phrase, key=lambda n: (n.pitch, -n.start))
        top = peak.start + 0.5 * peak.duration if peak is not phrase[0] else begin + 0.5 * (end - begin)
        out += [Control(round(begin, 4), 11, start_v), Control(round(top, 4), 11, peak_v),
                Control(round(end, 4), 11, end_v)]
    return tuple(out)
