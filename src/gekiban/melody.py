"""Melody: a lead line built from motifs that return and develop.

Every section letter (A, B, climax...) owns a one-bar motif: a rhythm and a contour in scale
steps. A four-bar phrase states the motif, develops it (sequence, variation), and closes on a
long note; an eight-bar period answers an open phrase (ending on a non-tonic chord tone) with a
closed one (ending on the tonic). Sections that return (A') restate their motif, B inverts A's
contour on a new rhythm, the climax lifts A's rhythm into a higher register. Phrases know their
place in the section: two-bar phrases group into sentences (idea, sequence, fragmentation,
variant), a third four-bar phrase fragments the idea. Strong beats land on chord tones and leaps
land on chord tones; over a borrowed chord the tune keeps to the key and leaves the foreign
tones to the accompaniment. The line stays in a singable window of the instrument's comfortable
range, leaves room to breathe at phrase ends, and some phrases are led in by an upbeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gekiban.harmony import section_letter
from gekiban.instruments import Instrument
from gekiban.score import ChordEvent, Note, Section
from gekiban.style import MelodySpec
from gekiban.theory import SCALES, Chord, Key, Meter, chord_scale

# Rhythm cells per beat (simple meters) as (onset, length) in quarter notes, by feel.
_CELLS: dict[str, list[list[tuple[float, float]]]] = {
    "long": [[(0, 2)], [(0, 1)], [(0, 1.5), (1.5, 0.5)]],
    "straight": [[(0, 1)], [(0, 0.5), (0.5, 0.5)], [(0, 2)]],
    "dotted": [[(0, 0.75), (0.75, 0.25)], [(0, 1.5), (1.5, 0.5)], [(0, 1)]],
    "syncopated": [[(0, 0.5), (0.5, 1.0), (1.5, 0.5)], [(0, 1)], [(0, 0.5), (0.5, 0.5)]],
    "driving": [[(0, 0.5), (0.5, 0.25), (0.75, 0.25)], [(0, 0.5), (0.5, 0.5)], [(0, 0.25), (0.25, 0.25), (0.5, 0.5)]],
    "triplet": [[(0, 1 / 3), (1 / 3, 1 / 3), (2 / 3, 1 / 3)], [(0, 2 / 3), (2 / 3, 1 / 3)], [(0, 1)]],
    "swing": [[(0, 0.5), (0.5, 0.5)], [(0, 1)], [(0, 1.5), (1.5, 0.5)]],
}
_COMPOUND_CELLS = [[(0, 1.5)], [(0, 1.0), (1.0, 0.5)], [(0, 0.5), (0.5, 0.5), (1.0, 0.5)], [(0, 0.75), (0.75, 0.25), (1.0, 0.5)]]


@dataclass(frozen=True)
class Motif:
    """A one-bar idea: onsets and lengths in beats from the bar start, and scale-step moves
    between successive notes (the first move is from the phrase's anchor)."""

    rhythm: tuple[tuple[float, float], ...]
    steps: tuple[int, ...]


def _rhythm(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *, busier: float = 0.0) -> tuple[tuple[float, float], ...]:
    """One bar of rhythm; higher density picks busier cells."""
    out: list[tuple[float, float]] = []
    density = float(np.clip(spec.density + busier, 0.05, 1.0))
    if meter.compound:
        span, cells = 1.5, _COMPOUND_CELLS
        pulses = [i * span for i in range(int(meter.bar_beats / span))]
    else:
        cells = _CELLS.get(spec.rhythm, _CELLS["straight"])
        span = 1.0
        pulses = [float(i) for i in range(int(meter.bar_beats))] or [0.0]
    t_end = meter.bar_beats
    i = 0
    while i < len(pulses):
        at = pulses[i]
        # busier cells are later in each list for simple meters' first entries; weight by density
        weights = np.array([1.0 + density * 2 * (len(c) - 1) if density > 0.5 else 2.0 / len(c) for c in cells])
        cell = cells[int(rng.choice(len(cells), p=weights / weights.sum()))]
        cell_len = max(o + d for o, d in cell)
        if at + cell_len > t_end + 1e-9:
            cell = [(0, span)]
            cell_len = span
        rest = i > 0 and rng.random() < 0.12 * (1 - density)
        if not rest:
            out.extend((at + o, d) for o, d in cell)
        i += max(1, int(round(cell_len / span)))
    return tuple(out) or ((0.0, meter.bar_beats),)


def _contour(n: int, spec: MelodySpec, rng: np.random.Generator) -> tuple[int, ...]:
    """Scale-step moves for ``n`` notes: mostly steps, some leaps that are filled back by step,
    shaped as an arch."""
    steps: list[int] = []
    for i in range(n):
        if i == 0:
            steps.append(0)
            continue
        rising = i < n / 2
        if steps and abs(steps[-1]) >= 2:  # gap fill: step back against a leap
            s = -int(np.sign(steps[-1]))
        elif rng.random() < spec.leap * 0.6:
            s = int(rng.integers(2, 5)) * (1 if rising else -1)
        else:
            s = int(rng.choice([1, 1, 2, 0, -1])) * (1 if rising or rng.random() < 0.3 else -1)
        steps.append(s)
    return tuple(steps)


def make_motif(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *, busier: float = 0.0) -> Motif:
    """A fresh motif for a section letter."""
    rhythm = _rhythm(meter, spec, rng, busier=busier)
    return Motif(rhythm, _contour(len(rhythm), spec, rng))


def _develop(m: Motif, how: str, rng: np.random.Generator) -> Motif:
    if how == "invert":
        return Motif(m.rhythm, tuple(-s for s in m.steps))
    if how == "vary":  # same rhythm, a couple of moves changed
        steps = list(m.steps)
        for j in rng.choice(len(steps), size=min(2, len(steps)), replace=False):
            if j:
                steps[j] = int(np.clip(steps[j] + rng.choice([-1, 1]), -4, 4))
        return Motif(m.rhythm, tuple(steps))
    return m


class _Line:
    """Realises scale-step moves as pitches over the chord timeline."""

    def __init__(self, key: Key, scale: tuple[int, ...], chords: tuple[ChordEvent, ...], low: int, high: int):
        self.key, self.scale, self.chords, self.low, self.high = key, scale, chords, low, high
        self._starts = [c.start for c in chords]
        self._in_scale = set(scale)

    def chord(self, beat: float) -> ChordEvent:
        i = max(0, int(np.searchsorted(self._starts, beat + 1e-9, side="right")) - 1)
        return self.chords[i]

    def _colour(self, chord: Chord) -> set[int]:
        """Tones of a borrowed or altered chord that lie outside the scale, when at least two of
        its tones lie inside: the accompaniment carries that colour, the tune keeps to the key
        (and so keeps its tonal centre). A chord with fewer scale tones keeps them all."""
        inside = [pc for pc in chord.pitch_classes if pc in self._in_scale]
        return set(chord.pitch_classes) - self._in_scale if len(inside) >= 2 else set()

    def chord_pcs(self, beat: float) -> set[int]:
        """The chord tones the line aims for on strong beats at ``beat``."""
        ch = self.chord(beat).chord
        if ch.quality in ("5", "sus2"):  # open chords name no third: any scale tone over them is consonant
            return set(chord_scale(ch, self.key, self.scale)) - self._colour(ch)
        return set(ch.pitch_classes) - self._colour(ch)

    def allowed(self, beat: float) -> list[int]:
        ch = self.chord(beat).chord
        pcs = set(chord_scale(ch, self.key, self.scale)) - self._colour(ch)
        return [p for p in range(self.low, self.high + 1) if p % 12 in pcs]

    def tones(self, beat: float) -> list[int]:
        pcs = self.chord_pcs(beat)
        return [p for p in range(self.low, self.high + 1) if p % 12 in pcs] or self.allowed(beat)

    def move(self, pitch: int, steps: int, beat: float) -> int:
        allowed = self.allowed(beat)
        i = int(np.argmin([abs(a - pitch) for a in allowed]))
        j = i + steps
        if j < 0 or j >= len(allowed):
            j = i - steps  # turn back at the edge of the range
        return allowed[int(np.clip(j, 0, len(allowed) - 1))]

    def realize(self, start: int, motif: Motif, b0: float, strong_at: set[float]) -> tuple[list[int], int]:
        """Pitches of ``motif`` begun from ``start`` at beat ``b0``, and how many of its
        strong-beat notes are chord tones."""
        out, pitch, fits = [], start, 0
        for (on, _), step in zip(motif.rhythm, motif.steps):
            pitch = self.move(pitch, step, b0 + on)
            if abs(step) >= 2:  # a leap lands on a chord tone: leaps outline the harmony, steps pass between
                tones = self.tones(b0 + on)
                pitch = min(tones, key=lambda t: (abs(t - pitch), t))
            out.append(pitch)
            if on in strong_at and pitch % 12 in self.chord_pcs(b0 + on):
                fits += 1
        return out, fits

    def place(self, motif: Motif, b0: float, strong_at: set[float], prefer: int) -> list[int]:
        """Transpose the motif (diatonically) to the start near ``prefer`` that puts the most
        strong beats on chord tones, so it keeps its shape; then snap what still clashes."""
        allowed = self.allowed(b0)
        i = int(np.argmin([abs(a - prefer) for a in allowed]))
        best, best_score = None, -1e9
        for j in range(max(0, i - 3), min(len(allowed), i + 4)):
            pitches, fits = self.realize(allowed[j], motif, b0, strong_at)
            score = 3 * fits - abs(j - i) * 1.1 - 0.2 * max(0, max(pitches) - self.high + 2)
            if score > best_score:
                best, best_score = pitches, score
        assert best is not None
        out: list[int] = []
        for k, ((on, _), p) in enumerate(zip(motif.rhythm, best)):
            if on in strong_at and p % 12 not in self.chord_pcs(b0 + on):
                # the nearest chord tone, but not a mere repeat of the note before when the
                # motif meant to move: a snapped line should not stall on one pitch
                prev = out[-1] if out else None
                moving = k < len(motif.steps) and motif.steps[k] != 0
                p = min(self.tones(b0 + on), key=lambda t: (abs(t - p) + (2.5 if moving and t == prev else 0), t))
            out.append(p)
        return out


def motif_from_notes(notes: tuple[tuple[float, float, int], ...], *, key: Key, meter: Meter, scale: tuple[int, ...]) -> Motif:
    """The main motif from a user's melody seed: the rhythm of its first bar and its moves
    counted in scale steps (so it can be placed over any chord).

    Parameters
    ----------
    notes
        (onset in beats, length in beats, MIDI pitch), in any order; onsets are taken from the
        first note's bar.
    """
    ordered = sorted(notes)
    bar0 = (ordered[0][0] // meter.bar_beats) * meter.bar_beats
    first = [(on - bar0, min(d, meter.bar_beats - (on - bar0)), p) for on, d, p in ordered if on - bar0 < meter.bar_beats]
    ladder = [p for p in range(0, 128) if p % 12 in scale]

    def degree(p: int) -> int:
        return int(np.argmin([abs(x - p) for x in ladder]))

    steps = [0] + [degree(b[2]) - degree(a[2]) for a, b in zip(first, first[1:])]
    return Motif(tuple((float(on), float(d)) for on, d, _ in first), tuple(int(np.clip(s, -7, 7)) for s in steps))


def plan_motifs(meter: Meter, spec: MelodySpec, rng: np.random.Generator, *, seed: Motif | None = None,
                variation_rng: np.random.Generator | None = None) -> dict[str, Motif]:
    """The motif of every section letter, drawn in a fixed order so the same generator always
    gives the same motifs, whichever sections a cue (or its extension) has.

    A is the main motif (or ``seed``); B inverts A's contour on a fresh rhythm; the climax lifts
    A's rhythm with new moves; the bridge is fresh. With ``variation_rng`` only A comes from
    ``rng`` and the others from ``variation_rng``.
    """
    a = make_motif(meter, spec, rng)
    if seed is not None and seed.rhythm:
        a = seed
    other = variation_rng or rng
    climax_moves = _develop(make_motif(meter, spec, other, busier=0.1), "vary", other).steps
    fresh = make_motif(meter, spec, other, busier=-0.1)
    inverted = _develop(a, "invert", other).steps
    bridge = make_motif(meter, spec, other, busier=-0.2)
    return {
        "A": a,
        "B": Motif(fresh.rhythm, inverted[: len(fresh.rhythm)] + fresh.steps[len(inverted):]),
        "climax": Motif(a.rhythm, (climax_moves + (0,) * len(a.rhythm))[: len(a.rhythm)]),
        "bridge": bridge,
    }


def compose_melody(sections: tuple[Section, ...], chords: tuple[ChordEvent, ...], *, key: Key, meter: Meter,
                   spec: MelodySpec, instrument: Instrument, rng: np.random.Generator,
                   seed: Motif | None = None, motif_rng: np.random.Generator | None = None) -> tuple[Note, ...]:
    """Write the lead line for the whole cue.

    Parameters
    ----------
    sections, chords
        Form and chord timeline of the score.
    key, meter
        Key and meter.
    spec
        The style's melodic character (scale, density, leap tendency, rhythm feel, phrase length).
    instrument
        The lead instrument: its comfortable range bounds the line.
    rng
        Random generator: another seed gives another melody.
    seed
        A motif to use as the main (A) motif instead of inventing one, e.g. from
        :func:`motif_from_notes`.
    motif_rng
        Separate generator for the motifs (see :func:`plan_motifs`); when given, ``rng`` only
        decides how phrases develop them and the secondary motifs, so a variation can keep the
        main motif.

    Returns
    -------
    tuple of Note
        A monophonic line in beats.
    """
    scale_pcs = tuple((key.tonic + i) % 12 for i in SCALES.get(spec.scale or key.mode, SCALES[key.mode]))
    bar = meter.bar_beats
    lo, hi = instrument.comfort_low, instrument.comfort_high
    centre = int(np.clip(lo + 0.62 * (hi - lo), lo + 7, hi - 7))
    motifs = plan_motifs(meter, spec, motif_rng or rng, seed=seed, variation_rng=rng if motif_rng is not None else None)
    notes: list[Note] = []
    phrases: list[tuple[_Line, list[Note]]] = []
    strong_at = {0.0, meter.pulses[len(meter.pulses) // 2] if len(meter.pulses) > 1 else 0.0}
    tonic_pc = key.tonic
    for sec in sections:
        letter = section_letter(sec)
        if letter not in motifs:
            letter = "A"
        motif = motifs[letter]
        lift = int(round((sec.energy - 0.5) * (8 if sec.kind == "chorus" else 5)))  # intensity lifts the register
        line = _Line(key, scale_pcs, chords, max(lo, centre - 9 + lift), min(hi, centre + 10 + lift))
        if sec.kind == "intro":
            if sec.bars >= 2:  # a hint of the theme in the intro's last bar
                notes += _phrase(line, motif, sec.start_bar + sec.bars - 1, 1, bar, sec, strong_at, tonic_pc,
                                 closed=False, rng=rng, anchor=centre, hint=True)
            continue
        phrase_len = max(1, min(spec.phrase_bars, sec.bars))
        b = sec.start_bar
        k = 0
        while b < sec.end_bar:
            n = min(phrase_len, sec.end_bar - b)
            final = sec.kind == "outro" and b + n >= sec.end_bar
            closed = k % 2 == 1 or final or b + n >= sec.end_bar
            phrase = _phrase(line, motif, b, n, bar, sec, strong_at, tonic_pc, closed=closed, rng=rng,
                             anchor=centre + lift, final=final, index=k, meter=meter)
            if phrase:
                phrases.append((line, phrase))
            notes += phrase
            b += n
            k += 1
    notes += _pickups(phrases, notes, spec, rng)
    return tuple(_monophonic(notes))


def _pickups(phrases: list[tuple[_Line, list[Note]]], notes: list[Note], spec: MelodySpec,
             rng: np.random.Generator) -> list[Note]:
    """Anacruses: some phrases are led into by an upbeat eighth a scale step from their first
    note, sung in the breath the previous phrase left, so phrases join as a singer would."""
    out: list[Note] = []
    ends = sorted(n.end for n in notes)
    p = 0.25 + 0.35 * float(np.clip(spec.density, 0.0, 1.0))
    for line, phrase in phrases[1:]:
        first = min(phrase, key=lambda n: n.start)
        at = first.start - 0.5
        before = [e for e in ends if e <= first.start + 1e-9]
        if at < 0 or not before or before[-1] > at - 0.25 or rng.random() >= p:
            continue
        pitch = line.move(first.pitch, int(rng.choice([1, -1, 1])), at)  # in the harmony it sounds over
        if pitch == first.pitch:
            continue
        out.append(Note(pitch, at, 0.5, max(20, first.velocity - 10)))
    return out


def _plan(bars: int, index: int, closed: bool) -> list[str]:
    """What each bar of a phrase does, by the phrase's place in its section.

    Four-bar phrases pair up as a period: an antecedent (basic idea, its answer, a sequence,
    an open cadence) and a consequent that begins the same way and closes; a third phrase
    fragments the idea instead. Two-bar phrases group by four into a sentence: the idea, its
    sequence, its fragmentation, a variant, each closed by a cadence bar.
    """
    if bars <= 1:
        return ["cadence"]
    if bars == 2:
        return [("state", "sequence", "fragment", "vary")[index % 4], "cadence"]
    if bars == 3:
        return ["state", "vary" if closed else "answer", "cadence"]
    if bars == 4:
        if index % 4 == 2:
            return ["state", "fragment", "sequence", "cadence"]
        return ["state", "answer", "vary", "cadence"] if closed else ["state", "answer", "sequence", "cadence"]
    body = ["state", "answer", "sequence", "vary", "fragment", "sequence", "vary"]
    return body[: bars - 1] + ["cadence"]


def _fragment(m: Motif, meter: Meter, rng: np.random.Generator) -> Motif:
    """Fragmentation: the motif's head (what falls before the bar's second strong pulse),
    restated on each later pulse group a step further on, so the line presses forward."""
    bar = meter.bar_beats
    pulses = meter.pulses
    span = pulses[len(pulses) // 2] if len(pulses) > 1 and pulses[len(pulses) // 2] > 0 else bar / 2
    head = [(on, d) for on, d in m.rhythm if on < span - 1e-9]
    if not head or len(head) == len(m.rhythm):
        return _develop(m, "vary", rng)
    head_steps = list(m.steps[: len(head)])
    shift = int(rng.choice([1, -1, 1, 2]))
    rhythm, steps = [], []
    k = 0
    while k * span < bar - 1e-9:
        for i, (on, d) in enumerate(head):
            t = k * span + on
            if t >= bar - 1e-9:
                break
            rhythm.append((t, min(d, bar - t)))
            if k == 0 or i > 0:
                steps.append(head_steps[i])
            else:  # from the previous group's last note to a start one step beyond its first
                steps.append(shift - sum(head_steps[1:]))
        k += 1
    return Motif(tuple(rhythm), tuple(steps))


def _phrase(line: _Line, motif: Motif, start_bar: int, bars: int, bar: float, sec: Section, strong_at: set[float],
            tonic_pc: int, *, closed: bool, rng: np.random.Generator, anchor: int, final: bool = False,
            hint: bool = False, index: int = 0, meter: Meter | None = None) -> list[Note]:
    """One phrase: motif, its development, and a cadence bar ending on a long note."""
    plan = _plan(bars, index, closed)
    if hint:
        plan = ["state"]
    out: list[Note] = []
    tones = line.tones(start_bar * bar)
    first = tones[int(np.argmin([abs(t - anchor) for t in tones]))]
    pitch = first
    vel_base = int(52 + 50 * sec.energy)
    seq_shift = int(rng.choice([1, -1, 2]))
    for j, what in enumerate(plan):
        b0 = (start_bar + j) * bar
        if what == "cadence":
            out += _cadence(line, pitch, b0, bar, tonic_pc, closed=closed, vel=vel_base, final=final)
            break
        m = motif
        # the phrase's arch: later statements start higher, so the line climbs to a peak
        # before the cadence instead of circling one note
        rise = _ARCH[j % len(_ARCH)] + (1 if closed and j >= 2 else 0)
        prefer = line.move(first, rise + (seq_shift if what == "sequence" else 0), b0)
        if what == "vary":
            m = _develop(motif, "vary", rng)
        elif what == "fragment":
            m = _fragment(motif, meter or Meter(int(round(bar)), 4), rng)
        elif what == "answer":
            m = _answer(motif, bar)
        pitches = line.place(m, b0, strong_at, prefer)
        for (on, dur), pitch in zip(m.rhythm, pitches):
            vel = vel_base + (8 if on == 0 else 0) + int(rng.integers(-4, 5))
            out.append(Note(pitch, b0 + on, dur, int(np.clip(vel, 20, 124))))
    if hint:
        out = [Note(n.pitch, n.start, n.duration, max(20, n.velocity - 15)) for n in out]
    return out


_ARCH = (0, 1, 3, 2, 1, 3, 2)  # scale steps above the phrase's first note, bar by bar


def _answer(m: Motif, bar: float) -> Motif:
    """The reply bar of a basic idea: the motif's opening up to the middle of the bar, then a
    held note to the bar's end (reached by a step against the opening's direction), so the
    reply rests where the idea ran on."""
    half = bar / 2 if bar >= 2 else bar
    head = [(on, d) for on, d in m.rhythm if on < half - 1e-9][:3] or [m.rhythm[0]]
    rhythm = [(on, min(d, half - on)) for on, d in head[:-1]]
    rhythm.append((head[-1][0], max(half, head[-1][0] + 0.25) - head[-1][0]))
    held = rhythm[-1][0] + rhythm[-1][1]
    if held < bar - 0.25:
        rhythm.append((held, bar - held))
    steps = list(m.steps[: len(rhythm)])
    while len(steps) < len(rhythm):
        steps.append(-1 if sum(steps) > 0 else 1)
    if tuple(rhythm) == m.rhythm and tuple(steps) == m.steps:  # the idea already rests: answer it in contrary motion
        steps[-1] = -steps[-1] if steps[-1] else (-1 if sum(steps) > 0 else 1)
    return Motif(tuple(rhythm), tuple(steps))


def _cadence(line: _Line, pitch: int, b0: float, bar: float, tonic_pc: int, *, closed: bool, vel: int, final: bool) -> list[Note]:
    """Phrase end: an approach note, then a long chord tone (the tonic when ``closed``) and a breath."""
    tones = line.tones(b0)
    if closed:
        pool = [t for t in tones if t % 12 == tonic_pc] or tones
    else:
        pool = [t for t in tones if t % 12 != tonic_pc] or tones
    target = min(pool, key=lambda t: abs(t - pitch))
    hold = bar if final else max(1.0, bar - 1.0) if bar >= 3 else bar * 0.75
    return [Note(target, b0, hold, int(np.clip(vel + 4, 20, 124)))]


def _monophonic(notes: list[Note]) -> list[Note]:
    """Sort and cut each note where the next begins, so one player can play the line."""
    notes = sorted(notes, key=lambda n: (n.start, n.pitch))
    out: list[Note] = []
    for n in notes:
        if out and out[-1].start == n.start:
            continue
        if out and out[-1].end > n.start:
            p = out[-1]
            out[-1] = Note(p.pitch, p.start, max(n.start - p.start, 1e-3), p.velocity)
        out.append(n)
    return [n for n in out if n.duration >= 1 / 16]
