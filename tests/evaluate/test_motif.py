"""The motif detector: transposition- and tempo-invariant, tolerant of a changed mode and of
played timing, blind to other tunes; and `gekiban evaluate --motif/--notes`."""

import pytest

from gekiban.errors import InvalidOptionError
from gekiban.evaluate.motif import find_in_paths, find_motif, format_reports, motif_shapes
from gekiban.midi import write_midi
from gekiban.motifs import parse_notes
from gekiban.score import Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter

HERO = parse_notes("D4. E4/ F#4 A4 | B4/ A4/ F#4- D4")


def _score(notes, *, filler=True):
    pad = [Note(60 + (i * 5) % 7, i * 1.0, 1.0) for i in range(8)] if filler else []
    lead = pad + [Note(p, 8 + on, d) for on, d, p in notes]
    return Score(meter=Meter(4, 4), key=Key(2, "major"), tempo=(TempoChange(0, 120),), bars=8,
                 parts=(Part("lead", "flute", 73, tuple(lead)), Part("drums", "drums", 0, (Note(36, 0, 1),), is_drum=True)))


def _moved(notes, *, semis=0, factor=1.0, jitter=0.0):
    return [(on * factor + (jitter if i % 2 else -jitter), d * factor, p + semis) for i, (on, d, p) in enumerate(notes)]


@pytest.mark.parametrize(("semis", "factor"), [(0, 1.0), (5, 1.0), (-7, 2.0), (3, 0.5), (11, 1.5)])
def test_found_transposed_and_at_any_tempo(semis, factor):
    found = find_motif(_score(_moved(HERO, semis=semis, factor=factor)), HERO)
    assert found and found[0].bar == 3 and found[0].factor == pytest.approx(factor, rel=0.01)
    assert found[0].part == "lead-flute"


def test_found_in_another_mode_and_with_played_timing():
    minor = [(on, d, p - 1 if p % 12 in (6, 11) else p) for on, d, p in HERO]  # D major → D minor
    assert find_motif(_score(minor), HERO)
    assert find_motif(_score(_moved(HERO, jitter=0.04)), HERO)


def test_not_found_when_the_shape_or_rhythm_differs():
    wrong_turn = [(on, d, p + (4 if i == 3 else 0)) for i, (on, d, p) in enumerate(HERO)]
    even = [(float(i), 1.0, p) for i, (_, _, p) in enumerate(HERO)]
    upside = [(on, d, 124 - p) for on, d, p in HERO]
    for notes in (wrong_turn, even, upside, HERO[:5]):
        assert not find_motif(_score(notes), HERO)


def test_chords_read_by_their_top_note():
    stacked = [x for on, d, p in HERO for x in ((on, d, p), (on, d, p - 12), (on, d, p - 7))]
    assert find_motif(_score(stacked, filler=False), HERO)


def test_shapes_include_the_modes_of_its_key():
    shapes, iois = motif_shapes(HERO)
    assert shapes[0] == (2, 2, 3, 2, -2, -3, -4) and (2, 1, 4, 1, -1, -4, -3) in shapes
    assert list(iois) == [1.5, 0.5, 1.0, 1.0, 0.5, 0.5, 2.0]


def test_a_motif_needs_three_onsets():
    with pytest.raises(InvalidOptionError, match="at least 3"):
        motif_shapes(((0, 1, 60), (1, 1, 62), (1, 1, 50)))


def test_paths_and_report(tmp_path):
    path = tmp_path / "cue.mid"
    write_midi(_score(_moved(HERO, semis=2)), path)
    other = tmp_path / "other.mid"
    write_midi(_score([(i * 1.0, 1.0, 60 + i % 3) for i in range(8)]), other)
    reports = find_in_paths([path, other], HERO)
    assert [r.found for r in reports] == [True, False]
    lines = format_reports(reports, "hero")
    assert "found 1×" in lines[0] and lines[1].endswith("not found") and lines[-1] == "motif hero: found in 1 of 2 (50 %)"
    assert reports[0].to_dict()["matches"][0]["bar"] == 3
    with pytest.raises(InvalidOptionError, match="nothing to search"):
        find_in_paths([], HERO)
    with pytest.raises(InvalidOptionError, match="does not exist"):
        find_in_paths([tmp_path / "nope.mid"], HERO)


def test_found_when_swung_and_triplets_are_left_alone():
    from gekiban.evaluate.motif import unswing

    swung = [(on + (1 / 6 if on % 1 == 0.5 else 0), d, p) for on, d, p in HERO]
    assert find_motif(_score(swung), HERO)
    assert unswing([(0.0, 60), (0.667, 62), (1.0, 64)], 0.5) == [(0.0, 60), (0.5, 62), (1.0, 64)]
    triplet = [(0.0, 60), (1 / 3, 62), (2 / 3, 64)]
    assert unswing(triplet, 0.5) == triplet
