"""Drums and percussion: grooves bar by bar, fills into sections, crashes on arrivals, thinner
quiet sections and one hit on the final chord (gekiban.composer.drums)."""

import numpy as np
from music_fixtures import GROOVES

from gekiban.composer.drums import drum_part, fallback_groove
from gekiban.instruments import get_instrument
from gekiban.score import Section
from gekiban.styles.schema import RoleSpec
from gekiban.theory import Meter

KIT = get_instrument("drums")
SECTIONS = (Section("A", 0, 8, energy=0.3, kind="verse"), Section("B", 8, 8, energy=0.9, kind="chorus"))


def play(pattern="rock-8beat", inst=KIT, ending=False, meter=Meter(4, 4), sections=SECTIONS):
    return drum_part(RoleSpec("drums", (inst.id,), pattern), inst, list(sections), sections, meter=meter, grooves=GROOVES, ending=ending,
                     rng=np.random.default_rng(0))


def bar_notes(notes, bar, beats=4):
    return [n for n in notes if bar * beats <= n.start < (bar + 1) * beats]


def test_a_groove_repeats_bar_by_bar_and_fills_the_phrase_end():
    sections = SECTIONS + (Section("C", 16, 4, energy=0.9, kind="chorus"),)
    notes = play(sections=sections)
    loud = [sorted((n.start - 40, n.pitch) for n in bar_notes(notes, 10))]
    assert loud == [sorted((n.start - 44, n.pitch) for n in bar_notes(notes, 11))]
    fill = {n.pitch for n in bar_notes(notes, 15)}
    assert 42 not in fill and 38 in fill  # a loud section's fill drops the hi-hat for the snare run
    pickup = bar_notes(notes, 7)  # a quiet one leads on with a pickup in its last beat
    assert sorted((n.start - 28, n.pitch) for n in pickup if n.start < 31) == sorted(
        (n.start - 24, n.pitch) for n in bar_notes(notes, 6) if n.start < 27)
    assert {n.pitch for n in pickup if n.start >= 31} - {42, 36}


def test_quiet_sections_keep_the_core_and_a_crash_marks_the_arrival():
    notes = play()
    quiet, busy = bar_notes(notes, 2), bar_notes(notes, 10)
    assert len(quiet) < len(busy) + 1 and max(n.velocity for n in quiet) < max(n.velocity for n in busy)
    assert any(n.pitch == 49 and n.start == 32 for n in notes)


def test_the_ending_is_one_accented_hit():
    notes = play(ending=True)
    last = bar_notes(notes, 15)
    assert {n.pitch for n in last} == {49, 36} and all(n.start == 60 for n in last)
    taiko = play("taiko-epic", inst=get_instrument("taiko"), ending=True)
    assert len(bar_notes(taiko, 15)) == 1


def test_a_meter_no_groove_fits_gets_a_plain_groove():
    groove = fallback_groove(Meter(7, 8), drum=True)
    assert groove.steps == 14 and groove.lanes[36].startswith("x")
    notes = play(meter=Meter(7, 8))
    assert notes and all(n.start < 16 * 3.5 for n in notes)
