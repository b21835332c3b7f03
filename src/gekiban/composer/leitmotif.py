"""Leitmotifs: a named theme developed to fit a cue.

The theme is read once as scale degrees of its own key (:func:`theme_of`), so it can be stated
in the cue's key and mode (a major theme turns minor in a minor cue, and the other way round),
moved along the scale (sequence), mirrored (inversion), stretched or squeezed (augmentation,
diminution, also to fit 3/4 and 6/8 bars), cut to its head (fragmentation) or re-rhythmed to a
driving pulse. How a cue develops it follows its energy, section by section:

* battle (high energy): diminution, a sequence climbing up, the head in running eighths, the
  inversion in the B section, a higher register at the climax;
* farewell and other quiet cues (low energy): augmentation, sparse statements that breathe, the
  head alone in the intro and outro, the full statement again, broadened, at the climax;
* in between: the statement at its own pace, answered by a sequence and the inversion.

Every cue states the theme whole at least once with its rhythm ratios (scaled uniformly) and its
intervals (exact, or moved by a semitone where the mode changes), so a listener (and
:mod:`gekiban.evaluate.motif`) recognises it. The chords under a statement are then re-chosen
where a long or accented theme note is not in the planned chord (:func:`reharmonise`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from gekiban.composer.reharmonise import reharmonise
from gekiban.instruments import Instrument, get_instrument
from gekiban.roles import base_role
from gekiban.score import ChordEvent, Note, Part, Section
from gekiban.theory import MODES, Key, Meter
from gekiban.understand.midi_seed import estimate_key

NoteTuple = tuple[float, float, int]
#: Uniform time scales a statement may take (augmentation ≥ 1.5, diminution ≤ 0.75).
SCALES = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
_MINORISH = ("minor", "dorian", "phrygian", "locrian", "harmonic-minor")


@dataclass(frozen=True)
class Theme:
    """A motif as scale degrees of its own key: rhythm (onset, length) in beats from 0, the
    degree of each note (7 per octave, 0 = the tonic nearest below the first note) and its
    chromatic alteration."""

    rhythm: tuple[tuple[float, float], ...]
    degrees: tuple[int, ...]
    alter: tuple[int, ...]

    @property
    def length(self) -> float:
        """Beats from the first onset to the last note's end."""
        return max(on + d for on, d in self.rhythm)

    @property
    def shortest(self) -> float:
        return min(d for _, d in self.rhythm)


def _monophonic(notes: tuple[NoteTuple, ...]) -> list[NoteTuple]:
    by_onset: dict[float, NoteTuple] = {}
    for on, d, p in notes:
        if on not in by_onset or p > by_onset[on][2]:
            by_onset[on] = (on, d, p)
    line = [by_onset[k] for k in sorted(by_onset)]
    return [(on, min(d, line[i + 1][0] - on) if i + 1 < len(line) else d, p) for i, (on, d, p) in enumerate(line)]


def theme_of(notes: tuple[NoteTuple, ...]) -> Theme:
    """The theme of a motif's notes: its key estimated from the notes (Krumhansl–Schmuckler,
    the last note favoured as the tonic), each pitch as a degree of that key's scale."""
    line = _monophonic(notes)
    t0 = line[0][0]
    weighted = [Note(p, on, d * (1.5 if i in (0, len(line) - 1) else 1.0)) for i, (on, d, p) in enumerate(line)]
    key = estimate_key(weighted)
    scale = MODES["minor" if key.mode in _MINORISH else "major"]
    base = line[0][2] - ((line[0][2] - key.tonic) % 12)
    degrees, alter = [], []
    for _, _, p in line:
        octave, pc = divmod(p - base, 12)
        d = min(range(7), key=lambda i: (abs(scale[i] - pc), scale[i] > pc))
        degrees.append(7 * octave + d)
        alter.append(pc - scale[d])
    return Theme(tuple((round(on - t0, 6), d) for on, d, _ in line), tuple(degrees), tuple(alter))


