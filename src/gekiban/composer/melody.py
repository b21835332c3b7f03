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

from gekiban.composer.harmony import section_letter
from gekiban.composer.motifs import Motif, answer, develop, fragment, learned_rhythm, plan_motifs
from gekiban.instruments import Instrument
from gekiban.score import ChordEvent, Note, Section
from gekiban.styles.schema import MelodySpec
from gekiban.theory import SCALES, Chord, Key, Meter, chord_scale


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


def compose_melody(sections: tuple[Section, ...], chords: tuple[ChordEvent, ...], *, key: Key, meter: Meter,
                   spec: MelodySpec, instrument: Instrument, rng: np.random.Generator,
                   seed: Motif | None = None, motif_rng: np.random.Generator | None = None,
                   earlier: tuple[tuple[Section, ...], tuple[Note, ...]] = ((), ())) -> tuple[Note, ...]:
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
    earlier
        The sections and lead line a continuation follows (an extension): a section returning
        to a letter stated there restates that statement bar for bar.

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
    stated: dict[str, list[_Stated]] = {}  # the phrases of each letter's first statement
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
                                 closed=False, rng=rng, anchor=centre, hint=True)[0]
            continue
        before = next((s for s in earlier[0] if section_letter(s) == letter and s.kind != "intro"), None)
        if letter not in stated and before is not None and spec.returns != "develop":
            restated = _restate(earlier[1], before, sec, bar)
            notes += restated
            phrases.append((line, restated))
            continue
        source = stated.get(letter) if spec.returns != "develop" else None
        first = letter not in stated
        own: list[_Stated] = []
        phrase_len = max(1, min(spec.phrase_bars, sec.bars))
        b = sec.start_bar
        k = 0
        while b < sec.end_bar:
            n = min(phrase_len, sec.end_bar - b)
            final = sec.kind == "outro" and b + n >= sec.end_bar
            closed = k % 2 == 1 or final or b + n >= sec.end_bar
            index, reuse, at = _shape(spec.phrases, k, own)
            if source:  # a return restates the first statement phrase by phrase
                was = source[k % len(source)]
                reuse, at, index = was.bars, was.line, was.index
                if spec.returns == "literal" and not final:
                    closed = was.closed
            phrase, recipe = _phrase(at or line, motif, b, n, bar, sec, strong_at, tonic_pc, closed=closed, rng=rng,
                                     anchor=centre + lift, final=final, index=index, meter=meter, reuse=reuse,
                                     learned=spec if spec.cells else None)
            own.append(_Stated(recipe, at or line, closed, index))
            if phrase:
                phrases.append((line, phrase))
            notes += phrase
            b += n
            k += 1
        if first:
            stated[letter] = own
    notes += _pickups(phrases, notes, spec, rng)
    return tuple(_monophonic(notes))


def _restate(notes: tuple[Note, ...], before: Section, sec: Section, bar: float) -> list[Note]:
    """The notes of an earlier statement (``before``) moved to ``sec`` bar for bar, repeated
    until the section is full."""
    a = before.start_bar * bar
    source = [n for n in notes if a - 1e-9 <= n.start < a + before.bars * bar - 1e-9]
    out = []
    for k in range(0, sec.bars, before.bars):
        shift = (sec.start_bar + k - before.start_bar) * bar
        end = sec.start_bar * bar + min(k + before.bars, sec.bars) * bar
        out += [Note(n.pitch, n.start + shift, min(n.duration, end - n.start - shift), n.velocity)
                for n in source if n.start + shift < end - 1e-9]
    return out


@dataclass(frozen=True)
class _Stated:
    """A phrase as first stated: what each bar before its cadence played (the motif as
    developed and the pitch it was placed near), the line it was placed on, whether it
    closed, and its place in its section's plan."""

    bars: tuple[tuple[Motif, int], ...]
    line: _Line
    closed: bool
    index: int


def _shape(phrases: str, k: int, own: list[_Stated]) -> tuple[int, tuple[tuple[Motif, int], ...] | None, _Line | None]:
    """How the ``k``-th phrase of a section is built: its plan index, and the bars (and line)
    of an earlier phrase of the section it restates. ``"aaba"``: a, a′ (a's opening, another
    cadence), b (contrast: the fragmenting plan), a″; ``"period"``: a and a′ in turn;
    ``"through"``: every phrase develops the motif anew."""
    if phrases == "through":
        return k, None, None
    if not own or (phrases == "aaba" and k % 4 == 2):
        return (2 if own else 0), None, None
    return own[0].index, own[0].bars, own[0].line


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


