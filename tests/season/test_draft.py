"""Script to score: the draft menu of a short script, in English and in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gekiban.season.draft import draft_menu, menu_yaml, parse_script
from gekiban.season.menu import MenuError, parse_menu

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.mark.parametrize("name", ["en.txt", "ja.txt"])
def test_scenes_headings_timings_and_dialogue_are_read(name):
    scenes = parse_script((SCRIPTS / name).read_text(encoding="utf-8"))
    assert len(scenes) == 4
    assert [s.timing for s in scenes] == [30.0, None, 65.0, None]
    assert scenes[1].action == () and len(scenes[1].dialogue) == 2
    assert scenes[2].dialogue == () and len(scenes[2].action) >= 2
    assert scenes[0].time in ("MORNING", "朝") and scenes[2].time in ("NIGHT", "夜")
    assert scenes[0].place in ("KITCHEN", "台所")
    speakers = {who for s in scenes for who, _ in s.dialogue}
    assert speakers in ({"Mio", "Ren"}, {"ミオ", "レン"})


@pytest.mark.parametrize("name", ["en.txt", "ja.txt"])
def test_the_draft_menu_of_a_short_script(name):
    menu = draft_menu((SCRIPTS / name).read_text(encoding="utf-8"), title="test")
    cues = menu.cues
    assert cues[0].m == "M-1" and cues[0].use == "theme" and len(cues[0].motifs) == 1
    lead = cues[0].motifs[0]
    scene_cues = [c for c in cues[1:] if c.use != "stinger"]
    # the office scene is talk only: no cue; the kitchen, the harbour chase and the dawn scene get one
    assert len(scene_cues) == 3
    kitchen, chase, dawn = scene_cues
    assert kitchen.use == "scene" and kitchen.length == 30.0 and kitchen.ending == "loop"
    assert chase.use == "situation" and chase.length == 65.0
    assert dawn.use == "emotion" and 20.0 <= dawn.length <= 120.0
    assert all(c.motifs and lead in c.motifs for c in (kitchen, chase))  # the lead's theme returns
    stingers = [c for c in cues if c.use == "stinger"]
    assert len(stingers) == 1 and stingers[0].length == 4.0 and cues.index(stingers[0]) == cues.index(dawn) - 1
    assert [c.m for c in cues] == [f"M-{i}" for i in range(1, len(cues) + 1)]


def test_the_draft_is_written_in_the_script_language():
    ja = draft_menu((SCRIPTS / "ja.txt").read_text(encoding="utf-8"))
    en = draft_menu((SCRIPTS / "en.txt").read_text(encoding="utf-8"))
    assert ja.cues[0].title == "メインテーマ" and "緊迫" in ja.cues[2].description
    assert en.cues[0].title == "Main Theme" and "chase" in en.cues[2].description and "mio" in en.cues[0].motifs


def test_the_yaml_reads_back_into_the_same_menu():
    menu = draft_menu((SCRIPTS / "ja.txt").read_text(encoding="utf-8"), title="港の夜")
    text = menu_yaml(menu)
    assert text.startswith("# A draft menu") and "港の夜" in text
    again = parse_menu(yaml.safe_load(text))
    assert again == menu


def test_a_script_without_headings_or_music_is_refused():
    with pytest.raises(MenuError, match="no scene heading"):
        draft_menu("just some words\nand more")
    with pytest.raises(MenuError, match="no scene of the script needs music"):
        draft_menu((SCRIPTS / "talk.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("heading, place, time, timing", [
    ("INT. CLASSROOM - DAY", "CLASSROOM", "DAY", None),
    ("EXT. ROOFTOP - NIGHT (1:20)", "ROOFTOP", "NIGHT", 80.0),
    ("12. INT./EXT. CAR - MOVING - NIGHT", "CAR - MOVING", "NIGHT", None),
    ("int. kitchen – morning", "kitchen", "morning", None),
    ("SCENE 3: THE PIER - DUSK (45s)", "THE PIER", "DUSK", 45.0),
    ("○教室（昼）", "教室", "昼", None),
    ("○屋上（夜）（1:20）", "屋上", "夜", 80.0),
    ("シーン3 港（夕方）", "港", "夕方", None),
    ("S#4 駅のホーム（45秒）", "駅のホーム", "", 45.0),
])
def test_scene_headings(heading, place, time, timing):
    scene = parse_script(f"{heading}\nShe runs.\n")[0]
    assert (scene.place, scene.time, scene.timing) == (place, time, timing)
    assert scene.action == ("She runs.",)


def test_a_character_cue_takes_the_lines_below_it_and_a_shout_is_action():
    scene = parse_script("INT. LAB - NIGHT\nSIRENS.\nDR. KIM (V.O.)\n(quietly)\nRun.\nNow.\n\nShe runs.\n")[0]
    assert scene.dialogue == (("Dr. Kim", "Run."), ("Dr. Kim", "Now."))
    assert scene.action == ("SIRENS.", "She runs.")
