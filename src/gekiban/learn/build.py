"""A style learned from analysed pieces: the numbers of :mod:`gekiban.learn.analyse` pooled
over the files and written as a style file (``docs/styles.md``) that the style reader checks
like any other."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from statistics import median

import numpy as np

from gekiban.errors import StyleError
from gekiban.learn.analyse import Analysis
from gekiban.learn.harmony import TENSE_QUALITIES, chords_per_unit, ending_of, roman
from gekiban.learn.rhythm import STEPS_PER_BEAT, drum_lanes, nearest_figure
from gekiban.learn.roles import instrument_for
from gekiban.learn.write import style_text
from gekiban.styles.figures import figures_for
from gekiban.styles.progressions import load_progressions
from gekiban.styles.reader import HARMONIC_RHYTHMS
from gekiban.theory import MODES, NOTE_NAMES

#: What a style needs to be learned from: bars of music, lead notes, chord changes.
MIN_BARS = 16
MIN_LEAD_NOTES = 32
MIN_CHORD_CHANGES = 8
#: A role is part of the style when this share of the files plays it.
ROLE_SHARE = 0.4
#: Most progressions a learned style keeps for each third of its modes, and most rhythm cells.
PROGRESSIONS_PER_MODE = 6
MAX_CELLS = 12
_VOLUME = {"lead": 0.8, "counter": 0.55, "pad": 0.55, "ostinato": 0.5, "bass": 0.75, "drums": 0.7}
_PAN = {"counter": -0.3, "pad": -0.15, "ostinato": 0.35}


@dataclass(frozen=True)
class Summary:
    """What a style was learned from, for the user: files, bars, and the numbers found."""

    files: int
    bars: int
    lead_notes: int
    chord_changes: int
    lines: tuple[str, ...]


def check_enough(analyses: list[Analysis]) -> Summary:
    """Refuse music that has too little in it to learn a style from, saying what is missing.

    Raises
    ------
    StyleError
        With the number found and the number needed.
    """
    bars = sum(a.bars for a in analyses)
    lead = sum(len(a.roles.notes.get("lead", ())) for a in analyses)
    changes = sum(sum(1 for x, y in zip(a.harmony.chords, a.harmony.chords[1:]) if x != y and y is not None)
                  for a in analyses)
    problems = []
    if bars < MIN_BARS:
        problems.append(f"{bars} bars of music (at least {MIN_BARS} are needed)")
    if lead < MIN_LEAD_NOTES:
        problems.append(f"{lead} melody notes (at least {MIN_LEAD_NOTES}: a line that plays one note at a time)")
    if changes < MIN_CHORD_CHANGES:
        problems.append(f"{changes} chord changes (at least {MIN_CHORD_CHANGES})")
    if problems:
        raise StyleError(f"too little music to learn a style from in {len(analyses)} file(s): " + "; ".join(problems))
    return Summary(files=len(analyses), bars=bars, lead_notes=lead, chord_changes=changes, lines=())


def build_style_text(name: str, analyses: list[Analysis], *, family: str = "learned") -> tuple[str, Summary]:
    """The style file learned from ``analyses`` and a summary of it.

    Raises
    ------
    StyleError
        If the music has too little in it (:func:`check_enough`).
    """
    summary = check_enough(analyses)
    meters = Counter()
    for a in analyses:
        meters[str(a.meter)] += a.bars
    meter_text = meters.most_common(1)[0][0]
    main = [a for a in analyses if str(a.meter) == meter_text]
    meter = main[0].meter
    bpm = float(median(a.bpm for a in analyses))
    lows, highs = np.percentile([a.bpm for a in analyses], [25, 75])
    tempo = (int(np.clip(round(min(lows, bpm * 0.95)), 30, 300)), int(np.clip(round(max(highs, bpm * 1.05)), 30, 300)))
    modes = Counter(a.key.mode for a in analyses)
    mode_list = [m for m, c in modes.most_common() if c >= 0.25 * len(analyses)] or [modes.most_common(1)[0][0]]
    tonics = [NOTE_NAMES[t] for t, _ in Counter(a.key.tonic for a in analyses).most_common(4)]
    bar_beats = meter.bar_beats
    chord_beats = float(median(a.harmony.unit_beats for a in main))
    hr = min(HARMONIC_RHYTHMS, key=lambda h: abs(math.log2(h) - math.log2(max(chord_beats / bar_beats, 0.25))))
    thirds = list(dict.fromkeys("minor" if MODES[m][2] == 3 else "major" for m in mode_list))
    progressions, pool = _progressions(name, analyses, hr * bar_beats, bar_beats, thirds)
    ending = Counter(ending_of(a.harmony) for a in analyses).most_common(1)[0][0]
    cells = Counter()
    for a in main:
        cells.update(a.cells)
    kept = [(c, n) for c, n in cells.most_common(MAX_CELLS)]
    if not any(c for c, _ in kept):
        kept.append(("0:1", 1))
    moves = sum((a.moves for a in analyses), np.zeros_like(analyses[0].moves))
    leaps = float(moves[np.r_[0:6, 9:15]].sum() / max(moves.sum(), 1))
    swing = float(median(a.swing for a in main))
    section_counts = Counter(a.section_bars for a in main if a.section_bars)
    section = section_counts.most_common(1)[0][0] if sum(section_counts.values()) >= 0.4 * len(main) else 0
    tense = sum(1 for a in analyses for c in a.harmony.chords if c is not None and c.quality in TENSE_QUALITIES)
    sounding = sum(1 for a in analyses for c in a.harmony.chords if c is not None)
    energy = float(median(0.2 + 0.45 * min(1.0, a.onsets_per_second / 8) + 0.35 * float(np.clip((a.velocity - 50) / 60, 0, 1))
                          for a in analyses))
    roles, grooves, figures = _roles(name, analyses, main, meter, chord_beats)
    data = {
        "name": name, "family": family, "meter": meter_text, "tempo": tempo, "modes": mode_list, "tonics": tonics,
        "description": (f"Learned from {len(analyses)} MIDI file{'s' * (len(analyses) != 1)}: {meter_text}, about "
                        f"{bpm:.0f} bpm, {', '.join(mode_list)}, {' '.join(sorted(roles))}"),
        "energy": round(float(np.clip(energy, 0.05, 1.0)), 3), "tension": round(float(np.clip(0.1 + 0.8 * tense / max(sounding, 1), 0, 0.9)), 3),
        "swing": swing, "section_bars": section, "harmonic_rhythm": hr, "ending": ending, "pool": pool,
        "melody": {
            "density": round(float(np.clip(median(a.lead_notes_per_beat for a in analyses) / 2, 0.05, 1.0)), 3),
            "leap": round(float(np.clip(leaps * 1.5, 0.0, 1.0)), 3), "rhythm": "swing" if swing > 0.55 else "straight",
            "phrase_bars": int(median(a.phrase_bars for a in analyses)),
            "returns": "literal" if section else "develop",
            "cells": [c for c, _ in kept], "cell_weights": [n for _, n in kept],
            "moves": [int(x) for x in moves],
        },
        "roles": roles, "progressions": progressions, "grooves": grooves, "figures": figures,
    }
    lines = (
        f"{len(analyses)} files, {summary.bars} bars, {summary.lead_notes} melody notes, {summary.chord_changes} chord changes",
        f"meter {meter_text}, tempo {tempo[0]}-{tempo[1]} bpm (median {bpm:.0f}), modes {', '.join(mode_list)}, "
        f"tonics {', '.join(tonics)}",
        f"a chord every {hr:g} bar(s); {len(progressions)} progressions, e.g. {' '.join(next(iter(progressions.values()))['romans']) if progressions else '-'}; ending {ending}",
        "roles: " + ", ".join(f"{r} {v['instruments'][0]}" + (f" ({v['pattern']})" if v.get("pattern") else "") for r, v in roles.items()),
        f"melody: {len(kept)} rhythm cells, {100 * leaps:.0f} % leaps, phrases of {data['melody']['phrase_bars']} bars; "
        f"sections of {section or 'any'} bars; swing {swing:g}",
    )
    return style_text(data), Summary(summary.files, summary.bars, summary.lead_notes, summary.chord_changes, lines)


def _progressions(name: str, analyses: list[Analysis], unit_beats: float, bar_beats: float,
                  thirds: list[str]) -> tuple[dict[str, dict], list[str]]:
    """The chord progressions of the pieces, as style progressions, and the pool naming each
    once to three times by how common it is.

    A progression is a window of four chord units from a phrase start, or of two bars (at most
    eight chords) when the chords change faster than every half bar, so a chorale's progression
    is not one bar played over and over. Each third (major, minor) of the style's modes gets up
    to :data:`PROGRESSIONS_PER_MODE`: the commonest windows, ties going round the pieces
    (every piece's first window, then every piece's second ...) so one file does not fill the
    list.
    """
    length = 4 if unit_beats >= bar_beats / 2 else min(8, max(4, int(round(2 * bar_beats / unit_beats))))
    counts: dict[str, Counter[tuple[str, ...]]] = {third: Counter() for third in thirds}
    first_seen: dict[tuple[str, tuple[str, ...]], tuple[int, int]] = {}
    for piece, a in enumerate(analyses):
        third = "minor" if a.key.is_minor else "major"
        if third not in counts:
            continue
        units = chords_per_unit(a.harmony, unit_beats)
        for k, start in enumerate(range(0, len(units) - length + 1, length)):
            window = units[start:start + length]
            if all(c is not None for c in window) and len(set(window)) > 1:
                romans = tuple(roman(c, a.key) for c in window)
                counts[third][romans] += 1
                first_seen.setdefault((third, romans), (k, piece))
    shipped = load_progressions()
    progressions: dict[str, dict] = {}
    pool: list[str] = []
    for third in thirds:
        ranked = sorted(counts[third], key=lambda r: (-counts[third][r], first_seen[(third, r)]))[:PROGRESSIONS_PER_MODE]
        for romans in ranked:
            pname = f"{name}-{len(progressions) + 1}"
            while pname in shipped:
                pname += "x"
            progressions[pname] = {"romans": list(romans), "mode": third}
            pool += [pname] * max(1, round(3 * counts[third][romans] / counts[third][ranked[0]]))
    if not progressions:
        raise StyleError("no chord progression could be read: the files need chords (or lines that sound them together) "
                         "over at least four bars")
    return progressions, pool


def _roles(name: str, analyses: list[Analysis], main: list[Analysis], meter, chord_beats: float) -> tuple[dict, dict, dict]:  # noqa: ANN001
    """The roles most files play, each with the instrument most files give it and, for the
    accompaniment, the catalogue figure whose onsets match its own; the drums with a groove
    learned from their hits, the bass with a figure of its own (the catalogue's nearest for its
    calm sections)."""
    roles: dict[str, dict] = {}
    grooves: dict[str, dict] = {}
    figures: dict[str, dict] = {}
    for role in ("lead", "counter", "pad", "ostinato", "bass", "drums"):
        having = [a for a in analyses if role in a.roles.notes]
        if len(having) < ROLE_SHARE * len(analyses) or (role == "lead" and not having):
            continue
        spec: dict = {"volume": _VOLUME[role]}
        if role in _PAN:
            spec["pan"] = _PAN[role]
        if role == "drums":
            notes, offset = [], 0.0
            for a in main:
                notes += [(on + offset, d, p, v) for on, d, p, v in a.roles.notes.get("drums", ())]
                offset += a.bars * meter.bar_beats
            lanes = drum_lanes(tuple(notes), meter)
            if not lanes:
                continue
            gname = f"{name}-groove"
            grooves[gname] = {"steps": int(round(meter.bar_beats * STEPS_PER_BEAT)), "meters": [str(meter)],
                              "lanes": {str(k): v for k, v in sorted(lanes.items())}}
            spec.update(instruments=["drums"], pattern=gname)
        else:
            programs = Counter(a.roles.programs[role] for a in having)
            ids = list(dict.fromkeys(instrument_for(p, role).id for p, _ in programs.most_common(3)))
            spec["instruments"] = ids
            grids = [a.grids[role] for a in having if role in a.grids and a.meter == meter]
            shipped = figures_for(role)
            if shipped and grids:
                spec["pattern"] = nearest_figure(np.mean(grids, axis=0), shipped, meter, chord_beats)
            line = _bass_figure([a for a in having if a.meter == meter and a.bass]) if role == "bass" else None
            if line is not None and "pattern" in spec:
                fname = f"{name}-bass"
                figures[fname] = {**line, "calm": spec["pattern"]}
                spec["pattern"] = fname
        roles[role] = spec
    return roles, grooves, figures


def _bass_figure(analyses: list[Analysis]) -> dict | None:
    """The bass line most bars play, as a figure: per step, the word most bars play there (a
    cycle never opens with a hold); None when it would play no note."""
    if not analyses:
        return None
    steps = [sum((a.bass[i] for a in analyses), Counter()) for i in range(len(analyses[0].bass))]
    tones = [c.most_common(1)[0][0] if c else "." for c in steps]
    if tones and tones[0] == "-":
        tones[0] = "."
    if all(t in (".", "-") for t in tones):
        return None
    return {"step": 0.5 if analyses[0].meter.compound else 0.25, "tones": tones, "gate": 0.85}
