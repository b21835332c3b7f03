"""Brief resolution: option parsers, prompt reading, precedence, defaults and evidence.

Most tests use the fixed six-style library of ``conftest.fake_styles`` so they do not depend on
the shipped style files; ``test_real_styles_*`` check the shipped library when it is installed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import fields

import pytest
from style_fixtures import fake_brief

from gekiban.errors import GekibanError, InvalidOptionError, StyleError
from gekiban.theory import Key, Meter
from gekiban.understand.brief import Brief, Evidence
from gekiban.understand.options import (
    MAX_PROMPT_CHARS,
    check_prompt,
    parse_duration,
    parse_format,
    parse_instruments,
    parse_sample_rate,
    parse_seed,
    parse_tempo,
)
from gekiban.understand.reading import read_prompt, score_styles
from gekiban.understand.resolve import resolve_brief

BRIEF_FIELDS = ("style", "mood", "energy", "tension", "tempo", "key", "meter", "duration",
                "instruments", "exclude", "loop", "seed")


# ----------------------------------------------------------------------------- parsers

@pytest.mark.parametrize(("text", "seconds"), [
    (90, 90.0), (2.5, 2.5), ("90", 90.0), ("90s", 90.0), ("90 sec", 90.0), ("90 seconds", 90.0),
    ("1:30", 90.0), ("0:05", 5.0), ("2m", 120.0), ("2 min", 120.0), ("2 minutes", 120.0),
    ("1.5m", 90.0), ("1m30s", 90.0), ("1m 30s", 90.0), ("1 min 30", 90.0), ("2分", 120.0),
    ("30秒", 30.0), ("1分30秒", 90.0), ("20:00", 1200.0), (" 45 ", 45.0), ("1200", 1200.0),
])
def test_parse_duration_reads_common_forms(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", [0, -5, 1201, "0", "-5", "1201", "21m", "20:01", "abc", "", "1:75",
                                 "1h", "ninety", float("nan"), float("inf"), True, None, [90]])
def test_parse_duration_rejects_bad_values(bad):
    with pytest.raises(InvalidOptionError) as err:
        parse_duration(bad)
    assert repr(bad) in str(err.value) or str(bad) in str(err.value)


def test_parse_duration_message_says_what_is_allowed():
    with pytest.raises(InvalidOptionError, match=r"1201.*at most 1200 s \(20 minutes\)"):
        parse_duration(1201)
    with pytest.raises(InvalidOptionError, match=r"'abc'.*m:ss"):
        parse_duration("abc")


@pytest.mark.parametrize(("text", "bpm"), [(140, 140.0), ("140", 140.0), ("140bpm", 140.0),
                                           ("140 BPM", 140.0), (30, 30.0), (300, 300.0), ("92.5", 92.5)])
def test_parse_tempo_reads_numbers(text, bpm):
    assert parse_tempo(text) == bpm


@pytest.mark.parametrize("bad", [29, 301, "29", "301bpm", "fast?", "", -120, float("nan"), True])
def test_parse_tempo_rejects_bad_values(bad):
    with pytest.raises(InvalidOptionError, match="30 to 300") as err:
        parse_tempo(bad)
    assert repr(bad) in str(err.value)


@pytest.mark.parametrize(("text", "value"), [(0, 0), ("7", 7), (2**32 - 1, 2**32 - 1), (12.0, 12)])
def test_parse_seed(text, value):
    assert parse_seed(text) == value


@pytest.mark.parametrize("bad", [-1, 2**32, "x", "1.5", 1.5, True, ""])
def test_parse_seed_rejects(bad):
    with pytest.raises(InvalidOptionError, match="seed"):
        parse_seed(bad)


def test_parse_instruments_maps_names_to_ids_in_order_without_duplicates():
    assert parse_instruments("piano, strings,piano") == ("piano", "strings")
    assert parse_instruments(["french horn", "Taiko", "horn"]) == ("french-horn", "taiko")
    assert parse_instruments("distorted guitar;bass") == ("distortion-guitar", "finger-bass")


@pytest.mark.parametrize("bad", ["piano,kazoo-9000", "", " , ", []])
def test_parse_instruments_rejects_unknown_or_empty(bad):
    with pytest.raises(InvalidOptionError) as err:
        parse_instruments(bad)
    if "kazoo" in str(bad):
        assert "'kazoo-9000'" in str(err.value)


def test_check_prompt_limits():
    assert check_prompt("") == ""
    assert check_prompt("line one\n\tline two") == "line one\n\tline two"
    assert check_prompt("a\r\nb") == "a\nb"
    assert check_prompt("x" * MAX_PROMPT_CHARS) == "x" * MAX_PROMPT_CHARS
    with pytest.raises(InvalidOptionError, match="2001 characters.*at most 2000"):
        check_prompt("x" * (MAX_PROMPT_CHARS + 1))
    with pytest.raises(InvalidOptionError, match="U\\+0007.*newline and tab"):
        check_prompt("battle\x07")
    with pytest.raises(InvalidOptionError, match="U\\+001B"):
        check_prompt("\x1b[31mred")
    with pytest.raises(InvalidOptionError, match="U\\+0000"):
        check_prompt("a\x00b")


def test_parse_format_and_sample_rate():
    assert parse_format("WAV") == "wav" and parse_format(".flac") == "flac" and parse_format("mp3") == "mp3"
    assert parse_format("OGG") == "ogg"
    with pytest.raises(InvalidOptionError, match="'aiff'.*wav, flac, ogg, mp3"):
        parse_format("aiff")
    assert parse_sample_rate("44100") == 44100 and parse_sample_rate(48000) == 48000 and parse_sample_rate("48k") == 48000
    for bad in ("22050", 96000, "fast"):
        with pytest.raises(InvalidOptionError, match="44100 or 48000"):
            parse_sample_rate(bad)


def test_errors_are_value_errors():
    assert issubclass(InvalidOptionError, ValueError) and issubclass(StyleError, GekibanError)


# ----------------------------------------------------------------------------- bad options

@pytest.mark.parametrize(("option", "value", "shown"), [
    ("key", "H minor", "'H minor'"), ("key", "D mixolydianish", "'D mixolydianish'"),
    ("meter", "5/3", "'5/3'"), ("meter", "4/5", "'4/5'"), ("meter", "waltz", "'waltz'"),
    ("tempo", 29, "29"), ("tempo", "301", "'301'"), ("duration", "abc", "'abc'"), ("duration", 0, "0"),
    ("seed", -3, "-3"), ("instruments", "kazoo", "'kazoo'"),
])
def test_resolve_brief_rejects_bad_options_naming_the_value(option, value, shown):
    # No style library is needed: options are checked before styles are read.
    with pytest.raises(InvalidOptionError) as err:
        resolve_brief("battle", **{option: value})
    assert shown in str(err.value)


def test_unknown_style_is_a_style_error(fake_styles):
    with pytest.raises(StyleError, match="nosuch"):
        fake_brief("x", style="nosuch")
    with pytest.raises(StyleError):
        fake_brief("x", style="")


def test_bad_prompt_rejected_before_anything_else():
    with pytest.raises(InvalidOptionError, match="control character"):
        resolve_brief("boss\x08fight", tempo=140)


# ----------------------------------------------------------------------------- resolving

def test_brief_is_complete_with_evidence_for_every_field(fake_styles):
    b = fake_brief("dramatic battle", seed=3)
    assert isinstance(b, Brief) and isinstance(b.key, Key) and isinstance(b.meter, Meter)
    for name in BRIEF_FIELDS:
        assert b.why(name), f"no evidence for {name}"
    assert {f.name for f in fields(Brief)} >= set(BRIEF_FIELDS) | {"prompt", "evidence", "style_blend"}


def test_prompt_picks_style_by_tags(fake_styles):
    b = fake_brief("dramatic battle", seed=1)
    assert b.style == "orchestral-battle"
    assert "battle" in b.why("style").text
    assert fake_brief("lofi beats to study to", seed=1).style == "lofi"
    assert fake_brief("Boss Fights at dawn", seed=1).style == "orchestral-battle"  # stemmed phrase tag
    assert fake_brief("夏祭りの夜", seed=1).style == "festival"  # Japanese substring
    assert fake_brief("切ない別れ", seed=1).style == "sad-farewell"


def test_no_match_uses_default_style_and_says_so(fake_styles):
    b = fake_brief("zzz qqq", seed=1)
    assert b.style == "hopeful"
    assert b.why("style").text.startswith("default: nothing in the prompt matched a style (best match ")
    assert b.why("style").text.endswith("; used hopeful")
    assert "empty prompt" in fake_brief("", seed=1).why("style").text


def test_mood_words_choose_the_style_when_no_tag_matches(fake_styles):
    b = fake_brief("a melancholy evening", seed=1)
    assert b.style == "sad-farewell" and b.why("style").text.startswith("prompt: closest to ")
    assert b.mood == "sad" and "melancholy" in b.why("mood").text


def test_score_styles_ranks_best_first(fake_styles):
    ranked = score_styles("an epic dramatic battle, a boss fight", fake_styles)
    assert ranked[0][0] == "orchestral-battle" and ranked[0][1] > 0
    assert score_styles("", fake_styles) == []


def test_defaults_come_from_the_style(fake_styles):
    st = fake_styles["orchestral-battle"]
    b = fake_brief("battle", seed=11)
    lo, hi = st.tempo
    assert lo <= b.tempo <= hi and b.tempo == int(b.tempo)
    assert str(b.meter) == st.meters[0]
    assert b.key.mode == "minor" and b.key.name.split()[0] in st.tonics
    assert b.duration == 60.0 and b.instruments == () and b.exclude == () and b.loop is False
    assert "140–175" in b.why("tempo").text


def test_tempo_point_follows_energy(fake_styles):
    calm = fake_brief("calm gentle battle", seed=1)
    epic = fake_brief("epic intense battle", seed=1)
    assert calm.energy < epic.energy and calm.tempo < epic.tempo


def test_mood_words_adjust_energy_and_tension(fake_styles):
    base = fake_brief("hopeful", seed=1)
    calm = fake_brief("a calm hopeful morning", seed=1)
    tense = fake_brief("tense hopeful morning", seed=1)
    assert calm.energy < base.energy and calm.mood == "calm"
    assert tense.tension > base.tension and tense.mood == "tense"
    assert 0.0 <= calm.energy <= 1.0 and 0.0 <= tense.tension <= 1.0
    assert "calm" in calm.why("energy").text
    assert fake_brief("not sad at all, hopeful", seed=1).mood == "hopeful"  # negation skipped


def test_mood_prefers_a_matching_mode_of_the_style(fake_styles):
    assert fake_brief("sad farewell", seed=1).key.mode == "minor"
    b = fake_brief("a happy farewell", seed=1)  # style sad-farewell has minor first, major second
    assert b.style == "sad-farewell" and b.key.mode == "major" and "prefers major" in b.why("key").text


def test_short_family_defaults_to_five_seconds(fake_styles):
    b = fake_brief("a stinger for the transition", seed=1)
    assert b.style == "stinger" and b.duration == 5.0


@pytest.mark.parametrize(("prompt", "field", "value"), [
    ("battle at 140 bpm", "tempo", 140.0), ("battle, 150bpm", "tempo", 150.0), ("バトル テンポ160", "tempo", 160.0),
    ("battle in D minor", "key", Key(2, "minor")), ("hopeful in F# major", "key", Key(6, "major")),
    ("hopeful in Bb dorian", "key", Key(10, "dorian")), ("ニ短調のバトル", "key", Key(2, "minor")),
    ("嬰ヘ長調", "key", Key(6, "major")), ("hopeful in 6/8", "meter", Meter(6, 8)), ("3/4 hopeful", "meter", Meter(3, 4)),
    ("a hopeful waltz", "meter", Meter(3, 4)), ("4分の3拍子", "meter", Meter(3, 4)),
    ("2 minutes of battle", "duration", 120.0), ("90 seconds", "duration", 90.0), ("battle 1:30", "duration", 90.0),
    ("a two-minute battle", "duration", 120.0), ("1 minute 30 seconds", "duration", 90.0),
    ("バトル2分", "duration", 120.0), ("30秒のバトル", "duration", 30.0), ("1分30秒", "duration", 90.0),
    ("TV size opening", "duration", 89.0),
    ("loop", "loop", True), ("a loopable battle", "loop", True), ("ループするバトル", "loop", True),
])
def test_explicit_values_in_the_prompt(fake_styles, prompt, field, value):
    b = fake_brief(prompt, seed=5)
    assert getattr(b, field) == value
    assert b.why(field).text.startswith("prompt:")


@pytest.mark.parametrize("prompt", ["the 90s anime look", "I am here", "a 16:9 frame", "at 3/5 speed",
                                    "A minor setback", "x = 5"])
def test_prose_is_not_misread(fake_styles, prompt):
    b = fake_brief(prompt, seed=5)
    assert b.duration == 60.0 and b.why("tempo").text.startswith("style")
    assert b.why("meter").text.startswith("style")
    assert "A minor setback" == prompt or b.why("key").text.startswith("style")


def test_a_minor_key_is_a_mode_not_a_tonic(fake_styles):
    b = fake_brief("hopeful, in a minor key", seed=5)
    assert b.key.mode == "minor" and "minor key" in b.why("key").text


def test_out_of_range_values_in_the_prompt_are_reported(fake_styles):
    with pytest.raises(InvalidOptionError, match="500 bpm.*--tempo"):
        fake_brief("battle at 500 bpm", seed=1)
    with pytest.raises(InvalidOptionError, match="30 minutes.*--duration"):
        fake_brief("30 minutes of ambience", seed=1)
    # ... unless an explicit option overrides them
    assert fake_brief("battle at 500 bpm", tempo=120, seed=1).tempo == 120.0
    assert fake_brief("30 minutes of ambience", duration="1:00", seed=1).duration == 60.0


def test_explicit_options_win_over_the_prompt(fake_styles):
    text = "sad farewell at 140 bpm in D minor, 3/4, 2 minutes, no drums"
    b = fake_brief(text, seed=9, tempo="96bpm", key="A major", meter="6/8", duration="0:45",
                      style="lofi", instruments="piano,drums")
    assert (b.tempo, b.key, b.meter, b.duration, b.style) == (96.0, Key(9, "major"), Meter(6, 8), 45.0, "lofi")
    assert b.instruments == ("piano", "drums")
    assert b.exclude == ()  # the user named drums explicitly
    for name in ("tempo", "key", "meter", "duration", "style", "instruments", "seed"):
        assert b.why(name).text.startswith("option"), (name, b.why(name).text)
    # text values still apply where no option is given
    b2 = fake_brief(text, seed=9, tempo=96)
    assert b2.key == Key(2, "minor") and b2.meter == Meter(3, 4) and b2.duration == 120.0 and b2.style == "sad-farewell"


def test_excludes_from_the_prompt(fake_styles):
    b = fake_brief("festival music without piano, bass or drums", seed=1)
    assert b.exclude == ("piano", "bass", "drums")
    assert fake_brief("no drums and a soaring melody", seed=1).exclude == ("drums",)
    assert fake_brief("ドラムなしのカフェ", seed=1).exclude == ("drums",)
    assert fake_brief("no strings, no french horns", seed=1).exclude == ("strings", "french-horn")


def test_style_blend(fake_styles):
    b = fake_brief("", style="lofi:0.7+orchestral-battle:0.3", seed=2)
    assert b.style == "lofi:0.7+orchestral-battle:0.3"
    assert b.style_blend == (("lofi", 0.7), ("orchestral-battle", 0.3))
    assert fake_brief("", style="lofi", seed=2).style_blend == ()


def test_seed_is_drawn_and_recorded_when_missing(fake_styles):
    seeds = {fake_brief("battle").seed for _ in range(5)}
    assert all(0 <= s < 2**31 for s in seeds) and len(seeds) > 1
    b = fake_brief("battle")
    assert "random" in b.why("seed").text
    assert fake_brief("battle", seed=b.seed) == _with_seed_evidence(b)


def _with_seed_evidence(b):
    from dataclasses import replace

    return replace(b, evidence=b.with_evidence("seed", Evidence("option", "option seed")))


def test_same_inputs_same_brief_and_seed_changes_key_choice(fake_styles):
    assert fake_brief("battle", seed=42) == fake_brief("battle", seed=42)
    keys = {fake_brief("battle", seed=s).key for s in range(12)}
    assert len(keys) > 1


def test_read_prompt_returns_fields_and_evidence(fake_styles):
    r = read_prompt("loopable dramatic battle at 150 bpm in E minor, 6/8, 90 seconds, no piano", fake_styles)
    assert r["style"] == "orchestral-battle" and r["tempo"] == 150.0 and r["key"] == Key(4, "minor")
    assert r["meter"] == Meter(6, 8) and r["duration"] == 90.0 and r["loop"] is True
    assert r["exclude"] == ("piano",) and r["mood"] == "epic"
    for name in ("style", "tempo", "key", "meter", "duration", "loop", "exclude", "mood"):
        assert r["evidence"][name]
    assert read_prompt("", fake_styles) == {"evidence": {}}


# ----------------------------------------------------------------------------- shipped styles

def _shipped_styles() -> dict:
    if importlib.util.find_spec("gekiban.styles") is None:
        return {}
    from gekiban.styles import all_styles

    try:
        return all_styles()
    except (OSError, GekibanError):  # no style files yet
        return {}


needs_styles = pytest.mark.skipif(not _shipped_styles(), reason="no shipped styles yet")


@needs_styles
def test_real_styles_resolve_every_style():
    for name, st in _shipped_styles().items():
        b = resolve_brief("", style=name, seed=1)
        assert b.style == name
        assert st.tempo[0] <= b.tempo <= st.tempo[1]


@needs_styles
def test_real_styles_prompt_and_default():
    b = resolve_brief("dramatic battle", seed=1)
    assert "battle" in b.style or "battle" in b.why("style").text
    assert resolve_brief("", seed=1).why("style").text.startswith("default:")


# ----------------------------------------------------------------------------- understanding (shipped styles)

@needs_styles
@pytest.mark.parametrize("prompt", ["", "asdf qwer zxcv", "how do I fix my kitchen sink", "12345 !!!", "🎵🎵🎵",
                                    "the quarterly tax report is due friday", "ああああ"])
def test_empty_nonsense_and_off_topic_prompts_use_defaults_and_say_so(prompt):
    from gekiban.understand.explain import explain_lines

    b = resolve_brief(prompt, seed=2)
    assert b.style == "hopeful" and b.why("style").text.startswith("default: ")
    assert b.duration == 60.0 and 0.0 <= b.energy <= 1.0
    assert all(b.why(f).is_default for f in ("duration", "meter", "instruments", "loop", "chords"))
    assert any(line.startswith("defaults used for: style") for line in explain_lines(b))


@needs_styles
def test_every_field_has_evidence_and_neighbours_are_recorded():
    from gekiban.understand.explain import describe_neighbours, understanding

    b = resolve_brief("the hero's last stand in the rain", seed=3)
    for name in (*BRIEF_FIELDS, "chords", "motif"):
        assert b.why(name), name
    assert "similarity" in describe_neighbours(b.neighbours)
    detail = understanding(b)
    assert len(detail["style_neighbours"]) >= 3 and detail["style_neighbours"][0]["style"] == b.style
    assert all(isinstance(n["score"], float) for n in detail["style_neighbours"])


@needs_styles
def test_japanese_prompt_is_glossed_and_read():
    b = resolve_brief("夏祭りの夜、太鼓と笛で賑やかに", seed=3)
    assert b.style == "festival" and "taiko" in b.instruments and "flute" in b.instruments
    assert "summer festival" in b.why("gloss").text


@needs_styles
def test_wanted_instruments_join_the_style_palette_and_only_replaces_it():
    from gekiban.styles import resolve_style

    b = resolve_brief("boss battle with taiko and shamisen, no drums", seed=3)
    assert b.instruments[:2] == ("taiko", "shamisen") and len(b.instruments) > 2
    assert "drums" in b.exclude and "drums" not in b.instruments
    assert not {r.instruments[0] for r in resolve_style(b.style)[1].roles if r.role == "drums"} & set(b.instruments)
    assert resolve_brief("sad farewell, solo piano", seed=3).instruments == ("piano",)
    assert resolve_brief("切ない別れ、ピアノのみ", seed=3).instruments == ("piano",)


@needs_styles
def test_chords_from_text_option_and_precedence():
    b = resolve_brief("a nostalgic flashback; the progression is Am F C G", seed=3)
    assert b.chords == ("Am", "F", "C", "G") and b.key == Key(9, "minor")
    assert "the key the chords" in b.why("key").text
    b = resolve_brief("a nostalgic flashback; the progression is Am F C G", seed=3, chords="Dm G C")
    assert b.chords == ("Dm", "G", "C") and b.why("chords").text.startswith("option chords")
    b = resolve_brief("a dark battle in the style of the Royal Road progression", seed=3)
    assert b.chords == ("IV△7", "V7", "iii7", "vi") and not b.key.is_minor  # a major progression in a minor style
    b = resolve_brief("Royal Road progression", seed=3, key="E minor")
    assert b.key == Key(4, "minor")  # the option wins
    with pytest.raises(InvalidOptionError, match="'Q7'"):
        resolve_brief("x", chords="C Q7")


@needs_styles
def test_named_progression_is_what_the_score_plays():
    from gekiban.composer import build_score
    from gekiban.composer.harmony import read_chord
    from gekiban.styles import resolve_style

    b = resolve_brief("idol live stage, 王道進行", seed=5, duration=30)
    score = build_score(b, resolve_style(b.style)[1])
    want = [read_chord(c, b.key) for c in ("IV△7", "V7", "iii7", "vi")]
    assert [e.chord for e in score.chords[:4]] == want


@needs_styles
def test_midi_seed_gives_motif_chords_and_key(tmp_path):
    from music_fixtures import seed_file

    path = seed_file(tmp_path / "seed.mid")
    b = resolve_brief("a hopeful morning", from_midi=str(path), seed=3)
    assert b.motif[0] == (0.0, 1.0, 72) and b.chords == ("C", "G", "Am", "F") and b.key == Key(0, "major")
    assert "MIDI seed" in b.why("motif").text and "MIDI seed" in b.why("chords").text
    b = resolve_brief("a hopeful morning in D major", from_midi=str(path), seed=3)
    assert b.key == Key(2, "major") and b.chords == ("D", "A", "Bm", "G")  # the seed's chords follow the key
    b = resolve_brief("a hopeful morning", from_midi=str(path), chords="F G", seed=3)
    assert b.chords == ("F", "G")  # --chords wins over the seed's chord track
    with pytest.raises(GekibanError, match="nope.mid"):
        resolve_brief("x", from_midi=str(tmp_path / "nope.mid"))


def test_bad_motif_option_is_rejected():
    for bad in ([(0, 1)], [(0, -1, 60)], [(0, 1, 200)], []):
        with pytest.raises(InvalidOptionError, match="motif"):
            resolve_brief("x", motif=bad)


@needs_styles
@pytest.mark.parametrize(("prompt", "field", "shown"), [
    ("battle at 10 bpm", "tempo", "10 bpm"), ("a 0 seconds cue", "duration", "0 seconds"),
    ("25 minutes of rain", "duration", "25 minutes"),
])
def test_bad_values_in_the_prompt_are_named(prompt, field, shown):
    with pytest.raises(InvalidOptionError, match=f"--{field}") as err:
        resolve_brief(prompt, seed=1)
    assert shown in str(err.value)


@needs_styles
def test_tempo_words_hold_the_tempo_in_their_range():
    assert 168 <= resolve_brief("a fanfare, presto", seed=1).tempo <= 200
    assert 50 <= resolve_brief("a slow battle", seed=1).tempo <= 80
    assert 50 <= resolve_brief("ゆったりした田園", seed=1).tempo <= 80
    b = resolve_brief("a slow battle", seed=1, tempo=150)
    assert b.tempo == 150.0  # the option wins


@needs_styles
def test_energy_follows_the_words():
    from gekiban.understand.brief import energy_level

    assert energy_level(resolve_brief("a quiet, gentle village morning", seed=1).energy) == "low"
    assert energy_level(resolve_brief("explosive final battle", seed=1).energy) == "high"
    calm, wild = resolve_brief("a calm tavern", seed=1), resolve_brief("a rowdy, wild tavern", seed=1)
    assert calm.style == wild.style and calm.energy < wild.energy


@needs_styles
def test_prompt_can_ask_for_a_blend():
    b = resolve_brief("lofi meets chiptune", seed=1)
    assert b.style_blend == (("lofi", 0.6), ("chiptune", 0.4)) and "blend" in b.why("style").text
    assert resolve_brief("cafe jazz with a touch of horror", seed=1).style_blend == (("cafe-jazz", 0.7), ("horror", 0.3))
    assert resolve_brief("ローファイとチップチューンの融合", seed=1).style_blend[0][0] == "lofi"
    assert resolve_brief("lofi meets chiptune", style="heroic", seed=1).style == "heroic"  # the option wins


@needs_styles
def test_keywords_only_reading_needs_no_model():
    b = resolve_brief("夏祭り、太鼓", seed=1, semantic=False)
    assert b.style == "festival" and "similarity" not in b.why("style").text
