"""Reading and checking a menu file: every bad input names the cue and the field."""

from __future__ import annotations

import pytest

from gekiban.season.menu import MenuError, parse_menu, read_menu

GOOD = """\
title: 星の学園 第1クール
composer: 劇伴太郎
palette: orchestral
key: D major
motifs: {hero: "D4 F#4 A4- B4/ A4/ F#4-"}
cues:
  - m: M-1
    title: メインテーマ
    use: theme
    description: 希望に満ちた朝、主人公のテーマ
    length: "1:30"
    ending: ring
    motifs: [hero]
  - m: m2
    title: 日常
    use: 情景
    description: calm school afternoon
    length: 60
    ending: loop
  - m: M-3
    title: ブリッジ
    use: stinger
"""


def cue(**over):
    base = {"m": "M-1", "title": "theme", "use": "theme", "description": "hopeful", "length": 30}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def menu(*cues, **over):
    data = {"title": "t", "cues": list(cues) or [cue()]}
    data.update(over)
    return data


def test_a_good_yaml_menu_reads_into_values(tmp_path):
    path = tmp_path / "menu.yaml"
    path.write_text(GOOD, encoding="utf-8")
    m = read_menu(path)
    assert m.title == "星の学園 第1クール" and m.composer == "劇伴太郎" and m.palette == "orchestral"
    assert m.key == "D major" and m.motifs == (("hero", "D4 F#4 A4- B4/ A4/ F#4-"),)
    assert [c.m for c in m.cues] == ["M-1", "M-2", "M-3"]
    assert m.cues[0].length == 90.0 and m.cues[0].motifs == ("hero",)
    assert m.cues[1].use == "scene" and m.cues[1].ending == "loop"
    assert m.cues[2].length == 4.0 and m.cues[2].ending == "button" and m.cues[2].description == "ブリッジ"
    with pytest.raises(Exception):
        m.cues[0].title = "x"  # frozen


def test_a_csv_menu_reads_the_same_columns(tmp_path):
    path = tmp_path / "season.csv"
    path.write_text("\ufeff# title: Star Academy\n# palette: piano, strings\n# motif hero: D4 E4 F#4-\n"
                    "m,title,use,description,length,ending,motifs\n"
                    "M-1,Main theme,theme,hopeful morning,1:00,ring,hero\n"
                    "M-2,Daily,scene,calm afternoon,40,loop,\n", encoding="utf-8")
    m = read_menu(path)
    assert m.title == "Star Academy" and m.palette == "piano, strings" and m.motifs == (("hero", "D4 E4 F#4-"),)
    assert [(c.m, c.use, c.length, c.ending, c.motifs) for c in m.cues] == [
        ("M-1", "theme", 60.0, "ring", ("hero",)), ("M-2", "scene", 40.0, "loop", ())]


def test_a_csv_menu_without_a_title_takes_the_file_name(tmp_path):
    path = tmp_path / "ep01.csv"
    path.write_text("m,title\nM-1,theme\n", encoding="utf-8")
    assert read_menu(path).title == "ep01"


BAD = [
    (["not", "a", "mapping"], None, None, "mapping"),
    (menu(extra=1), None, "extra", "unknown field 'extra'"),
    ({"cues": [cue()]}, None, "title", "no title"),
    (menu(cues=[]), None, "cues", "no cues"),
    (menu(cues="M-1"), None, "cues", "no cues"),
    (menu(cues=["M-1"]), None, None, "cue 1 must be a mapping"),
    (menu(cue(m=None)), "cue 1", "m", "no M-number"),
    (menu(cue(m="track one")), "cue 1", "m", "bad M-number"),
    (menu(cue(), cue(m="m1", title="again")), "M-1", "m", "appears twice"),
    (menu(cue(colour="red")), "M-1", "colour", "unknown field 'colour'"),
    (menu(cue(title=None)), "M-1", "title", "title is missing"),
    (menu(cue(title=["a"])), "M-1", "title", "must be text"),
    (menu(cue(title="x" * 501)), "M-1", "title", "at most 500"),
    (menu(cue(use="battle")), "M-1", "use", "unknown use 'battle'"),
    (menu(cue(length="long")), "M-1", "length", "bad duration"),
    (menu(cue(length=0)), "M-1", "length", "more than 0"),
    (menu(cue(length=0.5)), "M-1", "length", "1 s to 600 s"),
    (menu(cue(length="11:00")), "M-1", "length", "1 s to 600 s"),
    (menu(cue(length=True)), "M-1", "length", "bad length"),
    (menu(cue(ending="explode")), "M-1", "ending", "unknown ending"),
    (menu(cue(motifs={"a": 1})), "M-1", "motifs", "list of motif names"),
    (menu(cue(motifs=["Hero!"])), "M-1", "motifs", "'Hero!' is not allowed"),
    (menu(cue(key="H major")), "M-1", "key", "M-1"),
    (menu(cue(tempo=900)), "M-1", "tempo", "M-1"),
    (menu(key="Q minor"), None, "key", "Q minor"),
    (menu(motifs=["hero"]), None, "motifs", "map names to notes"),
    (menu(motifs={"Hero": "C4"}), None, "motifs", "'Hero' is not allowed"),
    (menu(motifs={"hero": ""}), None, "motifs", "needs its notes"),
    (menu(cues=[cue(m=f"M-{i}") for i in range(1, 202)]), None, "cues", "at most 200"),
]


@pytest.mark.parametrize("data, where, field, words", BAD)
def test_every_bad_field_is_refused_with_the_cue_and_field_named(data, where, field, words):
    with pytest.raises(MenuError) as info:
        parse_menu(data, where="menu.yaml")
    message = str(info.value)
    assert message.startswith("menu.yaml: ") and words in message
    assert info.value.field == field
    if where is not None:
        assert where in message and info.value.cue == where
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("name, text, words", [
    ("bad.yaml", "title: [unclosed\n", "not a YAML menu (line"),
    ("cols.csv", "m,title,colour\nM-1,a,red\n", "unknown column 'colour'"),
    ("cells.csv", "m,title\nM-1,a,extra\n", "more cells"),
    ("head.csv", "# season: 1\nm,title\nM-1,a\n", "unknown menu field 'season'"),
    ("dup.csv", "m,title\nM-1,a\nM-1,b\n", "M-1 appears twice"),
    ("empty.csv", "", "no cues"),
])
def test_bad_files_are_refused(tmp_path, name, text, words):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MenuError) as info:
        read_menu(path)
    assert words in str(info.value) and name in str(info.value)


def test_a_missing_or_non_utf8_file_is_refused(tmp_path):
    with pytest.raises(MenuError, match="cannot read the menu"):
        read_menu(tmp_path / "none.yaml")
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(MenuError, match="not UTF-8"):
        read_menu(path)


def test_the_examples_in_the_docs_and_examples_read(tmp_path):
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "menu.md").read_text(encoding="utf-8")
    yaml_block = re.search(r"```yaml\n(.*?)```", page, re.S)[1]
    csv_block = re.search(r"```csv\n(.*?)```", page, re.S)[1]
    (tmp_path / "doc.yaml").write_text(yaml_block, encoding="utf-8")
    (tmp_path / "doc.csv").write_text(csv_block, encoding="utf-8")
    assert read_menu(tmp_path / "doc.yaml").cues[0].tempo == 132
    assert [c.m for c in read_menu(tmp_path / "doc.csv").cues] == ["M-1", "M-2"]
    for name in ("menu-en.yaml", "menu-ja.yaml"):
        menu = read_menu(root / "examples" / name)
        assert 4 <= len(menu.cues) <= 6 and all(c.length <= 40 for c in menu.cues)
