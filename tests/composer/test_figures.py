"""Every figure a style file may name is played: the role table's patterns and the composer's
writers agree, each pattern writes notes, and patterns that are meant to differ do."""

import numpy as np
import pytest
from music_fixtures import battle_style

from gekiban.composer.drums import drum_part
from gekiban.composer.figures import FIGURES, WRITERS
from gekiban.composer.form import plan_form
from gekiban.composer.harmony import plan_harmony
from gekiban.instruments import get_instrument
from gekiban.roles import ROLES, role_of
from gekiban.score import Note
from gekiban.styles import load_grooves, load_progressions
from gekiban.styles.schema import RoleSpec
from gekiban.theory import Meter, parse_key, parse_meter

INSTRUMENT = {"pad": "strings", "ostinato": "piano", "bass": "contrabass", "counter": "violin"}
#: Pads whose notes are the held chord: they differ in controls or in the patch, not in the notes.
HELD = {"sustain", "swell", "tremolo"}


def setting():
    meter, key = Meter(4, 4), parse_key("D minor")
    sections = plan_form(16, energy=0.8, tension=0.4, rng=np.random.default_rng(1))
    chords = plan_harmony(sections, key=key, meter=meter, style=battle_style(), progressions=load_progressions(),
                          rng=np.random.default_rng(1))
    melody = tuple(Note(74, float(b), 1.0, 90) for b in range(0, 64, 2))
    return meter, sections, chords, melody


def play(role, pattern):
    meter, sections, chords, melody = setting()
    spec = RoleSpec(role, (INSTRUMENT[role],), pattern)
    return WRITERS[role](spec, get_instrument(INSTRUMENT[role]), list(sections), chords, meter, melody,
                         np.random.default_rng(2))


def test_the_role_table_and_the_writers_name_the_same_patterns():
    for role in ROLES:
        if role.grooves:
            assert role.name not in FIGURES  # drums and percussion play grooves from data/grooves.toml
        elif role.patterns:
            assert set(FIGURES[role.name]) == set(role.patterns), role.name
            assert role.default_pattern in role.patterns
        else:
            assert role.name in ("lead", "counter")
    assert set(WRITERS) == {"counter", "pad", "ostinato", "bass"}


@pytest.mark.parametrize(("role", "pattern"), [(r, p) for r in ("pad", "ostinato", "bass") for p in role_of(r).patterns])
def test_every_pattern_writes_notes_in_the_instruments_range(role, pattern):
    notes = play(role, pattern)
    inst = get_instrument(INSTRUMENT[role])
    assert notes, (role, pattern)
    assert all(inst.low - 12 <= n.pitch <= inst.high + 12 and n.duration > 0 for n in notes)


@pytest.mark.parametrize("role", ["pad", "ostinato", "bass"])
def test_patterns_meant_to_differ_write_different_notes(role):
    played = {}
    for pattern in role_of(role).patterns:
        if role == "pad" and pattern in HELD - {"sustain"}:
            continue
        played[pattern] = tuple(sorted((n.start, n.pitch, n.duration) for n in play(role, pattern)))
    assert len(set(played.values())) == len(played), role


def test_held_pads_play_the_same_chords():
    assert play("pad", "swell") == play("pad", "sustain") == play("pad", "tremolo")


def test_every_groove_plays_in_each_of_its_meters():
    _, sections, _, _ = setting()
    for name, groove in load_grooves().items():
        inst = get_instrument("drums" if groove.drum else "taiko")
        for meter in groove.meters:
            notes = drum_part(name, inst, list(sections), sections, meter=parse_meter(meter), grooves=load_grooves(),
                              ending=True, rng=np.random.default_rng(3))
            assert notes, (name, meter)
