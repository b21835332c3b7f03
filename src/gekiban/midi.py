"""Standard MIDI files from and to a :class:`~gekiban.score.Score` (through ``mido``).

Layout of a written file (type 1, 480 ticks per quarter note):

* track 0, the conductor: time signature, key signature, tempo map, a marker at each section
  start (text = section name) and one per :class:`~gekiban.score.Marker`, and a
  sequencer-specific meta event (manufacturer id ``0x7D``, non-commercial) holding what MIDI has
  no event for (the mode of the key, the sections, the chords) so that reading the file back
  gives the same Score;
* one track per part, named ``part.name`` (``"lead-french-horn"``): program change, CC7 volume,
  CC10 pan, CC91 reverb send, the part's own controllers, then its notes.

Drum parts play on channel 9 (GM channel 10); the others get 0-15 without 9, one each while
there are at most 15, else parts with the same program share a channel. A note that starts
while the same pitch still sounds on its channel cuts the earlier one short, so every note-on
has exactly one note-off and nothing hangs. Volume, pan and reverb come back quantised to MIDI's
7 bits (as the shortest decimal with the same controller value); everything else comes back exactly (times to 1/480 beat).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from pathlib import Path

import mido

from gekiban.atomic import atomic_write
from gekiban.errors import MidiError, ScoreError
from gekiban.instruments import registry
from gekiban.score import ChordEvent, Control, Marker, Note, Part, Score, Section, TempoChange
from gekiban.theory import MODES, Chord, Key, Meter, parse_key

PPQ = 480
"""Ticks per quarter note of written files."""
DRUM_CHANNEL = 9
"""The General MIDI percussion channel (channel 10 counted from 1)."""
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)

_META_ID = b"\x7dgekiban"  # 0x7D: manufacturer id reserved for non-commercial use
_META_VERSION = 1
# Relative-major offset of each mode: D dorian has the signature of C major (2 semitones down).
_MODE_OFFSET = {"major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7,
                "minor": 9, "locrian": 11, "harmonic-minor": 9}
_MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_NAMES = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")

# Order of simultaneous events in a track: setup first, then note-offs before controls before
# note-ons, so a repeated pitch is released before it is struck again.
_ORDER_NAME, _ORDER_PROGRAM, _ORDER_SETUP, _ORDER_OFF, _ORDER_CC, _ORDER_ON = range(6)

Span = tuple[int, int, int, int, int]
"""``(on, off, pitch, velocity, tag)`` in integer time units (ticks or samples)."""


# --------------------------------------------------------------------------- helpers shared with render


def note_spans(notes: Iterable[tuple[Note, int]], to_time: Callable[[float], int]) -> list[Span]:
    """Turn notes into non-overlapping on/off spans on an integer time grid.

    Parameters
    ----------
    notes
        ``(note, tag)`` pairs that sound on one channel; ``tag`` is carried through (the index
        of the part a note belongs to when parts share a channel).
    to_time
        Maps a beat to the integer grid (MIDI ticks, audio samples).

    Returns
    -------
    list of Span
        Sorted by onset. Every span lasts at least one unit. Two notes of one pitch starting on
        the same unit become one (the longest, first given on ties); a note still sounding when
        the same pitch starts again ends there, so no note-off is ever lost or doubled.
    """
    by_pitch: dict[int, list[list[int]]] = defaultdict(list)
    order = 0
    for note, tag in notes:
        on = to_time(note.start)
        off = max(to_time(note.end), on + 1)
        by_pitch[note.pitch].append([on, -off, order, note.velocity, tag])
        order += 1
    spans: list[Span] = []
    for pitch, items in by_pitch.items():
        items.sort()
        kept: list[list[int]] = []
        for on, neg_off, _, vel, tag in items:
            if kept and kept[-1][0] == on:
                continue  # same pitch struck twice at once: keep the longest
            if kept and kept[-1][1] > on:
                kept[-1][1] = on  # restruck while sounding: cut the earlier note
            kept.append([on, -neg_off, vel, tag])
        spans.extend((on, off, pitch, vel, tag) for on, off, vel, tag in kept)
    spans.sort(key=lambda s: (s[0], s[2], s[4]))
    return spans


def check_control(control: Control, *, where: str) -> None:
    """Raise :class:`ScoreError` unless ``control`` is a usable controller change."""
    if not (0 <= control.number <= 119):
        raise ScoreError(f"{where}: controller {control.number} is outside 0-119 (120-127 are channel-mode messages)")
    if not (0 <= control.value <= 127):
        raise ScoreError(f"{where}: controller {control.number} value {control.value} is outside 0-127")
    if control.beat < 0:
        raise ScoreError(f"{where}: controller {control.number} at beat {control.beat} is before beat 0")


def key_signature_name(key: Key) -> str:
    """The MIDI key-signature name of ``key`` (``"D"``, ``"F#m"``).

    Modes other than major and minor get the signature of their relative major (lydian,
    mixolydian) or relative minor (dorian, phrygian, locrian); harmonic minor that of the
    natural minor.
    """
    major_tonic = (key.tonic - _MODE_OFFSET.get(key.mode, 0)) % 12
    if key.is_minor:
        return _MINOR_NAMES[(major_tonic + 9) % 12]
    return _MAJOR_NAMES[major_tonic]


def volume_to_cc(volume: float) -> int:
    """Part volume 0-1 to CC7 0-127."""
    return min(127, max(0, round(volume * 127)))


def pan_to_cc(pan: float) -> int:
    """Part pan -1 (left) .. 1 (right) to CC10 0..127, 64 the centre."""
    pan = min(1.0, max(-1.0, pan))
    return round(64 + pan * (64 if pan < 0 else 63))


def _from_cc(value: int, exact: float, forward: Callable[[float], int]) -> float:
    """The shortest decimal that ``forward`` maps back to ``value`` (0.8, not 0.8031)."""
    for digits in range(4):
        if forward(candidate := round(exact, digits)) == value:
            return candidate
    return exact


def _cc_to_volume(value: int) -> float:
    return _from_cc(value, value / 127, volume_to_cc)


def _cc_to_pan(value: int) -> float:
    return _from_cc(value, (value - 64) / (64 if value < 64 else 63), pan_to_cc)


def _tick(beat: float) -> int:
    return round(beat * PPQ)


# --------------------------------------------------------------------------- Score → MIDI


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


def _fields(obj: object) -> dict:
    """The init fields of a dataclass as a JSON-able dict (nested dataclasses included)."""
    out = {}
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        if f.init:
            v = getattr(obj, f.name)
            out[f.name] = _fields(v) if dataclasses.is_dataclass(v) else v
    return out


def _build(cls: type, data: dict) -> object:
    """Rebuild a dataclass from :func:`_fields` output, ignoring fields it does not know."""
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    return cls(**{k: v for k, v in data.items() if k in known})


def _gekiban_meta(score: Score) -> mido.MetaMessage:
    info = {
        "v": _META_VERSION,
        "key": _fields(score.key),
        "sections": [_fields(s) for s in score.sections],
        "chords": [_fields(c) for c in score.chords],
    }
    data = _META_ID + json.dumps(info, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return mido.MetaMessage("sequencer_specific", data=list(data))


def _to_track(events: list[tuple[int, int, int, mido.Message | mido.MetaMessage]], end: int) -> mido.MidiTrack:
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    track = mido.MidiTrack()
    now = 0
    for tick, _, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
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
        If a part's controller change is out of range.
    """
    channels = _channels(score.parts)
    for part in score.parts:
        for c in part.controls:
            check_control(c, where=f"part {part.name}")

    # Overlaps are resolved per channel, across all parts that share it.
    spans_by_part: dict[int, list[Span]] = defaultdict(list)
    for ch in sorted(set(channels)):
        members = [i for i, c in enumerate(channels) if c == ch]
        notes = ((n, i) for i in members for n in score.parts[i].notes)
        for span in note_spans(notes, _tick):
            spans_by_part[span[4]].append(span)

    last = _tick(score.total_beats)
    for spans in spans_by_part.values():
        if spans:
            last = max(last, max(s[1] for s in spans))
    for part in score.parts:
        for c in part.controls:
            last = max(last, _tick(c.beat))
    for m in score.markers:
        last = max(last, _tick(m.beat))

    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    meter = score.meter
    click = round(24 * 4 / meter.denominator * (3 if meter.compound else 1))
    conductor: list[tuple[int, int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, 0, mido.MetaMessage("time_signature", numerator=meter.numerator, denominator=meter.denominator,
                                   clocks_per_click=click, notated_32nd_notes_per_beat=8)),
        (0, 0, 1, mido.MetaMessage("key_signature", key=key_signature_name(score.key))),
        (0, 0, 2, _gekiban_meta(score)),
    ]
    for i, t in enumerate(score.tempo):
        conductor.append((_tick(t.beat), 1, i, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(t.bpm))))
    for i, s in enumerate(score.sections):
        conductor.append((_tick(score.bar_beat(s.start_bar)), 2, i, mido.MetaMessage("marker", text=s.name)))
    for i, m in enumerate(score.markers):
        conductor.append((_tick(m.beat), 3, i, mido.MetaMessage("marker", text=m.text)))
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
            events.append((_tick(c.beat), _ORDER_CC, j,
                           mido.Message("control_change", channel=ch, control=c.number, value=c.value)))
        for on, off, pitch, vel, _ in spans_by_part[i]:
            events.append((on, _ORDER_ON, pitch, mido.Message("note_on", channel=ch, note=pitch, velocity=vel)))
            events.append((off, _ORDER_OFF, pitch, mido.Message("note_off", channel=ch, note=pitch, velocity=64)))
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


