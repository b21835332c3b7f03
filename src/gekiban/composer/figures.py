"""The figures the accompanying roles play over the chords, and the counter-line.

A figure (``data/figures.toml``, read by :mod:`gekiban.styles.figures`) is a cycle of tokens on
a beat grid, started again at every bar line: chord tones above an anchor, the voiced chord, a
power chord, a pedal, rests and holds. :func:`play_figure` realises one over a role's sections,
choosing in each section the figure of the style's idiom that suits its energy and tension
(:func:`figure_for`). The counter-line is a line, not a figure: :func:`counter` writes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from gekiban.composer.articulate import accent_for, articulation_of, gate_for
from gekiban.composer.harmony import voice_lead
from gekiban.instruments import Instrument
from gekiban.roles import role_of
from gekiban.score import ChordEvent, Control, Note, Section
from gekiban.styles.figures import figure as find_figure
from gekiban.styles.schema import Figure, RoleSpec, energy_band
from gekiban.theory import Chord, Meter

#: Instrument families whose notes die away by themselves: their arpeggio tones are let ring
#: ``_RING`` times their step, as a pianist's pedal or a guitarist's open strings do.
_RINGING, _RING = ("keys", "guitar", "ethnic", "mallets"), 1.6
#: Scale-degree tokens: (index into the chord's intervals, octaves up).
_DEGREES = {"r": (0, 0), "3": (1, 0), "5": (2, 0), "7": (3, 0), "8": (0, 1), "10": (1, 1), "12": (2, 1)}


def chords_in(sec: Section, chords: tuple[ChordEvent, ...], meter: Meter) -> list[ChordEvent]:
    a, b = sec.start_bar * meter.bar_beats, sec.end_bar * meter.bar_beats
    return [c for c in chords if c.start < b - 1e-9 and c.end > a + 1e-9]


def velocity(sec: Section, accent: int = 0) -> int:
    return int(np.clip(40 + 62 * sec.energy + accent, 20, 124))


def span_in(c: ChordEvent, sec: Section, meter: Meter) -> tuple[float, float]:
    a, b = sec.start_bar * meter.bar_beats, sec.end_bar * meter.bar_beats
    return max(c.start, a), min(c.end, b)


def figure_for(spec: RoleSpec, role: str, sec: Section, meter: Meter, *, base: float,
               figures: Mapping[str, Figure] | None = None) -> Figure:
    """The figure ``role`` plays in ``sec``: the style's, or its tense, calm or busy version
    (the style's own choice first, then the figure's) when the section's energy lies well
    below or above ``base``, the style's own energy; or its compound-meter version. A name is
    looked up in the style's own ``figures`` first, then in the catalogue."""
    own = find_figure(role, spec.pattern or role_of(role).default_pattern, figures)
    fig = own
    if sec.tension >= 0.8 and sec.kind != "outro" and own.tense:
        fig = find_figure(role, own.tense, figures)
    band = energy_band(sec.energy, base)
    # the style's calm and busy figures stand for its own; a tense figure has its own versions
    choice = {"calm": (spec.calm if fig is own else "") or fig.calm,
              "busy": (spec.busy if fig is own else "") or fig.busy}.get(band, "")
    if choice:
        fig = find_figure(role, choice, figures)
    if meter.compound and fig.compound:
        fig = find_figure(role, fig.compound, figures)
    return fig


def step_beats(step: float | str, meter: Meter) -> float:
    """The figure's step in beats (``"chord"`` is 0: one note per chord)."""
    if step == "beat":
        return 1.5 if meter.compound else 1.0
    if step == "half":
        return meter.bar_beats / 2 if meter.bar_beats >= 4 else meter.bar_beats
    if step == "bar":
        return meter.bar_beats
    return 0.0 if step == "chord" else float(step)


def _tone(chord: Chord, token: str, anchor: int) -> int:
    """The pitch of a single-tone token over ``chord`` whose anchor note is ``anchor``."""
    if token == "b":
        return anchor
    if token == "-5":
        return anchor - 5
    ivs = chord.intervals
    index, octaves = _DEGREES[token]
    root = anchor + (chord.root - anchor) % 12
    up = ivs[index] if index < len(ivs) else 12 + ivs[index % len(ivs)]
    return root + up + 12 * octaves


