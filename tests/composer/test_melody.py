from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from music_fixtures import PROGRESSIONS, battle_style

from gekiban.composer.form import plan_form
from gekiban.composer.harmony import plan_harmony
from gekiban.composer.melody import compose_melody
from gekiban.instruments import get_instrument
from gekiban.theory import Meter, parse_key


def melody(seed=1, meter=Meter(4, 4), key="D minor", bars=40, lead="french-horn", **spec):
    style = battle_style()
    style = replace(style, melody=replace(style.melody, **spec))
    secs = plan_form(bars, energy=0.7, tension=0.5, rng=np.random.default_rng(seed))
    chords = plan_harmony(secs, key=parse_key(key), meter=meter, style=style, progressions=PROGRESSIONS, rng=np.random.default_rng(seed))
    notes = compose_melody(secs, chords, key=parse_key(key), meter=meter, spec=style.melody, instrument=get_instrument(lead),
                           rng=np.random.default_rng(seed))
    return secs, chords, notes


def bar_patterns(notes, bar):
    out = {}
    for n in notes:
        b = int(round(n.start * 4) // (bar * 4))
        out.setdefault(b, []).append(n)
    return {b: tuple((round(n.start * 4) % int(bar * 4), round(n.duration * 4), ns[i].pitch - ns[i - 1].pitch if i else 0)
                     for i, n in enumerate(ns)) for b, ns in out.items()}


def recurring(notes):
    pats = bar_patterns(notes, 4.0)
    counts = Counter(pats.values())
    return sum(1 for p in pats.values() if counts[p] > 1) / len(pats)


def test_motifs_return_but_do_not_loop_mechanically():
    assert 0.3 <= recurring(melody(phrases="through", returns="develop")[2]) <= 0.85
    assert recurring(melody(phrases="through", returns="develop")[2]) < recurring(melody()[2]) < 1.0


def bars_of(notes, sec, skip=()):
    """The section's bars as (offset, length, pitch) tuples, leaving out the bars in ``skip`` and
    the upbeats that lead into the next phrase (what follows decides those)."""
    out = {}
    for n in notes:
        b = int(n.start // 4)
        if sec.start_bar <= b < sec.end_bar and b - sec.start_bar not in skip and n.start % 4 < 3.5:
            out.setdefault(b - sec.start_bar, []).append((round(n.start % 4, 3), round(n.duration, 3), n.pitch))
    return out


@pytest.mark.parametrize("returns", ["cadence", "literal"])
def test_a_return_restates_the_melody_bar_for_bar(returns):
    secs, _, notes = melody(returns=returns)
    a, again = next(s for s in secs if s.name == "A"), next(s for s in secs if s.name == "A'")
    cadences = () if returns == "literal" else (3, 7)  # A's phrases are four bars long
    assert bars_of(notes, a, cadences) == bars_of(notes, again, cadences)


def test_phrases_go_a_a2_b_a3():
    secs, _, notes = melody(bars=64, phrase_bars=2, returns="develop")
    a = next(s for s in secs if s.name == "A")
    # the a phrases share rhythm and contour (over other chords their pitches move with the harmony)
    shape = {k: [(on, d, int(np.sign(p - bar[i - 1][2])) if i else 0) for i, (on, d, p) in enumerate(bar)]
             for k, bar in bars_of(notes, a).items()}
    assert shape[0] == shape[2] == shape[6] and shape[4] != shape[0]  # a, a′, b, a″: the b phrase contrasts


def test_monophonic_singable_and_in_range():
    _, _, notes = melody()
    horn = get_instrument("french-horn")
    assert all(horn.comfort_low <= n.pitch <= horn.comfort_high for n in notes)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(notes, notes[1:]))
    assert max(n.pitch for n in notes) - min(n.pitch for n in notes) <= 24


def test_strong_beats_are_chord_tones():
    _, chords, notes = melody()
    on_beat = [n for n in notes if abs(n.start % 4) < 1e-9]
    def chord_at(t):
        return next(c for c in chords if c.start <= t < c.end)
    hits = sum(n.pitch % 12 in chord_at(n.start).chord.pitch_classes for n in on_beat)
    assert hits / len(on_beat) >= 0.9


def test_phrases_breathe_and_the_cue_ends_on_the_tonic():
    secs, _, notes = melody()
    assert notes[-1].pitch % 12 == parse_key("D minor").tonic
    gaps = [b.start - a.end for a, b in zip(notes, notes[1:])]
    long_notes = [n for n in notes if n.duration >= 2]
    assert len(long_notes) >= secs[-1].end_bar // 8  # a held note closes each phrase
    assert max(gaps) < 8


@pytest.mark.parametrize("meter", [Meter(3, 4), Meter(6, 8), Meter(7, 8)])
def test_other_meters(meter):
    _, _, notes = melody(meter=meter, bars=24)
    assert notes and all(n.duration > 0 for n in notes)


def test_another_seed_gives_another_melody():
    a = [(n.pitch, n.start) for n in melody(seed=1)[2]]
    b = [(n.pitch, n.start) for n in melody(seed=2)[2]]
    assert a != b


def test_a_melody_seed_becomes_the_main_motif():
    from gekiban.composer.motifs import motif_from_notes
    from gekiban.theory import MODES

    key, meter = parse_key("C major"), Meter(4, 4)
    seed = motif_from_notes(((0, 1, 60), (1, 0.5, 62), (1.5, 0.5, 64), (2, 2, 67)), key=key, meter=meter, scale=MODES["major"])
    assert seed.rhythm == ((0.0, 1.0), (1.0, 0.5), (1.5, 0.5), (2.0, 2.0)) and seed.steps == (0, 1, 1, 2)
    style = battle_style()
    secs = plan_form(16, energy=0.6, tension=0.4, rng=np.random.default_rng(0))
    chords = plan_harmony(secs, key=key, meter=meter, style=style, progressions=PROGRESSIONS, rng=np.random.default_rng(0))
    notes = compose_melody(secs, chords, key=key, meter=meter, spec=style.melody, instrument=get_instrument("flute"),
                           rng=np.random.default_rng(0), seed=seed)
    a = next(s for s in secs if s.name == "A")
    first_bar = [n for n in notes if a.start_bar * 4 <= n.start < a.start_bar * 4 + 4]
    assert [(n.start - a.start_bar * 4, n.duration) for n in first_bar] == list(seed.rhythm)
