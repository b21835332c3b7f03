"""The cue sheet: one row a cue with the fields a Japanese cue sheet needs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from season_fixtures import FakeExecutor

from gekiban.season.build import build_menu
from gekiban.season.menu import parse_menu
from gekiban.season.plan import plan_menu


@pytest.fixture
def built(tmp_path, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "data"))
    menu = parse_menu({"title": "星の学園", "composer": "劇伴太郎", "motifs": {"hero": "D4 F#4 A4-"}, "cues": [
        {"m": "M-1", "title": "メインテーマ", "use": "theme", "description": "hopeful", "length": 30, "motifs": ["hero"]},
        {"m": "M-2", "title": "日常", "use": "情景", "description": "calm afternoon", "length": 75, "ending": "loop"}]})
    out = tmp_path / "out"
    build_menu(menu, out, executor=FakeExecutor(), jobs=plan_menu(menu, semantic=False))
    return out


def test_the_csv_has_every_cue_and_field(built):
    raw = (built / "cuesheet.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheet programs then read the Japanese
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["m"] for r in rows] == ["M-1", "M-2"]
    first, second = rows
    assert first["title"] == "メインテーマ" and first["use"] == "theme" and first["use_ja"] == "テーマ (BGM)"
    assert first["composer"] == "劇伴太郎" and first["duration"] == "0:30" and first["duration_s"] == "30.0"
    assert first["tempo"] == "120" and first["key"] and first["motifs"] == "hero"
    assert first["mix"] == "M-1/mix.wav" and first["midi"] == "M-1/score.mid"
    assert first["stems"] == "M-1/stems/01-lead-piano.wav"
    assert second["use_ja"] == "情景 (BGM)" and second["duration"] == "1:15" and second["ending"] == "loop"


def test_the_json_says_the_same(built):
    data = json.loads((built / "cuesheet.json").read_text(encoding="utf-8"))
    assert data["title"] == "星の学園" and data["composer"] == "劇伴太郎"
    first = data["cues"][0]
    assert first["m"] == "M-1" and first["motifs"] == ["hero"] and first["stems"] == ["M-1/stems/01-lead-piano.wav"]
    assert first["duration_s"] == 30.0 and first["tempo"] == 120
