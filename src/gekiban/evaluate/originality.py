"""Originality: the longest melodic phrase of a cue that also occurs in the reference corpus or
in a user's "do not imitate" folder of MIDI files.

Every melodic part (role ``lead`` or ``counter``; every pitched part of a foreign MIDI file) is
read as its top line on the 16th grid (:func:`~gekiban.evaluate.metrics.melody_line`) and
matched two ways, both transposition-free:

* ``pitch``: the sequence of intervals only, repeated notes left out (a copied tune in another
  rhythm is still found; ``notes`` then counts the notes that move);
* ``rhythm``: intervals and inter-onset intervals together (the tokens of
  :func:`~gekiban.evaluate.metrics.tokens`).

The reference is the shipped melody index (``data/reference/music21-melodies.npz``, built by
``tools/make_reference.py`` from the public-domain music21 corpus: 16,160 lines of folk tunes,
fiddle tunes, chorales, quartets, madrigals; 1.38 M tokens, 0.9 MB), so no music21 is needed at
run time. Matching is seed-and-extend, written by hand (no library indexes interval n-grams):
the sorted hashes of every :data:`SEED`-token run of the index are built once per process
(~0.3 s), a line's runs are looked up with ``searchsorted`` and every hit is extended token by
token, vectorised over all hits. A 3-minute cue takes a few milliseconds.

Thresholds (in notes; a run of k tokens spans k + 1 notes). Measured by
``benchmarks/bench_originality.py --corpus-lines 2000`` (corpus lines of 16+ notes, each
matched against the index of every *other* collection; 100 fresh gekiban cues, every melodic
part, against the whole index)::

    independent corpus lines (2000)  pitch: median 12, p95 16, p99 20, max 50
                                     rhythm: median 8, p95 11, p99 17, max 68
    gekiban cues (100, 64 styles)    pitch: median 10, p95 13, max 25
                                     rhythm: median 7, p95 10, max 12

The warning sits at the 99th percentile of the independent-pieces distribution
(:data:`PITCH_NOTES` = 20, :data:`RHYTHM_NOTES` = 17): a match that long happens between
unrelated human pieces about once in a hundred (the longer ones are mostly the same tune in
two collections, or long repeated-note pedals), so it is worth a listen, not proof of a copy.
At these thresholds 1 of the 100 cues is flagged (a bassoon oom-pah figure, 25 moving notes,
that a Beethoven cello line also plays).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from gekiban.errors import InvalidOptionError, MidiError
from gekiban.evaluate.metrics import MAX_INTERVAL, MAX_IOI, is_percussion, lead_part, melody_line, token_codes, tokens
from gekiban.evaluate.reference import SEPARATOR, _window_hashes, melody_index
from gekiban.roles import base_role
from gekiban.score import Score

SEED = 4
"""Tokens in a seed run: shorter matches are reported as ``SEED`` + 1 notes at most (never warned)."""
PITCH_NOTES = 20
"""Warn at a shared run of this many notes, intervals only (99th percentile between independent corpus lines)."""
RHYTHM_NOTES = 17
"""Warn at a shared run of this many notes, intervals and rhythm (99th percentile between independent corpus lines)."""
MODES = ("pitch", "rhythm")
MELODIC_ROLES = ("lead", "counter", "melody", "part")
MIDI_SUFFIXES = (".mid", ".midi", ".smf")


@dataclass(frozen=True)
class Hit:
    """The longest shared run of one mode: ``notes`` long, found in ``source``, starting at the
    part's note ``at`` (0-based, in its top line); ``part`` names the cue's part."""

    mode: str
    notes: int
    source: str
    part: str
    at: int
    against: str

    def to_dict(self) -> dict[str, Any]:
        return {"notes": self.notes, "source": self.source, "part": self.part, "at_note": self.at}


class SeedIndex:
    """Token lines (separated by :data:`~gekiban.evaluate.reference.SEPARATOR`) with the sorted
    hashes of their :data:`SEED`-token runs, for the longest shared run with a query line."""

    def __init__(self, codes: np.ndarray, starts: np.ndarray, names: Sequence[str]):
        self.codes = np.asarray(codes, dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.names = list(names)
        h, pos = _window_hashes(self.codes, SEED)
        order = np.argsort(h)  # the order among equal hashes does not matter: every match is checked
        self.hashes, self.pos = h[order], pos[order].astype(np.int64)

    def longest(self, line: np.ndarray) -> tuple[int, str, int]:
        """(tokens, source name, line position) of the longest run of ``line`` in the index;
        (0, "", 0) when no :data:`SEED`-token run is shared."""
        line = np.asarray(line, dtype=np.int64)
        qh, qpos = _window_hashes(line, SEED)
        if not len(qh) or not len(self.hashes):
            return 0, "", 0
        lo = np.searchsorted(self.hashes, qh, side="left")
        hi = np.searchsorted(self.hashes, qh, side="right")
        counts = hi - lo
        if not counts.sum():
            return 0, "", 0
        # every (query position, index position) pair whose seed hashes agree
        qi = np.repeat(qpos, counts)
        offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        rj = self.pos[np.repeat(lo, counts) + offs]
        ok = np.all([line[qi + k] == self.codes[rj + k] for k in range(SEED)], axis=0)  # drop hash collisions
        qi, rj = qi[ok], rj[ok]
        if not len(qi):
            return 0, "", 0
        length = SEED
        best_q, best_r = int(qi[0]), int(rj[0])
        n, m = len(line), len(self.codes)
        while True:  # extend every pair one token at a time; the last survivors are the longest
            ii, jj = qi + length, rj + length
            alive = (ii < n) & (jj < m)
            alive[alive] = line[ii[alive]] == self.codes[jj[alive]]  # the separator never equals a code
            if not alive.any():
                break
            qi, rj = qi[alive], rj[alive]
            best_q, best_r = int(qi[0]), int(rj[0])
            length += 1
        piece = int(np.searchsorted(self.starts, best_r, side="right")) - 1
        return length, self.names[piece] if 0 <= piece < len(self.names) else "", best_q


_UNISON = MAX_INTERVAL  # the interval-only code of a repeated note


def pitch_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval-only codes of interval-rhythm codes, repeated notes left out (a pedal or a
    re-struck note is rhythm, not melody: two bass lines holding one note for 70 beats would
    otherwise "match"), and the position of each kept code in ``codes``; separators are kept."""
    codes = np.asarray(codes, dtype=np.int64)
    sep = codes == int(SEPARATOR)
    out = np.where(sep, int(SEPARATOR), codes // (MAX_IOI + 1))
    keep = np.nonzero(sep | (out != _UNISON))[0]
    return out[keep], keep


def _pitch_index(codes: np.ndarray, starts: np.ndarray, names: Sequence[str]) -> SeedIndex:
    pc, keep = pitch_codes(codes)
    return SeedIndex(pc, np.searchsorted(keep, starts), names)


def build_index(lines: Iterable[tuple[str, np.ndarray]]) -> dict[str, SeedIndex]:
    """``{"pitch": ..., "rhythm": ...}`` indexes of named interval-rhythm code lines."""
    names, chunks, starts, at = [], [], [], 0
    for name, codes in lines:
        names.append(name)
        starts.append(at)
        c = np.concatenate([np.asarray(codes, dtype=np.int64), [int(SEPARATOR)]])
        chunks.append(c)
        at += len(c)
    codes = np.concatenate(chunks) if chunks else np.zeros(0, np.int64)
    starts_a = np.array(starts, dtype=np.int64)
    return {"rhythm": SeedIndex(codes, starts_a, names), "pitch": _pitch_index(codes, starts_a, names)}


@cache
def corpus_index() -> dict[str, SeedIndex]:
    """The shipped reference melodies, indexed both ways (built once per process)."""
    ref = melody_index()
    codes = ref.codes.astype(np.int64)
    return {"rhythm": SeedIndex(codes, ref.starts, ref.names), "pitch": _pitch_index(codes, ref.starts, ref.names)}


def melodic_lines(score: Score) -> list[tuple[str, np.ndarray]]:
    """(part name, interval-rhythm codes) of every melodic part (see the module notes); the
    lead part alone when no part has a melodic role."""
    bar = score.meter.bar_beats
    parts = [p for p in score.parts if p.notes and not is_percussion(p) and base_role(p.role) in MELODIC_ROLES]
    if not parts:
        lead = lead_part(score)
        parts = [lead] if lead is not None else []
    out = []
    for i, p in enumerate(parts):
        name = f"{p.role or 'part'} ({p.instrument})" if p.instrument else (p.role or f"part {i + 1}")
        out.append((name, token_codes(tokens(melody_line(p.notes, bar))).astype(np.int64)))
    return out


def avoid_index(folder: str | os.PathLike[str]) -> dict[str, SeedIndex]:
    """Index every pitched part of the MIDI files in ``folder`` (searched recursively; a single
    MIDI file is accepted too).

    Raises
    ------
    InvalidOptionError
        If the folder does not exist or holds no MIDI file.
    MidiError
        If a ``.mid`` file cannot be read (the message names it).
    """
    from gekiban.midi import read_midi

    label = os.fspath(folder)
    p = Path(folder).expanduser()
    if not p.exists():
        raise InvalidOptionError(f"--avoid {label!r} does not exist: give a folder of MIDI files (.mid, .midi)")
    files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in MIDI_SUFFIXES)
    if p.is_file() and p.suffix.lower() not in MIDI_SUFFIXES:
        raise InvalidOptionError(f"--avoid {label!r} is not a MIDI file (.mid, .midi) nor a folder of them")
    if not files:
        others = sorted(f.name for f in p.rglob("*") if f.is_file())[:5]
        seen = f" (it holds {', '.join(others)}{'…' if len(others) == 5 else ''})" if others else " (it is empty)"
        raise InvalidOptionError(f"--avoid folder {label!r} holds no MIDI files (.mid, .midi){seen}")
    lines = []
    for f in files:
        try:
            score = read_midi(f)
        except MidiError as exc:
            raise MidiError(f"--avoid: {f} is not a readable MIDI file ({exc})") from None
        except (OSError, ValueError, EOFError) as exc:
            raise MidiError(f"--avoid: {f} is not a readable MIDI file ({exc})") from None
        bar = score.meter.bar_beats
        rel = f.name if p.is_file() else str(f.relative_to(p))
        for i, part in enumerate(score.parts):
            if part.notes and not is_percussion(part):
                lines.append((f"{rel} part {i + 1}", token_codes(tokens(melody_line(part.notes, bar))).astype(np.int64)))
    return build_index(lines)


