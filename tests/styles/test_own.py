"""A style's own progressions, grooves, section length and melody statistics (what a learned
style carries), and the user's own styles found by name in the data folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gekiban import styles
from gekiban.composer.form import plan_form
from gekiban.composer.motifs import make_motif
from gekiban.errors import StyleError
from gekiban.styles import blend, load_style, style_grooves, style_progressions, user_style_names
from gekiban.theory import Meter

OWN = """\
name = "{name}"
description = "A style with its own progressions and groove"
family = "learned"
tempo = [96, 104]
meters = ["4/4"]
modes = ["dorian"]
section_bars = 4
[harmony]
progressions = ["{name}-vamp", "{name}-vamp", "dorian-groove"]
[melody]
cells = ["0:0.5 0.5:0.5", "", "0:1"]
cell_weights = [3, 1, 2]
moves = [0, 0, 0, 0, 0, 1, 4, 2, 4, 1, 0, 0, 0, 0, 0]
[roles.lead]
instruments = ["flute"]
[roles.bass]
instruments = ["finger-bass"]
pattern = "{name}-line"
[roles.drums]
instruments = ["drums"]
pattern = "{name}-groove"
[figures.bass.{name}-line]
step = 0.25
tones = ["b", ".", ".", "8", ".", ".", "b", ".", "7", ".", "5", ".", ".", ".", "8", "."]
calm = "roots"
[progressions.{name}-vamp]
romans = ["i7", "IV7"]
mode = "minor"
[grooves.{name}-groove]
steps = 16
meters = ["4/4"]
busy = "rock-8beat"
[grooves.{name}-groove.lanes]
"36" = "x.....x...x....."
"38" = "....X.......X..."
"""


def write(folder: Path, text: str, name: str = "mine") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text.replace("{name}", name), encoding="utf-8")
    return path


def test_own_progressions_grooves_and_melody_statistics_are_read(tmp_path):
    style = load_style(write(tmp_path, OWN))
    assert [p.name for p in style.progressions] == ["mine-vamp"] and style.progressions[0].romans == ("i7", "IV7")
    assert [g.name for g in style.grooves] == ["mine-groove"] and style.grooves[0].busy == "rock-8beat"
    assert style.harmony.progressions == ("mine-vamp", "mine-vamp", "dorian-groove")
    assert style.melody.cells == (((0.0, 0.5), (0.5, 0.5)), (), ((0.0, 1.0),)) and style.melody.cell_weights == (3, 1, 2)
    assert style.section_bars == 4 and len(style.melody.moves) == 15
    assert "mine-vamp" in style_progressions(style) and "dorian-groove" in style_progressions(style)
    assert "mine-groove" in style_grooves(style) and "rock-8beat" in style_grooves(style)
    assert [(f.role, f.name, f.calm) for f in style.figures] == [("bass", "mine-line", "roots")]


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ('[progressions.{name}-vamp]', '[progressions.royal-road]', "progressions.royal-road", "shipped progression"),
    ('[grooves.{name}-groove', '[grooves.rock-8beat', "grooves.rock-8beat", "shipped groove"),
    ('pattern = "{name}-groove"', 'pattern = "nogroove"', "roles.drums.pattern", "unknown groove"),
    ('"{name}-vamp", "{name}-vamp"', '"{name}-vmp"', "harmony.progressions[0]", "unknown progression"),
    ('romans = ["i7", "IV7"]', 'romans = ["i7", "Q"]', "[progressions.mine-vamp].romans[1]", "Roman numeral"),
    ('cells = ["0:0.5 0.5:0.5", "", "0:1"]', 'cells = ["0:0.5 half"]', "melody.cells[0]", "onset:length"),
    ('cells = ["0:0.5 0.5:0.5", "", "0:1"]', 'cells = ["0.5:0.5 0:0.5", "", "0:1"]', "melody.cells[0]", "onsets must rise"),
    ('cells = ["0:0.5 0.5:0.5", "", "0:1"]', 'cells = "0:1"', "melody.cells", "list of rhythm cells"),
    ('cell_weights = [3, 1, 2]', 'cell_weights = [3, 1]', "melody.cell_weights", "list of 3 numbers"),
    ('cell_weights = [3, 1, 2]', 'cell_weights = [0, 0, 0]', "melody.cell_weights", "above 0"),
    ('moves = [0, 0, 0, 0, 0, 1, 4, 2, 4, 1, 0, 0, 0, 0, 0]', 'moves = [1, 2]', "melody.moves", "list of 15 numbers"),
    ('section_bars = 4', 'section_bars = 6', "section_bars", "use one of 0, 4, 8, 12, 16"),
    ('busy = "rock-8beat"', 'busy = "waltz-nothing"', "[grooves.mine-groove].busy", "unknown groove"),
    ('[figures.bass.{name}-line]', '[figures.bass.roots]', "figures.bass.roots", "shipped bass figure"),
    ('calm = "roots"', 'calm = "rootz"', "[figures.bass.mine-line].calm", "unknown bass figure"),
    ('tones = ["b", ".", ".", "8"', 'tones = ["-", ".", ".", "8"', "[figures.bass.mine-line].tones[0]", "cannot begin"),
    ('[figures.bass.{name}-line]', '[figures.drums.{name}-line]', "figures.drums", "unknown field"),
])
def test_bad_own_fields_name_file_and_field(tmp_path, old, new, field, words):
    assert old in OWN
    path = write(tmp_path, OWN.replace(old, new))
    with pytest.raises(StyleError) as err:
        load_style(path)
    msg = str(err.value)
    assert str(path) in msg and f": {field}: " in msg and words in msg, msg


def test_the_style_s_own_bass_figure_is_played(tmp_path):
    from gekiban.evaluate.goals import compose_score

    path = write(tmp_path, OWN)
    score, _ = compose_score(style=str(path), seed=2, duration=30)
    bass = next(p for p in score.parts if p.role == "bass")
    bar = score.meter.bar_beats
    hits = [sorted({round((n.start - b * bar) * 4) for n in bass.notes if b * bar - 0.1 <= n.start < (b + 1) * bar - 0.1})
            for b in range(score.bars)]
    assert [0, 3, 6, 8, 10, 14] in hits  # the figure's steps, in the sections that play it


def test_learned_cells_and_moves_drive_the_motifs(tmp_path):
    style = load_style(write(tmp_path, OWN))
    rng = np.random.default_rng(3)
    allowed = {((0.0, 0.5), (0.5, 0.5)), ((0.0, 1.0),)}
    for _ in range(40):
        motif = make_motif(Meter(4, 4), style.melody, rng)
        assert motif.rhythm and motif.rhythm[0][0] == 0.0  # never a rest on the bar's first pulse
        by_beat: dict[int, list] = {}
        for on, d in motif.rhythm:
            by_beat.setdefault(int(on), []).append((on - int(on), d))
        assert all(tuple(cell) in allowed for cell in by_beat.values())
        assert all(abs(s) <= 2 for s in motif.steps[1:])  # only the moves heard: -2..+2


def test_section_bars_fix_the_statement_length():
    sections = plan_form(40, energy=0.5, tension=0.3, section_bars=4, rng=np.random.default_rng(0))
    body = [s for s in sections if s.kind not in ("intro", "outro")]
    assert body and all(s.bars == 4 for s in body[:-1])
    default = plan_form(40, energy=0.5, tension=0.3, rng=np.random.default_rng(0))
    assert {s.bars for s in default if s.kind not in ("intro", "outro")} == {8}


def test_a_blend_carries_the_styles_own_progressions_and_groove(tmp_path):
    own = load_style(write(tmp_path, OWN))
    mixed = blend([(own, 0.7), (load_style("lofi"), 0.3)])
    assert "mine-vamp" in {p.name for p in mixed.progressions} and mixed.role("drums").pattern == "mine-groove"
    assert "mine-vamp" in style_progressions(mixed)


def test_user_styles_are_found_by_name_and_a_shipped_name_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path))
    assert user_style_names() == ()
    write(tmp_path / "styles", OWN, "my-vamp")
    write(tmp_path / "styles", OWN, "lofi")  # named like a shipped style: not listed, the shipped one loads
    assert user_style_names() == ("my-vamp",)
    assert load_style("my-vamp").name == "my-vamp" and load_style("lofi").family != "learned"
    with pytest.raises(StyleError, match="unknown style 'my-vam'.*close: my-vamp"):
        load_style("my-vam")
    assert styles.resolve_style("my-vamp:0.6+lofi:0.4")[1].role("drums") is not None
