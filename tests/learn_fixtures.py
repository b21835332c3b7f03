"""MIDI files written for the style learner's tests: a funk band (drums, slap bass, clavinet
comping, a lead), a four-part chorale, and files with type 0, tempo changes, pickups and
program changes mid-track."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np
import pretty_midi

#: The band's bars: i7 IV7 i7 v7 four times and a last bar on i7, in E dorian.
BAND_ROOTS = (0, 5, 0, 7)
KICK_STEPS = (0, 6, 10)
SNARE_STEPS = (4, 12)
#: The slap bass: root, octave, root, seventh, fifth, octave on these sixteenths.
BASS_STEPS = (0, 3, 6, 8, 10, 14)


def band_file(path: Path, seed: int, *, bars: int = 17, bpm: float = 100.0, tonic: int = 40) -> Path:
    """A funk band piece: 16th hi-hats, kick on 1 and the 'and' of 2 and 3, snare on 2 and 4, a
    syncopated slap bass, clavinet stabs, a lead of eighths and quarters in E dorian."""
    rng = np.random.default_rng(seed)
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    beat = 60.0 / bpm
    drums, bass = pretty_midi.Instrument(0, is_drum=True), pretty_midi.Instrument(36)
    comp, lead = pretty_midi.Instrument(7), pretty_midi.Instrument(81)
    scale = (0, 2, 3, 5, 7, 9, 10)

    def at(bar: int, step: float) -> float:
        return (bar * 4 + step / 4) * beat

    for bar in range(bars):
        root = tonic + (BAND_ROOTS[bar % 4] if bar < bars - 1 else 0)
        for s in range(16):
            drums.notes.append(pretty_midi.Note(90 if s % 4 == 0 else 70, 42, at(bar, s), at(bar, s) + 0.05))
        for s in KICK_STEPS:
            drums.notes.append(pretty_midi.Note(110, 36, at(bar, s), at(bar, s) + 0.1))
        for s in SNARE_STEPS:
            drums.notes.append(pretty_midi.Note(112, 38, at(bar, s), at(bar, s) + 0.1))
        for s, iv in zip(BASS_STEPS, (0, 12, 0, 10, 7, 12)):
            bass.notes.append(pretty_midi.Note(100, root + iv, at(bar, s), at(bar, s + 1.5)))
        third = 4 if bar % 4 == 1 and bar < bars - 1 else 3
        for s in (2, 6, 11, 14):
            for iv in (0, third, 7, 10):
                comp.notes.append(pretty_midi.Note(80, root + 24 + iv, at(bar, s), at(bar, s + 1)))
        t = 0.0
        while t < 16:
            length = float(rng.choice([2, 2, 4]))
            pitch = tonic + 36 + scale[int(rng.integers(0, 7))]
            lead.notes.append(pretty_midi.Note(96, pitch, at(bar, t), at(bar, t + length) - 0.01))
            t += length
    pm.instruments += [drums, bass, comp, lead]
    pm.write(str(path))
    return path


def band_folder(folder: Path, count: int = 4) -> Path:
    """``count`` band pieces in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        band_file(folder / f"band-{k}.mid", seed=k)
    return folder


def chorale_file(path: Path, *, bars: int = 8) -> Path:
    """A four-part chorale in G major, a chord every beat (I IV V I ...), quarter notes."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=80)
    voices = [pretty_midi.Instrument(52, name=n) for n in ("S", "A", "T", "B")]
    chords = [(67, 62, 59, 43), (72, 64, 60, 48), (66, 62, 57, 50), (67, 62, 59, 43)]  # G C D G
    beat = 0.75
    for b in range(bars * 4):
        chord = chords[b % 4]
        for v, p in zip(voices, chord):
            v.notes.append(pretty_midi.Note(80, p, b * beat, (b + 1) * beat - 0.01))
    pm.instruments += voices
    pm.write(str(path))
    return path


def raw_midi(path: Path, tracks: list[list[mido.Message | mido.MetaMessage]], *, kind: int = 1, tpb: int = 480) -> Path:
    """A MIDI file of the given tracks (messages with delta times in ticks)."""
    mid = mido.MidiFile(type=kind, ticks_per_beat=tpb)
    for messages in tracks:
        mid.tracks.append(mido.MidiTrack(messages))
    mid.save(str(path))
    return path


def notes_msgs(channel: int, pitches: list[int], *, beat_ticks: int = 480, length: int = 480) -> list[mido.Message]:
    """Notes one after another on ``channel``, a beat apart."""
    out: list[mido.Message] = []
    gap = 0
    for p in pitches:
        out.append(mido.Message("note_on", channel=channel, note=p, velocity=90, time=gap))
        out.append(mido.Message("note_off", channel=channel, note=p, velocity=0, time=length))
        gap = beat_ticks - length
    return out