def realise(theme: Theme, *, scale: tuple[int, ...], tonic: int, shift: int = 0, invert: bool = False) -> list[int]:
    """Pitches of the theme on the scale whose tonic is the MIDI pitch ``tonic``, moved
    ``shift`` degrees along it, mirrored about its first note when ``invert``."""
    d0 = theme.degrees[0]
    out = []
    for d, a in zip(theme.degrees, theme.alter):
        k = (d0 - (d - d0) if invert else d) + shift
        out.append(tonic + 12 * (k // 7) + scale[k % 7] + (-a if invert else a))
    return out


def time_scale(theme: Theme, meter: Meter, target: float) -> float:
    """The uniform scale from :data:`SCALES` nearest ``target`` that fills whole bars best and
    keeps notes at least a sixteenth long."""
    bar = meter.bar_beats

    def cost(s: float) -> float:
        span = s * theme.length
        bars = max(1, math.ceil(span / bar - 1e-6))
        fill = span / (bars * bar)
        return abs(math.log2(s / target)) + 1.2 * (1 - fill) + (5.0 if s * theme.shortest < 0.25 - 1e-9 else 0.0) \
            + (3.0 if bars > 8 else 0.0)

    return min(SCALES, key=cost)


def idiom(energy: float) -> str:
    """``"battle"`` (energy ≥ 0.65), ``"farewell"`` (< 0.42) or ``"lyric"``."""
    return "battle" if energy >= 0.65 else "farewell" if energy < 0.42 else "lyric"


_TARGET = {"battle": 0.5, "lyric": 1.0, "farewell": 2.0}
# What each section does with the theme, by idiom and section kind, unit by unit (cycled).
_PLANS = {
    "battle": {"intro": ("drive",), "first": ("state", "sequence", "drive", "sequence2"), "again": ("state", "drive", "sequence"),
               "bridge": ("invert", "drive", "fragment"), "climax": ("state", "sequence", "sequence2", "drive"),
               "outro": ("fragment",)},
    "lyric": {"intro": ("head",), "first": ("state", "sequence", "fragment", "state"), "again": ("state", "invert"),
              "bridge": ("invert", "fragment"), "climax": ("state", "sequence", "state"), "outro": ("head",)},
    "farewell": {"intro": ("head",), "first": ("state", "rest", "sequence-down", "head"), "again": ("state", "rest"),
                 "bridge": ("invert", "rest", "head"), "climax": ("broad", "state"), "outro": ("head",)},
}


def _section_role(sec: Section, seen_main: bool) -> str:
    if sec.kind == "intro":
        return "intro"
    if sec.kind == "outro":
        return "outro"
    if sec.name.startswith("climax") or sec.kind == "chorus":
        return "climax"
    if sec.kind == "bridge" or sec.name.startswith("B"):
        return "bridge"
    return "again" if seen_main else "first"


@dataclass
class _Writer:
    """Places developed statements bar by bar over the cue."""

    theme: Theme
    scale: tuple[int, ...]
    tonic_pc: int
    meter: Meter
    inst: Instrument
    style: str
    s: float
    rng: np.random.Generator

    def tonic_near(self, centre: int) -> int:
        """The tonic pitch that puts the theme's middle near ``centre``."""
        mid = float(np.mean(realise(self.theme, scale=self.scale, tonic=0)))
        return int(round((centre - mid - self.tonic_pc) / 12)) * 12 + self.tonic_pc

    def fit(self, pitches: list[int]) -> list[int]:
        """The whole statement moved by octaves (intervals kept) into the comfortable range, or
        where it is wider, to the octave that leaves the fewest notes outside the full range;
        only those are folded in by octaves."""
        inst = self.inst
        for lo, hi in ((inst.comfort_low, inst.comfort_high), (inst.low, inst.high)):
            if max(pitches) - min(pitches) <= hi - lo:
                while max(pitches) > hi:
                    pitches = [p - 12 for p in pitches]
                while min(pitches) < lo:
                    pitches = [p + 12 for p in pitches]
                if max(pitches) <= hi:
                    return pitches
        best = min((k for k in range(-4, 5)),
                   key=lambda k: (sum(not inst.low <= p + 12 * k <= inst.high for p in pitches), abs(k)))
        return [inst.fit(p + 12 * best, comfortable=False) for p in pitches]

    def unit(self, what: str, b0: float, bars_left: int, tonic: int, vel: int) -> tuple[list[Note], int]:
        """One development unit from beat ``b0``: its notes and the bars it takes."""
        bar = self.meter.bar_beats
        th, s, shift, invert = self.theme, self.s, 0, False
        if what == "broad":
            s = min((x for x in SCALES if x > self.s), default=self.s)
        # the sequence's step is drawn (a variation of the cue re-seeds it); statements stay as they are
        if what == "sequence":
            shift = int(self.rng.choice((2, 3) if self.style == "battle" else (1, 2, -1)))
        elif what == "sequence2":
            shift = int(self.rng.choice((4, 5)))
        elif what == "sequence-down":
            shift = int(self.rng.choice((-1, -2)))
        elif what == "invert":
            invert = True
        if what in ("head", "fragment", "drive"):
            k = max(2, math.ceil(len(th.rhythm) / 2))
            th = Theme(th.rhythm[:k], th.degrees[:k], th.alter[:k])
        span_bars = max(1, math.ceil(s * th.length / bar - 1e-6))
        if what == "rest":
            return [], 1
        if span_bars > bars_left:
            s = max((x for x in SCALES if math.ceil(x * th.length / bar - 1e-6) <= bars_left), default=0.0)
            if not s:
                return [], bars_left
            span_bars = max(1, math.ceil(s * th.length / bar - 1e-6))
        if what == "drive":  # the head's pitches on a steady eighth pulse, through the unit
            pitches = self.fit(realise(th, scale=self.scale, tonic=tonic, shift=int(self.rng.choice((2, 0, 4)))))
            n = int(round(span_bars * bar / 0.5))
            return [Note(pitches[i % len(pitches)], b0 + i * 0.5, 0.5, vel + (8 if i % len(pitches) == 0 else 0))
                    for i in range(n)], span_bars
        if what == "fragment":  # the head, then the head a step on, filling the unit
            out, t, step = [], 0.0, 0
            head_len = s * th.length
            reps = max(1, int(span_bars * bar // head_len)) if head_len > 0 else 1
            reps = max(reps, 2) if span_bars * bar >= 2 * head_len else reps
            for _ in range(reps):
                pitches = self.fit(realise(th, scale=self.scale, tonic=tonic, shift=step))
                out += [Note(p, b0 + t + s * on, s * d, vel) for (on, d), p in zip(th.rhythm, pitches)]
                t += head_len
                step += 1 if self.style != "farewell" else -1
            return out, max(span_bars, math.ceil(t / bar - 1e-6))
        pitches = self.fit(realise(th, scale=self.scale, tonic=tonic, shift=shift, invert=invert))
        accent = [vel + (8 if (s * on) % bar < 1e-6 else 0) for on, _ in th.rhythm]
        return [Note(p, b0 + s * on, s * d, v) for (on, d), p, v in zip(th.rhythm, pitches, accent)], span_bars


def develop_leitmotif(themes: tuple[tuple[str, tuple[NoteTuple, ...]], ...], sections: tuple[Section, ...],
                      chords: tuple[ChordEvent, ...], *, key: Key, meter: Meter, energy: float, instrument: Instrument,
                      rng: np.random.Generator) -> tuple[tuple[Note, ...], tuple[ChordEvent, ...]]:
    """The lead line of a cue built from its leitmotifs, and the chords re-chosen under it.

    Parameters
    ----------
    themes
        (name, notes) pairs; the first is the main theme (A sections, the climax), a second one
        takes the B sections and bridges.
    sections, chords
        The cue's form and its planned chord timeline.
    key, meter
        The cue's key (its mode decides the theme's: major or minor) and meter.
    energy
        The cue's energy (0-1): picks the idiom (:func:`idiom`).
    instrument
        The lead instrument: its comfortable range holds every statement.
    rng
        The melody stage's generator.

    Returns
    -------
    tuple
        The lead's notes and the chord timeline with the chords under clashing theme notes
        replaced by diatonic chords that hold them.
    """
    style = idiom(energy)
    scale = MODES.get(key.mode, MODES["minor" if key.mode in _MINORISH else "major"])
    bar = meter.bar_beats
    lo, hi = instrument.comfort_low, instrument.comfort_high
    writers = []
    for _, notes in themes:
        th = theme_of(notes)
        s = time_scale(th, meter, _TARGET[style] * (1.5 if meter.compound else 1.0))
        writers.append(_Writer(th, scale, key.tonic, meter, instrument, style, s, rng))
    out: list[Note] = []
    stated: set[int] = set()  # the themes stated whole so far
    seen_main = False
    base_centre = int(np.clip(lo + 0.55 * (hi - lo), lo + 6, hi - 6))
    for sec in sections:
        role = _section_role(sec, seen_main)
        if role in ("first", "again", "climax"):
            seen_main = True
        which = 1 if role == "bridge" and len(writers) > 1 else 0
        w = writers[which]
        plan = _PLANS[style][role]
        if which not in stated and role != "intro":  # each theme is stated whole before it is developed
            plan = ("state",) + tuple(x for x in plan if x != "state")
        lift = {"climax": 5 if style == "farewell" else 7, "bridge": -2}.get(role, 0)
        tonic = w.tonic_near(base_centre + lift)
        vel = int(np.clip(50 + 50 * sec.energy, 30, 118))
        b, i = sec.start_bar, 0
        cadence = sec.bars >= 3 and role not in ("intro",)
        end = sec.end_bar - (1 if cadence else 0)
        while b < end:
            what = plan[i % len(plan)]
            notes, used = w.unit(what, b * bar, end - b, tonic, vel)
            if what == "state" and notes and len(notes) == len(w.theme.rhythm):
                stated.add(which)
            out += notes
            b += max(1, used)
            i += 1
        if cadence:
            last = out[-1].pitch if out else tonic + 12
            pool = [p for p in range(lo, hi + 1) if (p - key.tonic) % 12 == 0]
            target = min(pool, key=lambda p: abs(p - last)) if pool else last
            out.append(Note(target, (sec.end_bar - 1) * bar, bar if sec is sections[-1] else max(bar - 0.5, bar * 0.75),
                            vel))
    line = _one_line(out)
    return tuple(line), reharmonise(chords, line, key=key, scale=scale, meter=meter)


def _one_line(notes: list[Note]) -> list[Note]:
    notes = sorted(notes, key=lambda n: n.start)
    out: list[Note] = []
    for n in notes:
        if out and out[-1].start >= n.start - 1e-9:
            continue
        if out and out[-1].end > n.start:
            p = out[-1]
            out[-1] = Note(p.pitch, p.start, n.start - p.start, p.velocity)
        out.append(Note(n.pitch, n.start, n.duration, int(np.clip(n.velocity, 1, 127))))
    return out


def motif_in_bass(parts: tuple[Part, ...], themes: tuple[tuple[str, tuple[NoteTuple, ...]], ...],
                  sections: tuple[Section, ...], chords: tuple[ChordEvent, ...], *, key: Key, meter: Meter,
                  energy: float) -> tuple[Part, ...]:
    """In a battle cue (:func:`idiom`), the bass of the B sections and bridges plays the main
    theme's head as a riff in running eighths, each bar begun on its chord's root; other cues
    and roles are returned as they are."""
    if idiom(energy) != "battle":
        return parts
    scale = MODES[key.mode] if key.mode in MODES else MODES["minor"]
    theme = theme_of(themes[0][1])
    k = max(2, math.ceil(len(theme.rhythm) / 2))
    head = Theme(theme.rhythm[:k], theme.degrees[:k], theme.alter[:k])
    bar = meter.bar_beats
    spans = [(s.start_bar * bar, s.end_bar * bar) for s in sections if _section_role(s, True) == "bridge"]
    if not spans:
        return parts
    starts = [c.start for c in chords]
    out = []
    for part in parts:
        if part.is_drum or base_role(part.role) != "bass" or not part.notes:
            out.append(part)
            continue
        inst = get_instrument(part.instrument)
        kept = [n for n in part.notes if not any(a - 1e-9 <= n.start < b - 1e-9 for a, b in spans)]
        riff: list[Note] = []
        for a, b in spans:
            old = [n for n in part.notes if a - 1e-9 <= n.start < b - 1e-9]
            vel = int(np.median([n.velocity for n in old])) if old else 90
            t = a
            while t < b - 1e-9:
                ch = chords[max(0, int(np.searchsorted(starts, t + 1e-9, side="right")) - 1)].chord
                degree = next((i for i, x in enumerate(scale) if (key.tonic + x) % 12 == ch.root), 0)
                low = inst.comfort_low + ((key.tonic - inst.comfort_low) % 12)
                pitches = [inst.fit(p) for p in realise(head, scale=scale, tonic=low, shift=degree - head.degrees[0])]
                for i in range(int(round(min(bar, b - t) / 0.5))):
                    riff.append(Note(pitches[i % len(pitches)], t + 0.5 * i, 0.5, vel + (10 if i == 0 else 0)))
                t += bar
        out.append(replace(part, notes=tuple(sorted(kept + riff, key=lambda n: (n.start, n.pitch)))))
    return tuple(out)