# --------------------------------------------------------------------------- MIDI → Score


def read_midi(path: str | os.PathLike[str]) -> Score:
    """Read a standard MIDI file into a :class:`Score`.

    Parameters
    ----------
    path
        A type 0, 1 or 2 MIDI file.

    Returns
    -------
    Score
        See :func:`midi_to_score`.

    Raises
    ------
    MidiError
        If the file is missing, unreadable or malformed; the message names the file.
    """
    try:
        mid = mido.MidiFile(os.fspath(path))
    except Exception as exc:  # mido raises OSError, EOFError, ValueError, KeySignatureError...
        raise MidiError(f"cannot read MIDI file {os.fspath(path)!r}: {exc}") from exc
    return midi_to_score(mid)


def _split_name(name: str, is_drum: bool, program: int) -> tuple[str, str]:
    """Role and instrument from a ``role-instrument`` track name, else from the program."""
    reg = registry()
    parts = name.strip().split("-")
    for i in range(1, len(parts)):  # prefer the split whose right side is a known instrument
        role, inst = "-".join(parts[:i]), "-".join(parts[i:])
        if role and inst in reg:
            return role, inst
    if len(parts) > 1 and all(p and p.isascii() and (p.isalnum() and p == p.lower()) for p in parts):
        return parts[0], "-".join(parts[1:])
    matches = [i.id for i in reg.values() if i.program == program and i.drum == is_drum]
    if not matches and is_drum:
        matches = [i.id for i in reg.values() if i.drum]
    return "part", (matches[0] if matches else f"program-{program}")