def _phrase(line: _Line, motif: Motif, start_bar: int, bars: int, bar: float, sec: Section, strong_at: set[float],
            tonic_pc: int, *, closed: bool, rng: np.random.Generator, anchor: int, final: bool = False,
            hint: bool = False, index: int = 0, meter: Meter | None = None,
            reuse: tuple[tuple[Motif, int], ...] | None = None,
            learned: MelodySpec | None = None) -> tuple[list[Note], tuple[tuple[Motif, int], ...]]:
    """One phrase: motif, its development, and a cadence bar ending on a long note; with
    ``reuse``, the bars of an earlier phrase restated before its own cadence. A ``learned``
    style's phrases keep its own rhythm: a variant instead of the held answer, and a cadence
    bar in its rhythm that steps to the cadence note (a held note only at the very end).
    Returns the notes and what each bar before the cadence played (for a later restatement)."""
    plan = _plan(bars, index, closed)
    if learned is not None:
        plan = ["vary" if what == "answer" else what for what in plan]
    if hint:
        plan = ["state"]
    out: list[Note] = []
    recipe: list[tuple[Motif, int]] = []
    tones = line.tones(start_bar * bar)
    first = tones[int(np.argmin([abs(t - anchor) for t in tones]))]
    pitch = first
    vel_base = int(52 + 50 * sec.energy)
    seq_shift = int(rng.choice([1, -1, 2]))
    for j, what in enumerate(plan):
        b0 = (start_bar + j) * bar
        if what == "cadence":
            if learned is not None and not final and not hint:
                rhythm = learned_rhythm(meter or Meter(int(round(bar)), 4), learned, rng, busier=-0.1)
                out += _stepped_cadence(line, pitch, b0, rhythm, tonic_pc, closed=closed, vel=vel_base)
            else:
                out += _cadence(line, pitch, b0, bar, tonic_pc, closed=closed, vel=vel_base, final=final)
            break
        if reuse is not None and j < len(reuse):
            m, prefer = reuse[j]
        else:
            m = motif
            # the phrase's arch: later statements start higher, so the line climbs to a peak
            # before the cadence instead of circling one note
            rise = _ARCH[j % len(_ARCH)] + (1 if closed and j >= 2 else 0)
            prefer = line.move(first, rise + (seq_shift if what == "sequence" else 0), b0)
            if what == "vary":
                m = develop(motif, "vary", rng)
            elif what == "fragment":
                m = fragment(motif, meter or Meter(int(round(bar)), 4), rng)
            elif what == "answer":
                m = answer(motif, bar)
        recipe.append((m, prefer))
        pitches = line.place(m, b0, strong_at, prefer)
        for (on, dur), pitch in zip(m.rhythm, pitches):
            vel = vel_base + (8 if on == 0 else 0) + int(rng.integers(-4, 5))
            out.append(Note(pitch, b0 + on, dur, int(np.clip(vel, 20, 124))))
    if hint:
        out = [Note(n.pitch, n.start, n.duration, max(20, n.velocity - 15)) for n in out]
    return out, tuple(recipe)


_ARCH = (0, 1, 3, 2, 1, 3, 2)  # scale steps above the phrase's first note, bar by bar


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


def _stepped_cadence(line: _Line, pitch: int, b0: float, rhythm: tuple[tuple[float, float], ...], tonic_pc: int, *,
                     closed: bool, vel: int) -> list[Note]:
    """A cadence bar in a learned rhythm: the line steps toward the cadence tone (the tonic
    when ``closed``, another chord tone when open) and lands on it with the bar's last note."""
    last = b0 + rhythm[-1][0]
    tones = line.tones(last)
    pool = ([t for t in tones if (t % 12 == tonic_pc) == closed]) or tones
    target = min(pool, key=lambda t: abs(t - pitch))
    out: list[Note] = []
    current = pitch
    for i, (on, dur) in enumerate(rhythm):
        if i == len(rhythm) - 1:
            current = target
        else:
            left = len(rhythm) - 1 - i  # notes still to come before the target
            gap = target - current
            step = int(np.sign(gap)) if abs(gap) > 2 * left else (1 if i % 2 == 0 else -1)
            current = line.move(current, step, b0 + on)
        out.append(Note(current, b0 + on, dur, int(np.clip(vel + (4 if i == len(rhythm) - 1 else 0), 20, 124))))
    return out


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
