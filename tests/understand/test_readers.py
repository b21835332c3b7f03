"""Prompt understanding, part by part: explicit values (English and Japanese), instruments,
chord progressions, the Japanese gloss, MIDI seeds and the energy levels."""

from __future__ import annotations

import pytest
from music_fixtures import seed_file

from gekiban.errors import InvalidOptionError, MidiError
from gekiban.theory import Key, Meter
from gekiban.understand.brief import energy_level
from gekiban.understand.explicit import (
    find_duration,
    find_key,
    find_loop,
    find_meter,
    find_tempo,
    find_tempo_word,
)
from gekiban.understand.instruments import read_instruments
from gekiban.understand.japanese import gloss
from gekiban.understand.progressions import (
    find_progression,
    infer_key,
    parse_chords,
    transpose_symbol,
)
from gekiban.understand.text import normalise


def _v(found):
    return None if found is None else found[0]


# ----------------------------------------------------------------------------- explicit values

@pytest.mark.parametrize(("text", "bpm"), [
    ("battle at 140 bpm", 140.0), ("150BPM", 150.0), ("tempo 96", 96.0), ("tempo of 72.5", 72.5), ("♩=120", 120.0),
    ("テンポ140", 140.0), ("BPM80で", 80.0), ("テンポは90", 90.0), ("ＢＰＭ１２０", 120.0),
])
def test_tempo_numbers(text, bpm):
    assert _v(find_tempo(normalise(text))) == bpm


@pytest.mark.parametrize(("text", "span"), [
    ("a slow dance", (50, 80)), ("Largo: the king's death", (40, 60)), ("presto!", (168, 200)),
    ("at a moderate pace", (108, 120)), ("fast and loud", (140, 200)), ("very slow", (40, 60)), ("andante", (76, 108)),
    ("Allegro con brio", (120, 156)), ("ゆったりした午後", (50, 80)), ("テンポ速めで", (140, 200)), ("アップテンポ", (140, 200)),
])
def test_tempo_words_mean_a_range(text, span):
    assert _v(find_tempo_word(normalise(text))) == span


@pytest.mark.parametrize("text", ["not too fast", "slow strings only", "breakfast at school", "in slow motion", ""])
def test_tempo_words_are_not_misread(text):
    assert find_tempo_word(normalise(text)) is None


@pytest.mark.parametrize(("text", "key"), [
    ("battle in D minor", Key(2, "minor")), ("in F# major", Key(6, "major")), ("B-flat major", Key(10, "major")),
    ("in E lydian", Key(4, "lydian")), ("A dorian groove", Key(9, "dorian")), ("key of G", Key(7, "major")),
    ("ニ短調のバトル", Key(2, "minor")), ("ハ長調", Key(0, "major")), ("変ロ長調", Key(10, "major")), ("嬰ヘ短調", Key(6, "minor")),
    ("Dマイナーで", Key(2, "minor")), ("Eメジャー", Key(4, "major")), ("Ｃ＃マイナー", Key(1, "minor")),
])
def test_keys(text, key):
    assert _v(find_key(normalise(text))) == key


@pytest.mark.parametrize(("text", "mode"), [("in a minor key", "minor"), ("a major key, please", "major"), ("短調で", "minor")])
def test_mode_only(text, mode):
    assert _v(find_key(normalise(text))) == mode


@pytest.mark.parametrize("text", ["over Dm7 G7 Cmaj7", "Cmin7 vamp", "the Am chord", "A major setback"[2:], "plan B"])
def test_chord_symbols_are_not_keys(text):
    assert find_key(normalise(text)) is None


@pytest.mark.parametrize(("text", "meter"), [
    ("in 6/8", Meter(6, 8)), ("3/4 waltz", Meter(3, 4)), ("a waltz", Meter(3, 4)), ("6/8拍子", Meter(6, 8)),
    ("8分の6拍子", Meter(6, 8)), ("三拍子", Meter(3, 4)), ("3拍子で", Meter(3, 4)), ("ワルツ", Meter(3, 4)),
    ("in 7/8", Meter(7, 8)), ("in common time", Meter(4, 4)),
])
def test_meters(text, meter):
    assert _v(find_meter(normalise(text))) == meter


@pytest.mark.parametrize("text", ["a 16:9 frame", "at 3/5 speed", "4/5 stars", "1/2 of the team"])
def test_meters_not_misread(text):
    assert find_meter(normalise(text)) is None


@pytest.mark.parametrize(("text", "seconds"), [
    ("2 minutes", 120.0), ("30 seconds", 30.0), ("1:30", 90.0), ("a two-minute cue", 120.0), ("1 minute 30 seconds", 90.0),
    ("1.5 min", 90.0), ("2分", 120.0), ("30秒", 30.0), ("1分30秒", 90.0), ("2分半", 150.0), ("TVサイズ", 89.0),
    ("TV size opening", 89.0), ("９０秒", 90.0),
])
def test_durations(text, seconds):
    assert _v(find_duration(normalise(text))) == seconds


