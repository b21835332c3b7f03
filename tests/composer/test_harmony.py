import numpy as np
from music_fixtures import PROGRESSIONS, battle_style

from gekiban.composer.form import plan_form
from gekiban.composer.harmony import plan_harmony, voice_lead
from gekiban.theory import Meter, parse_key, parse_roman


def timeline(key="D minor", bars=48, **style):
    secs = plan_form(bars, energy=0.7, tension=0.5, rng=np.random.default_rng(1))
    return secs, plan_harmony(secs, key=parse_key(key), meter=Meter(4, 4), style=battle_style(**style),
                              progressions=PROGRESSIONS, rng=np.random.default_rng(2))


def test_chords_cover_the_cue_without_gaps():
    secs, chords = timeline()
    assert chords[0].start == 0
    assert all(abs(a.end - b.start) < 1e-9 for a, b in zip(chords, chords[1:]))
    assert chords[-1].end == secs[-1].end_bar * 4


def test_final_cadence_lands_on_the_tonic():
    _, chords = timeline()
    assert chords[-1].chord.root == parse_key("D minor").tonic
    assert chords[-2].chord.root == (2 + 7) % 12  # V before i


def test_returning_sections_share_their_progression():
    secs, chords = timeline()
    def romans(name):
        s = next(x for x in secs if x.name == name)
        return [c.roman for c in chords if s.start_bar * 4 <= c.start < s.start_bar * 4 + 12]
    assert romans("A") == romans("A'")


def test_minor_key_uses_minor_pool():
    _, chords = timeline("A minor")
    allowed = {"i", "bVI", "bIII", "bVII", "V", "V7"}
    assert {c.roman for c in chords} <= allowed


def test_voice_leading_moves_little():
    k = parse_key("C")
    chords = [parse_roman(r, k) for r in ("IV△7", "V7", "iii7", "vi", "I", "V", "vi", "iii")]
    voicings = voice_lead(chords, low=52, high=76)
    for c, v in zip(chords, voicings):
        assert 52 <= min(v) and max(v) <= 76
        assert {p % 12 for p in v} <= set(c.pitch_classes)
    moves = [sum(abs(a - b) for a, b in zip(sorted(x), sorted(y))) / len(x) for x, y in zip(voicings, voicings[1:]) if len(x) == len(y)]
    assert max(moves) <= 4, moves


def test_a_fixed_progression_is_the_one_the_score_plays():
    secs = plan_form(32, energy=0.6, tension=0.4, rng=np.random.default_rng(0))
    chords = plan_harmony(secs, key=parse_key("C major"), meter=Meter(4, 4), style=battle_style(),
                          progressions=PROGRESSIONS, fixed=("Am", "F", "C", "G"), rng=np.random.default_rng(0))
    symbols = [c.chord.symbol for c in chords]
    assert symbols[:8] == ["Am", "F", "C", "G"] * 2
    assert symbols[-1] == "Am"
    romans = plan_harmony(secs, key=parse_key("D major"), meter=Meter(4, 4), style=battle_style(),
                          progressions=PROGRESSIONS, fixed=("IV△7", "V7", "iii7", "vi"), rng=np.random.default_rng(0))
    assert [c.chord.symbol for c in romans][:4] == ["Gmaj7", "A7", "F#m7", "Bm"]


def test_unreadable_user_chord_is_named():
    import pytest

    from gekiban.composer.harmony import read_chord
    from gekiban.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="'Hm7'"):
        read_chord("Hm7", parse_key("C"))
