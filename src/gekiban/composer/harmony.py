"""Harmony: a chord timeline for the form, and voice-led voicings of it.

Each section draws a progression from the style's pool for its kind (sections that share a
letter, A and A', share their progression so the material returns), fills its bars at the
style's harmonic rhythm and closes phrases with cadences: a half cadence on V before a new
section, an authentic (or plagal, Picardy, "Mario") cadence at the end of the cue.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gekiban.score import ChordEvent, Section
from gekiban.styles.schema import Progression, Style
from gekiban.theory import Chord, Key, Meter, parse_roman

_ENDINGS = {
    "authentic": ("V7", "I"),
    "plagal": ("IV", "I"),
    "picardy": ("V7", "I"),
    "mario": ("bVI", "bVII", "I"),
    "tonic": ("I",),
    "open": ("V",),
}


def _tonic(key: Key) -> str:
    return "i" if key.is_minor else "I"


def _ending_romans(style: Style, key: Key, *, establish: bool = False) -> tuple[str, ...]:
    ending = "tonic" if establish and style.harmony.ending == "open" else style.harmony.ending
    romans = _ENDINGS.get(ending, _ENDINGS["authentic"])
    if key.is_minor and style.harmony.ending != "picardy":
        romans = tuple(_tonic(key) if r == "I" else r for r in romans)
    return romans


def section_letter(section: Section) -> str:
    """The material a section states: ``A'`` and ``A''`` share ``A``'s."""
    return section.name.rstrip("'")


def read_chord(text: str, key: Key) -> Chord:
    """A chord given by the user: a symbol (``"Am"``, ``"Fmaj7"``) or a Roman numeral in ``key``.

    Raises
    ------
    InvalidOptionError
        If it is neither.
    """
    from gekiban.errors import InvalidOptionError
    from gekiban.theory import parse_chord_symbol

    try:
        return parse_chord_symbol(text)
    except InvalidOptionError:
        try:
            return parse_roman(text, key)
        except InvalidOptionError:
            raise InvalidOptionError(f"cannot read chord {text!r}: use a symbol (Am, Fmaj7, G7, C/E) or a Roman numeral (vi, IV△7, bVII)") from None


def plan_harmony(sections: tuple[Section, ...], *, key: Key, meter: Meter, style: Style,
                 progressions: Mapping[str, Progression], loop: bool = False, fixed: tuple[str, ...] = (),
                 chosen: dict[str, tuple[str, ...]] | None = None, establish: bool = False,
                 rng: np.random.Generator) -> tuple[ChordEvent, ...]:
    """Chord timeline covering every bar of ``sections``.

    Parameters
    ----------
    sections
        The form, contiguous from bar 0.
    key, meter
        Key and meter of the cue.
    style
        Supplies the progression pools, harmonic rhythm and ending.
    progressions
        Catalogue of named progressions (``gekiban.styles.load_progressions()``).
    loop
        End on a chord that leads back to the start instead of a final cadence.
    fixed
        A progression the user asked for (symbols or Roman numerals): every section cycles it
        exactly, one chord per harmonic-rhythm unit, and the cue ends on its first chord.
    chosen
        Progression (Roman numerals) per section letter: letters found here keep theirs, and the
        ones chosen now are added, so an extension can continue with the same harmony.
    establish
        The key was named: the cue opens on its tonic chord and ends on it (a style's open
        ending too), so the key the user asked for is the one heard.
    rng
        Random generator for the progression choices.

    Returns
    -------
    tuple of ChordEvent
        Sorted, non-overlapping chords in beats.
    """
    if fixed:
        return _fixed_timeline(sections, [read_chord(c, key) for c in fixed], list(fixed), meter=meter,
                               unit=style.harmony.harmonic_rhythm, loop=loop)
    mode_ok = ("minor", "any") if key.is_minor else ("major", "any")
    bar_beats = meter.bar_beats
    unit = style.harmony.harmonic_rhythm
    chosen = {} if chosen is None else chosen
    events: list[ChordEvent] = []
    for i, sec in enumerate(sections):
        letter = section_letter(sec)
        if letter not in chosen:
            pool = [p for p in style.harmony.pool(sec.kind) if p in progressions and progressions[p].mode in mode_ok]
            pool = pool or [p for p in style.harmony.progressions if p in progressions and progressions[p].mode in mode_ok]
            if pool:
                chosen[letter] = progressions[pool[int(rng.integers(len(pool)))]].romans
            else:  # no idiomatic pool for this mode: a plain tonic-subdominant-dominant loop
                chosen[letter] = ("i", "iv", "V", "i") if key.is_minor else ("I", "IV", "V", "I")
        romans = list(chosen[letter])
        sec_unit = unit if sec.bars * bar_beats / unit >= 1 else sec.bars
        if sec.kind == "intro":
            sec_unit = max(unit, 2.0 if sec.bars >= 2 else 1.0)
        slots = max(1, int(round(sec.bars / sec_unit)))
        seq = [romans[j % len(romans)] for j in range(slots)]
        if establish and sec.start_bar == 0 and parse_roman(seq[0], key).root != key.tonic:
            seq[0] = _tonic(key)
        last = i == len(sections) - 1
        if last and not loop:
            tail = list(_ending_romans(style, key, establish=establish))
            if sec.kind == "outro" or slots >= len(tail):
                seq = (seq[: max(0, slots - len(tail))] + tail)[-slots:] if slots >= len(tail) else tail[-slots:]
        elif not last and sections[i + 1].kind in ("chorus",) and slots >= 2 and sec.kind != "intro":
            seq[-1] = "V"  # half cadence into the climax
        elif last and loop and slots >= 2:
            seq[-1] = "V"  # lead back to the top
        slot_beats = sec.bars * bar_beats / slots
        start = sec.start_bar * bar_beats
        # the diminished approach leans only into the section's last dominant, where it drives
        # to the cadence; before every dominant it would smear the key
        last_pre = max((j for j in range(len(seq) - 1) if _is_dominant(parse_roman(seq[j + 1], key), key)), default=-1)
        for j, r in enumerate(seq):
            chord = parse_roman(r, key)
            if last and not loop and j == len(seq) - 1 and style.harmony.ending == "picardy" and key.is_minor:
                chord = Chord(key.tonic, "")
            final = last and not loop and j == len(seq) - 1
            if not final:
                chord, r = _colour(chord, r, key, sec.tension, first=j == 0,
                                   before_dominant=j == last_pre)
            events.append(ChordEvent(start + j * slot_beats, slot_beats, chord, r))
    return tuple(_merge_repeats(events))


def _fixed_timeline(sections: tuple[Section, ...], chords: list[Chord], names: list[str], *, meter: Meter,
                    unit: float, loop: bool) -> tuple[ChordEvent, ...]:
    """The user's progression, cycled through every section; a ringing ending closes on its first chord."""
    bar = meter.bar_beats
    total = sections[-1].end_bar
    slots = max(1, int(round(total / unit)))
    slot = total * bar / slots
    events = [ChordEvent(i * slot, slot, chords[i % len(chords)], names[i % len(names)]) for i in range(slots)]
    if not loop and slots > 1:
        last = events[-1]
        events[-1] = ChordEvent(last.start, last.duration, chords[0], names[0])
    return tuple(_merge_repeats(events))


