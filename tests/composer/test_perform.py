"""Performance: swing, humanizing and the playability rules (gekiban.composer.perform)."""

import numpy as np

from gekiban.composer.perform import PHRASE_BREAK, humanize, phrase_arcs, playable, shapes_phrases, swing
from gekiban.instruments import get_instrument
from gekiban.score import Note


def eighths(n=8):
    return [Note(60 + k, k * 0.5, 0.5, 80) for k in range(n)]


def test_straight_is_unchanged_and_swing_delays_the_off_beats():
    assert swing(eighths(), amount=0.5) == eighths()
    swung = swing(eighths(), amount=2 / 3)
    assert [n.start for n in swung[::2]] == [0.0, 1.0, 2.0, 3.0]
    assert all(abs(n.start - (k + 2 / 3)) < 1e-9 for k, n in enumerate(swung[1::2]))


def test_humanize_is_seeded_small_and_keeps_hit_points():
    notes = eighths()
    a = humanize(notes, amount=0.6, bpm=120, rng=np.random.default_rng(5), keep=(2.0,))
    b = humanize(notes, amount=0.6, bpm=120, rng=np.random.default_rng(5), keep=(2.0,))
    assert a == b and a != notes
    sd = 0.6 * 0.010 * 120 / 60  # beats: about amount × 10 ms, clipped at two standard deviations
    assert all(abs(x.start - y.start) <= 2 * sd + 1e-4 and x.start >= 0 for x, y in zip(a, notes))
    assert next(n for n in a if n.pitch == 64).start == 2.0


def test_playable_fits_the_range_and_the_polyphony():
    flute = get_instrument("flute")
    chord = [Note(p, 0.0, 1.0, 80) for p in (40, 64, 67, 72)] + [Note(110, 1.0, 1.0, 80)]
    out = playable(chord, flute)
    assert all(flute.low <= n.pitch <= flute.high for n in out)
    assert max(sum(1 for m in out if m.start <= n.start < m.end) for n in out) == 1  # a flute plays one note


def test_a_monophonic_line_is_cut_so_the_next_note_speaks():
    out = playable([Note(72, 0.0, 2.0, 80), Note(74, 1.0, 1.0, 80)], get_instrument("flute"))
    assert [(n.pitch, n.start, n.duration) for n in out] == [(72, 0.0, 1.0), (74, 1.0, 1.0)]


def test_bowed_and_blown_lines_are_shaped_struck_and_plucked_ones_are_not():
    for shaped in ("violin", "cello", "strings", "french-horn", "flute", "clarinet", "choir", "shakuhachi", "fiddle",
                   "accordion"):
        assert shapes_phrases(get_instrument(shaped)), shaped
    for plain in ("piano", "harp", "pizzicato-strings", "timpani", "steel-guitar", "vibraphone", "koto", "drums"):
        assert not shapes_phrases(get_instrument(plain)), plain


def test_each_phrase_swells_to_its_highest_note_and_tapers():
    first = [Note(60, 0, 1, 80), Note(64, 1, 1, 80), Note(67, 2, 1, 80), Note(62, 3, 1, 80)]
    second = [Note(65, 4 + PHRASE_BREAK, 2, 80), Note(64, 6 + PHRASE_BREAK, 2, 80)]
    arcs = phrase_arcs(first + second)
    assert all(c.number == 11 and 1 <= c.value <= 127 for c in arcs)
    assert [(c.beat, c.value) for c in arcs[:3]] == [(0, 96), (2.5, 127), (4, 84)]
    start, top, end = arcs[3:]
    assert start.beat == 4 + PHRASE_BREAK and end.beat == 8 + PHRASE_BREAK
    assert start.beat < top.beat < end.beat and top.value == 127  # a phrase that starts on its peak still swells
    assert phrase_arcs([]) == ()


def test_a_rest_shorter_than_the_break_keeps_one_phrase():
    notes = [Note(60, 0, 1, 80), Note(62, 1 + PHRASE_BREAK / 2, 1, 80)]
    assert len(phrase_arcs(notes)) == 3
