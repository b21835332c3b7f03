"""The catalogue states each genre's idiom as data: every style names figures and grooves that
exist and fit its meter, the calm and busy versions belong to the same idiom, and each genre
keeps the figure, groove, meter and feel that define it (a waltz's bass on one, a tango's
habanera, a jazz style's swing, a jig's 6/8)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gekiban import styles
from gekiban.styles.figures import FIGURE_ROLES, figures_for
from gekiban.styles.schema import FAMILIES
from gekiban.theory import parse_meter

NAMED = Path(styles.__file__).resolve().parents[1] / "data" / "understand" / "named.toml"
ALL = styles.all_styles()

#: The genre styles added with their idioms (at least 27 beyond the first 35).
GENRES = (
    "ballroom-waltz", "tango", "shounen-battle", "city-pop", "visual-kei-rock", "horror-ambience", "detective-jazz",
    "cyberpunk-synthwave", "wuxia", "taisho-roman", "enka", "spaghetti-western", "space-opera", "isekai-village",
    "school-daily-life", "sentimental-strings", "gag-comedy", "celtic-jig", "big-band-swing", "sacred-choir",
    "music-box-lullaby", "sneaking", "eurobeat", "baroque-court", "arabian-desert", "ragtime-silent-film",
    "tropical-summer", "choral-ritual", "drum-and-bass",
)


def test_the_catalogue_reaches_sixty_styles():
    assert len(ALL) >= 62
    assert set(GENRES) <= set(ALL)
    assert all(ALL[n].family in FAMILIES for n in GENRES)
    for name in GENRES:
        s = ALL[name]
        assert len(s.scenes) >= 4 and s.keywords and s.keywords_ja and s.tags and s.tags_ja, name


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_role_names_figures_and_grooves_that_exist(name):
    grooves = styles.load_grooves()
    for role in ALL[name].roles:
        named = [n for n in (role.pattern, role.calm, role.busy) if n]
        if role.role in FIGURE_ROLES:
            figs = figures_for(role.role)
            assert all(n in figs for n in named), (name, role.role, named)
        elif role.role in ("drums", "percussion"):
            assert all(n in grooves for n in named), (name, role.role, named)
            kinds = {grooves[n].drum for n in named}
            assert len(kinds) == 1, (name, role.role)  # calm and busy are the same kind of groove
        else:
            assert not named, (name, role.role)  # lead and counter play lines


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_groove_fits_the_first_meter_and_its_variants_too(name):
    s = ALL[name]
    first = s.meters[0]
    for role in s.roles:
        if role.role not in ("drums", "percussion"):
            continue
        for groove in (role.pattern, role.calm, role.busy):
            if groove:
                g = styles.groove_for(groove, first)
                assert g is not None and first in g.meters, (name, role.role, groove, first)


def test_groove_calm_and_busy_versions_are_of_the_same_kind_and_meter():
    grooves = styles.load_grooves()
    linked = 0
    for name, g in grooves.items():
        for other in (g.calm, g.busy):
            if not other:
                continue
            linked += 1
            o = grooves[other]
            assert o.drum == g.drum and set(o.meters) & set(g.meters), (name, other)
    assert linked >= 20
    assert grooves["rock-8beat"].busy == "rock-16hat"


def test_melodic_percussion_grooves_strike_one_note_at_a_time():
    for name, g in styles.load_grooves().items():
        if g.drum:
            continue
        for lanes in (g.lanes, g.fill):
            hits = [i for s in lanes.values() for i, c in enumerate(s) if c != "."]
            assert len(hits) == len(set(hits)), name


# ─── each genre keeps what defines it ─────────────────────────────────────────────────────

IDIOMS = {
    # style: {role: pattern}, the figure or groove that makes the genre
    "ballroom-waltz": {"bass": "waltz-bass", "pad": "waltz-chords"},
    "tango": {"bass": "habanera", "pad": "tango-chords"},
    "city-pop": {"bass": "funk", "ostinato": "cutting", "pad": "pulse-8", "drums": "citypop-16"},
    "cyberpunk-synthwave": {"ostinato": "octave-arp", "drums": "synthwave-gated"},
    "wuxia": {"ostinato": "tremolo-picking"},
    "spaghetti-western": {"ostinato": "gallop", "drums": "western-gallop"},
    "gag-comedy": {"bass": "oom-pah", "drums": "cartoon-2-4"},
    "detective-jazz": {"bass": "walking", "drums": "jazz-brushes"},
    "big-band-swing": {"bass": "walking", "drums": "big-band-swing"},
    "shounen-battle": {"ostinato": "chug"},
    "visual-kei-rock": {"drums": "double-kick"},
    "eurobeat": {"bass": "octaves", "drums": "eurobeat"},
    "drum-and-bass": {"drums": "amen-break"},
    "arabian-desert": {"drums": "maqsum"},
    "tropical-summer": {"pad": "offbeat", "drums": "calypso"},
    "celtic-jig": {"pad": "open-fifths", "drums": "jig-6-8"},
    "ragtime-silent-film": {"bass": "oom-pah", "pad": "offbeat"},
    "baroque-court": {"ostinato": "alberti-16"},
    "choral-ritual": {"percussion": "taiko-ritual"},
    "enka": {"bass": "two-feel", "drums": "enka-slow-rock"},
}


@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_each_genre_plays_its_defining_figure(name):
    s = ALL[name]
    for role, pattern in IDIOMS[name].items():
        assert s.role(role) is not None and s.role(role).pattern == pattern, (name, role)


def test_genre_meters_tempi_and_feel():
    assert ALL["ballroom-waltz"].meters[0] == "3/4" and ALL["ballroom-waltz"].tempo[0] >= 150  # Viennese
    assert parse_meter(ALL["celtic-jig"].meters[0]).compound and parse_meter(ALL["isekai-village"].meters[0]).compound
    assert ALL["taisho-roman"].meters[0] in ("2/4", "3/4") and ALL["gag-comedy"].meters[0] == "2/4"
    assert 170 <= ALL["drum-and-bass"].tempo[0] <= ALL["drum-and-bass"].tempo[1] <= 180
    assert ALL["shounen-battle"].tempo[0] >= 170 and ALL["eurobeat"].tempo[0] >= 150
    assert ALL["enka"].tempo[1] <= 80 and ALL["sentimental-strings"].tempo[1] <= 64
    assert not ALL["horror-ambience"].tonal
    # the swing of the jazz styles: a swung eighth or a triplet-grid groove
    grooves = styles.load_grooves()
    for name, s in ALL.items():
        if s.family == "jazz" and s.role("drums") and s.role("bass").pattern == "walking":
            assert s.swing >= 0.6 or grooves[s.role("drums").pattern].steps == 12, name
    # the minor-mode genres and the yonanuki of enka
    for name in ("tango", "visual-kei-rock", "spaghetti-western", "enka", "arabian-desert", "choral-ritual"):
        assert ALL[name].modes[0] in ("minor", "harmonic-minor", "phrygian"), name
    assert ALL["enka"].melody.scale == "hirajoshi" and ALL["wuxia"].melody.scale == "minor-pentatonic"


def test_ensembles_that_define_a_genre():
    lead = {n: ALL[n].role("lead").instruments[0] for n in GENRES}
    assert lead["tango"] == "tango-accordion" and ALL["tango"].role("drums") is None
    assert ALL["ballroom-waltz"].role("drums") is None  # a salon orchestra keeps no kit
    assert lead["sacred-choir"] == "choir" and ALL["sacred-choir"].role("pad").instruments[0] == "church-organ"
    assert lead["music-box-lullaby"] == "music-box" and lead["spaghetti-western"] == "whistle"
    assert {r.instruments[0] for r in ALL["sentimental-strings"].roles} <= {"cello", "violin", "viola", "slow-strings",
                                                                            "strings", "contrabass"}
    assert {r.instruments[0] for r in ALL["ragtime-silent-film"].roles} == {"honky-tonk-piano"}
    assert ALL["cyberpunk-synthwave"].role("bass").instruments[0].startswith("synth-bass")


def test_articulation_and_phrase_idioms():
    staccato = ("staccato", "pizzicato")
    for name in ("comedy", "slice-of-life", "school-daily-life", "gag-comedy", "sneaking"):
        assert ALL[name].role("lead").articulation in staccato, name
    for name in ("romance", "sad-farewell", "sentimental-strings", "enka"):
        assert ALL[name].role("lead").articulation == "legato", name
    for name in ("orchestral-battle", "sports-climax"):
        assert ALL[name].role("pad").articulation == "marcato", name
        assert ALL[name].role("ostinato").double == 12, name
    for name in ("cafe-jazz", "mystery", "ambient", "horror", "detective-jazz", "horror-ambience"):
        assert ALL[name].melody.phrases == "through" and ALL[name].melody.returns == "develop", name
    for name in ("chiptune", "lofi", "electronic-battle"):
        assert ALL[name].melody.returns == "literal", name


def test_genre_words_point_to_their_styles_first():
    named = tomllib.loads(NAMED.read_text(encoding="utf-8"))
    assert named["dance"]["tango"]["styles"][0] == "tango"
    assert named["dance"]["enka"]["blend"][0] == "enka"
    assert named["setting"]["ballroom"]["styles"][0] == "ballroom-waltz"
    assert named["genre"]["drum-and-bass"]["styles"][0] == "drum-and-bass"
    assert named["genre"]["space-opera"]["styles"][0] == "space-opera"
    for kind in named.values():
        for entry in kind.values():
            if isinstance(entry, dict):
                assert set(entry.get("styles", ())) | set(entry.get("blend", ())) <= set(ALL)
