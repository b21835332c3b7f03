"""What the learner hears in a piece: roles, key and mode, chords and their unit, rhythm
cells, moves, grooves, figures, swing, phrase and section lengths."""

from collections import Counter

import pytest

from gekiban.learn.analyse import analyse
from gekiban.learn.harmony import ending_of, roman
from gekiban.learn.read import Line, Piece, read_piece
from gekiban.learn.rhythm import drum_lanes, lead_cells, nearest_figure, onset_grid, phrase_bars, section_bars, swing_of
from gekiban.learn.roles import assign_roles, instrument_for
from gekiban.styles.figures import figures_for
from gekiban.theory import Chord, Key, Meter
from learn_fixtures import KICK_STEPS, SNARE_STEPS, band_file, chorale_file

FOUR = Meter(4, 4)


@pytest.fixture(scope="module")
def band(tmp_path_factory):
    return analyse(read_piece(band_file(tmp_path_factory.mktemp("band") / "b.mid", 0)))


@pytest.fixture(scope="module")
def chorale(tmp_path_factory):
    return analyse(read_piece(chorale_file(tmp_path_factory.mktemp("chorale") / "c.mid")))


def test_band_roles_instruments_and_key(band):
    assert set(band.roles.notes) == {"lead", "pad", "bass", "drums"}
    assert (band.roles.programs["lead"], band.roles.programs["bass"], band.roles.programs["pad"]) == (81, 36, 7)
    assert band.key == Key(4, "dorian")  # E dorian: the phrases start on E, C# is in the music
    assert band.harmony.unit_beats == 4.0  # a chord a bar
    romans = [roman(c, band.key) for c in band.harmony.chords[:4]]
    assert romans == ["i7", "IV7", "i7", "v7"]


def test_chorale_voices_and_a_chord_a_beat(chorale):
    assert set(chorale.roles.notes) == {"lead", "pad", "bass"}
    assert [n[2] for n in chorale.roles.notes["lead"][:4]] == [67, 72, 66, 67]  # the soprano
    assert chorale.key == Key(7, "major") and chorale.harmony.unit_beats == 1.0
    assert [roman(c, chorale.key) for c in chorale.harmony.chords[:4]] == ["I", "IV", "V", "I"]
    assert ending_of(chorale.harmony) == "authentic"


def test_one_polyphonic_line_is_split_into_lead_pad_and_bass():
    chords = [(on * 1.0, 1.0, p, 80) for on in range(8) for p in (48, 60, 64, 67 + (on % 2) * 2)]
    piece = Piece(path="p", meter=FOUR, bpm=100, key=None, pickup=0, bars=2, lines=(Line(0, False, "", tuple(chords)),))
    roles = assign_roles(piece)
    assert {n[2] for n in roles.notes["lead"]} == {67, 69} and {n[2] for n in roles.notes["bass"]} == {48}
    assert {n[2] for n in roles.notes["pad"]} == {60, 64}


@pytest.mark.parametrize(("chord", "key", "numeral"), [
    (Chord(7, "7"), Key(0, "major"), "V7"), (Chord(9, "m"), Key(0, "major"), "vi"), (Chord(10, ""), Key(0, "major"), "bVII"),
    (Chord(11, "m7b5"), Key(0, "major"), "viiø7"), (Chord(5, "maj7"), Key(9, "minor"), "bVImaj7"),
    (Chord(2, "dim"), Key(0, "minor"), "ii°"), (Chord(6, "7"), Key(0, "major"), "#IV7"),
])
def test_roman_numerals_read_back_as_the_chord(chord, key, numeral):
    from gekiban.theory import parse_roman

    assert roman(chord, key) == numeral
    assert parse_roman(numeral, key).root == chord.root


def test_rhythm_cells_of_eighths_and_a_held_note():
    notes = ((0.0, 0.5, 60, 80), (0.5, 0.45, 62, 80), (1.0, 2.0, 64, 80), (3.0, 1.0, 65, 80))
    cells = lead_cells(notes, FOUR)
    assert cells == Counter({"0:0.5 0.5:0.5": 1, "0:2": 1, "0:1": 1})  # the 0.45 eighth is held to the next note


def test_a_rest_is_a_cell_of_its_own():
    notes = ((0.0, 1.0, 60, 80), (2.0, 1.0, 62, 80))
    assert lead_cells(notes, FOUR) == Counter({"0:1": 2, "": 1})


def test_the_drum_groove_is_learned_step_by_step(band):
    lanes = drum_lanes(band.roles.notes["drums"], FOUR)
    assert set(lanes) == {36, 38, 42}
    assert [i for i, c in enumerate(lanes[36]) if c != "."] == list(KICK_STEPS)
    assert [i for i, c in enumerate(lanes[38]) if c != "."] == list(SNARE_STEPS)
    assert lanes[42] == "x" * 16 and lanes[38][4] == "X"  # the snare is struck hard


@pytest.mark.parametrize(("length", "figure"), [(4.0, "sustain"), (1.0, "roots-beat"), (0.5, "eighths")])
def test_the_nearest_catalogue_figure_of_a_bass(length, figure):
    notes = tuple((k * length, length, 36, 90) for k in range(int(32 / length)))
    assert nearest_figure(onset_grid(notes, FOUR), figures_for("bass"), FOUR, 4.0) == figure


def test_swing_of_late_off_beats():
    straight = [(b + x, 0.5, 60, 80) for b in range(16) for x in (0.0, 0.5)]
    swung = [(b + x, 0.5, 60, 80) for b in range(16) for x in (0.0, 0.6667)]
    assert swing_of(straight, FOUR) == 0.5 and swing_of(swung, FOUR) == pytest.approx(0.667, abs=0.01)
    assert swing_of(swung, Meter(6, 8)) == 0.5


def test_phrase_and_section_lengths():
    phrase = [(0.0, 1, 60), (1.0, 1, 62), (2.0, 1, 64), (3.0, 1, 65), (4.0, 1, 67), (5.0, 1, 65), (6.0, 1, 64), (7.0, 1, 62)]
    a = [(on, d, p, 80) for on, d, p in phrase] + [(8.0, 4.0, 60, 80), (12.0, 4.0, 60, 80)]  # 2 bars of tune, 2 held
    b = [(on + 16, d, p + 2, 80) for on, d, p, _ in a]
    tune = tuple(a + [(on + 16 * 2, d, p, v) for on, d, p, v in a] + b + [(on + 16 * 2, d, p, v) for on, d, p, v in b])
    assert section_bars(tuple(sorted(tune)), FOUR, 16) == 8  # A A B B of 4+4 bars... repeats after 8
    assert phrase_bars(tuple(a), FOUR) in (2, 4)
    assert section_bars(tuple((float(i), 1.0, 60 + (i * 7) % 12, 80) for i in range(64)), FOUR, 16) == 0


def test_instruments_by_program():
    assert instrument_for(36, "bass").program == 36
    assert instrument_for(81, "lead").program == 81
    assert instrument_for(127, "lead").program // 8 == 15  # the nearest of the same GM family


def test_moves_count_scale_steps(band):
    assert band.moves.sum() == len(band.roles.notes["lead"]) - 1 and len(band.moves) == 15
    assert band.moves[:7].sum() > 0 and band.moves[8:].sum() > 0  # the lead moves both ways
