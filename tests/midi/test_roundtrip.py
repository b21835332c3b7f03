"""Score ↔ standard MIDI file (gekiban.midi)."""

from __future__ import annotations

import io

import mido
import pytest

from gekiban.errors import MidiError, OutputError, ScoreError
from gekiban.midi import (
    DRUM_CHANNEL,
    midi_to_score,
    read_midi,
    score_to_midi,
    write_midi,
)
from gekiban.midi.events import key_signature_name, pan_to_cc
from gekiban.score import (
    ChordEvent,
    Control,
    Marker,
    Note,
    Part,
    Score,
    Section,
    TempoChange,
)
from gekiban.theory import Chord, Key, Meter


def make_score(**kw) -> Score:
    base = dict(
        meter=Meter(4, 4), key=Key(2, "major"),
        tempo=(TempoChange(0, 120), TempoChange(4, 90), TempoChange(6, 132.5)), bars=3,
        sections=(Section("A", 0, 2, energy=0.4), Section("B", 2, 1, energy=0.9, tension=0.6)),
        chords=(ChordEvent(0, 4, Chord(2), "I"), ChordEvent(4, 4, Chord(11, "m7"), "vi7"),
                ChordEvent(8, 4, Chord(7, "", 11), "IV/6")),
        markers=(Marker(2.5, "hit"), Marker(8, "B")),  # a marker with the same text as a section start
        parts=(
            Part("lead", "flute", 73, (Note(74, 0, 1, 90), Note(76, 1, 0.5, 80), Note(74, 1.5, 2.25, 70),
                                       Note(81, 4.001, 1.999, 100)),
                 controls=(Control(0, 11, 100), Control(0, 7, 90), Control(3.5, 11, 60))),
            Part("counter-line", "violin", 40, (Note(62, 0, 4, 60), Note(66, 4, 4, 64)), volume=0.65, pan=-0.3,
                 reverb=0.4),
            Part("drums", "drums", 0, (Note(36, 0, 0.25, 110), Note(38, 1, 0.25, 100), Note(42, 0, 0.1, 50)),
                 is_drum=True, pan=0.2),
        ),
    )
    base.update(kw)
    return Score(**base)


def midi_bytes(score: Score) -> bytes:
    buf = io.BytesIO()
    score_to_midi(score).save(file=buf)
    return buf.getvalue()


def reparse(score: Score) -> mido.MidiFile:
    return mido.MidiFile(file=io.BytesIO(midi_bytes(score)))


def notes_key(part: Part) -> list[tuple[int, int, int, int]]:
    return sorted((n.pitch, round(n.start * 480), round(n.duration * 480), n.velocity) for n in part.notes)


def test_round_trip_through_a_file(tmp_path):
    score = make_score()
    path = write_midi(score, tmp_path / "cue.mid")
    back = read_midi(path)
    assert back.meter == score.meter and back.key == score.key and back.bars == score.bars
    assert back.tempo == score.tempo
    assert back.markers == score.markers
    assert back.sections == score.sections and back.chords == score.chords
    assert len(back.parts) == len(score.parts)
    for a, b in zip(score.parts, back.parts):
        assert (b.role, b.instrument, b.program, b.is_drum) == (a.role, a.instrument, a.program, a.is_drum)
        assert notes_key(b) == notes_key(a)
        assert b.controls == a.controls
        assert (b.volume, b.pan, b.reverb) == pytest.approx((a.volume, a.pan, a.reverb), abs=1 / 63)
    assert [p.name for p in back.parts] == ["lead-flute", "counter-line-violin", "drums-drums"]


def test_modal_key_written_as_relative_signature_and_read_back_exactly():
    score = make_score(key=Key(2, "dorian"))
    mid = reparse(score)
    assert [m.key for m in mid.tracks[0] if m.type == "key_signature"] == ["Am"]
    assert midi_to_score(mid).key == Key(2, "dorian")


