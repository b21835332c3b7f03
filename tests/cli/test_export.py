"""``gekiban export DIR --musicxml``."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("music21")

from gekiban.cli.main import main  # noqa: E402
from gekiban.midi import write_midi  # noqa: E402
from gekiban.score import Note, Part, Score, Section, TempoChange  # noqa: E402
from gekiban.theory import Key, Meter  # noqa: E402


def _bundle(folder, *, listed: bool):
    folder.mkdir()
    score = Score(meter=Meter(3, 4), key=Key(2, "minor"), tempo=(TempoChange(0.0, 90.0),), bars=2,
                  sections=(Section("A", 0, 2),),
                  parts=(Part("lead", "french-horn", 60, notes=(Note(62, 0.0, 3.0, 80), Note(65, 3.0, 3.0, 80))),))
    write_midi(score, folder / "score.mid")
    files = {"midi": "score.mid", "metadata": "track.json"} | ({"musicxml": "score.musicxml"} if listed else {})
    (folder / "track.json").write_text(json.dumps({"gekiban": "0", "brief": {}, "files": files}))
    if listed:
        (folder / "score.musicxml").write_text("old")
    return folder


def test_a_bundle_that_holds_its_musicxml_keeps_it(tmp_path, capsys):
    b = _bundle(tmp_path / "b", listed=True)
    assert main(["export", str(b), "--musicxml"]) == 0
    assert (b / "score.musicxml").read_text() == "old"  # its provenance records this file's hash
    assert "already in the bundle" in capsys.readouterr().out
    assert main(["export", str(b), "--musicxml", "--out", str(tmp_path / "copy.musicxml")]) == 0
    text = (tmp_path / "copy.musicxml").read_text()
    assert "<score-partwise" in text and "<transpose>" in text  # horn in F


def test_export_beside_a_bundle_without_it_or_to_out(tmp_path):
    b = _bundle(tmp_path / "old", listed=False)
    assert main(["export", str(b), "--musicxml"]) == 0
    assert (tmp_path / "old.musicxml").is_file() and not (b / "score.musicxml").exists()
    assert main(["export", str(b), "--musicxml", "--out", str(tmp_path / "x.musicxml")]) == 0
    assert (tmp_path / "x.musicxml").read_text().startswith("<?xml")


def test_export_needs_a_format_and_a_bundle(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["export", str(_bundle(tmp_path / "b", listed=False))])
    assert e.value.code == 2 and "--musicxml" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["export", str(tmp_path / "nothing"), "--musicxml"])
    assert e.value.code == 2 and "does not exist" in capsys.readouterr().err
