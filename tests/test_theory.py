import pytest

from gekiban.errors import InvalidOptionError
from gekiban.theory import (
    Chord,
    Key,
    Meter,
    chord_scale,
    parse_chord_symbol,
    parse_key,
    parse_meter,
    parse_roman,
    pitch_class,
)


@pytest.mark.parametrize("text,tonic,mode", [
    ("D major", 2, "major"), ("F# minor", 6, "minor"), ("Bbm", 10, "minor"), ("B♭ major", 10, "major"),
    ("a dorian", 9, "dorian"), ("E phrygian", 4, "phrygian"), ("C", 0, "major"), ("G harmonic minor", 7, "harmonic-minor"),
])
def test_parse_key(text, tonic, mode):
    assert parse_key(text) == Key(tonic, mode)


@pytest.mark.parametrize("bad", ["H major", "D majorish", "", "C# blues", "12"])
def test_parse_key_rejects_unknown_with_the_value_in_the_message(bad):
    with pytest.raises(InvalidOptionError, match="unknown key"):
        parse_key(bad)


@pytest.mark.parametrize("text,num,den,bar", [("4/4", 4, 4, 4.0), ("3/4", 3, 4, 3.0), ("6/8", 6, 8, 3.0), ("7/8", 7, 8, 3.5), ("2/2", 2, 2, 4.0)])
def test_parse_meter(text, num, den, bar):
    m = parse_meter(text)
    assert (m.numerator, m.denominator, m.bar_beats) == (num, den, bar)


@pytest.mark.parametrize("bad", ["5/3", "4/5", "1/4", "13/8", "four", "4-4", ""])
def test_parse_meter_rejects(bad):
    with pytest.raises(InvalidOptionError, match="unknown meter"):
        parse_meter(bad)


def test_compound_pulses():
    assert Meter(6, 8).pulses == (0.0, 1.5)
    assert Meter(4, 4).pulses == (0.0, 1.0, 2.0, 3.0)
    assert Meter(7, 8).pulses == (0.0, 1.0, 2.0)


def test_royal_road_in_c():
    k = parse_key("C major")
    assert [parse_roman(r, k).symbol for r in ("IV△7", "V7", "iii7", "vi")] == ["Fmaj7", "G7", "Em7", "Am"]


def test_epic_minor_in_a():
    k = parse_key("A minor")
    assert [parse_roman(r, k).symbol for r in ("i", "bVI", "bIII", "bVII")] == ["Am", "F", "C", "G"]


def test_secondary_and_colours():
    k = parse_key("C")
    assert parse_roman("V/vi", k).symbol == "E"
    assert parse_roman("#iv°", k).symbol == "F#dim"
    assert parse_roman("III7", k).symbol == "E7"


def test_bad_roman():
    with pytest.raises(InvalidOptionError, match="Roman numeral"):
        parse_roman("VIII", parse_key("C"))


def test_chord_symbols():
    assert parse_chord_symbol("F#m7") == Chord(6, "m7")
    assert parse_chord_symbol("C/E").bass_pc == 4
    with pytest.raises(InvalidOptionError):
        parse_chord_symbol("Xm")


def test_pitch_class_and_chord_scale():
    assert pitch_class("Eb") == 3
    # over E7 in C major, G (a semitone from G#) is avoided and G# allowed
    pcs = chord_scale(Chord(4, "7"), parse_key("C"))
    assert 8 in pcs and 7 not in pcs