def _best(index: dict[str, SeedIndex], lines: list[tuple[str, np.ndarray]], mode: str, against: str) -> Hit:
    best = Hit(mode, 0, "", "", 0, against)
    for name, codes in lines:
        c, keep = pitch_codes(codes) if mode == "pitch" else (codes, np.arange(len(codes)))
        k, src, at = index[mode].longest(c)
        notes = k + 1 if k else 0
        if notes > best.notes:
            best = Hit(mode, notes, src, name, int(keep[at]), against)
    return best


@dataclass(frozen=True)
class Originality:
    """The longest shared runs of a cue's melodic parts, per source (``corpus``, ``avoid``) and mode."""

    hits: tuple[Hit, ...]

    @property
    def warnings(self) -> list[str]:
        """One sentence per run at or above its mode's threshold."""
        out = []
        for h in self.hits:
            limit = PITCH_NOTES if h.mode == "pitch" else RHYTHM_NOTES
            if h.notes >= limit:
                what = "intervals" if h.mode == "pitch" else "intervals and rhythm"
                out.append(f"{h.part}: {h.notes} notes from note {h.at + 1} match {h.source} "
                           f"({'do-not-imitate folder' if h.against == 'avoid' else 'reference corpus'}; "
                           f"{what}; threshold {limit})")
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"thresholds": {"pitch": PITCH_NOTES, "rhythm": RHYTHM_NOTES}}
        for h in self.hits:
            out.setdefault(h.against, {})[h.mode] = h.to_dict()
        out["warnings"] = self.warnings
        return out


