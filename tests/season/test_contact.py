"""The contact sheet: every cue with a player, nothing from the internet, every text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from season_fixtures import FakeExecutor

from gekiban.season.build import build_menu
from gekiban.season.menu import parse_menu
from gekiban.season.plan import plan_menu


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def build(tmp_path, monkeypatch, title, cues):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "data"))
    menu = parse_menu({"title": title, "cues": cues})
    out = tmp_path / "out"
    build_menu(menu, out, executor=FakeExecutor(), jobs=plan_menu(menu, semantic=False))
    return (out / "index.html").read_text(encoding="utf-8")


def test_every_cue_has_a_player_and_its_facts(tmp_path, monkeypatch):
    page = build(tmp_path, monkeypatch, "星の学園", [
        {"m": f"M-{i}", "title": f"曲{i}", "use": use, "description": "calm", "length": 20}
        for i, use in enumerate(("theme", "scene", "emotion", "stinger"), 1)])
    p = Collect()
    p.feed(page)
    sources = [a["src"] for t, a in p.tags if t == "source"]
    assert sources == [f"M-{i}/mix.wav" for i in range(1, 5)]
    assert sum(1 for t, _ in p.tags if t == "audio") == 4
    text = "".join(p.text)
    for i in range(1, 5):
        assert f"M-{i}" in text and f"曲{i}" in text
    assert "テーマ (BGM)" in text and "ブリッジ" in text and "0:20" in text and "bpm" in text
    assert '<html lang="ja">' in page


def test_no_internet_assets_and_no_script(tmp_path, monkeypatch):
    page = build(tmp_path, monkeypatch, "Star Academy", [{"m": "M-1", "title": "Main theme", "length": 20}])
    assert not re.search(r"https?://", page) and "<script" not in page and "<link" not in page
    assert '<html lang="en">' in page and "Listen" in page


def test_every_text_is_escaped(tmp_path, monkeypatch):
    evil = '<script>alert("x")</script>'
    page = build(tmp_path, monkeypatch, evil, [{"m": "M-1", "title": evil, "description": f"calm {evil} & more",
                                                "length": 20}])
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "&amp; more" in page
