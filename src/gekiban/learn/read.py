"""Reading a user's MIDI files for style learning: notes in beats per instrument line.

pretty_midi reads the file (type 0, 1 or 2): it splits a type 0 file by channel and a track by
program change, so an instrument that changes program mid-track becomes two lines; the tempo
map turns seconds into beats. What gekiban adds: onsets snapped to a twelfth of a beat (the
files are assumed roughly quantised, as style learners assume), the meter that covers most of
the piece, and the pickup before the first downbeat, found from where the long notes fall
(MIDI has no bar lines to say so).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gekiban.errors import MidiError
from gekiban.theory import Key, Meter

#: The grid onsets and lengths are snapped to, in beats.
GRID = 1 / 12
#: MIDI file name endings the learner reads from a folder.
MIDI_SUFFIXES = (".mid", ".midi", ".smf", ".kar")


@dataclass(frozen=True)
class Line:
    """One instrument line: its GM program, whether it is drums (channel 10), its track name,
    and its notes as ``(onset, length, pitch, velocity)`` in beats from the first downbeat,
    sorted."""

    program: int
    drum: bool
    name: str
    notes: tuple[tuple[float, float, int, int], ...]


@dataclass(frozen=True)
class Piece:
    """A MIDI file read for learning: meter, tempo (the time-weighted median), the key its key
    signature states (None without one), the pickup (beats before the first downbeat, cut
    off), its length in bars, and its lines."""

    path: str
    meter: Meter
    bpm: float
    key: Key | None
    pickup: float
    bars: int
    lines: tuple[Line, ...]


def midi_files(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """The MIDI files named by ``paths``: files as given, folders searched recursively for
    :data:`MIDI_SUFFIXES`, sorted, each once.

    Raises
    ------
    MidiError
        If a path does not exist, or a folder holds no MIDI file.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in MIDI_SUFFIXES)
            if not found:
                raise MidiError(f"folder {str(p)!r} holds no MIDI file ({', '.join(MIDI_SUFFIXES)})")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise MidiError(f"{str(p)!r} does not exist: give MIDI files or folders of them")
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]


def read_piece(path: str | os.PathLike[str]) -> Piece:
    """Read one MIDI file for learning.

    Raises
    ------
    MidiError
        If the file cannot be parsed or plays no notes; the message names the file.
    """
    import pretty_midi

    where = os.fspath(path)
    try:
        with warnings.catch_warnings():  # pretty_midi warns about type 0 files and odd meta events
            warnings.simplefilter("ignore")
            pm = pretty_midi.PrettyMIDI(where)
    except Exception as exc:  # pretty_midi/mido raise OSError, ValueError, EOFError, KeyError ...
        why = str(exc).strip() or type(exc).__name__
        raise MidiError(f"cannot read MIDI file {where!r}: {why}") from None
    if not any(inst.notes for inst in pm.instruments):
        raise MidiError(f"MIDI file {where!r} plays no notes")

    def beats(t: float) -> float:
        return pm.time_to_tick(t) / pm.resolution

    raw = []
    for inst in pm.instruments:
        notes = [(_snap(beats(n.start)), max(GRID, _snap(beats(n.end)) - _snap(beats(n.start))), int(n.pitch),
                  int(n.velocity)) for n in inst.notes]
        if notes:
            raw.append((inst, notes))
    meter = _meter(pm, beats)
    pickup = _pickup([n for inst, ns in raw if not inst.is_drum for n in ns], meter)
    lines = []
    for inst, notes in raw:
        kept = tuple(sorted((round(on - pickup, 4), d, p, v) for on, d, p, v in notes if on >= pickup - 1e-9))
        if kept:
            lines.append(Line(program=int(inst.program), drum=bool(inst.is_drum), name=inst.name.strip(), notes=kept))
    end = max(on + d for line in lines for on, d, _, _ in line.notes)
    return Piece(path=where, meter=meter, bpm=_bpm(pm), key=_key(pm), pickup=pickup,
                 bars=max(1, int(np.ceil(end / meter.bar_beats - 1e-6))), lines=tuple(lines))


def _snap(beat: float) -> float:
    return round(round(beat / GRID) * GRID, 4)


def _bpm(pm) -> float:  # noqa: ANN001
    """The tempo that holds longest (a file without tempo events plays at 120)."""
    times, tempi = pm.get_tempo_changes()
    if len(tempi) == 0:
        return 120.0
    end = max(pm.get_end_time(), float(times[-1]) + 1e-3)
    spans = np.diff(np.append(times, end))
    order = np.argsort(tempi)
    cumulative = np.cumsum(spans[order])
    return float(round(tempi[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))], 2))


def _meter(pm, beats) -> Meter:  # noqa: ANN001
    """The time signature that covers the most beats (4/4 when the file states none)."""
    changes = [ts for ts in pm.time_signature_changes if 2 <= ts.numerator <= 12 and ts.denominator in (2, 4, 8)]
    if not changes:
        return Meter(4, 4)
    end = beats(pm.get_end_time())
    cover: dict[tuple[int, int], float] = {}
    for ts, nxt in zip(changes, [*changes[1:], None]):
        span = (beats(nxt.time) if nxt is not None else end) - beats(ts.time)
        cover[(ts.numerator, ts.denominator)] = cover.get((ts.numerator, ts.denominator), 0.0) + max(span, 0.0)
    numerator, denominator = max(cover, key=lambda k: cover[k])
    return Meter(numerator, denominator)


def _key(pm) -> Key | None:  # noqa: ANN001
    """The first key signature (pretty_midi numbers keys 0-11 major, 12-23 minor)."""
    if not pm.key_signature_changes:
        return None
    number = int(pm.key_signature_changes[0].key_number)
    return Key(number % 12, "minor" if number >= 12 else "major")


def _pickup(notes: list[tuple[float, float, int, int]], meter: Meter) -> float:
    """Beats before the first downbeat. Each bar votes for the eighth on which its heaviest
    onset falls (sounding time of the notes struck there); the grid moves to the eighth most
    bars vote for, if at least half of them do and under a quarter vote for the written bar
    line. Otherwise the file's bar lines stand: without a clear pickup they are kept."""
    if not notes:
        return 0.0
    bar = meter.bar_beats
    accents: dict[int, dict[float, float]] = {}
    for on, d, _, _ in notes:
        phase = round(round((on % bar) * 2) / 2, 4) % bar
        per_bar = accents.setdefault(int(on // bar), {})
        per_bar[phase] = per_bar.get(phase, 0.0) + min(d, bar)
    votes: dict[float, int] = {}
    for per_bar in accents.values():
        ranked = sorted(per_bar.values(), reverse=True)
        if len(ranked) == 1 or ranked[0] > ranked[1] + 1e-9:  # a tie casts no vote
            top = max(per_bar, key=lambda k: per_bar[k])
            votes[top] = votes.get(top, 0) + 1
    bars = len(accents)
    best = max(votes, key=lambda k: votes[k], default=0.0)
    if best > 0 and votes[best] >= 0.5 * bars and votes.get(0.0, 0) < 0.25 * bars:
        return float(best)
    return 0.0
