"""Every figure of the catalogue plays: in its role's register, in simple and compound meters,
figures meant to differ write different notes, energy picks the calmer or busier figure of the
same idiom, and the figures' defining rhythms (waltz, habanera, walking bass) are what they say."""

import numpy as np
import pytest
from music_fixtures import battle_style

from gekiban.composer.arrange import Seat, arrange
from gekiban.composer.drums import drum_part
from gekiban.composer.figures import counter, figure_for, home_scale, play_figure, step_beats
from gekiban.composer.form import plan_form
from gekiban.composer.harmony import plan_harmony
from gekiban.instruments import get_instrument
from gekiban.score import ChordEvent, Note, Section
from gekiban.styles import load_grooves, load_progressions
from gekiban.styles.figures import FIGURE_ROLES, figures_for
from gekiban.styles.schema import RoleSpec
from gekiban.theory import Chord, Meter, parse_key, parse_meter

INSTRUMENT = {"pad": "strings", "ostinato": "piano", "bass": "contrabass"}
#: Pads whose notes are the held chord: they differ in controls or in the patch, not in the notes.
HELD = {"sustain", "swell", "tremolo"}
ALL = [(role, name) for role in FIGURE_ROLES for name in figures_for(role)]


def setting(meter=Meter(4, 4), energy=0.6, tension=0.4):
    key = parse_key("D minor")
    sections = plan_form(16, energy=energy, tension=tension, rng=np.random.default_rng(1))
    chords = plan_harmony(sections, key=key, meter=meter, style=battle_style(), progressions=load_progressions(),
                          rng=np.random.default_rng(1))
    return sections, chords


def play(role, pattern, meter=Meter(4, 4), sections=None, chords=None, **spec):
    if sections is None:
        sections, chords = setting(meter)
    inst = get_instrument(INSTRUMENT[role])
    return play_figure(role, RoleSpec(role, (inst.id,), pattern, **spec), inst, list(sections), chords, meter,
                       home_scale(chords), base=0.6)[0]


@pytest.mark.parametrize(("role", "name"), ALL)
@pytest.mark.parametrize("meter", ["4/4", "3/4", "6/8"])
def test_every_figure_writes_notes_in_the_instruments_range(role, name, meter):
    notes = play(role, name, parse_meter(meter))
    inst = get_instrument(INSTRUMENT[role])
    assert notes, (role, name)
    assert all(inst.low - 12 <= n.pitch <= inst.high + 12 and n.duration > 0 for n in notes)
    bars = 16 * parse_meter(meter).bar_beats
    assert all(0 <= n.start < bars for n in notes)


@pytest.mark.parametrize("role", FIGURE_ROLES)
def test_figures_meant_to_differ_write_different_notes(role):
    played = {}
    for name, fig in figures_for(role).items():
        if role == "pad" and name in HELD - {"sustain"}:
            continue
        # at one energy, so that each plays itself rather than its calm or busy version
        sec = (Section("A", 0, 8, energy=0.6, tension=0.3, kind="verse"),)
        chords = tuple(ChordEvent(float(b), 4.0, Chord(r)) for b, r in zip(range(0, 32, 4), [2, 10, 5, 0] * 2))
        played[name] = tuple(sorted((n.start, n.pitch, round(n.duration, 3)) for n in play(role, name, sections=sec, chords=chords)))
    same = [(a, b) for a in played for b in played if a < b and played[a] == played[b]]
    assert not same, same


def test_held_pads_play_the_same_chords():
    assert play("pad", "swell") == play("pad", "sustain") == play("pad", "tremolo")


def test_energy_picks_the_calm_busy_and_tense_figure_of_the_idiom():
    spec = RoleSpec("bass", ("contrabass",), "eighths")
    meter = Meter(4, 4)
    def name(energy, tension=0.3, base=0.6, role_spec=spec):
        return figure_for(role_spec, "bass", Section("A", 0, 4, energy=energy, tension=tension), meter, base=base).name

    assert (name(0.3), name(0.6), name(0.8), name(0.6, 0.9)) == ("roots", "eighths", "eighths-leap", "pedal-pulse")
    assert name(0.3, 0.9) == "pedal"  # a tense section plays the tense figure's own calm version
    assert (name(0.3, base=0.35), name(0.6, base=0.35)) == ("eighths", "eighths-leap")  # relative to the style's energy
    mine = RoleSpec("bass", ("contrabass",), "eighths", calm="sustain", busy="octaves")
    assert (name(0.2, role_spec=mine), name(0.9, role_spec=mine)) == ("sustain", "octaves")
    arp = RoleSpec("ostinato", ("piano",), "arp-up")
    assert figure_for(arp, "ostinato", Section("A", 0, 4, energy=0.6), Meter(6, 8), base=0.6).name == "arp-6-8"


