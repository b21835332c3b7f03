"""A tiny menu built for real (two cues of 6 s, LocalExecutor), and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gekiban.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = """\
title: テスト
palette: piano, strings, flute
key: C major
motifs: {hero: "C4 E4 G4- E4"}
cues:
  - {m: M-1, title: メインテーマ, use: theme, description: hopeful morning theme, length: 6, motifs: [hero]}
  - {m: M-2, title: 追跡, use: situation, description: tense chase, length: 6, ending: loop}
"""


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "data"))


def test_a_tiny_menu_builds_end_to_end_and_resumes(tmp_path, capsys):
    from gekiban.executor import LocalExecutor
    from gekiban.season.build import build_menu
    from gekiban.season.menu import read_menu

    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    menu = read_menu(path)
    out = tmp_path / "out"
    executor = LocalExecutor(1)
    try:
        result = build_menu(menu, out, executor=executor)
        assert result.composed == ("M-1", "M-2")
        again = build_menu(menu, out, executor=executor)
        assert again.kept == ("M-1", "M-2") and again.composed == ()
    finally:
        executor.close()
    first = json.loads((out / "M-1" / "track.json").read_text(encoding="utf-8"))
    second = json.loads((out / "M-2" / "track.json").read_text(encoding="utf-8"))
    assert first["brief"]["key"] == "C major" and "hero" in json.dumps(first["request"])  # the leitmotif reached it
    assert second["brief"]["loop"] and 5.0 <= second["brief"]["duration"] <= 8.0
    assert {p["instrument"] for p in first["parts"]} <= {"piano", "strings", "flute"}
    sheet = json.loads((out / "cuesheet.json").read_text(encoding="utf-8"))
    assert [c["m"] for c in sheet["cues"]] == ["M-1", "M-2"] and sheet["cues"][0]["motifs"] == ["hero"]
    assert "M-2/mix.wav" in (out / "index.html").read_text(encoding="utf-8")


def test_menu_check_prints_the_plan(capsys):
    assert main(["menu", "check", str(ROOT / "examples" / "menu-en.yaml")]) == 0
    out = capsys.readouterr().out
    assert "palette:" in out and "M-1" in out and "theme" in out


def test_menu_draft_writes_a_menu_that_checks(tmp_path, capsys):
    target = tmp_path / "menu.yaml"
    assert main(["menu", "draft", str(ROOT / "examples" / "script-en.txt"), "--out", str(target)]) == 0
    from gekiban.season.menu import read_menu

    assert read_menu(target).cues[0].use == "theme"
    assert main(["menu", "draft", str(ROOT / "examples" / "script-ja.txt")]) == 0
    assert "メインテーマ" in capsys.readouterr().out


def test_menu_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ncues:\n  - {m: M-1, title: a, use: battle}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["menu", "check", str(bad)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "M-1: unknown use 'battle'" in err
    with pytest.raises(SystemExit):
        main(["menu", "build", str(bad)])  # --out is required
    assert "--out" in capsys.readouterr().err
