"""Originality (issue 13): the longest melodic match of a cue against the shipped reference
corpus and a "do not imitate" folder; `gekiban evaluate --originality [--avoid DIR]`."""

import json

import numpy as np
import pytest

from gekiban.errors import InvalidOptionError, MidiError
from gekiban.evaluate.metrics import MAX_INTERVAL, MAX_IOI
from gekiban.evaluate.originality import (
    PITCH_NOTES,
    RHYTHM_NOTES,
    avoid_index,
    build_index,
    originality,
)
from gekiban.evaluate.reference import melody_index
from gekiban.midi import write_midi
from gekiban.score import Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter

TUNE = "oneills1850/0001-0050.abc#12"  # a reel whose notes 6-17 occur nowhere else in the corpus


def _corpus_notes(name: str, first: int, count: int, *, pitch: int, start: float) -> list[Note]:
    """``count`` notes of a corpus line from its note ``first``, rebuilt from the index's
    interval-rhythm tokens, beginning on ``pitch`` at beat ``start``."""
    ref = melody_index()
    i = ref.names.index(name)
    codes = ref.codes[ref.starts[i]:ref.starts[i + 1] - 1].astype(int)[first:first + count - 1]
    notes, p, t = [], pitch, start
    for c in codes:
        notes.append(Note(p, t, 0.25))
        p += int(c // (MAX_IOI + 1)) - MAX_INTERVAL
        t += int(c % (MAX_IOI + 1)) / 4
    notes.append(Note(p, t, 0.25))
    return notes


def _random_notes(rng, count: int, *, start: float = 0.0) -> list[Note]:
    notes, p, t = [], 67, start
    for _ in range(count):
        notes.append(Note(int(p), t, 0.5))
        p = int(np.clip(p + rng.choice([-7, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 7, 9]), 55, 84))
        t += float(rng.choice([0.25, 0.5, 0.75, 1.0, 1.5]))
    return notes


def _score(*melodies: list[Note]) -> Score:
    lead = sorted((n for m in melodies for n in m), key=lambda n: n.start)
    return Score(meter=Meter(4, 4), key=Key(2, "major"), tempo=(TempoChange(0, 120),), bars=64,
                 parts=(Part("lead", "flute", 73, tuple(lead)),
                        Part("bass", "contrabass", 43, (Note(38, 0, 4.0), Note(38, 4, 4.0))),
                        Part("drums", "drums", 0, (Note(36, 0, 1),), is_drum=True)))


def test_a_transposed_copy_of_twelve_corpus_notes_is_found_with_its_piece_and_length(rng):
    before = _random_notes(rng, 20)
    copy = _corpus_notes(TUNE, 5, 12, pitch=61, start=before[-1].start + 3.0)  # transposed, after a rest
    o = originality(_score(before, copy))
    hit = {h.mode: h for h in o.hits}["rhythm"]
    assert (hit.notes, hit.source, hit.part, hit.at) == (12, TUNE, "lead (flute)", 20)
    assert {h.mode: h for h in o.hits}["pitch"].notes >= 12
    # a long copy crosses the thresholds and is warned about
    long_copy = _corpus_notes(TUNE, 0, max(PITCH_NOTES, RHYTHM_NOTES) + 2, pitch=70, start=0.0)
    warned = originality(_score(long_copy))
    assert warned.warnings and TUNE in warned.warnings[0] and "reference corpus" in warned.warnings[0]
    d = warned.to_dict()
    assert d["corpus"]["rhythm"]["source"] == TUNE and d["thresholds"] == {"pitch": PITCH_NOTES, "rhythm": RHYTHM_NOTES}


def test_a_random_cue_is_not_flagged(rng):
    o = originality(_score(_random_notes(rng, 300)))
    assert not o.warnings
    assert all(h.notes < 10 for h in o.hits)


def test_the_avoid_folder_is_searched_and_named(tmp_path, rng):
    theirs = _random_notes(np.random.default_rng(7), 40)
    write_midi(_score(theirs), tmp_path / "theme.mid")
    (tmp_path / "notes.txt").write_text("not music")
    copy = [Note(n.pitch - 3, n.start + 50.0, n.duration) for n in theirs[10:10 + RHYTHM_NOTES + 1]]
    o = originality(_score(_random_notes(rng, 20), copy), avoid=avoid_index(tmp_path))
    hit = {(h.against, h.mode): h for h in o.hits}[("avoid", "rhythm")]
    assert hit.notes == RHYTHM_NOTES + 1 and hit.source == "theme.mid part 1"
    assert any("do-not-imitate" in w for w in o.warnings)
    clean = originality(_score(_random_notes(rng, 60)), avoid=avoid_index(tmp_path / "theme.mid"))
    assert {(h.against, h.mode): h.notes for h in clean.hits}[("avoid", "rhythm")] < 8


def test_bad_avoid_inputs_get_clear_messages(tmp_path):
    with pytest.raises(InvalidOptionError, match="does not exist"):
        avoid_index(tmp_path / "nowhere")
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(InvalidOptionError, match=r"holds no MIDI files.*readme\.txt"):
        avoid_index(tmp_path)
    with pytest.raises(InvalidOptionError, match="not a MIDI file"):
        avoid_index(tmp_path / "readme.txt")
    (tmp_path / "broken.mid").write_bytes(b"this is not a MIDI file at all")
    with pytest.raises(MidiError, match=r"broken\.mid"):
        avoid_index(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidOptionError, match="it is empty"):
        avoid_index(empty)


def test_index_stops_at_line_boundaries():
    idx = build_index([("a", np.array([1, 2, 3, 4, 5, 6])), ("b", np.array([7, 8, 9, 10, 11, 12]))])
    assert idx["rhythm"].longest(np.array([3, 4, 5, 6, 7, 8, 9])) == (4, "a", 0)
    assert idx["rhythm"].longest(np.array([8, 9, 10, 11, 12])) == (5, "b", 0)
    assert idx["rhythm"].longest(np.array([1, 2, 3])) == (0, "", 0)  # shorter than a seed


def test_cli_evaluate_originality(tmp_path, capsys):
    from gekiban.cli import main

    write_midi(_score(_corpus_notes(TUNE, 0, 30, pitch=72, start=0.0)), tmp_path / "cue.mid")
    avoid = tmp_path / "avoid"
    avoid.mkdir()
    write_midi(_score(_random_notes(np.random.default_rng(3), 30)), avoid / "x.mid")
    assert main(["evaluate", "--originality", "--avoid", str(avoid), str(tmp_path / "cue.mid")]) == 0
    out = capsys.readouterr().out
    assert TUNE in out and "WARNING" in out and "do-not-imitate folder" in out
    assert main(["evaluate", "--originality", "--json", str(tmp_path / "cue.mid")]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d[0]["originality"]["corpus"]["rhythm"]["source"] == TUNE
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--originality", "--avoid", str(tmp_path / "missing"), str(tmp_path / "cue.mid")])
    assert exc.value.code != 0
    assert "does not exist" in capsys.readouterr().err


def test_annotate_bundle_adds_originality_to_track_json(tmp_path, rng):
    from gekiban.evaluate.originality import annotate_bundle

    (tmp_path / "track.json").write_text(json.dumps({"prompt": "雨の夜", "seed": 1}, ensure_ascii=False))
    block = annotate_bundle(tmp_path, _score(_random_notes(rng, 80)))
    meta = json.loads((tmp_path / "track.json").read_text(encoding="utf-8"))
    assert meta["prompt"] == "雨の夜" and meta["originality"] == block
    assert set(block) >= {"corpus", "thresholds", "warnings"} and block["warnings"] == []
    assert annotate_bundle(tmp_path / "no-bundle", _score(_random_notes(rng, 8))) is None