@pytest.mark.parametrize(("key", "name"), [
    (Key(2, "major"), "D"), (Key(6, "minor"), "F#m"), (Key(5, "lydian"), "C"), (Key(7, "mixolydian"), "C"),
    (Key(4, "phrygian"), "Am"), (Key(9, "harmonic-minor"), "Am"), (Key(3, "major"), "Eb"), (Key(10, "minor"), "Bbm"),
])
def test_key_signature_name(key, name):
    assert key_signature_name(key) == name


def test_same_score_gives_identical_bytes(tmp_path):
    a = write_midi(make_score(), tmp_path / "a.mid").read_bytes()
    b = write_midi(make_score(), tmp_path / "b.mid").read_bytes()
    assert a == b == midi_bytes(make_score())


def test_tempo_map_with_two_changes():
    mid = reparse(make_score())
    assert mid.type == 1 and mid.ticks_per_beat == 480
    now, tempos = 0, []
    for msg in mid.tracks[0]:
        now += msg.time
        if msg.type == "set_tempo":
            tempos.append((now, msg.tempo))
    assert tempos == [(0, 500000), (4 * 480, 666667), (6 * 480, mido.bpm2tempo(132.5))]
    assert midi_to_score(mid).tempo == make_score().tempo


def test_conductor_has_meter_and_markers():
    mid = reparse(make_score(meter=Meter(6, 8), bars=4))
    now, markers = 0, []
    for msg in mid.tracks[0]:
        now += msg.time
        if msg.type == "marker":
            markers.append((now, msg.text))
        if msg.type == "time_signature":
            assert (msg.numerator, msg.denominator, msg.clocks_per_click) == (6, 8, 36)
    assert markers == [(0, "A"), (1200, "hit"), (2 * 1440, "B"), (3840, "B")]


def test_track_layout_channels_and_setup():
    mid = reparse(make_score())
    names = [next(m.name for m in t if m.type == "track_name") for t in mid.tracks[1:]]
    assert names == ["lead-flute", "counter-line-violin", "drums-drums"]
    channels = [{m.channel for m in t if not m.is_meta} for t in mid.tracks[1:]]
    assert channels == [{0}, {1}, {DRUM_CHANNEL}]
    head = [m for m in mid.tracks[2] if not m.is_meta][:4]
    assert head[0].type == "program_change" and head[0].program == 40
    assert [(m.control, m.value) for m in head[1:]] == [(7, 83), (10, pan_to_cc(-0.3)), (91, 51)]
    assert (pan_to_cc(-1), pan_to_cc(0), pan_to_cc(1)) == (0, 64, 127)


def test_melodic_channels_skip_the_drum_channel_and_share_by_program_past_fifteen():
    many = tuple(Part("pad", "piano", i % 3, (Note(60, 0, 1),)) for i in range(17))
    mid = reparse(make_score(parts=many))
    channels = [next(m.channel for m in t if not m.is_meta) for t in mid.tracks[1:]]
    assert DRUM_CHANNEL not in channels and channels == [0, 1, 2] * 5 + [0, 1]
    distinct = tuple(Part("pad", "piano", i, (Note(60, 0, 1),)) for i in range(16))
    with pytest.raises(MidiError, match="16 different programs"):
        score_to_midi(make_score(parts=distinct))


def _note_events(track) -> list[tuple[int, str, int]]:
    now, out = 0, []
    for m in track:
        now += m.time
        if m.type in ("note_on", "note_off"):
            out.append((now, "on" if m.type == "note_on" and m.velocity else "off", m.note))
    return out


def test_repeated_and_overlapping_pitches_never_hang():
    notes = (Note(60, 0, 1), Note(60, 1, 1), Note(62, 0, 3), Note(62, 1, 1), Note(64, 2, 1), Note(64, 2, 0.5))
    mid = reparse(make_score(parts=(Part("lead", "piano", 0, notes),)))
    events = _note_events(mid.tracks[1])
    # off before on at the same tick; the long 62 is cut where it is struck again; the doubled 64 plays once
    assert events == [(0, "on", 60), (0, "on", 62), (480, "off", 60), (480, "off", 62), (480, "on", 60),
                      (480, "on", 62), (960, "off", 60), (960, "off", 62), (960, "on", 64), (1440, "off", 64)]
    sounding: set[int] = set()
    for _, kind, pitch in events:
        assert (pitch in sounding) == (kind == "off")
        (sounding.add if kind == "on" else sounding.discard)(pitch)
    assert not sounding


