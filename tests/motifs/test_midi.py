"""A motif from a MIDI file: the top line of a named track, else of the busiest one."""

import mido
import pytest

from gekiban.errors import MidiError
from gekiban.motifs import motif_from_midi


def _file(path, tracks):
    """A type-1 file: each track (name, channel, [(start beat, beats, pitch), …]) at 480 PPQ."""
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    for name, channel, notes in tracks:
        t = mido.MidiTrack()
        t.append(mido.MetaMessage("track_name", name=name, time=0))
        events = []
        for on, d, p in notes:
            events += [(int(on * 480), 1, mido.Message("note_on", channel=channel, note=p, velocity=80)),
                       (int((on + d) * 480), 0, mido.Message("note_off", channel=channel, note=p, velocity=0))]
        now = 0
        for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
            t.append(msg.copy(time=tick - now))
            now = tick
        mid.tracks.append(t)
    mid.save(path)
    return path


def test_top_line_of_named_and_busiest_track(tmp_path):
    melody = [(1, 1, 64), (2, 0.5, 67), (2, 0.5, 60), (2.5, 0.5, 69), (3, 2, 71), (9, 1, 72)]
    chords = [(b, 4, p) for b in (0, 4, 8) for p in (48, 52, 55)] + [(12, 1, 50)] * 1
    drums = [(b * 0.5, 0.25, 42) for b in range(40)]
    path = _file(tmp_path / "m.mid", [("Melody", 0, melody), ("Chords", 1, chords), ("Drums", 9, drums)])
    notes, source = motif_from_midi(path, track="melody")
    # the highest note at each onset, from 0, up to the rest of 2+ beats before beat 9
    assert notes == ((0.0, 1.0, 64), (1.0, 0.5, 67), (1.5, 0.5, 69), (2.0, 2.0, 71))
    assert source == "midi:m.mid#Melody"
    assert motif_from_midi(path, track=0)[0] == notes
    busiest, src = motif_from_midi(path)
    assert src.endswith("#Chords") and busiest[0] == (0.0, 4.0, 55)


def test_missing_track_lists_the_tracks(tmp_path):
    path = _file(tmp_path / "m.mid", [("Melody", 0, [(0, 1, 60), (1, 1, 62), (2, 1, 64)])])
    with pytest.raises(MidiError, match="no track named 'lead'.*0: 'Melody'"):
        motif_from_midi(path, track="lead")
    with pytest.raises(MidiError, match="no melodic track 3"):
        motif_from_midi(path, track=3)


def test_drums_only_and_unreadable(tmp_path):
    path = _file(tmp_path / "d.mid", [("Drums", 9, [(0, 1, 36), (1, 1, 38)])])
    with pytest.raises(MidiError, match="no melodic notes"):
        motif_from_midi(path)
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd garbage")
    with pytest.raises(MidiError, match="cannot read"):
        motif_from_midi(bad)
    with pytest.raises(MidiError, match="cannot read"):
        motif_from_midi(tmp_path / "missing.mid")
