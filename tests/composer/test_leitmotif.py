"""Leitmotifs developed to fit a cue: the theme read as scale degrees, stated in the cue's key
and mode, scaled to the meter, developed by idiom, found whole at least once, the chords
re-chosen under it; a battle and a farewell version differ."""

import dataclasses

import numpy as np
import pytest

from gekiban.composer.build import build_score
from gekiban.composer.leitmotif import SCALES, develop_leitmotif, idiom, realise, theme_of, time_scale
from gekiban.composer.reharmonise import reharmonise
from gekiban.evaluate.motif import find_motif
from gekiban.instruments import get_instrument
from gekiban.motifs import parse_notes
from gekiban.score import ChordEvent, Note, Part, Section
from gekiban.styles import resolve_style
from gekiban.theory import MODES, Chord, Key, Meter
from gekiban.understand.resolve import resolve_brief

HERO = parse_notes("D4. E4/ F#4 A4 | B4/ A4/ F#4- D4")


def _score(style, meter="4/4", seed=5, motifs=(("hero", HERO),), duration=40):
    brief = resolve_brief("", style=style, meter=meter, seed=seed, duration=duration, semantic=False)
    _, st, _ = resolve_style(brief.style)
    return build_score(dataclasses.replace(brief, leitmotifs=motifs), st)


def test_theme_reads_degrees_of_its_key_and_realises_them_in_another():
    th = theme_of(HERO)
    assert th.degrees == (0, 1, 2, 4, 5, 4, 2, 0) and set(th.alter) == {0}  # D major: 1 2 3 5 6 5 3 1
    assert realise(th, scale=MODES["major"], tonic=60) == [60, 62, 64, 67, 69, 67, 64, 60]
    assert realise(th, scale=MODES["minor"], tonic=57) == [57, 59, 60, 64, 65, 64, 60, 57]  # A minor
    assert realise(th, scale=MODES["major"], tonic=60, shift=1) == [62, 64, 65, 69, 71, 69, 65, 62]  # a sequence
    assert realise(th, scale=MODES["major"], tonic=60, invert=True) == [60, 59, 57, 53, 52, 53, 57, 60]


def test_chromatic_notes_keep_their_alteration():
    notes = parse_notes("C4 D#4 E4 G4 F#4 G4 C5-")
    th = theme_of(notes)
    steps = [b[2] - a[2] for a, b in zip(notes, notes[1:])]
    shapes = [realise(th, scale=MODES[m], tonic=60) for m in ("major", "minor")]
    assert steps in [[b - a for a, b in zip(ps, ps[1:])] for ps in shapes]


@pytest.mark.parametrize(("meter", "target", "scale"), [("4/4", 1.0, 1.0), ("4/4", 0.5, 0.5), ("4/4", 2.0, 2.0),
                                                         ("3/4", 0.75, 0.75), ("6/8", 1.5, 1.5),
                                                         ("6/8", 0.75, 0.75)])
def test_time_scale_fills_bars(meter, target, scale):
    th = theme_of(HERO)  # 8 beats
    assert time_scale(th, Meter(*map(int, meter.split("/"))), target) == scale
    assert scale in SCALES


def test_idioms():
    assert (idiom(0.9), idiom(0.5), idiom(0.2)) == ("battle", "lyric", "farewell")


@pytest.mark.parametrize("style", ["orchestral-battle", "sad-farewell", "slice-of-life", "pastoral", "lofi"])
@pytest.mark.parametrize("meter", ["4/4", "3/4", "6/8"])
def test_every_cue_states_the_theme_whole(style, meter):
    score = _score(style, meter)
    lead = next(p for p in score.parts if p.role.startswith("lead"))
    assert any(m.part == lead.name for m in find_motif(score, HERO)), (style, meter)


def test_the_key_and_mode_are_the_cues():
    score = _score("sad-farewell")
    lead = next(p for p in score.parts if p.role.startswith("lead"))
    scale = {(score.key.tonic + x) % 12 for x in MODES[score.key.mode]}
    assert np.mean([n.pitch % 12 in scale for n in lead.notes]) == 1.0


def test_battle_and_farewell_versions_differ():
    battle, farewell = _score("orchestral-battle"), _score("sad-farewell")
    lb = next(p for p in battle.parts if p.role.startswith("lead"))
    lf = next(p for p in farewell.parts if p.role.startswith("lead"))
    assert battle.tempo[0].bpm > 1.8 * farewell.tempo[0].bpm
    assert len(lb.notes) / battle.duration > 4 * len(lf.notes) / farewell.duration
    fb = {round(m.factor, 1) for m in find_motif(battle, HERO)}
    ff = {round(m.factor, 1) for m in find_motif(farewell, HERO)}
    assert max(fb) <= 0.5 and max(ff) >= 1.5 and min(ff) > max(fb)  # diminution against augmentation


