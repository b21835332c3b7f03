"""Tempo maps that land hit points on section downbeats (gekiban.composer.tempo)."""

import pytest

from gekiban.composer.tempo import bend_tempo, hit_bars
from gekiban.errors import InvalidOptionError
from gekiban.score import Score
from gekiban.theory import Key, Meter


def seconds_at(tempo, beat):
    return Score(meter=Meter(4, 4), key=Key(0), tempo=tempo, bars=64).seconds_at(beat)


def test_a_hit_becomes_the_nearest_bar_at_the_base_tempo():
    assert hit_bars((20.0,), tempo=120, bar_beats=4, bars=40) == [10]
    assert hit_bars((20.9, 41.0), tempo=120, bar_beats=4, bars=40) == [10, 20]


@pytest.mark.parametrize(("hits", "shown"), [((0.1,), "not inside the music"), ((200.0,), "not inside the music"),
                                             ((20.0, 20.4), "same bar")])
def test_hits_that_cannot_be_placed_are_named(hits, shown):
    with pytest.raises(InvalidOptionError, match=shown):
        hit_bars(hits, tempo=120, bar_beats=4, bars=40)


@pytest.mark.parametrize("hit", [19.3, 20.0, 21.1, 42.75])
def test_the_bent_map_puts_the_downbeat_on_the_hit(hit):
    bar = hit_bars((hit,), tempo=120, bar_beats=4, bars=60)[0]
    tempo = bend_tempo([(bar * 4.0, hit)], base=120.0, total_beats=240.0)
    assert tempo[0].beat == 0 and seconds_at(tempo, bar * 4.0) == pytest.approx(hit, abs=1e-6)
    assert tempo[-1].bpm == pytest.approx(120.0, abs=1e-3)  # back to the base tempo after the hit


def test_the_tempo_glides_instead_of_jumping():
    tempo = bend_tempo([(40.0, 21.0), (80.0, 40.0)], base=120.0, total_beats=120.0)
    steps = [abs(b.bpm - a.bpm) for a, b in zip(tempo, tempo[1:])]
    assert max(steps) <= 0.05 * 120 and all(b.beat > a.beat for a, b in zip(tempo, tempo[1:]))


def test_a_steady_tempo_stays_one_event():
    assert bend_tempo([(40.0, 20.0)], base=120.0, total_beats=80.0) == bend_tempo([], base=120.0, total_beats=80.0)[:1]
