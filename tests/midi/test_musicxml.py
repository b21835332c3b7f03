"""MusicXML export: written back with music21 and, where MuseScore 3 is installed, engraved."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

music21 = pytest.importorskip("music21")

from music21 import converter, expressions, harmony, tempo  # noqa: E402

from gekiban.midi.musicxml import write_musicxml  # noqa: E402
from gekiban.score import ChordEvent, Note, Part, Score, Section, TempoChange  # noqa: E402
from gekiban.theory import Chord, Key, Meter  # noqa: E402


def _score() -> Score:
    clar = Part("lead", "clarinet", 71, notes=(
        Note(62, 0.0, 1.0, 90), Note(64, 1.0, 1.0, 90), Note(65, 2.0, 0.5, 90), Note(67, 2.5, 0.5, 90),
        Note(69, 3.0, 2.0, 90),  # tied across the bar line
        Note(67, 5.0, 1 / 3, 80), Note(65, 5.0 + 1 / 3, 1 / 3, 80), Note(64, 5.0 + 2 / 3, 1 / 3, 80),  # triplet
        Note(62, 6.0, 0.2, 100), Note(62, 6.5, 0.2, 100),  # staccato eighths
        Note(60, 8.0, 8.0, 60)))
    viola = Part("pad", "viola", 41, notes=(Note(55, 0.0, 4.0, 70), Note(57, 4.0, 12.0, 70)))
    cello = Part("bass", "cello", 42, notes=(Note(38, 0.0, 8.0, 70), Note(41, 8.0, 8.0, 70)))
    piano = Part("chords", "piano", 0, notes=(Note(65, 0.0, 4.0, 70), Note(69, 0.0, 4.0, 70), Note(41, 0.0, 4.0, 70),
                                               Note(67, 8.0, 4.0, 70), Note(43, 8.0, 4.0, 70)))
    drums = Part("drums", "drums", 0, is_drum=True, notes=tuple(
        Note(36 if b % 2 == 0 else 38, float(b), 0.25, 100) for b in range(16)) + tuple(
        Note(42, b + 0.5, 0.2, 70) for b in range(16)))
    return Score(meter=Meter(4, 4), key=Key(5, "major"), tempo=(TempoChange(0.0, 96.0), TempoChange(8.0, 120.0)),
                 bars=4, sections=(Section("intro", 0, 2, kind="intro"), Section("A", 2, 2)),
                 chords=(ChordEvent(0.0, 8.0, Chord(5, "")), ChordEvent(8.0, 4.0, Chord(10, "maj7")),
                         ChordEvent(12.0, 4.0, Chord(0, "7"))),
                 parts=(clar, viola, cello, piano, drums))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("mx") / "score.musicxml"
    write_musicxml(_score(), path)
    return path, converter.parse(str(path))


def _notes(part):
    return [n for n in part.recurse().notes if not isinstance(n, harmony.ChordSymbol)]


def _pitches(part):
    return [p.midi for n in _notes(part) for p in n.pitches]


def test_parts_one_per_instrument_and_piano_on_a_grand_staff(written):
    _, sc = written
    names = [p.partName for p in sc.parts]
    assert names[:3] == ["Clarinet", "Viola", "Cello"]
    assert names.count("Piano") == 2  # two staves of one grand staff
    assert len(sc.parts) == 6
    upper, lower = sc.parts[3], sc.parts[4]
    assert upper.recurse().getElementsByClass("Clef")[0].sign == "G"
    assert lower.recurse().getElementsByClass("Clef")[0].sign == "F"


def test_clarinet_written_a_major_second_above_sounding(written):
    path, sc = written
    clar = sc.parts[0]
    assert not clar.atSoundingPitch
    assert _pitches(clar)[0] == 62 + 2
    assert "<transpose>" in path.read_text()
    # written key: F major sounding → G major written (one sharp)
    assert clar.recurse().getElementsByClass("KeySignature")[0].sharps == 1


def test_clefs_key_meter(written):
    _, sc = written
    clefs = [p.recurse().getElementsByClass("Clef")[0] for p in sc.parts]
    assert clefs[0].sign == "G"
    assert (clefs[1].sign, clefs[1].line) == ("C", 3)  # alto clef for viola
    assert clefs[2].sign == "F"
    assert clefs[5].sign == "percussion"
    assert sc.parts[1].recurse().getElementsByClass("KeySignature")[0].sharps == -1  # F major
    ts = sc.parts[0].recurse().getElementsByClass("TimeSignature")[0]
    assert ts.ratioString == "4/4"


def test_tempo_rehearsal_marks_and_chord_symbols(written):
    _, sc = written
    top = sc.parts[0]
    marks = [(m.getOffsetInHierarchy(top), m.number) for m in top.recurse().getElementsByClass(tempo.MetronomeMark)]
    assert marks == [(0.0, 96), (8.0, 120)]
    rehearsal = [(r.getOffsetInHierarchy(top), r.content) for r in top.recurse().getElementsByClass(expressions.RehearsalMark)]
    assert rehearsal == [(0.0, "intro"), (8.0, "A")]
    symbols = [c.figure for c in top.recurse().getElementsByClass(harmony.ChordSymbol)]
    assert len(symbols) == 3
    assert symbols[1].startswith("B-") and symbols[2].startswith("C")


def test_tie_across_the_bar_line_triplets_staccato(written):
    _, sc = written
    notes = _notes(sc.parts[0])
    tied = [n for n in notes if n.tie is not None]
    assert [n.tie.type for n in tied[:2]] == ["start", "stop"]
    assert tied[0].measureNumber == 1 and tied[1].measureNumber == 2
    assert any(n.duration.tuplets for n in notes)
    assert any(any(a.name == "staccato" for a in n.articulations) for n in notes)


def test_percussion_part_and_dynamics(written):
    _, sc = written
    drums = sc.parts[5]
    assert len(list(drums.recurse().notes)) >= 16
    from music21 import note, percussion

    assert all(isinstance(n, (note.Unpitched, percussion.PercussionChord)) for n in drums.recurse().notes)
    dyns = [d.value for d in sc.parts[0].recurse().getElementsByClass("Dynamic")]
    assert dyns and dyns[0] == "f"


def test_musescore_engraves_a_pdf(written, tmp_path):
    exe = shutil.which("mscore3") or shutil.which("musescore3")
    if exe is None:
        pytest.skip("MuseScore 3 (mscore3) is not installed: `make deps-test` installs it")
    path, _ = written
    out = tmp_path / "score.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([exe, "-o", str(out), str(path)], env=env, timeout=120, check=True, capture_output=True)
    assert out.stat().st_size > 1000
    assert out.read_bytes().startswith(b"%PDF")