def _read_meta(data: bytes) -> dict | None:
    if not data.startswith(_META_ID):
        return None
    try:
        info = json.loads(bytes(data[len(_META_ID):]).decode())
        return info if isinstance(info, dict) and info.get("v") == _META_VERSION else None
    except (UnicodeDecodeError, ValueError):
        return None


def _bpm(tempo: int) -> float:
    exact = 60_000_000 / tempo
    rounded = round(exact, 2)
    return rounded if mido.bpm2tempo(rounded) == tempo else exact


@dataclasses.dataclass
class _Scan:
    """What a pass over the tracks found (mutable scratch space of :func:`midi_to_score`)."""

    tempos: dict[int, int] = dataclasses.field(default_factory=dict)
    meter: Meter | None = None
    key_name: str | None = None
    markers: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)
    info: dict | None = None
    last: int = 0
    groups: list[dict] = dataclasses.field(default_factory=list)


def _scan_track(track: mido.MidiTrack, tpb: int, scan: _Scan) -> None:
    """Collect the notes of each channel in ``track`` and the conductor events anywhere."""
    now = 0
    name = ""
    by_channel: dict[int, dict] = {}
    open_notes: dict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)

    def group(ch: int) -> dict:
        if ch not in by_channel:
            by_channel[ch] = {"channel": ch, "program": None, "setup": {}, "controls": [], "notes": [],
                              "first_note": None}
        return by_channel[ch]

    for msg in track:
        now += msg.time
        kind = msg.type
        if kind == "note_on" and msg.velocity > 0:
            g = group(msg.channel)
            if g["first_note"] is None:
                g["first_note"] = now
            open_notes[(msg.channel, msg.note)].append((now, msg.velocity))
        elif kind in ("note_off", "note_on"):
            queue = open_notes.get((msg.channel, msg.note))
            if queue:
                on, vel = queue.popleft()
                if now > on:
                    group(msg.channel)["notes"].append(Note(msg.note, on / tpb, (now - on) / tpb, vel))
        elif kind == "program_change":
            g = group(msg.channel)
            if g["program"] is None:
                g["program"] = msg.program
        elif kind == "control_change" and msg.control < 120:  # 120-127: channel-mode messages
            g = group(msg.channel)
            if now == 0 and msg.control in (7, 10, 91) and msg.control not in g["setup"]:
                g["setup"][msg.control] = msg.value
            else:
                g["controls"].append(Control(now / tpb, msg.control, msg.value))
        elif kind == "track_name" and not name:
            name = msg.name
        elif kind == "set_tempo":
            scan.tempos[now] = msg.tempo
        elif kind == "time_signature" and scan.meter is None:
            scan.meter = Meter(msg.numerator, msg.denominator)
        elif kind == "key_signature" and scan.key_name is None:
            scan.key_name = msg.key
        elif kind in ("marker", "cue_marker"):
            scan.markers.append((now, len(scan.markers), msg.text))
        elif kind == "sequencer_specific" and scan.info is None:
            scan.info = _read_meta(bytes(msg.data))
    scan.last = max(scan.last, now)
    for (ch, pitch), queue in open_notes.items():  # notes never released end with the track
        for on, vel in queue:
            if now > on:
                group(ch)["notes"].append(Note(pitch, on / tpb, (now - on) / tpb, vel))
    for g in sorted(by_channel.values(), key=lambda g: (g["first_note"] is None, g["first_note"] or 0, g["channel"])):
        if g["notes"]:
            g["name"] = name
            scan.groups.append(g)


