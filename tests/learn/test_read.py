"""Reading MIDI files for style learning: type 0, tempo changes, pickups, program changes,
and every bad file named."""

import mido
import pytest

from gekiban.errors import MidiError
from gekiban.learn.read import midi_files, read_piece
from gekiban.theory import Key, Meter
from learn_fixtures import band_file, notes_msgs, raw_midi


def test_a_band_file_reads_into_lines_in_beats(tmp_path):
    piece = read_piece(band_file(tmp_path / "b.mid", 0))
    assert piece.meter == Meter(4, 4) and piece.bpm == pytest.approx(100.0) and piece.pickup == 0.0
    assert piece.bars == 17 and piece.key is None
    drums = next(line for line in piece.lines if line.drum)
    assert {n[2] for n in drums.notes} == {36, 38, 42}
    kicks = sorted(n[0] for n in drums.notes if n[2] == 36 and n[0] < 4)
    assert kicks == [0.0, 1.5, 2.5]  # steps 0, 6, 10 of the first bar, in beats


def test_type_0_channels_become_lines(tmp_path):
    msgs = [mido.Message("program_change", channel=0, program=40, time=0),
            mido.Message("program_change", channel=1, program=32, time=0)]
    a, b = notes_msgs(0, [72, 74, 76, 77]), notes_msgs(1, [36, 38, 40, 41])
    merged = list(mido.merge_tracks([mido.MidiTrack(msgs + a), mido.MidiTrack(b)]))
    piece = read_piece(raw_midi(tmp_path / "t0.mid", [merged], kind=0))
    assert sorted(line.program for line in piece.lines) == [32, 40]


def test_a_program_change_mid_track_splits_the_line(tmp_path):
    msgs = [mido.Message("program_change", channel=0, program=0, time=0), *notes_msgs(0, [60, 62]),
            mido.Message("program_change", channel=0, program=73, time=0), *notes_msgs(0, [64, 65])]
    piece = read_piece(raw_midi(tmp_path / "pc.mid", [msgs]))
    assert sorted((line.program, len(line.notes)) for line in piece.lines) == [(0, 2), (73, 2)]


def test_tempo_changes_keep_beats_and_the_longest_tempo_wins(tmp_path):
    conductor = [mido.MetaMessage("set_tempo", tempo=500000, time=0),
                 mido.MetaMessage("set_tempo", tempo=1000000, time=480 * 2)]
    piece = read_piece(raw_midi(tmp_path / "tc.mid", [conductor, notes_msgs(0, [60] * 12)]))
    onsets = [n[0] for n in piece.lines[0].notes]
    assert onsets == [float(i) for i in range(12)]  # beats, whatever the tempo
    assert piece.bpm == pytest.approx(60.0)  # 10 of 12 beats at 60 bpm: most of the time


def test_a_pickup_is_found_and_cut_off(tmp_path):
    # a quarter pickup, then bars of a half note on the downbeat and two quarters
    pitches, lengths = [67], [1]
    for _ in range(8):
        pitches += [72, 71, 69]
        lengths += [2, 1, 1]
    msgs, gap = [], 0
    for p, n in zip(pitches, lengths):
        msgs += [mido.Message("note_on", note=p, velocity=90, time=gap), mido.Message("note_off", note=p, time=480 * n)]
    piece = read_piece(raw_midi(tmp_path / "pickup.mid", [msgs]))
    assert piece.pickup == 1.0
    assert piece.lines[0].notes[0][:3] == (0.0, 2.0, 72)


def test_a_key_signature_is_read(tmp_path):
    conductor = [mido.MetaMessage("key_signature", key="Em", time=0)]
    assert read_piece(raw_midi(tmp_path / "k.mid", [conductor, notes_msgs(0, [64, 66])])).key == Key(4, "minor")


@pytest.mark.parametrize(("content", "reason"), [(b"", "cannot read"), (b"RIFFxxxx", "cannot read"),
                                                  (b"MThd\x00\x00\x00\x06\x00\x01", "cannot read")])
def test_unreadable_files_are_named(tmp_path, content, reason):
    path = tmp_path / "bad.mid"
    path.write_bytes(content)
    with pytest.raises(MidiError, match=reason) as info:
        read_piece(path)
    assert "bad.mid" in str(info.value)


def test_a_file_without_notes_is_refused(tmp_path):
    with pytest.raises(MidiError, match="plays no notes"):
        read_piece(raw_midi(tmp_path / "empty.mid", [[mido.MetaMessage("set_tempo", tempo=500000, time=0)]]))


def test_midi_files_searches_folders_and_names_what_is_missing(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    band_file(tmp_path / "a" / "deep" / "x.MID", 0)
    (tmp_path / "a" / "notes.txt").write_text("no")
    found = midi_files([tmp_path / "a", tmp_path / "a" / "deep" / "x.MID"])
    assert [p.name for p in found] == ["x.MID"]  # each file once
    with pytest.raises(MidiError, match="does not exist"):
        midi_files([tmp_path / "nothing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(MidiError, match="holds no MIDI file"):
        midi_files([tmp_path / "empty"])
