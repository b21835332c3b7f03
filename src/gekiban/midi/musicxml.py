"""MusicXML from a :class:`~gekiban.score.Score` (through music21), for notation programs.

One part per Score part (piano and harp on a grand staff, drums on a percussion staff), named by
instrument; transposing instruments at their written pitch (clarinet, trumpet and soprano sax in
B♭, horn and cor anglais in F, alto/tenor/baritone sax, contrabass, bass and guitar an octave
up); a clef for the range; key, meter, metronome marks, a rehearsal mark at each section, chord
symbols, dynamics per phrase from the velocities, staccato for short notes and accents for
leaning ones.

The Score's humanised times are quantised per beat to sixteenths or eighth-note triplets,
whichever fits the onsets of that beat better; a swung cue is written straight under a
"Swing" text. Each part is written as one voice of notes and chords: notes starting together
form a chord, and a chord lasts at most to the next onset (a readable reduction; the MIDI file
holds every note exactly).
"""

from __future__ import annotations

import os
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from gekiban.atomic import atomic_write
from gekiban.score import Note, Part, Score

#: Written pitch = sounding pitch + this many semitones (music21 interval: sounding from written).
_TRANSPOSE: dict[str, tuple[int, str]] = {
    "clarinet": (2, "M-2"), "trumpet": (2, "M-2"), "muted-trumpet": (2, "M-2"), "soprano-sax": (2, "M-2"),
    "french-horn": (7, "P-5"), "english-horn": (7, "P-5"), "alto-sax": (9, "M-6"), "tenor-sax": (14, "M-9"),
    "baritone-sax": (21, "M-13"), "contrabass": (12, "P-8"), "nylon-guitar": (12, "P-8"),
    "steel-guitar": (12, "P-8"), "jazz-guitar": (12, "P-8"), "clean-guitar": (12, "P-8"),
    "muted-guitar": (12, "P-8"), "overdrive-guitar": (12, "P-8"), "distortion-guitar": (12, "P-8"),
    "acoustic-bass": (12, "P-8"), "finger-bass": (12, "P-8"), "pick-bass": (12, "P-8"),
    "fretless-bass": (12, "P-8"), "slap-bass-1": (12, "P-8"), "slap-bass-2": (12, "P-8"),
}
#: Instruments written on a grand staff (split at middle C).
_GRAND = {"piano", "bright-acoustic-piano", "electric-grand-piano", "honky-tonk-piano", "electric-piano-1",
          "electric-piano-2", "harpsichord", "harp", "celesta", "church-organ", "drawbar-organ"}
#: Instruments that read tenor clef in their upper register.
_TENOR = {"cello", "bassoon", "trombone"}
#: GM drum keys → (display step, octave, notehead) on the percussion staff.
_DRUM_DISPLAY = {35: ("F", 4, None), 36: ("F", 4, None), 37: ("C", 5, "x"), 38: ("C", 5, None),
                 40: ("C", 5, None), 39: ("D", 5, "x"), 41: ("A", 4, None), 43: ("B", 4, None),
                 45: ("D", 5, None), 47: ("D", 5, None), 48: ("E", 5, None), 50: ("F", 5, None),
                 42: ("G", 5, "x"), 44: ("D", 4, "x"), 46: ("G", 5, "circle-x"), 49: ("A", 5, "x"),
                 57: ("A", 5, "x"), 51: ("F", 5, "x"), 59: ("F", 5, "x"), 53: ("F", 5, "diamond"),
                 52: ("A", 5, "x"), 55: ("A", 5, "x")}
_KIND = {"": "major", "m": "minor", "dim": "diminished", "aug": "augmented", "7": "dominant-seventh",
         "maj7": "major-seventh", "m7": "minor-seventh", "m7b5": "half-diminished-seventh",
         "dim7": "diminished-seventh", "mmaj7": "minor-major-seventh", "sus2": "suspended-second",
         "sus4": "suspended-fourth", "6": "major-sixth", "m6": "minor-sixth", "9": "dominant-ninth",
         "maj9": "major-ninth", "m9": "minor-ninth", "5": "power"}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "D-", "D", "E-", "E", "F", "G-", "G", "A-", "A", "B-", "B")