def test_drum_parts_share_channel_nine_without_hanging_notes():
    kit = Part("drums", "drums", 0, (Note(36, 0, 2),), is_drum=True)
    perc = Part("perc", "orchestral-percussion", 48, (Note(36, 1, 1),), is_drum=True)
    mid = reparse(make_score(parts=(kit, perc)))
    assert _note_events(mid.tracks[1]) == [(0, "on", 36), (480, "off", 36)]
    assert _note_events(mid.tracks[2]) == [(480, "on", 36), (960, "off", 36)]


def test_tiny_note_keeps_one_tick():
    mid = reparse(make_score(parts=(Part("lead", "piano", 0, (Note(60, 1, 0.0001),)),)))
    assert _note_events(mid.tracks[1]) == [(480, "on", 60), (481, "off", 60)]


def test_bad_controller_is_a_score_error():
    part = Part("lead", "piano", 0, (Note(60, 0, 1),), controls=(Control(0, 11, 200),))
    with pytest.raises(ScoreError, match="value 200 is outside 0-127"):
        score_to_midi(make_score(parts=(part,)))


def test_foreign_file_without_names_gets_parts_from_programs():
    mid = mido.MidiFile(type=0, ticks_per_beat=96)
    track = mido.MidiTrack([
        mido.Message("program_change", channel=0, program=73),
        mido.Message("note_on", channel=0, note=72, velocity=90),
        mido.Message("note_on", channel=9, note=36, velocity=100),
        mido.Message("note_on", channel=9, note=36, velocity=0, time=48),
        mido.Message("note_off", channel=0, note=72, time=48),
        mido.Message("note_on", channel=0, note=74, velocity=70),  # never released: ends with the track
        mido.MetaMessage("end_of_track", time=96 * 5),
    ])
    mid.tracks.append(track)
    score = midi_to_score(mid)
    assert [(p.role, p.instrument, p.is_drum) for p in score.parts] == [("part", "flute", False), ("part", "drums", True)]
    assert score.parts[0].notes == (Note(72, 0, 1, 90), Note(74, 1, 5, 70))
    assert score.parts[1].notes == (Note(36, 0, 0.5, 100),)
    assert (score.tempo, score.meter, score.key, score.bars) == ((TempoChange(0, 120),), Meter(4, 4), Key(0), 2)


def test_garbage_file_is_a_midi_error_naming_it(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not a midi file at all")
    with pytest.raises(MidiError, match="bad.mid"):
        read_midi(bad)


def test_truncated_and_missing_files_are_midi_errors(tmp_path):
    cut = tmp_path / "cut.mid"
    cut.write_bytes(midi_bytes(make_score())[:60])
    with pytest.raises(MidiError, match="cut.mid"):
        read_midi(cut)
    with pytest.raises(MidiError, match="nothing.mid"):
        read_midi(tmp_path / "nothing.mid")


def test_unusable_tempo_is_a_midi_error(tmp_path):
    mid = mido.MidiFile(type=1)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=10_000_000)]))  # 6 bpm
    path = tmp_path / "slow.mid"
    mid.save(path)
    with pytest.raises(MidiError, match="slow.mid.*outside 10-400"):
        read_midi(path)


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    def boom(self, filename=None, file=None):
        file.write(b"MThd")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mido.MidiFile, "save", boom)
    with pytest.raises(OutputError, match="No space left"):
        write_midi(make_score(), tmp_path / "cue.mid")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError):
        write_midi(make_score(), tmp_path / "missing-folder" / "cue.mid")
