"""A motif from a MIDI file: the top line of a named track, else of the busiest melodic track.

Read with mido track by track (the Score reader merges what it can name by role; a motif is
asked for by the track's own name, so the names are read here).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from gekiban.errors import MidiError
from gekiban.motifs.notation import NoteTuple

#: The most notes a motif read from a file keeps, and the rest (in beats) that ends it.
MAX_FILE_NOTES = 16
END_REST = 2.0
_DRUM_CHANNEL = 9


@dataclass(frozen=True)
class _Track:
    name: str
    notes: tuple[NoteTuple, ...]


def _tracks(path: str) -> list[_Track]:
    import mido

    try:
        mid = mido.MidiFile(path)
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise MidiError(f"cannot read MIDI file {path!r}: {exc}") from None
    tpb = mid.ticks_per_beat or 480
    out = []
    for i, track in enumerate(mid.tracks):
        name, t = "", 0
        held: dict[tuple[int, int], list[tuple[int, int]]] = {}
        by_channel: dict[int, list[NoteTuple]] = {}
        for msg in track:
            t += msg.time
            if msg.type == "track_name" and not name:
                name = msg.name.strip()
            elif msg.type == "note_on" and msg.velocity > 0:
                held.setdefault((msg.channel, msg.note), []).append((t, msg.velocity))
            elif msg.type in ("note_off", "note_on") and held.get((msg.channel, msg.note)):
                start, _ = held[(msg.channel, msg.note)].pop(0)
                if msg.channel != _DRUM_CHANNEL and t > start:
                    by_channel.setdefault(msg.channel, []).append((start / tpb, (t - start) / tpb, msg.note))
        for ch, notes in sorted(by_channel.items()):
            label = name or f"track {i}"
            out.append(_Track(label if len(by_channel) == 1 else f"{label} ch{ch + 1}", tuple(sorted(notes))))
    return out


def top_line(notes: tuple[NoteTuple, ...]) -> tuple[NoteTuple, ...]:
    """The highest note at each onset, each cut where the next begins; from the first note up
    to a rest of :data:`END_REST` beats or :data:`MAX_FILE_NOTES` notes; onsets from 0."""
    by_onset: dict[float, NoteTuple] = {}
    for on, length, p in notes:
        k = round(on, 4)
        if k not in by_onset or p > by_onset[k][2]:
            by_onset[k] = (k, length, p)
    line = [by_onset[k] for k in sorted(by_onset)]
    out: list[NoteTuple] = []
    for i, (on, length, p) in enumerate(line):
        if out and on - (out[-1][0] + out[-1][1]) >= END_REST - 1e-9:
            break
        nxt = line[i + 1][0] if i + 1 < len(line) else None
        out.append((on, min(length, nxt - on) if nxt is not None else length, p))
        if len(out) >= MAX_FILE_NOTES:
            break
    t0 = out[0][0] if out else 0.0
    return tuple((round(on - t0, 4), round(length, 4), p) for on, length, p in out)


def motif_from_midi(path: str | os.PathLike[str], *, track: str | int | None = None) -> tuple[tuple[NoteTuple, ...], str]:
    """The motif's notes from a MIDI file and the source it records (``"midi:FILE#track"``).

    Parameters
    ----------
    path
        A standard MIDI file.
    track
        A track's name (case-insensitive) or its 0-based index among the melodic tracks; by
        default the melodic track with the most notes.

    Raises
    ------
    MidiError
        For an unreadable file, one with no melodic notes, or a track that is not there (the
        message lists the tracks).
    """
    where = os.fspath(path)
    tracks = _tracks(where)
    if not tracks:
        raise MidiError(f"MIDI file {where!r} has no melodic notes (only drums or nothing)")
    names = ", ".join(f"{i}: {t.name!r}" for i, t in enumerate(tracks))
    if track is None:
        chosen = max(tracks, key=lambda t: len(t.notes))
    elif isinstance(track, int) or (isinstance(track, str) and track.strip().isdigit()):
        i = int(track)
        if not 0 <= i < len(tracks):
            raise MidiError(f"MIDI file {where!r} has no melodic track {i}: its tracks are {names}")
        chosen = tracks[i]
    else:
        match = [t for t in tracks if t.name.casefold() == str(track).strip().casefold()]
        if not match:
            raise MidiError(f"MIDI file {where!r} has no track named {track!r}: its tracks are {names}")
        chosen = match[0]
    return top_line(chosen.notes), f"midi:{os.path.basename(where)}#{chosen.name}"
