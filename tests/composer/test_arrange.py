import numpy as np
import pytest
from music_fixtures import GROOVES, PROGRESSIONS, battle_style

from gekiban.composer.arrange import arrange, choose_ensemble
from gekiban.composer.form import plan_form
from gekiban.composer.harmony import plan_harmony
from gekiban.composer.melody import compose_melody
from gekiban.composer.perform import playable
from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument
from gekiban.theory import Meter, parse_key


def build(instruments=(), exclude=(), meter=Meter(4, 4)):
    style = battle_style()
    secs = plan_form(32, energy=0.75, tension=0.5, rng=np.random.default_rng(0))
    key = parse_key("E minor")
    chords = plan_harmony(secs, key=key, meter=meter, style=style, progressions=PROGRESSIONS, rng=np.random.default_rng(0))
    seats = choose_ensemble(style, instruments=instruments, exclude=exclude)
    lead = next(s for s in seats if s.role == "lead")
    mel = compose_melody(secs, chords, key=key, meter=meter, spec=style.melody, instrument=lead.instrument, rng=np.random.default_rng(0))
    return secs, chords, arrange(seats, sections=secs, chords=chords, melody=mel, meter=meter, style=style, grooves=GROOVES,
                                 rng=np.random.default_rng(0))


def test_style_ensemble_has_six_or_more_roles():
    _, _, parts = build()
    assert {p.role for p in parts} >= {"lead", "counter", "pad", "ostinato", "bass", "drums"}


@pytest.mark.parametrize("asked", [("piano",), ("piano", "strings"), ("flute", "harp", "cello"), ("shamisen", "koto", "taiko"),
                                   ("distortion guitar", "drums", "synth bass"),
                                   ("english horn", "french horn", "baritone sax", "whistle"),
                                   ("sci-fi fx", "metallic pad", "piccolo", "polysynth pad", "orchestral percussion")])
def test_explicit_instruments_are_exactly_the_ensemble(asked):
    _, _, parts = build(instruments=asked)
    assert {p.instrument for p in parts} == {get_instrument(a).id for a in asked}
    assert any(p.role == "lead" for p in parts)


def test_exclude_by_role_or_instrument():
    _, _, parts = build(exclude=("drums", "violin"))
    assert all(p.role != "drums" and p.instrument != "violin" for p in parts)


def test_unknown_instrument_is_named():
    with pytest.raises(InvalidOptionError, match="kazoo"):
        choose_ensemble(battle_style(), instruments=("kazoo",))


def test_parts_follow_energy_and_end_on_a_held_chord():
    secs, chords, parts = build()
    pad = next(p for p in parts if p.role == "pad")
    last = secs[-1].end_bar - 1
    final = [n for n in pad.notes if n.start >= last * 4]
    assert final and all(n.start == last * 4 and n.duration == 4 for n in final)
    counter = next(p for p in parts if p.role == "counter")
    quiet = [s for s in secs if s.energy < 0.5]
    for s in quiet:
        assert not [n for n in counter.notes if s.start_bar * 4 <= n.start < s.end_bar * 4]


def test_after_playability_rules_everything_is_playable():
    _, _, parts = build()
    for p in parts:
        inst = get_instrument(p.instrument)
        notes = list(p.notes) if p.is_drum else playable(list(p.notes), inst)
        if p.is_drum:
            assert all(35 <= n.pitch <= 81 for n in notes)
            continue
        assert all(inst.low <= n.pitch <= inst.high for n in notes), p.name
        events = sorted([(n.start, 1) for n in notes] + [(n.end, -1) for n in notes], key=lambda e: (e[0], e[1]))
        depth = peak = 0
        for _, d in events:
            depth += d
            peak = max(peak, depth)
        assert peak <= inst.polyphony, (p.name, peak)