def _is_dominant(chord: Chord, key: Key) -> bool:
    return (chord.root - key.tonic) % 12 == 7 and chord.quality in ("", "7", "7sus4", "9")


def _colour(chord: Chord, roman: str, key: Key, tension: float, *, first: bool, before_dominant: bool) -> tuple[Chord, str]:
    """Tension colours a chord: dominants gain their seventh (from 0.55), a section opens on a
    suspension (from 0.65), and the chord before the section's last dominant becomes the
    diminished seventh on the raised fourth, leaning into it (from 0.75). Pedal points are the
    bass's job."""
    if tension >= 0.75 and before_dominant and not first:
        return Chord((key.tonic + 6) % 12, "dim7"), "#iv°7"
    if tension >= 0.55 and _is_dominant(chord, key) and chord.quality == "":
        return Chord(chord.root, "7"), roman + "7" if not roman.endswith("7") else roman
    if tension >= 0.65 and first and chord.quality == "" and chord.root != key.tonic:
        return Chord(chord.root, "sus4"), roman + "sus4"
    return chord, roman


def _merge_repeats(events: list[ChordEvent]) -> list[ChordEvent]:
    """Join consecutive identical chords into one longer chord."""
    out: list[ChordEvent] = []
    for e in events:
        if out and out[-1].chord == e.chord and abs(out[-1].end - e.start) < 1e-9:
            prev = out[-1]
            out[-1] = ChordEvent(prev.start, prev.duration + e.duration, prev.chord, prev.roman)
        else:
            out.append(e)
    return out


def voice_lead(chords: tuple[Chord, ...] | list[Chord], *, low: int, high: int, voices: int = 4) -> list[tuple[int, ...]]:
    """Close voicings for ``chords`` that move each voice as little as possible.

    Every voicing holds the chord's third (and seventh, if any) and stays within
    ``[low, high]``; among the candidates, the one with the least total movement from the
    previous voicing wins (smooth voice leading). The first chord is voiced around the middle.
    """
    out: list[tuple[int, ...]] = []
    prev: tuple[int, ...] | None = None
    centre = (low + high) / 2
    for chord in chords:
        pcs = list(chord.pitch_classes)
        n = min(voices, max(3, len(pcs)))
        essential = pcs[:n] if len(pcs) >= n else (pcs + pcs[:1])[:n]
        if len(pcs) > n:  # drop the fifth first
            essential = [p for p in pcs if (p - chord.root) % 12 != 7][:n]
        cands = []
        for base in range(low, high - 6):
            voicing, p = [], base - 1
            ok = True
            order = sorted(essential, key=lambda pc: (pc - base) % 12)
            for pc in order:
                p += (pc - p) % 12 or 12 if voicing else (pc - p) % 12
                voicing.append(p)
            if voicing[-1] > high or voicing[0] < low:
                ok = False
            if ok:
                cands.append(tuple(voicing))
        if not cands:
            cands = [tuple(sorted(low + ((pc - low) % 12) for pc in essential))]
        if prev is None:
            best = min(cands, key=lambda v: abs(sum(v) / len(v) - centre))
        else:
            best = min(cands, key=lambda v: _movement(prev, v))
        out.append(best)
        prev = best
    return out


def _movement(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Voice-leading cost: summed distance of sorted voices, plus a penalty for drifting."""
    m = min(len(a), len(b))
    return float(sum(abs(x - y) for x, y in zip(sorted(a)[:m], sorted(b)[:m])))