def _make_part(g: dict) -> Part:
    is_drum = g["channel"] == DRUM_CHANNEL
    program = g["program"] if g["program"] is not None else 0
    role, instrument = _split_name(g["name"], is_drum, program)
    setup = g["setup"]
    return Part(
        role=role, instrument=instrument, program=program,
        notes=tuple(sorted(g["notes"], key=lambda n: (n.start, n.pitch, n.duration))),
        is_drum=is_drum,
        volume=_cc_to_volume(setup[7]) if 7 in setup else Part.volume,
        pan=_cc_to_pan(setup[10]) if 10 in setup else Part.pan,
        reverb=_cc_to_volume(setup[91]) if 91 in setup else Part.reverb,
        controls=tuple(g["controls"]),
    )


def midi_to_score(mid: mido.MidiFile) -> Score:
    """Turn a parsed MIDI file into a :class:`Score`.

    Each channel that plays notes in a track becomes a :class:`Part` (in track order). Role and
    instrument come from a ``role-instrument`` track name, else role ``"part"`` and the
    instrument of the GM program. The first CC7/CC10/CC91 at tick 0 give volume, pan and reverb;
    later controller changes become :class:`Control` values. Tempo, meter (the first time
    signature), key, markers and, for files gekiban wrote, sections and chords are read back.
    The bar count covers the last event.

    Raises
    ------
    MidiError
        If the file does not describe a usable score; the message names the file.
    """
    where = repr(mid.filename) if getattr(mid, "filename", None) else "<MIDI data>"
    tpb = mid.ticks_per_beat
    if not tpb or tpb <= 0:
        raise MidiError(f"MIDI file {where}: ticks per beat {tpb} must be a positive number (SMPTE time is not supported)")
    scan = _Scan()
    for track in mid.tracks:
        _scan_track(track, tpb, scan)
    meter, info = scan.meter, scan.info
    try:
        meter = meter or Meter(4, 4)
        key = _read_key(scan.key_name, info)
        tempo = [TempoChange(tick / tpb, _bpm(t)) for tick, t in sorted(scan.tempos.items())]
        if not tempo or tempo[0].beat > 0:
            tempo.insert(0, TempoChange(0.0, 120.0))
        sections = _read_sections(info)
        section_starts = [(_tick(s.start_bar * meter.bar_beats), s.name) for s in sections]
        markers = []
        for tick, _, text in sorted(scan.markers):
            if (_tick(tick / tpb), text) in section_starts:
                section_starts.remove((_tick(tick / tpb), text))
            else:
                markers.append(Marker(tick / tpb, text))
        bars = max(1, math.ceil(scan.last / (meter.bar_beats * tpb) - 1e-9))
        return Score(meter=meter, key=key, tempo=tuple(tempo), bars=bars, sections=sections,
                     chords=_read_chords(info), parts=tuple(_make_part(g) for g in scan.groups),
                     markers=tuple(markers))
    except (ScoreError, ZeroDivisionError) as exc:
        raise MidiError(f"MIDI file {where} does not describe a usable score: {exc}") from exc


def _read_key(key_name: str | None, info: dict | None) -> Key:
    key = parse_key(key_name) if key_name else Key(0, "major")
    try:  # the exact mode, when the file's own key signature still agrees with it
        exact = _build(Key, info["key"])  # type: ignore[index]
        if exact.mode in MODES and (key_name is None or key_signature_name(exact) == key_signature_name(key)):
            return exact  # type: ignore[return-value]
    except (TypeError, KeyError, ValueError, AttributeError):
        pass
    return key


def _read_sections(info: dict | None) -> tuple[Section, ...]:
    try:
        return tuple(_build(Section, d) for d in info["sections"])  # type: ignore[index,misc]
    except (TypeError, KeyError, ValueError, AttributeError):
        return ()


def _read_chords(info: dict | None) -> tuple[ChordEvent, ...]:
    try:
        return tuple(_build(ChordEvent, {**d, "chord": _build(Chord, d["chord"])})  # type: ignore[misc]
                     for d in info["chords"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError, AttributeError):
        return ()