class _Register:
    """Where a role plays: its anchor per chord and the range it voices chords in."""

    def __init__(self, role: str, fig: Figure, spec: RoleSpec, inst: Instrument):
        shift = 12 * spec.octave
        if role == "pad":
            low, high = max(inst.comfort_low, 48), min(inst.comfort_high, 79)
            if high - low < 12:
                low, high = inst.comfort_low, inst.comfort_high
            self.low, self.high = low + shift, high + shift
        elif role == "bass" or fig.low:
            self.low = inst.comfort_low + shift
            self.high = self.low + 19
        else:
            self.low = max(inst.comfort_low, min(55, inst.comfort_high - 19)) + shift
            self.high = self.low + 19
        self.role, self.inst = role, inst

    def anchor(self, chord: Chord) -> int:
        pc = chord.bass_pc if self.role == "bass" else chord.root
        return self.low + (pc - self.low) % 12


def play_figure(role: str, spec: RoleSpec, inst: Instrument, live: list[Section], chords: tuple[ChordEvent, ...],
                meter: Meter, home: set[int], *, base: float,
                figures: Mapping[str, Figure] | None = None) -> tuple[list[Note], tuple[Control, ...]]:
    """The notes (and expression controls) of a pad, ostinato or bass part.

    Parameters
    ----------
    role
        ``"pad"``, ``"ostinato"`` or ``"bass"``.
    spec, inst
        The style's spec for the role (figure, calm and busy versions, articulation) and the
        instrument that plays it.
    live
        The sections the part plays in.
    chords, meter
        The chord timeline and the meter.
    home
        Pitch classes of the key's scale: an approach note steps within it, and an arpeggio
        over a borrowed chord keeps to the chord tones it shares with it.
    base
        The style's own energy: sections well below or above it play the calm or busy figure.
    figures
        The style's own figures of the role, by name (a learned style's bass line).
    """
    out: list[Note] = []
    controls: list[Control] = []
    for sec in live:
        fig = figure_for(spec, role, sec, meter, base=base, figures=figures)
        reg = _Register(role, fig, spec, inst)
        cs = chords_in(sec, chords, meter)
        if not cs:
            continue
        voicings = dict(zip((id(c) for c in cs), voice_lead([c.chord for c in cs], low=reg.low, high=reg.high,
                                                              voices=min(4, inst.polyphony))))
        pedal = reg.anchor(Chord(cs[0].chord.root))
        gate = gate_for(fig, spec.articulation)
        how = articulation_of(fig.articulation, spec.articulation)
        lean = accent_for(how)
        rings = role == "ostinato" and inst.family in _RINGING and how in ("normal", "legato")
        for ev in _events(fig, sec, cs, meter):
            t, dur, token, i, c, nxt = ev
            accent = fig.accents[i % len(fig.accents)] if fig.accents else (4 if abs(t - round(t)) < 1e-6 else -6)
            vel = velocity(sec, accent + lean)
            length = min(dur * gate, fig.length) if fig.length else dur * gate
            if rings and token not in ("c", "p"):  # a struck or plucked arpeggio rings on, as under the pedal
                length = max(length, dur * _RING)
            if token == "c":
                for j, p in enumerate(voicings[id(c)]):
                    out.append(Note(p, t + j * fig.spread, max(length - j * fig.spread, 1 / 32), max(1, vel - 2 * j)))
                continue
            if token == "p":
                r = reg.anchor(c.chord)
                out += [Note(r, t, length, vel), Note(r + 7, t, length, max(1, vel - 6))]
                continue
            p = pedal if token == "P" else _tone(c.chord, token, reg.anchor(c.chord))
            if fig.approach and nxt is not None:
                p = _approach(reg.anchor(nxt.chord), p, home)
            elif role == "ostinato" and p % 12 not in home and c.chord.root % 12 not in home:
                shared = [q for q in range(p - 6, p + 7) if q % 12 in home and q % 12 in c.chord.pitch_classes]
                p = min(shared, key=lambda q: abs(q - p)) if len(set(x % 12 for x in shared)) >= 2 else p
            out.append(Note(p, t, length, vel))
        if fig.swell:
            for c in cs:
                controls += [Control(c.start, 11, 50), Control(c.start + c.duration * 0.6, 11, 110),
                             Control(c.start + c.duration * 0.95, 11, 70)]
    return out, tuple(controls)