def test_two_themes_share_the_cue():
    other = parse_notes("A4- G4/ F#4/ E4 D4 | B3. C#4/ D4-")
    score = _score("heroic", motifs=(("hero", HERO), ("heroine", other)), duration=90)
    assert find_motif(score, HERO) and find_motif(score, other)


def test_the_same_brief_gives_the_same_score():
    assert _score("pastoral", "6/8") == _score("pastoral", "6/8")


def test_the_lead_stays_in_its_comfortable_range_and_is_one_line():
    inst = get_instrument("flute")
    sections = (Section("intro", 0, 2, 0.3, kind="intro"), Section("A", 2, 8, 0.5), Section("climax", 10, 4, 0.8),
                Section("outro", 14, 2, 0.4, kind="outro"))
    chords = tuple(ChordEvent(b * 4.0, 4.0, Chord(0)) for b in range(16))
    notes, new = develop_leitmotif((("hero", HERO),), sections, chords, key=Key(0, "major"), meter=Meter(4, 4),
                                   energy=0.5, instrument=inst, rng=np.random.default_rng(1))
    assert all(inst.comfort_low - 5 <= n.pitch <= inst.comfort_high + 5 for n in notes)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(notes, notes[1:]))
    assert len(new) == len(chords) and [c.start for c in new] == [c.start for c in chords]


def test_reharmonise_replaces_only_clashing_chords():
    key, meter = Key(0, "major"), Meter(4, 4)
    chords = (ChordEvent(0.0, 4.0, Chord(0), "I"), ChordEvent(4.0, 4.0, Chord(0), "I"))
    line = [Note(64, 0.0, 2.0), Note(67, 2.0, 2.0), Note(65, 4.0, 2.0), Note(69, 6.0, 2.0)]
    out = reharmonise(chords, line, key=key, scale=MODES["major"], meter=meter)
    assert out[0] == chords[0]
    assert set(out[1].chord.pitch_classes) >= {5, 9} and out[1].roman == "IV"


def test_an_extension_develops_the_themes_anew():
    from gekiban.composer.extend import extend_score

    brief = resolve_brief("", style="heroic", seed=4, duration=30, semantic=False)
    brief = dataclasses.replace(brief, leitmotifs=(("hero", HERO),))
    _, st, _ = resolve_style(brief.style)
    score = build_score(brief, st)
    longer = extend_score(score, brief, st, duration=75)
    cut = score.sections[-1].start_bar * score.meter.bar_beats
    assert any(m.beat >= cut for m in find_motif(longer, HERO))


def test_a_variation_develops_differently_and_keeps_the_theme():
    brief = dataclasses.replace(resolve_brief("", style="heroic", seed=4, duration=60, semantic=False),
                                leitmotifs=(("hero", HERO),))
    _, st, _ = resolve_style(brief.style)
    a, b = build_score(brief, st), build_score(brief, st, variation=1)
    lead = [next(p for p in s.parts if p.role.startswith("lead")).notes for s in (a, b)]
    assert [n.pitch for n in lead[0]] != [n.pitch for n in lead[1]]
    assert find_motif(a, HERO) and find_motif(b, HERO)


def test_a_battle_bass_riffs_on_the_head_in_the_b_section():
    score = _score("orchestral-battle", duration=60)
    b = next(s for s in score.sections if s.name.startswith("B"))
    bar = score.meter.bar_beats
    bass = next(p for p in score.parts if p.role.startswith("bass"))
    riff = [n for n in bass.notes if b.start_bar * bar + 0.25 <= n.start < b.end_bar * bar - 0.25]
    assert riff and all(abs(n.duration - 0.5) < 0.1 for n in riff)


def test_only_a_battle_bass_takes_the_riff():
    from gekiban.composer.leitmotif import motif_in_bass

    part = Part("bass", "contrabass", 43, (Note(40, 0.0, 4.0), Note(43, 4.0, 4.0)))
    sections = (Section("A", 0, 1), Section("B", 1, 1))
    chords = (ChordEvent(0.0, 8.0, Chord(9, "m")),)
    args = dict(key=Key(9, "minor"), meter=Meter(4, 4))
    assert motif_in_bass((part,), (("hero", HERO),), sections, chords, energy=0.3, **args) == (part,)
    riff = motif_in_bass((part,), (("hero", HERO),), sections, chords, energy=0.9, **args)[0].notes
    assert riff[0] == part.notes[0] and [n.start for n in riff[1:]] == [4.0 + 0.5 * i for i in range(8)]
    assert riff[1].pitch % 12 == 9  # begun on the chord's root
