"""Score → standard MIDI file: a conductor track and one track per part (see :mod:`gekiban.midi`)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import mido

from gekiban.atomic import atomic_write
from gekiban.errors import MidiError
from gekiban.midi.events import (
    DRUM_CHANNEL,
    MELODIC_CHANNELS,
    PPQ,
    Span,
    check_control,
    key_signature_name,
    note_spans,
    pan_to_cc,
    tick,
    volume_to_cc,
)
from gekiban.midi.meta import gekiban_meta
from gekiban.score import Part, Score, check_note

# Order of simultaneous events in a track: setup first, then note-offs before controls before
# note-ons, so a repeated pitch is released before it is struck again.
_ORDER_NAME, _ORDER_PROGRAM, _ORDER_SETUP, _ORDER_OFF, _ORDER_CC, _ORDER_ON = range(6)


def _channels(parts: tuple[Part, ...]) -> list[int]:
    melodic = [i for i, p in enumerate(parts) if not p.is_drum]
    out = [DRUM_CHANNEL] * len(parts)
    if len(melodic) <= len(MELODIC_CHANNELS):
        for ch, i in zip(MELODIC_CHANNELS, melodic):
            out[i] = ch
        return out
    programs: list[int] = []
    for i in melodic:
        if parts[i].program not in programs:
            programs.append(parts[i].program)
    if len(programs) > len(MELODIC_CHANNELS):
        raise MidiError(
            f"the score has {len(melodic)} melodic parts with {len(programs)} different programs; "
            f"a MIDI file can give at most {len(MELODIC_CHANNELS)} programs their own channel")
    for i in melodic:
        out[i] = MELODIC_CHANNELS[programs.index(parts[i].program)]
    return out


def _to_track(events: list[tuple[int, int, int, mido.Message | mido.MetaMessage]], end: int) -> mido.MidiTrack:
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    track = mido.MidiTrack()
    now = 0
    for at, _, _, msg in events:  # each message is this event's own: its time is set in place
        msg.time = at - now
        track.append(msg)
        now = at
    track.append(mido.MetaMessage("end_of_track", time=max(end - now, 0)))
    return track


def score_to_midi(score: Score) -> mido.MidiFile:
    """Write ``score`` as a type-1 standard MIDI file (480 PPQ) in memory.

    Parameters
    ----------
    score
        The piece.

    Returns
    -------
    mido.MidiFile
        Conductor track plus one track per part; the same Score always gives the same bytes.

    Raises
    ------
    MidiError
        If the parts need more than the 15 melodic channels MIDI has.
    ScoreError
        If a part's note or controller change is out of range.
    """
    channels = _channels(score.parts)
    for part in score.parts:
        for c in part.controls:
            check_control(c, where=f"part {part.name}")
        for n in part.notes:
            check_note(n, where=f"part {part.name}")

    # Overlaps are resolved per channel, across all parts that share it.
    spans_by_part: dict[int, list[Span]] = defaultdict(list)
    for ch in sorted(set(channels)):
        members = [i for i, c in enumerate(channels) if c == ch]
        notes = ((n, i) for i in members for n in score.parts[i].notes)
        for span in note_spans(notes, tick):
            spans_by_part[span[4]].append(span)

    last = tick(score.total_beats)
    for spans in spans_by_part.values():
        if spans:
            last = max(last, max(s[1] for s in spans))
    for part in score.parts:
        for c in part.controls:
            last = max(last, tick(c.beat))
    for m in score.markers:
        last = max(last, tick(m.beat))

    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    meter = score.meter
    click = round(24 * 4 / meter.denominator * (3 if meter.compound else 1))
    conductor: list[tuple[int, int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, 0, mido.MetaMessage("time_signature", numerator=meter.numerator, denominator=meter.denominator,
                                   clocks_per_click=click, notated_32nd_notes_per_beat=8)),
        (0, 0, 1, mido.MetaMessage("key_signature", key=key_signature_name(score.key))),
        (0, 0, 2, gekiban_meta(score)),
    ]
    for i, t in enumerate(score.tempo):
        conductor.append((tick(t.beat), 1, i, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(t.bpm))))
    for i, s in enumerate(score.sections):
        conductor.append((tick(score.bar_beat(s.start_bar)), 2, i, mido.MetaMessage("marker", text=s.name)))
    for i, m in enumerate(score.markers):
        conductor.append((tick(m.beat), 3, i, mido.MetaMessage("marker", text=m.text)))
    mid.tracks.append(_to_track(conductor, last))

    for i, part in enumerate(score.parts):
        ch = channels[i]
        events: list[tuple[int, int, int, mido.Message | mido.MetaMessage]] = [
            (0, _ORDER_NAME, 0, mido.MetaMessage("track_name", name=part.name)),
            (0, _ORDER_PROGRAM, 0, mido.Message("program_change", channel=ch, program=part.program)),
            (0, _ORDER_SETUP, 0, mido.Message("control_change", channel=ch, control=7, value=volume_to_cc(part.volume))),
            (0, _ORDER_SETUP, 1, mido.Message("control_change", channel=ch, control=10, value=pan_to_cc(part.pan))),
            (0, _ORDER_SETUP, 2, mido.Message("control_change", channel=ch, control=91, value=volume_to_cc(part.reverb))),
        ]
        for j, c in enumerate(part.controls):
            events.append((tick(c.beat), _ORDER_CC, j,
                           mido.Message("control_change", channel=ch, control=c.number, value=c.value)))
        # Notes were checked above: mido's own checks per message would take longer than
        # the rest of writing the file.
        for on, off, pitch, vel, _ in spans_by_part[i]:
            events.append((on, _ORDER_ON, pitch,
                           mido.Message("note_on", channel=ch, note=pitch, velocity=vel, skip_checks=True)))
            events.append((off, _ORDER_OFF, pitch,
                           mido.Message("note_off", channel=ch, note=pitch, velocity=64, skip_checks=True)))
        mid.tracks.append(_to_track(events, last))
    return mid


def write_midi(score: Score, path: str | os.PathLike[str]) -> Path:
    """Write ``score`` to a standard MIDI file at ``path`` atomically.

    Parameters
    ----------
    score
        The piece.
    path
        Target file; its folder must exist. Nothing is left behind if writing fails.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        If the file cannot be written.
    MidiError, ScoreError
        As :func:`score_to_midi`.
    """
    mid = score_to_midi(score)
    return atomic_write(Path(path), lambda f: mid.save(file=f))
