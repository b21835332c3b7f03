"""Extension: a cue continued to a longer length, its bars before the ending kept note for note."""

from __future__ import annotations

from dataclasses import replace

from gekiban.composer.arrange import Seat, arrange
from gekiban.composer.build import key_named, melodic_scale, perform, streams
from gekiban.composer.form import bars_for, plan_form
from gekiban.composer.harmony import plan_harmony
from gekiban.composer.melody import compose_melody
from gekiban.composer.leitmotif import develop_leitmotif
from gekiban.composer.motifs import motif_from_notes
from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument
from gekiban.roles import base_role
from gekiban.score import ChordEvent, Marker, Note, Score, Section
from gekiban.styles import style_grooves, style_progressions
from gekiban.styles.schema import RoleSpec, Style
from gekiban.understand.brief import Brief


def extend_score(score: Score, brief: Brief, style: Style, *, duration: float) -> Score:
    """Continue a cue to ``duration`` seconds with new sections from the same motifs, harmony and
    palette.

    Everything before the original's outro (or, for a loop, every bar) stays note for note;
    new sections follow the form a cue of the new length would have, then a new ending.

    Raises
    ------
    InvalidOptionError
        If ``duration`` does not leave room for at least two new bars.
    """
    meter, key = score.meter, score.key
    bar_beats = meter.bar_beats
    cut = score.sections[-1].start_bar if score.sections and score.sections[-1].kind == "outro" else score.bars
    bpm = score.tempo[-1].bpm
    end_at = score.seconds_at(cut * bar_beats)
    total = cut + bars_for(max(duration - end_at, 0.0), tempo=bpm, bar_beats=bar_beats) if duration > end_at else cut
    if total < cut + 2 or duration <= score.duration:
        raise InvalidOptionError(f"cannot extend a {score.duration:.1f} s cue to {duration:g} s: ask for a longer length "
                                 f"(at least {score.seconds_at(cut * bar_beats) + 2 * bar_beats * 60 / bpm:.1f} s)")
    rng = streams(brief.seed, 0, extra="extend")
    base = streams(brief.seed)
    full = plan_form(total, energy=brief.energy, tension=brief.tension, short=False, loop=brief.loop,
                     section_bars=style.section_bars, rng=base["form"])
    new = _sections_from(full, cut)
    chosen: dict[str, tuple[str, ...]] = {}
    progressions = style_progressions(style)
    plan_harmony(score.sections, key=key, meter=meter, style=style, progressions=progressions, loop=brief.loop,
                 chosen=chosen, rng=base["harmony"])
    if brief.chords:
        every = plan_harmony(tuple(s for s in score.sections if s.start_bar < cut) + new, key=key, meter=meter, style=style,
                             progressions=progressions, loop=brief.loop, fixed=brief.chords, rng=rng["harmony"])
        added = tuple(c for c in every if c.start >= cut * bar_beats - 1e-9)
    else:
        added = plan_harmony(new, key=key, meter=meter, style=style, progressions=progressions, loop=brief.loop,
                             chosen=chosen, establish=key_named(brief), rng=rng["harmony"])
    kept_chords = tuple(ChordEvent(c.start, min(c.duration, cut * bar_beats - c.start), c.chord, c.roman)
                        for c in score.chords if c.start < cut * bar_beats - 1e-9)
    chords = kept_chords + added
    seats = [Seat(p.role, get_instrument(p.instrument), style.role(base_role(p.role)) or RoleSpec(p.role, (p.instrument,)))
             for p in score.parts]
    lead = next((s for s in seats if s.role.startswith("lead")), seats[0])
    old_lead = next((p.notes for p in score.parts if p.role == lead.role), ())
    if brief.leitmotifs:  # the new sections develop the cue's themes anew
        melody, added = develop_leitmotif(brief.leitmotifs, new, added, key=key, meter=meter, energy=brief.energy,
                                          instrument=lead.instrument, rng=rng["melody"])
        chords = kept_chords + added
    else:
        melody = compose_melody(new, chords, key=key, meter=meter, spec=style.melody, instrument=lead.instrument,
                                rng=rng["melody"], motif_rng=base["motif"], earlier=(score.sections, old_lead),
                                seed=motif_from_notes(brief.motif, key=key, meter=meter, scale=melodic_scale(brief, style))
                                if brief.motif else None)
    fresh = arrange(seats, sections=new, chords=chords, melody=melody, meter=meter, style=style, grooves=style_grooves(style),
                    rng=rng["arrange"], ending=brief.ending)
    fresh = perform(fresh, style=style, bpm=bpm, end_beat=total * bar_beats, rng=rng["perform"])
    by_name = {p.name: p for p in fresh}
    parts = []
    for p in score.parts:
        kept = tuple(Note(n.pitch, n.start, min(n.duration, cut * bar_beats - n.start), n.velocity)
                     for n in p.notes if n.start < cut * bar_beats - 1e-9)
        grown = by_name.get(p.name)
        more = grown.notes if grown else ()
        # controls (CC11 swells and phrase arcs) likewise: the kept ones before the cut, the new ones after
        controls = tuple(c for c in p.controls if c.beat < cut * bar_beats - 1e-9) + tuple(
            c for c in (grown.controls if grown else ()) if c.beat >= cut * bar_beats - 1e-9)
        parts.append(replace(p, notes=kept + tuple(n for n in more if n.start >= cut * bar_beats - 1e-9),
                             controls=controls))
    markers = tuple(m for m in score.markers if m.beat < cut * bar_beats) + tuple(Marker(s.start_bar * bar_beats, s.name) for s in new)
    tempo = tuple(t for t in score.tempo if t.beat < cut * bar_beats) or score.tempo[:1]
    return Score(meter=meter, key=key, tempo=tempo, bars=total,
                 sections=tuple(s for s in score.sections if s.start_bar < cut) + new, chords=chords,
                 parts=tuple(parts), markers=markers)


def _sections_from(full: tuple[Section, ...], cut: int) -> tuple[Section, ...]:
    """The sections of ``full`` from bar ``cut`` on; a stub shorter than two bars joins the next."""
    out = []
    for s in full:
        if s.end_bar <= cut:
            continue
        if s.start_bar < cut:
            s = replace(s, start_bar=cut, bars=s.end_bar - cut)
        out.append(s)
    if len(out) > 1 and out[0].bars < 2:
        out[1] = replace(out[1], start_bar=out[0].start_bar, bars=out[1].bars + out[0].bars)
        out = out[1:]
    if out and out[0].kind == "intro":
        out[0] = replace(out[0], name="bridge", kind="bridge")
    return tuple(out)
