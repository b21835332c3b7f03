"""Named musical elements (genres, dances, settings, line-ups, grooves) and the explicit values
issue 10 asks to read in any phrasing: tempo sentences and words, chord lists, instruments alone,
line-ups, "with X", "no X", a beat's drums, and a key the chords contradict."""

from __future__ import annotations

import pytest

from gekiban.errors import GekibanError
from gekiban.theory import Key, Meter
from gekiban.understand.explicit import find_duration, find_tempo, find_tempo_word
from gekiban.understand.instruments import read_instruments
from gekiban.understand.named import find_named, parse_table, table
from gekiban.understand.progressions import contradicts, find_progression
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.text import normalise


def _named(text):
    return [(n.kind, n.element.name, n.word) for n in find_named(normalise(text))]


# ----------------------------------------------------------------------------- finding elements

@pytest.mark.parametrize(("text", "found"), [
    ("heroic battle", [("genre", "heroic", "heroic"), ("genre", "battle", "battle")]),
    ("ballroom waltz", [("setting", "ballroom", "ballroom"), ("dance", "waltz", "waltz")]),
    ("a lo-fi hip hop beat", [("genre", "lofi", "lo-fi"), ("genre", "lofi", "hip hop"), ("groove", "beat", "beat")]),
    ("a jazz trio in the lounge", [("ensemble", "jazz-trio", "jazz trio")]),
    ("弦楽四重奏、午後", [("ensemble", "string-quartet", "弦楽四重奏")]),
    ("四つ打ちのEDM", [("dance", "four-on-the-floor", "四つ打ち"), ("genre", "electronic", "EDM")]),
    ("a drum and bass chase", [("genre", "drum-and-bass", "drum and bass"), ("genre", "chase", "chase")]),
])
def test_elements_are_found_longest_first(text, found):
    assert _named(text) == found


@pytest.mark.parametrize("text", [
    "rock band anthem for the school festival",  # a school festival is no matsuri (the band is read)
    "no jazz, please", "they beat the boss", "a comic book shop", "a highlight reel",
    "a hybrid orchestra", "Victory fanfare after the battle", "戦いの後の静けさ", "冒険者ギルド", "a jazz guitar",
    "a church organ",
])
def test_words_that_name_no_element_here(text):
    kinds = {(k, name) for k, name, _ in _named(text)}
    assert not kinds & {("genre", "festival"), ("genre", "jazz"), ("groove", "beat"), ("genre", "comedy"),
                        ("dance", "reel"), ("ensemble", "orchestra"), ("genre", "battle"), ("genre", "adventure"),
                        ("setting", "cathedral")}


def test_table_names_real_styles_and_instruments():
    from gekiban.styles import all_styles

    elements, groups = table()
    styles = set(all_styles())
    for el in elements:
        assert set(el.styles) | set(el.blend) <= styles, el.name
    assert {"strings", "brass-section", "drums"} <= set(groups)


@pytest.mark.parametrize(("data", "shown"), [
    ({"genre": {"x": {"words": ["a"], "ensemble": ["nope"]}}}, "'nope'"),
    ({"genres": {}}, "[genres]"),
    ({"dance": {"x": {"words": ["a"], "meter": "3/0"}}}, "'3/0'"),
    ({"genre": {"x": {"wrds": ["a"]}}}, "wrds"),
    ({"genre": {"x": {"styles": ["lofi"]}}}, "[genre.x]"),
    ({"setting": {"x": {"words": ["a"], "add": ["church organ"]}}}, "'church-organ'"),
])
def test_bad_table_entries_are_errors_naming_the_value(data, shown):
    with pytest.raises(GekibanError) as err:
        parse_table(data)
    assert shown in str(err.value)


# ----------------------------------------------------------------------------- styles, meters, line-ups