def test_steps_follow_the_meter():
    assert step_beats("beat", Meter(6, 8)) == 1.5 and step_beats("beat", Meter(3, 4)) == 1.0
    assert step_beats("half", Meter(4, 4)) == 2.0 and step_beats("half", Meter(3, 4)) == 3.0
    assert step_beats("chord", Meter(4, 4)) == 0.0 and step_beats(0.25, Meter(4, 4)) == 0.25


def one_chord_per_bar(bars=4, beats=3.0, roots=(0, 5, 7, 0)):
    return tuple(ChordEvent(b * beats, beats, Chord(roots[b % len(roots)])) for b in range(bars))


def test_a_waltz_has_its_bass_on_one_and_its_chords_on_two_and_three():
    meter, sec = Meter(3, 4), (Section("A", 0, 4, energy=0.6, kind="verse"),)
    chords = one_chord_per_bar()
    bass = play("bass", "waltz-bass", meter, sec, chords)
    pad = play("pad", "waltz-chords", meter, sec, chords)
    assert {n.start % 3 for n in bass} == {0.0}
    assert {n.start % 3 for n in pad} == {1.0, 2.0}


def test_the_habanera_and_walking_bass_rhythms():
    sec = (Section("A", 0, 4, energy=0.6, kind="verse"),)
    chords = one_chord_per_bar(beats=4.0, roots=(0, 9, 2, 7))
    habanera = play("bass", "habanera", Meter(4, 4), sec, chords)
    assert sorted({n.start % 2 for n in habanera}) == [0.0, 0.75, 1.0, 1.5]
    walking = play("bass", "walking", Meter(4, 4), sec, chords)
    assert [n.start for n in walking] == [float(b) for b in range(16)]
    for bar, nxt in zip(range(3), (9, 2, 7)):  # beat 4 steps into the next bar's root
        last = next(n for n in walking if n.start == bar * 4 + 3)
        assert min((last.pitch - nxt) % 12, (nxt - last.pitch) % 12) in (1, 2)


def test_articulations_shorten_or_change_the_patch():
    legato = play("ostinato", "eighths", articulation="legato")
    staccato = play("ostinato", "eighths", articulation="staccato")
    assert [n.start for n in legato] == [n.start for n in staccato]
    assert all(s.duration <= 0.46 * n.duration for s, n in zip(staccato, legato))
    sections, chords = setting()
    spec = RoleSpec("ostinato", ("strings",), "eighths", articulation="pizzicato")
    score = arrange([Seat("ostinato", get_instrument("strings"), spec)], sections=sections, chords=chords, melody=(),
                    meter=Meter(4, 4), style=battle_style(), grooves=load_grooves(), rng=np.random.default_rng(0))
    assert score[0].instrument == "pizzicato-strings" and score[0].program == 45


def test_the_counter_line_sings_under_the_lead():
    sections, chords = setting()
    melody = tuple(Note(74, float(b), 1.0, 90) for b in range(0, 64, 2))
    line = counter(get_instrument("violin"), list(sections), chords, Meter(4, 4), melody, home_scale(chords))
    assert line and all(n.pitch < 74 for n in line if any(m.start <= n.start < m.end for m in melody))


def test_every_groove_plays_in_each_of_its_meters():
    sections, _ = setting()
    for name, groove in load_grooves().items():
        inst = get_instrument("drums" if groove.drum else "taiko")
        for meter in groove.meters:
            notes = drum_part(RoleSpec("drums", (inst.id,), name), inst, list(sections), sections,
                              meter=parse_meter(meter), grooves=load_grooves(), ending=True, rng=np.random.default_rng(3))
            assert notes, (name, meter)
