"""Composition: a resolved Brief and its Style become a Score (no audio).

:func:`build_score` runs the stages in order: form (:mod:`~gekiban.composer.form`), the tempo
map for hit points (:mod:`~gekiban.composer.tempo`), harmony, the ensemble and the melody, the
arrangement (with :mod:`~gekiban.composer.drums`) and the performance
(:mod:`~gekiban.composer.perform`). :mod:`~gekiban.composer.extend` continues a Score.

Each stage draws from its own random generator derived from the brief's seed, so a stage's
choices do not shift when another stage changes; a variation re-seeds only the melodic
development, the arrangement and the performance, keeping form, harmony and the main motif.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gekiban.composer.arrange import accent_hits, arrange, choose_ensemble
from gekiban.composer.form import bars_for, follow_arc, plan_form, split_at
from gekiban.composer.harmony import plan_harmony
from gekiban.composer.leitmotif import develop_leitmotif, motif_in_bass
from gekiban.composer.melody import compose_melody
from gekiban.composer.motifs import motif_from_notes
from gekiban.composer.perform import humanize, phrase_arcs, playable, shapes_phrases, swing
from gekiban.composer.tempo import bend_tempo, hit_bars
from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument
from gekiban.roles import base_role
from gekiban.score import Marker, Part, Score, Section, TempoChange
from gekiban.styles import style_grooves, style_progressions
from gekiban.styles.schema import Style
from gekiban.theory import SCALES, Key, Meter
from gekiban.understand.brief import Brief

#: The tempo a map bent to land hits may reach: what a Score allows.
TEMPO_LIMITS = (10.0, 400.0)
_STAGES = ("form", "harmony", "motif", "melody", "arrange", "perform")


def streams(seed: int, variation: int = 0, extra: str = "") -> dict[str, np.random.Generator]:
    """One generator per stage from the seed; a variation (or an extension) re-seeds the
    melodic development, arrangement and performance only."""
    out = dict(zip(_STAGES, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STAGES)))))
    if variation or extra:
        salt = [variation, sum(map(ord, extra))]
        for name, s in zip(("melody", "arrange", "perform"), np.random.SeedSequence([seed, *salt]).spawn(3)):
            out[name] = np.random.default_rng(s)
    return out


def fit_tempo(duration: float, tempo: float, bar_beats: float, *, exact_tempo: bool) -> tuple[int, float]:
    """Bars for ``duration`` and the tempo to play them at.

    An explicit tempo is kept and the length rounds to the nearest whole bar; a tempo the
    composer chose may move by up to 6 % so the bars fill the requested duration exactly.
    """
    bars = bars_for(duration, tempo=tempo, bar_beats=bar_beats)
    if exact_tempo:
        return bars, tempo
    fitted = bars * bar_beats * 60.0 / duration
    return (bars, round(fitted, 3)) if abs(fitted / tempo - 1) <= 0.06 else (bars, tempo)


def melodic_scale(brief: Brief, style: Style) -> tuple[int, ...]:
    """Pitch classes of the style's melodic scale (else the key's mode) on the brief's tonic."""
    key = brief.key
    return tuple((key.tonic + i) % 12 for i in SCALES.get(style.melody.scale or key.mode, SCALES[key.mode]))


def perform(parts: tuple[Part, ...], *, style: Style, bpm: float, end_beat: float, rng: np.random.Generator,
             keep: tuple[float, ...] = ()) -> list[Part]:
    """Swing, humanize and the playability rules, part by part; the lead and counter-line of a
    bowed or blown instrument get phrase arcs (unless they carry CC11 already); empty parts are
    dropped."""
    unit = 0.5 if style.melody.rhythm == "swing" else 0.25
    out = []
    for part in parts:
        notes = swing(list(part.notes), amount=style.swing, unit=unit)
        notes = humanize(notes, amount=style.humanize, bpm=bpm, rng=rng, tight=part.is_drum or part.role == "bass", keep=keep)
        notes = [n for n in notes if n.start < end_beat - 1e-9]
        controls = part.controls
        if not part.is_drum:
            inst = get_instrument(part.instrument)
            notes = playable(notes, inst, keep="bottom" if part.role == "bass" else "top")
            if (base_role(part.role) in ("lead", "counter") and shapes_phrases(inst)
                    and not any(c.number == 11 for c in controls)):
                controls = controls + phrase_arcs(notes)
        if notes:
            out.append(replace(part, notes=tuple(notes), controls=controls))
    return out


def _clock(meter: Meter, key: Key, tempo: tuple[TempoChange, ...], bars: int) -> Score:
    """A bare score, only to turn bars into seconds through a tempo map."""
    return Score(meter=meter, key=key, tempo=tempo, bars=bars)


