"""`gekiban motif add|list|show|remove`, `compose --motif` up to the brief (with a stand-in
pipeline), `explain --motif` and `evaluate --motif/--notes`; every bad input one line, exit 2."""

from __future__ import annotations

import json

import mido
import pytest
from conftest import FakeTrack

from gekiban import pipeline
from gekiban.composer.build import build_score
from gekiban.midi import write_midi
from gekiban.motifs import MotifLibrary, parse_notes
from gekiban.styles import resolve_style
from gekiban.understand.resolve import resolve_brief
from cli_fixtures import run

HERO = "D4. E4/ F#4 A4 | B4/ A4/ F#4- D4"


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def test_add_list_show_remove(data, capsys):
    code, out, _ = run(["motif", "add", "hero", "--notes", HERO, "--chords", "D G A"], capsys)
    assert code == 0 and out.startswith("added hero") and (data / "motifs" / "hero.json").is_file()
    code, out, _ = run(["motif", "list"], capsys)
    assert code == 0 and "hero" in out and "D4. E4/ F#4 A4 B4/ A4/ F#4- D4" in out and "[D G A]" in out
    code, out, _ = run(["motif", "show", "hero", "--json"], capsys)
    assert json.loads(out)["notes"][0] == [0.0, 1.5, 62]
    code, out, _ = run(["motif", "remove", "hero"], capsys)
    assert code == 0 and out.strip() == "removed hero"
    code, out, _ = run(["motif", "list"], capsys)
    assert code == 0 and "no motifs" in out


def test_add_from_midi_with_data_option(tmp_path, capsys):
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Theme", time=0)])
    for p in (64, 67, 69, 71):
        track += [mido.Message("note_on", note=p, velocity=80, time=0), mido.Message("note_off", note=p, velocity=0, time=480)]
    mid.tracks.append(track)
    mid.save(tmp_path / "t.mid")
    code, out, err = run(["motif", "add", "theme", "--from", tmp_path / "t.mid", "--track", "Theme",
                          "--data", tmp_path / "d"], capsys)
    assert code == 0, err
    got = MotifLibrary(tmp_path / "d").get("theme")
    assert got.text == "E4 G4 A4 B4" and got.source == "midi:t.mid#Theme"


@pytest.mark.parametrize(("args", "shown"), [
    (["motif"], "add|list|show|remove"),
    (["motif", "add", "Hero", "--notes", HERO], "'Hero'"),
    (["motif", "add", "hero"], "--notes"),
    (["motif", "add", "hero", "--notes", HERO, "--from", "x.mid"], "one of them"),
    (["motif", "add", "hero", "--notes", "E4 H4"], "'H4'"),
    (["motif", "add", "hero", "--notes", "E4 G4"], "3-64 notes"),
    (["motif", "add", "hero", "--notes", HERO, "--chords", "D Q"], "'Q'"),
    (["motif", "add", "hero", "--notes", HERO, "--track", "1"], "--from"),
    (["motif", "add", "hero", "--from", "missing.mid"], "missing.mid"),
    (["motif", "show", "villain"], "no motif named 'villain'"),
    (["motif", "remove", "villain"], "no motif named 'villain'"),
    (["motif", "frobnicate"], "frobnicate"),
    (["compose", "--style", "lofi", "--motif", "villain"], "no motif named 'villain'"),
    (["compose", "--style", "lofi", "--motif", "hero,hero"], "named twice"),
    (["explain", "--style", "lofi", "--motif", "villain"], "no motif named 'villain'"),
    (["evaluate", "x.mid", "--motif", "villain"], "no motif named 'villain'"),
    (["evaluate", "x.mid", "--notes", "E4 H4"], "'H4'"),
    (["evaluate", "x.mid", "--notes", HERO, "--motif", "hero"], "give one"),
    (["evaluate", "x.mid", "--notes", HERO, "--reference"], "--reference"),
    (["evaluate", "missing.mid", "--notes", HERO], "missing.mid"),
])
def test_bad_input_is_one_line(data, capsys, args, shown):
    run(["motif", "add", "hero", "--notes", HERO], capsys)
    code, out, err = run(args, capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("gekiban: error:") and shown in err, err


def test_taken_name_and_replace(data, capsys):
    assert run(["motif", "add", "hero", "--notes", HERO], capsys)[0] == 0
    code, _, err = run(["motif", "add", "hero", "--notes", "C4 D4 E4"], capsys)
    assert code == 2 and "exists already" in err
    assert run(["motif", "add", "hero", "--notes", "C4 D4 E4", "--replace"], capsys)[0] == 0


def test_compose_puts_the_motif_in_the_brief(data, capsys, monkeypatch, tmp_path):
    run(["motif", "add", "hero", "--notes", HERO], capsys)
    seen = {}

    def fake(brief, **kwargs):
        seen["brief"] = brief
        return FakeTrack(brief)

    monkeypatch.setattr(pipeline, "compose_brief", fake)
    monkeypatch.setattr("gekiban.audio.synth.find_soundfont", lambda path=None: "font.sf2")
    code, _, err = run(["compose", "--style", "lofi", "--motif", "hero", "--seed", "3", "--out", tmp_path / "o", "-q"],
                       capsys)
    assert code == 0, err
    brief = seen["brief"]
    assert brief.leitmotifs == (("hero", parse_notes(HERO)),) and brief.why("leitmotifs").source == "option"


def test_explain_shows_the_motif(data, capsys):
    run(["motif", "add", "hero", "--notes", HERO], capsys)
    code, out, _ = run(["explain", "--style", "lofi", "--motif", "hero", "--seed", "1"], capsys)
    assert code == 0 and "leitmotifs: hero (8 notes)" in out and "option motif 'hero'" in out


def test_evaluate_finds_the_motif(data, capsys, tmp_path):
    run(["motif", "add", "hero", "--notes", HERO], capsys)
    paths = []
    for name, motifs in (("with", (("hero", parse_notes(HERO)),)), ("without", ())):
        brief = resolve_brief("", style="heroic", seed=2, duration=30, semantic=False)
        import dataclasses

        _, st, _ = resolve_style(brief.style)
        paths.append(write_midi(build_score(dataclasses.replace(brief, leitmotifs=motifs), st), tmp_path / f"{name}.mid"))
    code, out, _ = run(["evaluate", "--motif", "hero", *paths], capsys)
    lines = out.splitlines()
    assert code == 0 and "found" in lines[0] and lines[1].endswith("not found") and "found in 1 of 2 (50 %)" in lines[2]
    code, out, _ = run(["evaluate", "--notes", HERO, "--json", *paths], capsys)
    assert json.loads(out)["found"] == 1


def test_a_short_motif_is_stored_with_a_note(data, capsys):
    code, _, err = run(["motif", "add", "triad", "--notes", "C4 E4 G4-"], capsys)
    assert code == 0 and "recognisable" in err
    code, _, err = run(["motif", "add", "hero", "--notes", HERO], capsys)
    assert code == 0 and err == ""