_MIXED_NAMES = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")
_MAJOR_TONIC = ("C", "D-", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")
_MINOR_TONIC = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A", "B-", "B")
_DYNAMICS = ((40, "pp"), (55, "p"), (70, "mp"), (85, "mf"), (100, "f"), (128, "ff"))
_EPS = 1e-6


def _quantise_beat_grids(onsets: Sequence[float]) -> dict[int, float]:
    """Per beat, the grid step (1/4 or 1/3) that fits the onsets in it better."""
    by_beat: dict[int, list[float]] = defaultdict(list)
    for t in onsets:
        by_beat[int(t + _EPS)].append(t - int(t + _EPS))
    grids = {}
    for b, fr in by_beat.items():
        e16 = sum(abs(f - round(f * 4) / 4) for f in fr)
        e3 = sum(abs(f - round(f * 3) / 3) for f in fr)
        trip = any(abs(f - 1 / 3) < 0.06 or abs(f - 2 / 3) < 0.06 for f in fr)
        grids[b] = 1 / 3 if trip and e3 + 0.02 < e16 * 0.7 else 0.25
    return grids


def _snap(t: float, grids: dict[int, float]) -> float:
    b = int(t + _EPS)
    g = grids.get(b, 0.25)
    q = b + round((t - b) / g) * g
    return round(q * 12) / 12  # exact on the 1/12 lattice


def _swing_ratio(score: Score) -> float | None:
    """Where a swung cue puts its off-beat eighths (share of the beat), or None when it is straight.

    Swing shows as many onsets between the straight and the triplet off-beat (or on it) and few
    on the straight off-beat or on the first triplet."""
    swung, straight, first = [], 0, 0
    for p in score.parts:
        for n in p.notes:
            f = n.start % 1.0
            if 0.55 < f < 0.72:
                swung.append(f)
            elif abs(f - 0.5) <= 0.03:
                straight += 1
            elif abs(f - 1 / 3) < 0.04:
                first += 1
    if len(swung) >= 8 and len(swung) >= 2 * straight and first * 2 < len(swung):
        return statistics.median(swung)
    return None


def _straighten(t: float, ratio: float) -> float:
    b = int(t)
    f = t - b
    return b + (f * 0.5 / ratio if f <= ratio else 0.5 + (f - ratio) * 0.5 / (1 - ratio))


def _events(notes: Sequence[Note], swing: float | None, total: float) -> list[tuple[float, float, list[Note], bool]]:
    """Quantised (onset, written length, notes, staccato) events of one voice, in order."""
    if swing:
        notes = [Note(n.pitch, _straighten(n.start, swing),
                      max(_straighten(n.end, swing) - _straighten(n.start, swing), 0.05), n.velocity) for n in notes]
    grids = _quantise_beat_grids([n.start for n in notes])
    groups: dict[float, list[Note]] = defaultdict(list)
    for n in notes:
        q = _snap(n.start, grids)
        if q < total - _EPS:
            groups[q].append(n)
    starts = sorted(groups)
    out = []
    for i, q in enumerate(starts):
        group = groups[q]
        nxt = starts[i + 1] if i + 1 < len(starts) else total
        end = _snap(max(n.end for n in group), grids)
        sounding = max(n.duration for n in group)
        gap = nxt - q
        step = grids.get(int(q + _EPS), 0.25)
        staccato = sounding <= 0.55 * gap and sounding < 0.5
        if staccato:  # a short note: an eighth (or the gap) with a dot, not a 64th and rests
            want = 0.5 if sounding <= 0.3 else 1.0
            length = min(gap, want if step > 0.3 else max(step, round(want / step - 0.5) * step))
        else:
            length = min(max(end - q, step), gap)
            if gap - length <= 0.25 + _EPS and length >= 0.5:  # a legato line: to the next onset
                length = gap
        if length <= _EPS:
            continue
        out.append((q, length, group, staccato))
    return out


def _dynamic(velocity: float) -> str:
    return next(name for limit, name in _DYNAMICS if velocity < limit)


def _spell(midi: int, flats: bool | None):  # noqa: ANN202 - music21 types stay local
    from music21 import pitch

    p = pitch.Pitch(midi=midi)
    if flats is not None and p.accidental is not None and (p.accidental.alter > 0) == flats:
        p = p.getEnharmonic()
    return p


def _family(part: Part) -> str:
    from gekiban.instruments import registry

    inst = registry().get(part.instrument)
    return inst.family if inst else ""


def _instrument(part: Part):  # noqa: ANN202
    from music21 import instrument, interval

    from gekiban.instruments import registry

    inst = registry().get(part.instrument)
    name = (inst.name if inst else part.instrument).title()
    if part.is_drum:
        m = instrument.Percussion()
    else:
        m = instrument.Instrument()
        m.midiProgram = part.program
    m.instrumentName = name
    m.partName = name
    m.partAbbreviation = name[:4] + "."
    if part.instrument in _TRANSPOSE:
        m.transposition = interval.Interval(_TRANSPOSE[part.instrument][1])
    return m


def _clef(part: Part, pitches: Sequence[int], staff: str = ""):  # noqa: ANN202
    from music21 import clef

    if part.is_drum:
        return clef.PercussionClef()
    if staff:
        return clef.TrebleClef() if staff == "upper" else clef.BassClef()
    if part.instrument == "viola":
        return clef.AltoClef()
    med = statistics.median(pitches) if pitches else 60
    if part.instrument in _TENOR:
        return clef.TrebleClef() if med >= 69 else clef.TenorClef() if med >= 55 else clef.BassClef()
    if med >= 59:
        return clef.TrebleClef()
    return clef.BassClef()


def _phrase_breaks(score: Score) -> set[float]:
    bar = score.meter.bar_beats
    return {s.start_bar * bar for s in score.sections}


def _build_voice(m21part, part: Part, notes: Sequence[Note], *, score: Score, swung: float | None, flats: bool | None,  # noqa: ANN001
                 shift: int) -> None:
    """Fill a music21 part (flat, before measures) with the quantised notes, rests, dynamics and marks."""
    from music21 import articulations, chord, dynamics, note

    total = score.total_beats
    events = _events(notes, swung, total)
    pos = 0.0
    last_dyn = ""
    # a phrase: a run of events without a rest of a bar or more, within one section
    breaks = sorted(_phrase_breaks(score))
    bar = score.meter.bar_beats
    phrases: list[list[int]] = []
    for i, (q, length, _g, _s) in enumerate(events):
        prev_end = events[i - 1][0] + events[i - 1][1] if i else 0.0
        crossed = i and any(events[i - 1][0] < b <= q + _EPS for b in breaks)
        if i == 0 or crossed or q - prev_end >= bar - _EPS:
            phrases.append([])
        phrases[-1].append(i)
    dyn_at = {}
    for ph in phrases:
        phrase_vel = [max(n.velocity for n in events[i][2]) for i in ph]
        mean = statistics.fmean(phrase_vel)
        dyn_at[ph[0]] = (mean, _dynamic(mean))
    mean = 80.0
    items: list = []
    dotted = not (part.is_drum or _family(part) in ("percussive", "drums"))
    for i, (q, length, group, stacc) in enumerate(events):
        if q > pos + _EPS:
            r = note.Rest(quarterLength=q - pos)
            items += [pos, r]
        if i in dyn_at:
            mean, dname = dyn_at[i]
            if dname != last_dyn:
                items += [q, dynamics.Dynamic(dname)]
                last_dyn = dname
        if part.is_drum:
            el = _drum_chord(group, length)
        else:
            pitches = sorted({n.pitch + shift for n in group})
            if len(pitches) == 1:
                el = note.Note(_spell(pitches[0], flats), quarterLength=length)
            else:
                el = chord.Chord([_spell(p, flats) for p in pitches], quarterLength=length)
        if stacc and dotted:
            el.articulations.append(articulations.Staccato())
        if max(n.velocity for n in group) >= mean + 14:
            el.articulations.append(articulations.Accent())
        items += [q, el]
        pos = q + length
    if pos < total - _EPS:
        items += [pos, note.Rest(quarterLength=total - pos)]
    m21part.insert(items)  # one insert: element by element is quadratic in music21


def _drum_chord(group: Sequence[Note], length: float):  # noqa: ANN202
    from music21 import note, percussion

    heads = []
    seen = set()
    for n in group:
        step, octave, head = _DRUM_DISPLAY.get(n.pitch, ("E", 5, "triangle"))
        if (step, octave) in seen:
            continue
        seen.add((step, octave))
        u = note.Unpitched(displayName=f"{step}{octave}", quarterLength=length)
        if head:
            u.notehead = head
        heads.append(u)
    if len(heads) == 1:
        return heads[0]
    return percussion.PercussionChord(heads, quarterLength=length)


def _global_marks(m21part, score: Score, swung: float | None, flats: bool | None) -> None:  # noqa: ANN001
    """Tempo, rehearsal marks, chord symbols and the swing text (on the top part)."""
    from music21 import expressions, harmony, tempo

    def above(el):  # noqa: ANN001, ANN202
        el.placement = "above"
        return el

    for t in score.tempo:
        bpm = round(t.bpm, 1) if t.bpm % 1 else int(t.bpm)
        m21part.insert(round(t.beat * 12) / 12, above(tempo.MetronomeMark(number=bpm, referent="quarter")))
    if swung:
        m21part.insert(0, above(expressions.TextExpression("Swing")))
    bar = score.meter.bar_beats
    for s in score.sections:
        m21part.insert(s.start_bar * bar, above(expressions.RehearsalMark(s.name)))
    names = _FLAT_NAMES if flats else _SHARP_NAMES if flats is False else _MIXED_NAMES
    prev = None
    for c in score.chords:
        sym = c.chord.symbol
        if sym == prev or c.start >= score.total_beats:
            continue
        prev = sym
        ch = c.chord
        bass = None if ch.bass is None or ch.bass == ch.root else names[ch.bass]
        try:
            if ch.quality in _KIND:
                cs = harmony.ChordSymbol(root=names[ch.root], kind=_KIND[ch.quality], bass=bass)
            else:
                cs = harmony.ChordSymbol(names[ch.root] + ch.quality + (f"/{bass}" if bass else ""))
        except Exception:  # noqa: BLE001 - an odd symbol must not lose the score
            continue
        cs.writeAsChord = False
        m21part.insert(round(c.start * 12) / 12, cs)


def score_to_music21(score: Score, *, title: str = "gekiban cue"):  # noqa: ANN201 - music21.stream.Score
    """The Score as a music21 score, at written pitch, ready for ``write("musicxml")``."""
    from music21 import key, layout, meter, metadata, stream

    tonic_pc, mode = score.key.tonic, score.key.mode
    minorish = mode in ("minor", "aeolian", "dorian", "phrygian", "locrian")
    tonic = (_MINOR_TONIC if minorish else _MAJOR_TONIC)[tonic_pc]
    try:
        k = key.Key(tonic.lower() if minorish and mode == "minor" else tonic, None if mode == "minor" else mode)
    except Exception:  # noqa: BLE001
        k = key.Key(tonic)
    flats = None if k.sharps == 0 else k.sharps < 0  # None: C major/A minor, music21's usual spelling
    swung = _swing_ratio(score)
    out = stream.Score()
    out.metadata = metadata.Metadata()
    out.metadata.title = title
    out.metadata.composer = "gekiban"
    first = True
    for index, part in enumerate(score.parts, start=1):
        shift = _TRANSPOSE.get(part.instrument, (0, ""))[0]
        wk = k.transpose(shift) if shift and not part.is_drum else k
        wflats = (None if wk.sharps == 0 else wk.sharps < 0) if not part.is_drum else flats
        if part.instrument in _GRAND and not part.is_drum:
            staves = []
            for which, sel in (("upper", [n for n in part.notes if n.pitch >= 60]),
                               ("lower", [n for n in part.notes if n.pitch < 60])):
                ps = stream.PartStaff(id=f"P{index}{which[0]}")
                _setup(ps, part, sel, score, wk, which, first and which == "upper", swung, wflats, shift, flats)
                staves.append(ps)
            for ps in staves:
                out.insert(0, ps)
            out.insert(0, layout.StaffGroup(staves, name=staves[0].partName, symbol="brace", barTogether=True))
        else:
            p = stream.Part(id=f"P{index}")
            _setup(p, part, part.notes, score, wk, "", first, swung, wflats, shift, flats)
            out.insert(0, p)
        first = False
    return out


def _setup(p, part: Part, notes: Sequence[Note], score: Score, wk, staff: str, first: bool,  # noqa: ANN001, PLR0913
           swung: float | None, wflats: bool | None | None, shift: int, flats: bool | None) -> None:
    from music21 import key, meter, stream
    from music21.stream import makeNotation

    inst = _instrument(part)
    inst.partId = str(p.id)
    inst.instrumentId = f"I{p.id}"  # music21 would draw random ids: fixed ones keep the file reproducible
    p.partName = inst.partName
    p.insert(0, inst)
    p.insert(0, _clef(part, [n.pitch + shift for n in notes], staff))
    if not part.is_drum:
        p.insert(0, key.KeySignature(wk.sharps))
    p.insert(0, meter.TimeSignature(str(score.meter)))
    if first:
        _global_marks(p, score, swung, flats)
    _build_voice(p, part, notes, score=score, swung=swung, flats=wflats, shift=shift)
    p.makeMeasures(inPlace=True)
    p.makeTies(inPlace=True)
    p.splitAtDurations(recurse=True)
    p.makeBeams(inPlace=True)
    if not part.is_drum:
        p.makeAccidentals(inPlace=True, cautionaryNotImmediateRepeat=False)
    for m in p.getElementsByClass(stream.Measure):
        makeNotation.makeTupletBrackets(m, inPlace=True)


def musicxml_bytes(score: Score, *, title: str = "gekiban cue") -> bytes:
    """The Score as uncompressed MusicXML (UTF-8 bytes)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    gex = GeneralObjectExporter(score_to_music21(score, title=title))
    gex.makeNotation = False  # done per part in _setup; music21's own pass copies the score and doubles the time
    # The encoding date is the only thing that would differ between two runs of one request.
    return re.sub(rb"\s*<encoding-date>[^<]*</encoding-date>", b"", gex.parse())


def write_musicxml(score: Score, path: str | os.PathLike[str], *, title: str = "gekiban cue") -> Path:
    """Write the Score as MusicXML at ``path``, atomically; returns the path."""
    data = musicxml_bytes(score, title=title)
    return atomic_write(Path(path), lambda f: f.write(data))