def build_score(brief: Brief, style: Style, *, variation: int = 0) -> Score:
    """Compose the Score for a resolved brief.

    Parameters
    ----------
    brief
        The resolved request (style, key, meter, tempo, duration, instruments, seed, arc, hits,
        ending...). Its tempo is kept exactly when ``brief.tempo_exact`` (and no hit bends it);
        otherwise it may move by up to 6 % so whole bars fill the duration.
    style
        The style (or blend) named by the brief.
    variation
        0 for the cue itself; k > 0 for its k-th variation: same form, harmony and main motif,
        new development, other instruments from the style's alternatives, new performance.

    Returns
    -------
    Score
        Same brief, style and variation → the same Score; another seed → another melody.

    Raises
    ------
    InvalidOptionError
        If hit points cannot be placed (two on one bar, or outside the music).
    """
    rng = streams(brief.seed, variation)
    meter, key = brief.meter, brief.key
    bars, bpm = fit_tempo(brief.duration, brief.tempo, meter.bar_beats, exact_tempo=brief.tempo_exact and not brief.hits)
    sections = plan_form(bars, energy=brief.energy, tension=brief.tension, short=style.form == "short",
                         loop=brief.loop, section_bars=style.section_bars, rng=rng["form"])
    hits = hit_bars(brief.hits, tempo=bpm, bar_beats=meter.bar_beats, bars=bars) if brief.hits else []
    tempo = (bend_tempo([(b * meter.bar_beats, t) for b, t in zip(hits, brief.hits)], base=bpm, total_beats=bars * meter.bar_beats)
             if hits else (TempoChange(0.0, bpm),))
    fastest, slowest = max(t.bpm for t in tempo), min(t.bpm for t in tempo)
    if not TEMPO_LIMITS[0] <= slowest <= fastest <= TEMPO_LIMITS[1]:
        raise InvalidOptionError(f"hits at {', '.join(f'{h:g}' for h in brief.hits)} s would take the tempo from {bpm:g} "
                                 f"to {fastest if fastest > TEMPO_LIMITS[1] else slowest:.0f} bpm: space them further "
                                 f"apart, or closer to {bpm:g} bpm's bar lengths")
    clock = _clock(meter, key, tempo, bars)
    arc_bars = {int(round(clock_bar(clock, t))) for t, _, _ in brief.arc[1:]} if brief.arc else set()
    sections = split_at(sections, arc_bars, required=set(hits))
    if brief.arc:
        sections = follow_arc(_frame_for_arc(sections, brief.arc), brief.arc, lambda b: clock.seconds_at(b * meter.bar_beats))
    chords = plan_harmony(sections, key=key, meter=meter, style=style, progressions=style_progressions(style),
                          loop=brief.loop, fixed=brief.chords, establish=key_named(brief), rng=rng["harmony"])
    seats = choose_ensemble(style, instruments=brief.instruments, exclude=brief.exclude, alternate=variation)
    lead = next((s for s in seats if s.role.startswith("lead")), seats[0])
    seed_motif = motif_from_notes(brief.motif, key=key, meter=meter, scale=melodic_scale(brief, style)) if brief.motif else None
    if brief.leitmotifs:  # the lead develops the named themes; the chords under them are re-chosen
        melody, chords = develop_leitmotif(brief.leitmotifs, sections, chords, key=key, meter=meter, energy=brief.energy,
                                           instrument=lead.instrument, rng=rng["melody"])
    else:
        melody = compose_melody(sections, chords, key=key, meter=meter, spec=style.melody, instrument=lead.instrument,
                                rng=rng["melody"], seed=seed_motif, motif_rng=rng["motif"])
    parts = arrange(seats, sections=sections, chords=chords, melody=melody, meter=meter, style=style,
                    grooves=style_grooves(style), rng=rng["arrange"], ending=brief.ending)
    if brief.leitmotifs:  # a battle cue's bass takes the theme's head as its riff in the B sections
        parts = motif_in_bass(parts, brief.leitmotifs, sections, chords, key=key, meter=meter, energy=brief.energy)
    hit_beats = tuple(b * meter.bar_beats for b in hits)
    parts = accent_hits(parts, list(hit_beats))
    performed = perform(parts, style=style, bpm=bpm, end_beat=bars * meter.bar_beats, rng=rng["perform"], keep=hit_beats)
    markers = [Marker(s.start_bar * meter.bar_beats, s.name) for s in sections]
    markers += [Marker(b, f"hit {_mmss(t)}") for b, t in zip(hit_beats, brief.hits)]
    return Score(meter=meter, key=key, tempo=tempo, bars=bars, sections=sections, chords=chords,
                 parts=tuple(performed), markers=tuple(sorted(markers, key=lambda m: m.beat)))


def key_named(brief: Brief) -> bool:
    """True when the user named the key (by option, in the prompt or a seed MIDI file): the
    harmony then opens and closes on its tonic."""
    ev = brief.why("key")
    return ev is not None and not ev.is_default


def _frame_for_arc(sections: tuple[Section, ...], arc: tuple[tuple[float, float, float], ...]) -> tuple[Section, ...]:
    """An arc that starts high has no quiet intro: the theme starts at once."""
    out = list(sections)
    if len(out) > 2 and arc[0][1] >= 0.7 and out[0].kind == "intro":
        out[0] = replace(out[0], name="A", kind="verse")
    return tuple(out)


def clock_bar(clock: Score, seconds: float) -> float:
    """The (fractional) bar at ``seconds`` through the clock's tempo map."""
    lo, hi = 0.0, float(clock.bars)
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if clock.seconds_at(mid * clock.meter.bar_beats) < seconds else (lo, mid)
    return (lo + hi) / 2


def _mmss(t: float) -> str:
    return f"{int(t // 60)}:{t % 60:04.1f}"