def _events(fig: Figure, sec: Section, cs: list[ChordEvent], meter: Meter):
    """(onset, length, token, index in the cycle, chord, next chord when the note is the last
    before a chord change) for each note of ``fig`` over the section's chords."""
    bar = meter.bar_beats
    end = sec.end_bar * bar
    step = step_beats(fig.step, meter)
    if step == 0.0:  # one token per chord, held to its end
        for k, c in enumerate(cs):
            a, b = span_in(c, sec, meter)
            token = fig.tones[k % len(fig.tones)]
            if token not in (".", "-"):
                yield a, b - a, token, k, c, None
        return
    starts = [c.start for c in cs]
    per_bar = max(1, math.ceil(bar / step - 1e-9))
    n = len(fig.tones)

    def index(bar_index: int, i: int) -> int:
        # a cycle that fits in a bar starts again at each bar line; a longer one runs on
        return (bar_index * per_bar + i) % n if n > per_bar else i % n

    def token_at(bar_index: int, i: int) -> str:
        return fig.tones[index(bar_index, i)]

    for b0 in range(sec.start_bar, sec.end_bar):
        for i in range(per_bar):
            t = b0 * bar + i * step
            token = token_at(b0 - sec.start_bar, i)
            if token in (".", "-") or t >= end - 1e-9:
                continue
            k = max(0, int(np.searchsorted(starts, t + 1e-9, side="right")) - 1)
            c = cs[k]
            holds = 1
            while i + holds < per_bar and token_at(b0 - sec.start_bar, i + holds) == "-":
                holds += 1
            length = min(holds * step, c.end - t, end - t, (b0 + 1) * bar - t)
            changes = t + step >= c.end - 1e-9 and k + 1 < len(cs)
            yield t, length, token, index(b0 - sec.start_bar, i), c, cs[k + 1] if changes else None


def _approach(target: int, fallback: int, home: set[int]) -> int:
    """A scale step beside ``target`` (above when coming from above), else a semitone."""
    for d in ((1, -1) if fallback > target else (-1, 1)) + (2, -2):
        if (target + d) % 12 in home:
            return target + d
    return target - 1


def home_scale(chords) -> set[int]:
    """The diatonic collection that holds most of the harmony (weighted by duration)."""
    weight = np.zeros(12)
    for c in chords:
        for pc in c.chord.pitch_classes:
            weight[pc] += c.duration
    major = (0, 2, 4, 5, 7, 9, 11)
    tonic = max(range(12), key=lambda t: sum(weight[(t + i) % 12] for i in major))
    return {(tonic + i) % 12 for i in major}


def tones_in(chord, low: int, high: int) -> list[int]:
    pcs = set(chord.pitch_classes)
    return [p for p in range(low, high + 1) if p % 12 in pcs]


def counter(inst: Instrument, live: list[Section], chords, meter: Meter, melody, home: set[int]) -> list[Note]:
    """A slower line under the lead: chord tones a third or sixth below it, moving smoothly."""
    starts = np.array([n.start for n in melody]) if melody else np.array([0.0])
    out: list[Note] = []
    prev = (inst.comfort_low + inst.comfort_high) // 2
    half = meter.bar_beats / 2 if not meter.compound else 1.5
    for sec in live:
        if sec.kind == "intro":
            continue
        for c in chords_in(sec, chords, meter):
            a, b = span_in(c, sec, meter)
            t = a
            while t < b - 1e-9:
                dur = min(half if sec.energy < 0.8 else half / 2, b - t)
                i = int(np.searchsorted(starts, t + 1e-9, side="right")) - 1
                mel = melody[i].pitch if melody and i >= 0 and melody[i].end > t else None
                tones = tones_in(c.chord, inst.comfort_low, inst.comfort_high)
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
                out.append(Note(p, t, dur * 0.95, velocity(sec, -10)))
                prev = p
                t += dur
    return out
