"""gekiban.evaluate: metrics on tiny hand-made scores with known answers, the reference
comparison and melody index, the `evaluate` command and its errors, and a small run of the goals."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from gekiban import cli
from gekiban.evaluate.metrics import (
    bar_recurrence,
    compression_ratio,
    lead_metrics,
    lz_repetition,
    melody_line,
    ngrams,
    playability,
    texture_metrics,
    tokens,
)
from gekiban.evaluate.reference import (
    SEPARATOR,
    NgramIndex,
    load_reference,
    overlap_area,
    shared_ngram_share,
)
from gekiban.score import Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter


def score_of(*parts: Part, meter: Meter = Meter(4, 4), bpm: float = 120.0) -> Score:
    end = max(n.end for p in parts for n in p.notes)
    return Score(meter=meter, key=Key(0, "major"), tempo=(TempoChange(0.0, bpm),),
                 bars=max(1, math.ceil(end / meter.bar_beats - 1e-9)), parts=parts)


def lead(pitches_and_times, instrument="flute", program=73) -> Part:
    return Part("lead", instrument, program, tuple(Note(p, s, d) for p, s, d in pitches_and_times))


# C D E F | G A B C  in quarter notes
SCALE = [(p, i * 1.0, 1.0) for i, p in enumerate((60, 62, 64, 65, 67, 69, 71, 72))]


# ----------------------------------------------------------------------------- pitch statistics


def test_pitch_statistics_of_a_scale():
    m = lead_metrics(score_of(lead(SCALE)))
    # 8 notes over 7 pitch classes, C twice: H = 0.25*2 + 6 * 0.125*3 = 2.75 bits
    assert m["pitch_class_entropy"] == pytest.approx(2.75)
    assert m["scale_consistency"] == 1.0
    assert m["pitch_range"] == 12 and m["n_pitch_classes"] == 7
    assert m["mean_interval"] == pytest.approx(12 / 7)
    assert m["note_density"] == pytest.approx(1.0)  # one onset per beat
    assert m["empty_beat_rate"] == 0.0
    assert m["groove_consistency"] == pytest.approx(1.0)  # both bars: four quarter notes


def test_empty_beats_and_polyphony():
    # a bar of quarter notes, a silent bar, a bar of quarters: 4 of 12 beats are silent
    notes = [(60, float(b), 0.9) for b in (0, 1, 2, 3, 8, 9, 10, 11)]
    m = lead_metrics(score_of(lead(notes)))
    assert m["empty_beat_rate"] == pytest.approx(4 / 12)
    pad = Part("pad", "strings", 48, (Note(48, 0, 12), Note(55, 0, 12)))
    t = texture_metrics(score_of(lead(notes), pad))
    assert t["polyphony"] == pytest.approx((3 * 32 + 2 * 16) / 48)  # 3 voices while the lead plays, else 2
    assert t["pitch_range"] == 60 - 48
    assert t["empty_beat_rate"] == 0.0


def test_drums_are_left_out_of_pitch_statistics():
    drums = Part("drums", "drums", 0, tuple(Note(36, float(b), 0.25) for b in range(8)), is_drum=True)
    t = texture_metrics(score_of(lead(SCALE), drums))
    assert t["pitch_range"] == 12 and t["pitch_class_entropy"] == pytest.approx(2.75)


# ----------------------------------------------------------------------------- structure


def four_bars(jitter: float = 0.0, seed: int = 0):
    """P, P a fifth up, Q, R: two of four bars recur (transposed)."""
    rng = np.random.default_rng(seed)
    p = [(0, 1.0, 0), (1, 0.5, 2), (1.5, 0.5, 4), (2, 2.0, 5)]
    q = [(0, 2.0, 0), (2, 2.0, -3)]
    r = [(0, 0.5, 0), (0.5, 0.5, 1), (1, 3.0, 3)]
    out = []
    for bar, (cells, base) in enumerate(((p, 60), (p, 67), (q, 64), (r, 62))):
        for on, d, iv in cells:
            out.append((base + iv, max(0.0, bar * 4 + on + rng.uniform(-jitter, jitter)), d))
    return out


def test_bar_recurrence_counts_transposed_repeats():
    line = melody_line([Note(p, s, d) for p, s, d in four_bars()], 4.0)
    assert bar_recurrence(line) == pytest.approx(0.5)


def test_onsets_are_quantised_before_bars_are_assigned():
    # humanized by up to 20 ms at 120 bpm (0.04 beat): a note played early still belongs to its bar
    notes = [(p, s, d) for p, s, d in four_bars()]
    notes[4] = (notes[4][0], 3.97, notes[4][2])  # bar 2's downbeat, a hair early
    line = melody_line([Note(p, s, d) for p, s, d in notes], 4.0)
    assert bar_recurrence(line) == pytest.approx(0.5)
    for seed in range(5):
        jittered = melody_line([Note(p, s, d) for p, s, d in four_bars(0.04, seed)], 4.0)
        assert bar_recurrence(jittered) == pytest.approx(0.5)


def test_bar_recurrence_of_one_bar_is_undefined():
    assert math.isnan(bar_recurrence(melody_line([Note(60, 0, 1), Note(62, 1, 1)], 4.0)))


def test_tokens_and_ngrams():
    line = melody_line([Note(60, 0, 1), Note(64, 1, 0.5), Note(62, 1.5, 0.5), Note(62, 2.0, 2)], 4.0)
    assert tokens(line).tolist() == [[4, 4], [-2, 2], [0, 2]]
    assert len(ngrams(tokens(line), 2)) == 2 and len(ngrams(tokens(line), 4)) == 0


def test_skyline_keeps_the_top_note_of_a_chord():
    line = melody_line([Note(60, 0, 1), Note(67, 0, 1), Note(64, 1, 1)], 4.0)
    assert line.pitches.tolist() == [67, 64]


def test_repetition_measures_tell_a_loop_from_random_notes():
    rng = np.random.default_rng(3)
    motif = [(2, 2), (2, 2), (-4, 4), (5, 2), (-5, 6)]
    looped = np.array(motif * 12)
    random_tok = np.stack([rng.integers(-12, 13, 60), rng.choice([1, 2, 3, 4, 6, 8], 60)], axis=1)
    assert lz_repetition(looped) > 0.85 and lz_repetition(random_tok) < 0.1
    assert compression_ratio(looped) < 0.25 < 0.6 < compression_ratio(random_tok)
    assert math.isnan(lz_repetition(looped[:5]))


# ----------------------------------------------------------------------------- playability


def test_playability_finds_range_chords_and_drum_keys():
    flute = lead([(40, 0, 1), (72, 1, 1), (76, 1, 1), (74, 2, 1)])  # 40 is below the flute; a chord at beat 1
    drums = Part("drums", "drums", 0, (Note(36, 0, 0.25), Note(30, 1, 0.25), Note(82, 2, 0.25)), is_drum=True)
    piano = Part("pad", "piano", 0, tuple(Note(p, 0, 4) for p in (48, 52, 55, 60, 64)))  # chords are fine on a piano
    kinds = sorted(v.kind for v in playability(score_of(flute, drums, piano)))
    assert kinds == ["chord", "drum-map", "drum-map", "range"]
    clean = lead([(72, 0, 1), (74, 1, 1), (76, 2.0 - 1 / 960, 1)])  # a tick of overlap is no chord
    assert playability(score_of(clean)) == []


# ----------------------------------------------------------------------------- reference


def test_overlap_area_of_same_and_disjoint_distributions():
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 300)
    assert overlap_area(rng.normal(0, 1, 200), ref) > 0.85
    assert overlap_area(rng.normal(10, 1, 200), ref) < 0.05
    assert overlap_area(np.full(50, 0.0), ref) > 0.3  # a constant set inside the reference still overlaps
    assert math.isnan(overlap_area(np.array([]), ref))


def test_ngram_index_finds_the_longest_shared_run_and_never_crosses_pieces():
    codes = np.array([1, 2, 3, 4, 5, SEPARATOR, 7, 8, 9], dtype=np.uint16)
    index = NgramIndex(codes, np.array([0, 6]), ["a", "b"])
    m = index.longest_match(np.array([0, 2, 3, 4, 9]))
    assert (m.notes, m.source, m.at) == (4, "a", 1)  # tokens 2 3 4 span four notes
    m = index.longest_match(np.array([5, 7]))  # 5|7 straddles the separator
    assert m.notes == 2
    assert index.longest_match(np.array([8, 9])).source == "b"
    assert shared_ngram_share({(1,), (2,)}, {(2,), (3,), (4,)}) == 0.5


def test_shipped_reference_loads_with_both_splits():
    ref = load_reference("all")
    dev, held = load_reference("dev"), load_reference("heldout")
    assert ref.counts["lead"] == dev.counts["lead"] + held.counts["lead"] >= 1000
    assert ref.counts["texture"] >= 200
    lo, hi = ref.band("lead.pitch_class_entropy")
    assert 1.0 < lo < hi < 3.6
    from gekiban.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="'test'"):
        load_reference("test")


def test_shipped_melody_index_holds_real_tunes():
    from gekiban.evaluate.reference import melody_index

    index = melody_index()
    assert len(index.names) > 5000 and len(index.codes) > 200_000
    piece = 3
    start, end = int(index.starts[piece]), int(index.starts[piece + 1]) - 1
    tune = index.codes[start:end]
    assert index.longest_match(tune).notes == len(tune) + 1  # a tune is found whole


# ----------------------------------------------------------------------------- the command


def bundle(tmp_path, name="bundle", *, with_json=True):
    from gekiban.midi import write_midi

    folder = tmp_path / name
    folder.mkdir()
    bass = Part("bass", "contrabass", 43, tuple(Note(36 + (i % 2) * 7, i * 2.0, 2.0) for i in range(8)))
    write_midi(score_of(lead([(p, s, d) for p, s, d in four_bars()]), bass), folder / "score.mid")
    if with_json:
        (folder / "track.json").write_text(json.dumps({"style": {"name": "hopeful"}}), encoding="utf-8")
    return folder


def call(args, capsys):
    try:
        code = cli.main(args)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_evaluate_prints_per_track_and_aggregate_metrics(tmp_path, capsys):
    b = bundle(tmp_path)
    code, out, err = call(["evaluate", str(b), str(b / "score.mid")], capsys)
    assert code == 0 and err == ""
    assert "[1] " + str(b) in out and "(style hopeful)" in out and "[2] " in out
    assert "lead bars that recur" in out and "0.500" in out
    assert "texture polyphony" in out and "playability violations" in out
    assert "aggregate over 2 tracks" in out and "longest reference match" in out


def test_evaluate_with_the_reference_and_as_json(tmp_path, capsys):
    b = bundle(tmp_path)
    code, out, _ = call(["evaluate", str(b), "--reference", "--split", "heldout"], capsys)
    assert code == 0 and "OA" in out and "ref 5-95 %" in out and "heldout" in out
    code, out, _ = call(["evaluate", str(b), "--reference", "--json"], capsys)
    doc = json.loads(out)
    row = doc["aggregate"]["metrics"]["lead.bar_recurrence"]
    assert row["mean"] == 0.5 and 0 <= row["overlap_area"] <= 1 and len(row["reference_band_5_95"]) == 2
    assert doc["tracks"][0]["playability"]["violations"] == 0
    assert doc["tracks"][0]["longest_reference_match"]["notes"] >= 2


@pytest.mark.parametrize(("make", "shown"), [
    (lambda p: p / "missing", "does not exist"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "is not a bundle"),
    (lambda p: (p / "bad.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage") and p / "bad.mid", "is truncated"),
    (lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt", "is not a standard MIDI file"),
])
def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys, make, shown):
    path = make(tmp_path)
    code, out, err = call(["evaluate", str(path)], capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gekiban: error: ") and shown in lines[0] and str(path) in lines[0]


def test_bad_track_json_and_bad_split(tmp_path, capsys):
    b = bundle(tmp_path, with_json=False)
    (b / "track.json").write_text("{not json", encoding="utf-8")
    code, _, err = call(["evaluate", str(b)], capsys)
    assert code == 2 and "track.json is not valid JSON" in err and len(err.splitlines()) == 1
    b2 = bundle(tmp_path, "other")
    code, _, err = call(["evaluate", str(b2), "--reference", "--split", "test"], capsys)
    assert code == 2 and "'test'" in err and "heldout" in err


def test_a_midi_file_without_notes_is_refused(tmp_path, capsys):
    import mido

    mid = mido.MidiFile()
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000)]))
    mid.save(tmp_path / "silent.mid")
    code, _, err = call(["evaluate", str(tmp_path / "silent.mid")], capsys)
    assert code == 2 and "no notes" in err


def test_evaluate_in_a_real_process(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gekiban.cli", "evaluate", str(tmp_path / "nope")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "does not exist" in r.stderr
