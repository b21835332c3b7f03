"""Standard MIDI file → Score: any type 0, 1 or 2 file, and gekiban's own files exactly."""

from __future__ import annotations

import dataclasses
import math
import os
from collections import defaultdict, deque

import mido

from gekiban.errors import MidiError, ScoreError
from gekiban.instruments import registry
from gekiban.midi.events import DRUM_CHANNEL, cc_to_pan, cc_to_volume, tick
from gekiban.midi.meta import read_chords, read_key, read_meta, read_sections
from gekiban.score import Control, Marker, Note, Part, Score, TempoChange
from gekiban.theory import Meter


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
    where = os.fspath(path)
    if os.path.isdir(where):
        raise MidiError(f"{where!r} is a folder, not a MIDI file: give the path of a .mid file")
    if not os.path.exists(where):
        raise MidiError(f"MIDI file {where!r} does not exist: give the path of a .mid file")
    if os.path.getsize(where) == 0:
        raise MidiError(f"MIDI file {where!r} is empty: give a standard MIDI file (.mid)")
    with open(where, "rb") as f:
        magic = f.read(4)
    if magic not in (b"MThd", b"RIFF"):
        raise MidiError(f"{where!r} is not a standard MIDI file: it does not start with 'MThd'")
    try:
        mid = mido.MidiFile(where)
    except EOFError:
        raise MidiError(f"MIDI file {where!r} is truncated: it ends inside a chunk") from None
    except Exception as exc:  # mido raises OSError, ValueError, KeySignatureError... some without a message
        why = str(exc).strip() or f"{type(exc).__name__} while parsing it"
        raise MidiError(f"cannot read MIDI file {where!r}: {why}; give a standard MIDI file (.mid)") from None
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


def _bpm(tempo: int) -> float:
    if tempo <= 0:
        raise ScoreError(f"it sets a tempo of {tempo} microseconds per quarter note")
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
            scan.info = read_meta(bytes(msg.data))
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
        volume=cc_to_volume(setup[7]) if 7 in setup else Part.volume,
        pan=cc_to_pan(setup[10]) if 10 in setup else Part.pan,
        reverb=cc_to_volume(setup[91]) if 91 in setup else Part.reverb,
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
        key = read_key(scan.key_name, info)
        tempo = [TempoChange(at / tpb, _bpm(t)) for at, t in sorted(scan.tempos.items())]
        if not tempo or tempo[0].beat > 0:
            tempo.insert(0, TempoChange(0.0, 120.0))
        sections = read_sections(info)
        section_starts = [(tick(s.start_bar * meter.bar_beats), s.name) for s in sections]
        markers = []
        for at, _, text in sorted(scan.markers):
            if (tick(at / tpb), text) in section_starts:
                section_starts.remove((tick(at / tpb), text))
            else:
                markers.append(Marker(at / tpb, text))
        bars = max(1, math.ceil(scan.last / (meter.bar_beats * tpb) - 1e-9))
        return Score(meter=meter, key=key, tempo=tuple(tempo), bars=bars, sections=sections,
                     chords=read_chords(info), parts=tuple(_make_part(g) for g in scan.groups),
                     markers=tuple(markers))
    except (ScoreError, ZeroDivisionError) as exc:
        raise MidiError(f"MIDI file {where} does not describe a usable score: {exc}") from exc
