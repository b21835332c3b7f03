"""The note syntax: every length mark, rests and bar lines, round trips, and every bad token
named in its error."""

import pytest

from gekiban.errors import InvalidOptionError
from gekiban.motifs.notation import MAX_NOTES, format_notes, parse_notes


def test_lengths_rests_and_bar_lines():
    notes = parse_notes("E4 G4- A4/ B4// | r C#5. Bb3-. F#2")
    assert notes == ((0.0, 1.0, 64), (1.0, 2.0, 67), (3.0, 0.5, 69), (3.5, 0.25, 71), (4.75, 1.5, 73),
                     (6.25, 3.0, 58), (9.25, 1.0, 42))


def test_octaves_and_accidentals():
    assert [p for _, _, p in parse_notes("C-1 C4 c4 Cb4 B#3 G9")] == [0, 60, 60, 59, 60, 127]


@pytest.mark.parametrize("text", ["E4 G4 A4 B4-", "D4. E4/ F#4 A4 B4/ A4/ F#4- D4", "C4/ r/ C4// Eb4--- r- G3.",
                                  "A4-. Bb4// C5///"])
def test_round_trip(text):
    notes = parse_notes(text)
    assert parse_notes(format_notes(notes)) == notes


def test_format_writes_rests_for_gaps_and_cuts_overlaps():
    assert format_notes(((0.0, 1.0, 60), (2.0, 3.0, 62), (4.0, 1.0, 64))) == "C4 r D4- E4"


@pytest.mark.parametrize(("text", "named"), [
    ("E4 H4", "'H4'"), ("E4 E", "'E'"), ("E4 E#x", "'E#x'"), ("E4 E4-/", "'E4-/'"), ("E4 E4..", "'E4..'"),
    ("G#9", "'G#9'"), ("Cb-1", "'Cb-1'"), ("E4 E4/////", "'E4/////'"), ("E4 4", "'4'"), ("E4,G4", "'E4,G4'"),
])
def test_bad_tokens_are_named(text, named):
    with pytest.raises(InvalidOptionError, match=named):
        parse_notes(text)


@pytest.mark.parametrize("text", ["", "  | ", "r r-"])
def test_no_notes(text):
    with pytest.raises(InvalidOptionError, match="no notes"):
        parse_notes(text)


def test_not_text_and_too_many():
    with pytest.raises(InvalidOptionError, match="give text"):
        parse_notes(60)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match=f"at most {MAX_NOTES}"):
        parse_notes("C4/ " * (MAX_NOTES + 1))
