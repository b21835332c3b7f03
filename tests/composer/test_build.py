"""Shaping in time: arcs, hits, endings, variations and extensions of a Score."""


import numpy as np
import pytest

from gekiban.composer import build_score, extend_score
from gekiban.errors import InvalidOptionError
from gekiban.styles import load_style
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.timing import apply_timing


def brief_for(style="orchestral-battle", duration=60.0, tempo=120, **timing):
    b = resolve_brief("", style=style, seed=4, duration=duration, tempo=tempo, key="D minor", meter="4/4")
    return apply_timing(b, **timing)


def energy(score, sec):
    a, b = sec.start_bar * score.meter.bar_beats, sec.end_bar * score.meter.bar_beats
    notes = [n for p in score.parts for n in p.notes if a <= n.start < b]
    return len(notes) * np.mean([n.velocity for n in notes]) / (score.seconds_at(b) - score.seconds_at(a)) if notes else 0.0


def test_sections_follow_the_arc():
    from scipy.stats import spearmanr

    b = brief_for(arc=((0, 0.1, 0.1), (20, 0.4, 0.3), (40, 1.0, 0.8), (60, 0.2, 0.1)))
    s = build_score(b, load_style(b.style))
    asked = [float(np.interp(s.seconds_at((x.start_bar + x.bars * 0.45) * 4), [0, 20, 40, 60], [0.1, 0.4, 1.0, 0.2])) for x in s.sections]
    measured = [energy(s, x) for x in s.sections]
    assert spearmanr(asked, measured)[0] >= 0.8


def test_high_tension_colours_the_harmony():
    calm = build_score(*(lambda b: (b, load_style(b.style)))(brief_for(arc=((0, 0.5, 0.1), (60, 0.5, 0.1)))))
    tense = build_score(*(lambda b: (b, load_style(b.style)))(brief_for(arc=((0, 0.5, 0.95), (60, 0.5, 0.95)))))
    colours = lambda s: sum(c.chord.quality in ("7", "dim7", "sus4", "7sus4") for c in s.chords)
    assert colours(tense) > colours(calm)


@pytest.mark.parametrize("hits", [(42.5,), (10.0, 31.3, 50.2)])
def test_hits_land_on_section_downbeats_to_the_millisecond(hits):
    b = brief_for(hits=hits)
    s = build_score(b, load_style(b.style))
    starts = {x.start_bar for x in s.sections}
    for t in hits:
        marker = next(m for m in s.markers if m.text.startswith("hit") and abs(s.seconds_at(m.beat) - t) < 0.001)
        assert marker.beat % 4 == 0 and int(marker.beat // 4) in starts
        drums = s.part("drums")
        assert any(n.pitch == 49 and abs(n.start - marker.beat) < 1e-9 for n in drums.notes)
    bpms = [t.bpm for t in s.tempo]
    assert max(abs(a - b) for a, b in zip(bpms, bpms[1:])) < 3.0, "the tempo glides, it does not jump"


def test_hits_on_one_bar_are_refused():
    b = brief_for(hits=(20.0, 20.5))
    with pytest.raises(InvalidOptionError, match="same bar"):
        build_score(b, load_style(b.style))


@pytest.mark.parametrize("ending", ["ring", "button", "fade", "loop"])
def test_endings(ending):
    b = brief_for(ending=ending, duration=30)
    s = build_score(b, load_style(b.style))
    last = (s.bars - 1) * 4
    final = [n for p in s.parts if not p.is_drum for n in p.notes if n.start >= last - 0.05]
    if ending == "ring":
        assert final and max(n.duration for n in final) >= 3.5
    elif ending == "button":
        assert final and max(n.duration for n in final) <= 0.5
    elif ending == "fade":
        early = [n.velocity for p in s.parts for n in p.notes if n.start < last - 16]
        assert np.mean([n.velocity for n in final]) < 0.6 * np.mean(early)
    else:
        assert s.chords[-1].roman.startswith("V") or s.chords[-1].chord.root != s.key.tonic


def test_variations_keep_harmony_and_main_motif():
    b = brief_for(duration=40)
    style = load_style(b.style)
    base, var = build_score(b, style), build_score(b, style, variation=1)
    assert [c.chord for c in base.chords] == [c.chord for c in var.chords]
    a = next(x for x in base.sections if x.name == "A")
    first = lambda s: [(round(n.start * 4), round(n.duration * 4), n.pitch) for n in s.part("lead").notes
                       if a.start_bar * 16 <= round(n.start * 4) < a.start_bar * 16 + 16]
    assert first(base) == first(var)
    assert [p.instrument for p in base.parts] != [p.instrument for p in var.parts] or \
        [n.pitch for n in base.part("lead").notes] != [n.pitch for n in var.part("lead").notes]


def test_extension_keeps_the_original_bars_note_for_note():
    b = brief_for(duration=40)
    style = load_style(b.style)
    s = build_score(b, style)
    longer = extend_score(s, b, style, duration=90)
    cut = s.sections[-1].start_bar * 4
    assert longer.duration >= 85 and longer.bars > s.bars
    for p, q in zip(s.parts, longer.parts):
        keep = [n for n in p.notes if n.start + n.duration <= cut]
        assert keep == [n for n in q.notes if n.start + n.duration <= cut and n.start < cut][: len(keep)]
    assert longer.sections[-1].kind == "outro"
    assert [c.chord for c in longer.chords if c.end <= cut] == [c.chord for c in s.chords if c.end <= cut]
    # controls as notes: the kept ones before the cut, the new sections' own swells and arcs after it
    for p, q in zip(s.parts, longer.parts):
        assert [c for c in q.controls if c.beat < cut] == [c for c in p.controls if c.beat < cut]
    shaped = [q for q in longer.parts if any(c.number == 11 for c in q.controls)]
    assert shaped and all(any(c.beat >= cut for c in q.controls) for q in shaped)
    with pytest.raises(InvalidOptionError, match="longer"):
        extend_score(s, b, style, duration=30)