@pytest.mark.parametrize(("prompt", "head", "other"), [
    ("heroic battle on a burning city skyline", "orchestral-battle", "heroic"),
    ("comedic chase", "chase", "comedy"),
    ("jazzy mystery", "mystery", "cafe-jazz"),
    ("electronic battle with a heroic edge", "electronic-battle", "heroic"),
    ("英雄的な戦闘", "orchestral-battle", "heroic"),
])
def test_compound_prompts_blend_with_the_head_noun_leading(prompt, head, other):
    b = resolve_brief(prompt, seed=1)
    assert b.style_blend[0] == (head, 0.6) and other in dict(b.style_blend)
    assert "blend" in b.why("style").text and b.why("genre").source == "prompt"


@pytest.mark.parametrize(("prompt", "meter"), [
    ("sad waltz", Meter(3, 4)), ("a jig for the sailors", Meter(6, 8)), ("a villain's march", Meter(2, 4)),
    ("tarantella", Meter(6, 8)), ("マズルカ", Meter(3, 4)), ("a waltz in 6/8", Meter(6, 8)),
])
def test_dances_set_the_meter_unless_numbers_say_otherwise(prompt, meter):
    assert resolve_brief(prompt, seed=1).meter == meter


def test_a_meter_option_wins_and_explain_says_the_dance_meter_was_not_used():
    b = resolve_brief("a jig", seed=1, meter="4/4")
    assert b.meter == Meter(4, 4) and "not used" in b.why("dance").text


@pytest.mark.parametrize(("prompt", "only"), [
    ("string quartet", ["violin", "violin", "viola", "cello"]),
    ("a string quartet with a harp", ["violin", "violin", "viola", "cello", "harp"]),
    ("rock band, no drums", ["distortion-guitar", "overdrive-guitar", "pick-bass"]),
    ("orchestra without brass", ["violin", "viola", "cello", "contrabass", "flute", "oboe", "clarinet", "bassoon", "timpani"]),
    ("a cappella choir", ["choir"]),
    ("a sad piano piece", ["piano"]),
    ("a sad piano piece with a cello", ["piano", "cello"]),
    ("ピアノ曲にチェロを加えて", ["piano", "cello"]),
    ("a tango in the plaza", ["tango-accordion", "violin", "piano", "contrabass"]),
])
def test_line_ups_and_instruments_alone(prompt, only):
    assert sorted(resolve_brief(prompt, seed=1).instruments) == sorted(only)


def test_with_x_keeps_the_style_drums_and_a_beat_has_drums():
    b = resolve_brief("summer festival with a shamisen", seed=1)
    assert b.instruments[0] == "shamisen" and "drums" in b.instruments
    b = resolve_brief("a tender romance beat", seed=1)  # the romance style seats no drum kit
    assert b.style == "romance" and "drums" in b.instruments and "drums added" in b.why("groove").text
    assert resolve_brief("lofi beats, no drums", seed=1).exclude == ("drums",)


def test_drum_and_bass_is_a_genre_not_two_instruments():
    b = resolve_brief("a drum and bass chase", seed=1)
    assert b.instruments == () and b.style == "chase" and "drum and bass" in b.why("genre").text


def test_setting_adds_and_line_ups_named_outright_win():
    b = resolve_brief("vespers in a gothic cathedral", seed=1)
    assert {"church-organ", "choir"} <= set(b.instruments)
    b = resolve_brief("a string quartet in a cathedral", seed=1)
    assert sorted(b.instruments) == ["cello", "viola", "violin", "violin"]
    assert "not used" in b.why("setting").text


# ----------------------------------------------------------------------------- explicit values

@pytest.mark.parametrize(("text", "bpm"), [
    ("a tempo of 108 beats per minute", 108.0), ("set at 152 beats per minute", 152.0), ("90 beats a minute", 90.0),
    ("metronome 126", 126.0), ("M.M. = 72", 72.0), ("テンポを140に設定", 140.0), ("毎分90拍", 90.0), ("1分間に100拍", 100.0),
])
def test_tempo_in_any_phrasing(text, bpm):
    assert find_tempo(normalise(text))[0] == bpm


