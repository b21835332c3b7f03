import pytest

from gekiban.errors import ScoreError
from gekiban.score import Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter


def make(tempo=((0.0, 120.0),), parts=()):
    return Score(meter=Meter(4, 4), key=Key(0), tempo=tuple(TempoChange(b, t) for b, t in tempo), bars=4, parts=parts)


def test_seconds_through_a_tempo_map():
    s = make(((0.0, 120.0), (8.0, 60.0)))
    assert s.seconds_at(4) == pytest.approx(2.0)
    assert s.seconds_at(12) == pytest.approx(8.0)
    assert s.duration == pytest.approx(12.0)


@pytest.mark.parametrize("note,msg", [
    (Note(128, 0, 1, 80), "pitch 128"), (Note(60, 0, 1, 0), "velocity 0"), (Note(60, -1, 1, 80), "start -1"),
    (Note(60, 0, 0, 80), "duration 0"),
])
def test_bad_notes_are_named(note, msg):
    with pytest.raises(ScoreError, match=msg):
        make(parts=(Part("lead", "flute", 73, (note,)),))


def test_bad_tempo_and_program():
    with pytest.raises(ScoreError, match="tempo 5"):
        make(((0.0, 5.0),))
    with pytest.raises(ScoreError, match="beat 0"):
        make(((1.0, 120.0),))
    with pytest.raises(ScoreError, match="program 130"):
        make(parts=(Part("lead", "flute", 130),))


def test_part_lookup():
    s = make(parts=(Part("lead", "flute", 73),))
    assert s.part("lead").name == "lead-flute"
    with pytest.raises(ScoreError, match="no part with role 'bass'"):
        s.part("bass")