@pytest.mark.parametrize("text", ["the 90s anime look", "with 3 seconds left on the clock", "the last 10 seconds",
                                  "残り3秒で逆転", "あと5分で爆発", "two minutes later", "wait a second"])
def test_story_time_is_not_a_length(text):
    assert find_duration(normalise(text)) is None


@pytest.mark.parametrize(("text", "loop"), [("loopable", True), ("loop it", True), ("ループ可能", True), ("no loop", False),
                                            ("not looping", False), ("ループなし", False)])
def test_loop(text, loop):
    assert _v(find_loop(normalise(text))) is loop


# ----------------------------------------------------------------------------- instruments

@pytest.mark.parametrize(("text", "wanted", "only", "exclude"), [
    ("with taiko and shamisen", ("taiko", "shamisen"), False, ()),
    ("solo piano", ("piano",), True, ()),
    ("piano only", ("piano",), True, ()),
    ("just piano and cello", ("piano", "cello"), True, ()),
    ("no drums", (), False, ("drums",)),
    ("without piano, bass or drums", (), False, ("piano", "bass", "drums")),
    ("no strings, no french horns", (), False, ("strings", "french-horn")),
    ("drum-free, with a fretless bass", ("fretless-bass",), False, ("drums",)),
    ("church organ and a music box", ("church-organ", "music-box"), False, ()),
    ("brass section over a synth pad", ("brass-section", "warm-pad"), False, ()),
    ("a violin solo over strings and harp", ("violin", "strings", "harp"), False, ()),
    ("Acoustic Guitar (nylon) and Electric Bass (finger)", ("nylon-guitar", "finger-bass"), False, ()),
    ("ピアノのみ", ("piano",), True, ()),
    ("ピアノだけで", ("piano",), True, ()),
    ("ピアノソロ", ("piano",), True, ()),
    ("ドラムなし", (), False, ("drums",)),
    ("ドラムとベースなし", (), False, ("drums", "bass")),
    ("尺八と三味線、ドラム抜き", ("shakuhachi", "shamisen"), False, ("drums",)),
    ("琴と太鼓で", ("koto", "taiko"), False, ()),
    ("フルートとギター", ("flute", "nylon-guitar"), False, ()),
    ("ストリングスとシンセパッド", ("strings", "warm-pad"), False, ()),
])
def test_instruments(text, wanted, only, exclude):
    r = read_instruments(normalise(text))
    assert (r.wanted, r.only, r.exclude) == (wanted, only, exclude)


@pytest.mark.parametrize("text", ["the school bell rings", "the final whistle", "a gunshot rings out", "the bass drop",
                                  "a helicopter circles overhead", "take the lead", "town square at night", "I saw her"])
def test_scene_words_are_not_instruments(text):
    assert read_instruments(normalise(text)).wanted == ()


def test_every_general_midi_instrument_is_found_by_name():
    from gekiban.instruments import registry

    for inst in registry().values():
        r = read_instruments(f"with a {inst.name}")
        assert inst.id in r.wanted, (inst.name, r)


def test_every_japanese_instrument_name_is_found():
    from gekiban.understand.japanese import lexicon

    for name, ident in lexicon()[1].items():
        r = read_instruments(f"{name}と")
        assert ident in r.wanted or ident in ("drums", "percussion"), (name, r)


# ----------------------------------------------------------------------------- progressions

@pytest.mark.parametrize(("text", "name"), [
    ("in the style of the Royal Road progression", "royal-road"), ("王道進行で", "royal-road"),
    ("the Komuro progression", "komuro"), ("小室進行", "komuro"), ("Pachelbel's Canon chords", "canon"),
    ("カノン進行", "canon"), ("over the Just the Two of Us changes", "marusa"), ("丸サ進行", "marusa"),
    ("the minor-iv progression", "minor-iv"), ("an andalusian cadence", "andalusian"), ("1625進行", "1625"),
])
def test_named_progressions_become_their_numerals(text, name):
    from gekiban.styles import load_progressions

    r = find_progression(normalise(text))
    assert r is not None and r.name == name and r.chords == load_progressions()[name].romans and r.romans


@pytest.mark.parametrize(("text", "chords"), [
    ("the progression is Am F C G", ("Am", "F", "C", "G")),
    ("revolves around G and D", ("G", "D")),
    ("over Dm7 G7 Cmaj7", ("Dm7", "G7", "Cmaj7")),
    ("chords: C - G - Am - F", ("C", "G", "Am", "F")),
    ("Am → F → C → G", ("Am", "F", "C", "G")),
    ("コード進行はAm F G C", ("Am", "F", "G", "C")),
    ("a I V vi IV loop", ("I", "V", "vi", "IV")),
    ("i-bVI-bVII-i", ("i", "bVI", "bVII", "i")),
])
def test_chords_in_text(text, chords):
    r = find_progression(normalise(text))
    assert r is not None and r.chords == chords