def test_beats_per_minute_are_not_a_length():
    assert find_duration(normalise("1分間に100拍のテンポ")) is None


@pytest.mark.parametrize(("text", "span"), [
    ("Prestissimo", (200, 240)), ("Presto", (168, 200)), ("Vivace", (156, 176)), ("Allegro", (120, 156)),
    ("Moderato", (108, 120)), ("moderate", (108, 120)), ("brisk", (120, 156)), ("very fast", (168, 200)),
    ("Allegro moderato", (116, 120)), ("a brisk moderato march", (120, 120)), ("プレスト", (168, 200)),
    ("とても速い", (168, 200)), ("モデラート", (108, 120)),
])
def test_tempo_words_have_their_standard_ranges(text, span):
    assert find_tempo_word(normalise(text))[0] == span


def test_a_tempo_word_wins_over_the_style_range():
    assert resolve_brief("a Prestissimo sad farewell", seed=1).tempo >= 200
    assert 108 <= resolve_brief("Moderato battle", seed=1).tempo <= 120
    assert find_tempo_word("タレントの夜") is None  # katakana Italian words stand alone


@pytest.mark.parametrize(("text", "chords"), [
    ("C, F, and G", ("C", "F", "G")), ("a sequence of Ebm, Gb6 and Bbm", ("Ebm", "Gb6", "Bbm")),
    ("alternates between Eb and Bb", ("Eb", "Bb")), ("a D, G/D chord sequence", ("D", "G/D")),
    ("goes from Am to F to G", ("Am", "F", "G")), ("Em, C, D and then G", ("Em", "C", "D", "G")),
    ("DとG/Dを行き来する", ("D", "G/D")), ("Am、Dm、Eのコード進行", ("Am", "Dm", "E")), ("EmとCの繰り返し", ("Em", "C")),
])
def test_chord_lists_in_any_form_are_read_whole(text, chords):
    assert find_progression(normalise(text)).chords == chords


def test_a_key_the_chords_contradict_is_kept_and_explained():
    assert contradicts(["Eb", "Bb"], Key(0, "major")) == Key(3, "major")
    assert contradicts(["Am", "F", "C", "G"], Key(9, "minor")) is None
    assert contradicts(["Dm", "Gm", "A7"], Key(2, "minor")) is None  # the leading tone belongs to a minor key
    b = resolve_brief("in C major, alternating between Eb and Bb", seed=1)
    assert b.key == Key(0, "major") and b.chords == ("Eb", "Bb")
    assert "Eb major" in b.why("key_conflict").text
    assert resolve_brief("in A minor over Am, F, C and G", seed=1).why("key_conflict") is None
    assert resolve_brief("alternates between Eb and Bb", seed=1).why("key_conflict") is None  # no key named


# ----------------------------------------------------------------------------- instruments alone

@pytest.mark.parametrize(("text", "wanted", "only"), [
    ("a nocturne for piano", ("piano",), True),
    ("just an acoustic guitar", ("nylon-guitar",), True),
    ("a guitar piece by the window", ("nylon-guitar",), True),
    ("melancholy theme for piano and cello", ("piano", "cello"), True),
    ("shakuhachi and koto duet", ("shakuhachi", "koto"), True),
    ("尺八と箏の二重奏", ("shakuhachi", "koto"), True),
    ("ピアノ曲", ("piano",), True),
    ("無伴奏チェロ", ("cello",), True),
    ("ヴァイオリン独奏", ("violin",), True),
    ("ピアノ一台で", ("piano",), True),
    ("a violin solo over strings and harp", ("violin", "strings", "harp"), False),
])
def test_instruments_alone(text, wanted, only):
    r = read_instruments(normalise(text))
    assert (r.wanted, r.only) == (wanted, only)
