"""Styles, progressions and grooves: the shipped data loads and is musically consistent, and
every kind of bad file is reported as ``FILE: FIELD: problem``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gekiban import styles
from gekiban.errors import StyleError
from gekiban.instruments import registry
from gekiban.roles import ROLE_NAMES as ROLES
from gekiban.score import SECTION_KINDS
from gekiban.styles import schema
from gekiban.styles.grooves import parse_grooves
from gekiban.styles.progressions import parse_progressions
from gekiban.styles.schema import Groove, Style
from gekiban.theory import MODES, SCALES, Key, parse_meter, parse_roman

DOCS = Path(__file__).resolve().parents[2] / "docs" / "styles.md"

# A minimal valid style file; the bad-file cases below each break one thing in it.
GOOD = """\
name = "{name}"
description = "A test style"
family = "daily"
tempo = [90, 120]
meters = ["4/4"]
modes = ["major"]
tonics = ["C"]
[harmony]
progressions = ["royal-road", "axis", "1625"]
[melody]
density = 0.5
[roles.lead]
instruments = ["flute"]
[roles.bass]
instruments = ["contrabass"]
pattern = "roots"
[roles.drums]
instruments = ["drums"]
pattern = "rock-8beat"
"""


def write_style(tmp_path: Path, text: str, name: str = "mine") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace("{name}", name), encoding="utf-8")
    return path


# ─── shipped data ─────────────────────────────────────────────────────────────────────────

def test_all_shipped_styles_load():
    all_ = styles.all_styles()
    assert len(all_) >= 30
    assert list(all_) == sorted(all_)
    for name, style in all_.items():
        assert isinstance(style, Style)
        assert style.name == name
        assert style.description and "\n" not in style.description
        assert style.tags and style.tags_ja, name
        assert style.roles, name


def test_families_cover_the_brief():
    families = {s.family for s in styles.all_styles().values()}
    assert set(schema.FAMILIES) <= families


def test_style_fields_are_in_range():
    reg = registry()
    for name, s in styles.all_styles().items():
        assert 30 <= s.tempo[0] <= s.tempo[1] <= 300, name
        for meter in s.meters:
            parse_meter(meter)
        assert all(m in MODES for m in s.modes), name
        assert s.melody.scale is None or s.melody.scale in SCALES
        assert s.harmony.ending in schema.ENDINGS and s.form in schema.FORMS
        for role in s.roles:
            assert role.role in ROLES
            assert all(i in reg for i in role.instruments), (name, role)
        assert [r.role for r in s.roles] == [r for r in ROLES if s.role(r)], name
        assert set(s.harmony.by_section) <= set(SECTION_KINDS)


def test_rich_styles_have_six_roles_and_short_ones_fewer():
    all_ = styles.all_styles()
    for name in ("orchestral-battle", "jrock-battle", "electronic-battle", "chase", "heroic", "idol-pop",
                 "opening-jrock", "sports-climax", "magical-girl", "adventure", "mecha-scifi", "villain"):
        assert len(all_[name].roles) >= 6, name
    assert len(all_["stinger"].roles) <= 5
    assert all_["emotional-piano"].role("drums") is None
    assert all(all_[n].form == "short" for n in ("eyecatch", "stinger", "victory-fanfare"))
    # only horror may drop the key: the atonal styles are all of the horror family
    assert not all_["horror"].tonal and all(s.tonal or s.family == "horror" for s in all_.values())


def test_every_style_has_three_progressions_per_mode():
    catalogue = styles.load_progressions()
    for name, s in styles.all_styles().items():
        for mode in s.modes:
            fitting = [p for p in s.harmony.progressions if styles.progression_fits(catalogue[p], mode)]
            assert len(fitting) >= 3, (name, mode, fitting)
            assert styles.progressions_for(s, mode, "chorus"), (name, mode)


def test_every_style_groove_fits_each_of_its_meters():
    for name, s in styles.all_styles().items():
        for role in s.roles:
            if role.role in ("drums", "percussion"):
                for meter in s.meters:
                    groove = styles.groove_for(role.pattern, meter)
                    assert groove is not None and meter in groove.meters, (name, role.role, meter)


def test_styles_are_distinct():
    """No two styles share the same lead, groove, default mode and meter, and each pair
    differs clearly in tempo, energy, instrumentation or mode."""
    all_ = styles.all_styles()
    signatures = {}
    for name, s in all_.items():
        rhythm = s.role("drums") or s.role("percussion")
        sig = (s.roles[0].instruments[0], rhythm.pattern if rhythm else "", s.modes[0], s.meters[0])
        assert sig not in signatures, (name, signatures.get(sig))
        signatures[sig] = name
    names = list(all_)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            sa, sb = all_[a], all_[b]
            kit_a = {r.instruments[0] for r in sa.roles}
            kit_b = {r.instruments[0] for r in sb.roles}
            differs = (abs(sum(sa.tempo) - sum(sb.tempo)) / 2 >= 12 or abs(sa.energy - sb.energy) >= 0.15
                       or len(kit_a ^ kit_b) >= 3 or sa.modes[0] != sb.modes[0])
            assert differs, (a, b)


def test_progressions_parse_in_every_mode_they_claim():
    progs = styles.load_progressions()
    assert len(progs) >= 40
    for name in ("royal-road", "komuro", "canon", "marusa", "axis", "andalusian", "epic-minor", "aeolian",
                 "mario-cadence", "mixolydian", "chromatic-mediant", "minor-iv", "backdoor", "ii-V-I", "1625",
                 "phrygian-vamp", "dorian-vamp", "lydian", "cliche", "pedal-major", "pedal-minor",
                 "whole-tone-drift", "dim-slide", "blues-turnaround"):
        assert name in progs, name
    assert len(progs["canon"].romans) == 8
    assert progs["mario-cadence"].romans[-1] == "I"
    for p in progs.values():
        assert 2 <= len(p.romans) <= 8 and len(p.romans) in (2, 4, 8), p.name
        assert p.mode in schema.PROGRESSION_MODES and p.description
        modes = [m for m in MODES if styles.progression_fits(p, m)]
        assert modes, p.name
        for mode in modes:
            for tonic in (0, 2, 7, 10):
                for numeral in p.romans:
                    parse_roman(numeral, Key(tonic, mode))


def test_royal_road_spells_correctly():
    chords = [parse_roman(r, Key(0, "major")).symbol for r in styles.load_progressions()["royal-road"].romans]
    assert chords == ["Fmaj7", "G7", "Em7", "Am"]


def test_grooves_have_correct_lengths_and_keys():
    grooves = styles.load_grooves()
    for name in ("rock-8beat", "jpop-16beat", "four-on-the-floor", "half-time", "lofi-boombap", "march",
                 "waltz", "ballad-6-8", "matsuri", "epic-drums", "dnb-chase", "two-beat", "jazz-swing", "bossa",
                 "light-pop", "chiptune", "ambient-pulse", "heartbeat", "comedy", "festival-2-4", "light-3-4",
                 "jig-6-8", "taiko-epic", "taiko-matsuri"):
        assert name in grooves, name
    for g in grooves.values():
        assert isinstance(g, Groove) and g.lanes and g.description
        for meter in g.meters:
            assert g.steps % parse_meter(meter).numerator == 0, g.name
        for lanes in (g.lanes, g.fill):
            for key, pattern in lanes.items():
                assert len(pattern) == g.steps, (g.name, key)
                assert set(pattern) <= set("xXg."), (g.name, key)
                assert (27 <= key <= 87) if g.drum else (36 <= key <= 55), (g.name, key)
        if not g.drum:
            for lanes in (g.lanes, g.fill):
                for step in range(g.steps):
                    assert sum(p[step] != "." for p in lanes.values()) <= 1, (g.name, step)
    assert grooves["waltz"].steps == 12 and grooves["waltz"].meters == ("3/4",)
    assert grooves["festival-2-4"].steps == 8
    assert not grooves["taiko-epic"].drum and grooves["matsuri"].drum
    assert grooves["rock-8beat"].lanes[38] == "....X.......X..."


def test_groove_for_alternates_and_fallback():
    assert styles.groove_for("rock-8beat", "4/4").name == "rock-8beat"
    assert styles.groove_for("rock-8beat", "3/4").name == "waltz"
    assert styles.groove_for("taiko-matsuri", "2/4").name == "taiko-2-4"
    fallback = styles.groove_for("bossa", "6/8")  # no declared alternate: nearest density
    assert fallback is not None and fallback.drum and "6/8" in fallback.meters
    assert styles.groove_for("taiko-epic", "6/8") is None
    with pytest.raises(StyleError, match="unknown groove"):
        styles.groove_for("rock-9beat", "4/4")


def test_load_style_by_name_alias_and_cache():
    a = styles.load_style("orchestral-battle")
    assert styles.load_style("Orchestral Battle") is a
    assert styles.load_style("orchestral_battle") is a
    assert a.role("percussion").instruments == ("taiko",)
    assert a.role("percussion").pattern == "taiko-epic"


def test_unknown_style_lists_close_names():
    with pytest.raises(StyleError) as err:
        styles.load_style("orchestral-batle")
    msg = str(err.value)
    assert "orchestral-battle" in msg and "gekiban styles" in msg


def test_describe_styles():
    rows = styles.describe_styles()
    assert len(rows) == len(styles.all_styles())
    assert rows == sorted(rows)
    assert all(isinstance(n, str) and isinstance(d, str) and d for n, d in rows)
    assert ("lofi", styles.load_style("lofi").description) in rows


# ─── user files ──────────────────────────────────────────────────────────────────────────

def test_user_file_loads(tmp_path):
    path = write_style(tmp_path, GOOD)
    style = styles.load_style(str(path))
    assert style.name == "mine" and style.tempo == (90, 120)
    assert style.role("bass").pattern == "roots"
    assert styles.load_style(path) is style  # cached by path and mtime


def test_pattern_defaults_and_instrument_aliases(tmp_path):
    text = GOOD.replace('instruments = ["flute"]', 'instruments = ["French Horn"]')
    text += '[roles.pad]\ninstruments = ["string ensemble"]\n'
    style = styles.load_style(write_style(tmp_path, text))
    assert style.role("lead").instruments == ("french-horn",)
    assert style.role("pad").instruments == ("strings",) and style.role("pad").pattern == "sustain"


def test_docs_example_is_a_valid_style(tmp_path):
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"## Annotated example\s+```toml\n(.*?)```", text, re.S).group(1)
    style = styles.load_style(write_style(tmp_path, block, name="my-rooftop"))
    assert style.family == "lofi" and style.role("drums").pattern == "lofi-boombap"


BAD_CASES = [
    # (what is changed, replace this, with this, field named in the message, words in the message)
    ("unknown top-level field", 'family = "daily"', 'family = "daily"\ntempi = [1, 2]', "tempi", "unknown field"),
    ("unknown role field", 'pattern = "roots"', 'pattern = "roots"\nvolum = 0.5', "roles.bass.volum", "unknown field"),
    ("wrong type", "tempo = [90, 120]", 'tempo = "fast"', "tempo", "[low, high]"),
    ("wrong number type", "density = 0.5", 'density = "high"', "melody.density", "number"),
    ("tempo too high", "tempo = [90, 120]", "tempo = [90, 400]", "tempo[1]", "out of range"),
    ("tempo reversed", "tempo = [90, 120]", "tempo = [120, 90]", "tempo", "above"),
    ("unknown meter", 'meters = ["4/4"]', 'meters = ["4/5"]', "meters[0]", "meter"),
    ("unknown mode", 'modes = ["major"]', 'modes = ["majestic"]', "modes[0]", "unknown mode"),
    ("unknown scale", "density = 0.5", 'density = 0.5\nscale = "bebop"', "melody.scale", "bebop"),
    ("unknown instrument", 'instruments = ["flute"]', 'instruments = ["kazoo-9000"]', "roles.lead.instruments[0]", "unknown instrument"),
    ("unknown progression", '"royal-road", "axis"', '"royal-rode", "axis"', "harmony.progressions[0]", "did you mean 'royal-road'"),
    ("incompatible progression", '"royal-road", "axis"', '"epic-minor", "axis"', "harmony.progressions[0]", "minor"),
    ("unknown groove", 'pattern = "rock-8beat"', 'pattern = "rock-9beat"', "roles.drums.pattern", "unknown groove"),
    ("groove in wrong meter", 'pattern = "rock-8beat"', 'pattern = "waltz"', "roles.drums.pattern", "4/4"),
    ("melodic groove on a kit", 'pattern = "rock-8beat"', 'pattern = "taiko-epic"', "roles.drums.pattern", "drum"),
    ("unknown role", "[roles.bass]", "[roles.tuba]\ninstruments = [\"tuba\"]\n[roles.bass]", "roles.tuba", "unknown role"),
    ("unknown bass pattern", 'pattern = "roots"', 'pattern = "walk"', "roles.bass.pattern", "walking"),
    ("pattern on the lead", 'instruments = ["flute"]', 'instruments = ["flute"]\npattern = "arp-up"', "roles.lead.pattern", "no pattern"),
    ("kit on the bass", 'instruments = ["contrabass"]', 'instruments = ["drums"]', "roles.bass.instruments", "drum kit"),
    ("name differs from file", 'name = "{name}"', 'name = "other"', "name", "file name"),
    ("bad ending", "[melody]", '[melody]\n', "harmony.ending", "unknown value"),
    ("missing field", 'family = "daily"\n', "", "family", "missing"),
    ("out-of-range volume", 'pattern = "roots"', 'pattern = "roots"\nvolume = 2', "roles.bass.volume", "out of range"),
    ("bad tonic", 'tonics = ["C"]', 'tonics = ["H"]', "tonics[0]", "note name"),
]


@pytest.mark.parametrize("label, old, new, field, words", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_style_file_names_file_and_field(tmp_path, label, old, new, field, words):
    text = GOOD
    if label == "bad ending":
        text = text.replace('progressions = ["royal-road", "axis", "1625"]',
                            'progressions = ["royal-road", "axis", "1625"]\nending = "fade"')
    else:
        assert old in text, label
        text = text.replace(old, new, 1)
    path = write_style(tmp_path, text)
    with pytest.raises(StyleError) as err:
        styles.load_style(str(path))
    msg = str(err.value)
    assert str(path) in msg, msg
    assert f": {field}: " in msg, msg
    assert words in msg, msg


def test_bad_toml_syntax_and_missing_file(tmp_path):
    path = write_style(tmp_path, GOOD + "this is = = not toml\n")
    with pytest.raises(StyleError, match=re.escape(str(path))):
        styles.load_style(str(path))
    with pytest.raises(StyleError, match="no such style file"):
        styles.load_style(str(tmp_path / "absent.toml"))


# ─── bad catalogue files (parsed through the same readers) ────────────────────────────────

@pytest.mark.parametrize("body, field, words", [
    ('[p]\nromans = ["I", "Q"]\nmode = "major"\n', "[p].romans[1]", "Roman numeral"),
    ('[p]\nromans = ["I"]\n', "[p].romans", "2 to 8"),
    ('[p]\nromans = ["I", "V"]\nmode = "mixed"\n', "[p].mode", "unknown value"),
    ('[p]\nromans = ["I", "V"]\nchords = 4\n', "[p].chords", "unknown field"),
])
def test_bad_progression_file(body, field, words):
    with pytest.raises(StyleError) as err:
        parse_progressions(body, "prog.toml")
    msg = str(err.value)
    assert msg.startswith(f"prog.toml: {field}: ") and words in msg, msg


@pytest.mark.parametrize("body, field, words", [
    ('[g]\nsteps = 16\nmeters = ["4/4"]\n[g.lanes]\n"36" = "x...x...x..."\n', '[g].lanes."36"', "12 characters"),
    ('[g]\nsteps = 8\nmeters = ["2/4"]\n[g.lanes]\n"36" = "x..o...."\n', '[g].lanes."36"', "bad characters"),
    ('[g]\nsteps = 16\nmeters = ["3/4"]\n[g.lanes]\n"36" = "x..............."\n', "[g].meters[0]", "does not divide"),
    ('[g]\nsteps = 8\nmeters = ["2/4"]\n[g.lanes]\n"kick" = "x......."\n', '[g].lanes."kick"', "MIDI key"),
    ('[g]\nsteps = 8\nmeters = ["2/4"]\n[g.lanes]\n"20" = "x......."\n', '[g].lanes."20"', "drum key"),
    ('[g]\nsteps = 8\nmeters = ["2/4"]\ndrum = false\n[g.lanes]\n"36" = "x......."\n"41" = "x......."\n',
     "[g].lanes", "one note per step"),
    ('[g]\nsteps = 8\nmeters = ["2/4"]\nalternates = { "4/4" = "nope" }\n[g.lanes]\n"36" = "x......."\n',
     '[g].alternates."4/4"', "unknown groove"),
])
def test_bad_groove_file(body, field, words):
    with pytest.raises(StyleError) as err:
        parse_grooves(body, "grooves.toml")
    msg = str(err.value)
    assert msg.startswith(f"grooves.toml: {field}: ") and words in msg, msg


# ─── blends ───────────────────────────────────────────────────────────────────────────────

def test_parse_single_style_spec():
    [(style, weight)] = styles.parse_style_spec("lofi")
    assert style.name == "lofi" and weight == 1.0


def test_parse_blend_normalises_weights():
    parts = styles.parse_style_spec("lofi:0.7 + orchestral-battle:0.3")
    assert [(s.name, round(w, 6)) for s, w in parts] == [("lofi", 0.7), ("orchestral-battle", 0.3)]
    parts = styles.parse_style_spec("lofi:3+chiptune")
    assert [round(w, 6) for _, w in parts] == [0.75, 0.25]
    parts = styles.parse_style_spec("lofi+lofi:3")
    assert len(parts) == 1 and parts[0][1] == 1.0


@pytest.mark.parametrize("spec, words", [
    ("lofi:abc", "bad weight 'abc'"),
    ("lofi:0", "positive"),
    ("lofi:-0.5+chiptune", "positive"),
    ("lofi:nan", "positive"),
    ("lofi+", "empty part"),
    ("", "empty style"),
    ("lofi:0.5+nosuch-style:0.5", "unknown style 'nosuch-style'"),
])
def test_bad_blend_specs(spec, words):
    with pytest.raises(StyleError, match=re.escape(words)):
        styles.parse_style_spec(spec)


def test_blend_interpolates_and_takes_categories_from_the_heaviest():
    lofi, battle = styles.load_style("lofi"), styles.load_style("orchestral-battle")
    b = styles.blend(styles.parse_style_spec("lofi:0.7+orchestral-battle:0.3"))
    assert b.name == "lofi+orchestral-battle"
    assert b.tempo == (round(0.7 * lofi.tempo[0] + 0.3 * battle.tempo[0]), round(0.7 * lofi.tempo[1] + 0.3 * battle.tempo[1]))
    assert b.energy == pytest.approx(0.7 * lofi.energy + 0.3 * battle.energy, abs=1e-3)
    assert b.swing == pytest.approx(0.7 * lofi.swing + 0.3 * battle.swing, abs=1e-3)
    assert (b.family, b.modes, b.meters, b.form) == (lofi.family, lofi.modes, lofi.meters, lofi.form)
    assert b.role("lead") == lofi.role("lead") and b.role("drums") == lofi.role("drums")
    # roles lofi lacks come from the 30 % style
    assert b.role("percussion") == battle.role("percussion") and b.role("ostinato") == battle.role("ostinato")
    assert set(lofi.harmony.progressions) <= set(b.harmony.progressions)
    assert set(lofi.tags) <= set(b.tags) and set(battle.tags) <= set(b.tags)


def test_blend_drops_light_roles_and_adapts_grooves():
    b = styles.blend(styles.parse_style_spec("emotional-piano:0.8+orchestral-battle:0.2"))
    assert b.role("drums") is None and b.role("percussion") is None
    tavern = styles.blend(styles.parse_style_spec("fantasy-tavern:0.6+orchestral-battle:0.4"))
    assert tavern.meters[0] == "6/8"
    assert "6/8" in styles.load_grooves()[tavern.role("drums").pattern].meters
    assert tavern.role("percussion") is None  # no taiko groove in 6/8


def test_blend_of_one_and_bad_weights():
    lofi = styles.load_style("lofi")
    assert styles.blend([(lofi, 2.0)]) is lofi
    with pytest.raises(StyleError):
        styles.blend([])
    with pytest.raises(StyleError, match="positive"):
        styles.blend([(lofi, 0.0), (styles.load_style("chiptune"), 1.0)])


def test_blend_user_file_with_shipped(tmp_path):
    path = write_style(tmp_path, GOOD)
    parts = styles.parse_style_spec(f"{path}:0.5+lofi:0.5")
    assert [s.name for s, _ in parts] == ["mine", "lofi"]