@pytest.mark.parametrize("text", ["A minor setback", "I am here", "plan A or plan B", "the canon of the series",
                                  "a royal wedding", "E-mail me at 5", "Battle in D minor, 3 minutes"])
def test_prose_is_not_a_progression(text):
    assert find_progression(normalise(text)) is None


def test_parse_chords_option():
    assert parse_chords("Am F C G").chords == ("Am", "F", "C", "G")
    assert parse_chords("Am-F-C-G").chords == ("Am", "F", "C", "G")
    assert parse_chords("Dm7,G7,Cmaj7").chords == ("Dm7", "G7", "Cmaj7")
    assert parse_chords("vi IV I V").romans
    assert parse_chords("royal-road").name == "royal-road"
    assert parse_chords("王道進行").name == "royal-road"


@pytest.mark.parametrize(("bad", "shown"), [("Am H7", "'H7'"), ("Am F C Gx", "'Gx'"), ("", "''"), ("  ", "'  '"),
                                            ("C " * 17, "17 chords")])
def test_parse_chords_rejects_naming_the_value_and_what_is_allowed(bad, shown):
    with pytest.raises(InvalidOptionError) as err:
        parse_chords(bad)
    assert shown in str(err.value)
    assert "symbols" in str(err.value) or "1 to 16" in str(err.value)


def test_infer_key_and_transpose():
    assert infer_key(["Am", "F", "C", "G"]) == Key(9, "minor")
    assert infer_key(["G", "D"]) == Key(7, "major")
    assert infer_key(["Dm7", "G7", "Cmaj7"]) == Key(0, "major")
    assert transpose_symbol("Am", 5) == "Dm" and transpose_symbol("C/E", 2) == "D/F#"


# ----------------------------------------------------------------------------- Japanese

def test_gloss_reads_japanese_into_english():
    english, pairs = gloss("切ない別れのシーン、ピアノのみ")
    assert "farewell" in english and "piano" in english
    assert ("別れ", "farewell") in pairs
    assert gloss("plain English")[0] == "plain English"
    mixed, _ = gloss("夏祭り with taiko")
    assert "summer festival" in mixed and "taiko" in mixed


# ----------------------------------------------------------------------------- energy levels

@pytest.mark.parametrize(("energy", "level"), [(0.0, "low"), (0.399, "low"), (0.4, "mid"), (0.699, "mid"),
                                               (0.7, "high"), (1.0, "high")])
def test_energy_levels(energy, level):
    assert energy_level(energy) == level


# ----------------------------------------------------------------------------- MIDI seeds


def test_midi_seed_melody_and_chords(tmp_path):
    from gekiban.understand.midi_seed import read_seed

    s = read_seed(seed_file(tmp_path / "seed.mid"))
    assert s.motif == ((0.0, 1.0, 72), (1.0, 1.0, 74), (2.0, 1.0, 76), (3.0, 1.0, 79), (4.0, 2.0, 77), (6.0, 2.0, 76))
    assert s.chords == ("C", "G", "Am", "F") and s.key == Key(0, "major") and s.key_stated
    assert s.meter == Meter(4, 4)


def test_midi_seed_without_key_signature_estimates_the_key(tmp_path):
    from gekiban.understand.midi_seed import read_seed

    s = read_seed(seed_file(tmp_path / "seed.mid", key_signature=False, chords=False))
    assert not s.key_stated and s.key == Key(0, "major") and s.chords == ()


def test_midi_seed_from_a_gekiban_file_uses_its_lead_and_chords(tmp_path):
    from gekiban.composer import build_score
    from gekiban.midi import write_midi
    from gekiban.styles import resolve_style
    from gekiban.understand.midi_seed import read_seed
    from gekiban.understand.resolve import resolve_brief

    b = resolve_brief("", style="hopeful", seed=4, duration=20, chords="C Am F G")
    score = build_score(b, resolve_style(b.style)[1])
    path = write_midi(score, tmp_path / "score.mid")
    s = read_seed(path)
    assert s.chords[:4] == ("C", "Am", "F", "G") and s.key == score.key
    assert s.melody_track.startswith("lead-") and s.motif


@pytest.mark.parametrize("make", ["missing", "drums", "text"])
def test_bad_midi_seeds_are_clear_errors(tmp_path, make):
    from gekiban.understand.midi_seed import read_seed

    path = tmp_path / "x.mid"
    if make == "drums":
        seed_file(path, drums_only=True)
    elif make == "text":
        path.write_text("not midi")
    with pytest.raises(MidiError, match="x.mid"):
        read_seed(path)
