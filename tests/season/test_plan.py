"""The plan: a shared palette, the key plan, reproducible seeds, one request per cue."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from gekiban.requests import ComposeRequest
from gekiban.season.menu import MenuError, parse_menu
from gekiban.season.plan import cue_seed, plan_menu, related_key, resolve_palette
from gekiban.theory import parse_key


def make(cues, **over):
    return parse_menu({"title": "星の学園", "cues": cues, **over})


CUES = [
    {"m": "M-1", "title": "テーマ", "use": "theme", "description": "hopeful heroic morning", "length": 30},
    {"m": "M-2", "title": "日常", "use": "scene", "description": "calm peaceful afternoon", "length": 20, "ending": "loop"},
    {"m": "M-3", "title": "別れ", "use": "emotion", "description": "sad farewell", "length": 20},
    {"m": "M-4", "title": "追跡", "use": "situation", "description": "tense dark chase", "length": 20, "ending": "fade"},
    {"m": "M-5", "title": "ブリッジ", "use": "stinger", "description": "shock"},
    {"m": "M-6", "title": "アイキャッチ", "use": "eye-catch", "description": "cheerful jingle"},
]


@pytest.mark.parametrize("main, use, minor, expected", [
    ("D major", "theme", False, "D major"), ("D major", "scene", False, "G major"),
    ("D major", "situation", False, "A major"), ("D major", "emotion", False, "D major"),
    ("D major", "emotion", True, "B minor"), ("D major", "situation", True, "F# minor"),
    ("A minor", "scene", True, "D minor"), ("A minor", "emotion", False, "C major"),
    ("A minor", "stinger", False, "G major"),
])
def test_related_keys_by_use_and_mood(main, use, minor, expected):
    assert related_key(parse_key(main), use, minor).name == expected


def test_seeds_come_from_the_title_and_the_m_number():
    assert cue_seed("星の学園", "M-1") == cue_seed("星の学園", "M-1")
    assert len({cue_seed("星の学園", f"M-{i}") for i in range(1, 40)}) == 39
    assert cue_seed("星の学園", "M-1") != cue_seed("月の学園", "M-1")
    assert 0 <= cue_seed("x", "M-1") < 2**31


def test_a_plan_has_one_request_per_cue_with_one_palette_and_related_keys():
    jobs = plan_menu(make(CUES, key="D major", palette="piano, strings, flute"), semantic=False)
    assert [j.cue.m for j in jobs] == [c["m"] for c in CUES]
    assert {j.request.instruments for j in jobs} == {"piano, strings, flute"}
    assert jobs[0].key == "D major" and jobs[0].request.key == "D major"
    related = {"D major", "G major", "A major", "B minor", "E minor", "F# minor"}
    assert {j.key for j in jobs} <= related
    assert jobs[1].request.loop and jobs[1].request.ending is None
    assert jobs[3].request.ending == "fade"
    assert jobs[4].request.cue == "stinger" and jobs[4].request.duration == 4.0
    assert jobs[5].request.cue == "eyecatch"
    assert all(j.request.prompt == j.cue.description and j.request.seed == cue_seed("星の学園", j.cue.m) for j in jobs)
    again = plan_menu(make(CUES, key="D major", palette="piano, strings, flute"), semantic=False)
    assert [j.request for j in again] == [j.request for j in jobs]


def test_params_are_json_and_read_back_into_the_same_request():
    for job in plan_menu(make(CUES), semantic=False):
        params = json.loads(json.dumps(job.params()))
        assert ComposeRequest.from_mapping(params) == job.request


def test_without_a_palette_the_theme_style_line_up_is_shared():
    jobs = plan_menu(make(CUES), semantic=False)
    assert len({j.palette for j in jobs}) == 1 and jobs[0].palette
    assert jobs[0].request.instruments == ", ".join(jobs[0].palette)


def test_a_key_the_cue_or_its_description_names_is_kept():
    cues = [dict(CUES[0]), {"m": "M-2", "title": "a", "use": "scene", "description": "sad piano in E minor"},
            {"m": "M-3", "title": "b", "use": "scene", "description": "calm", "key": "F major"}]
    jobs = plan_menu(make(cues, key="D major"), semantic=False)
    assert jobs[1].request.key is None and jobs[1].key == "E minor"
    assert jobs[2].request.key == "F major"


@pytest.mark.parametrize("palette, contains", [
    ("orchestral", "timpani"), ("orchestra", "french-horn"), ("string quartet", "viola"), ("オーケストラ", "tuba"),
    ("slice-of-life", "piano"), ("koto, shakuhachi", "koto"),
])
def test_palettes_are_styles_line_ups_or_instrument_lists(palette, contains):
    assert contains in resolve_palette(palette)


def test_an_unknown_palette_is_refused():
    with pytest.raises(MenuError, match="palette 'kazoo orchestra of doom'") as info:
        plan_menu(make(CUES, palette="kazoo orchestra of doom"), semantic=False)
    assert info.value.field == "palette"


def test_motif_names_reach_the_request_when_it_has_the_field():
    cues = [dict(CUES[0], motifs=["hero"])]
    job = plan_menu(make(cues), semantic=False)[0]
    assert job.motifs == ("hero",)
    if any(f.name == "motif" for f in fields(ComposeRequest)):
        assert job.request.motif == "hero" and job.motifs_in_request
    else:
        assert not job.motifs_in_request