def originality(score: Score, *, avoid: dict[str, SeedIndex] | None = None) -> Originality:
    """The longest run of each melodic part of ``score`` found in the reference corpus (and in
    ``avoid``, an :func:`avoid_index`), intervals only and intervals with rhythm."""
    lines = melodic_lines(score)
    hits = [_best(corpus_index(), lines, m, "corpus") for m in MODES]
    if avoid is not None:
        hits += [_best(avoid, lines, m, "avoid") for m in MODES]
    return Originality(tuple(hits))


def annotate_bundle(folder: str | os.PathLike[str], score: Score) -> dict[str, Any] | None:
    """Add ``"originality"`` (:meth:`Originality.to_dict`) to the bundle's ``track.json``, rewritten
    atomically; returns it (None when the folder has no ``track.json``). Called at compose time
    by the command line and the job executor (the bundle layer sits below ``evaluate``)."""
    import json

    from gekiban.atomic import atomic_write

    path = Path(folder) / "track.json"
    if not path.is_file():
        return None
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["originality"] = originality(score).to_dict()
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    return meta["originality"]


def format_originality(label: str, o: Originality) -> list[str]:
    """Text lines for one piece."""
    lines = [label]
    for h in o.hits:
        where = "reference corpus" if h.against == "corpus" else "do-not-imitate folder"
        what = "intervals" if h.mode == "pitch" else "intervals+rhythm"
        src = f" ({h.source}; {h.part} from note {h.at + 1})" if h.notes else " (none ≥ 5 notes)"
        lines.append(f"  longest match in the {where}, {what}: {h.notes} notes{src}")
    lines += [f"  WARNING {w}" for w in o.warnings] or ["  original: no match reaches the thresholds "
                                                         f"({PITCH_NOTES} notes intervals, {RHYTHM_NOTES} with rhythm)"]
    return lines


__all__ = ["Hit", "Originality", "SeedIndex", "annotate_bundle", "avoid_index", "build_index", "corpus_index", "format_originality",
           "melodic_lines", "originality", "pitch_codes", "PITCH_NOTES", "RHYTHM_NOTES", "SEED"]
